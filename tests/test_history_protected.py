"""History is protected below Python: on PostgreSQL the database refuses UPDATE and DELETE of
events and of submitted versions (migration 0005_history_protected); on both databases a
suggestion with a history, or the account that wrote one of its versions, cannot be deleted;
the seed loader never rewrites history on a reload."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from suggestions import services
from suggestions.models import Event, Suggestion, Version
from tests.conftest import drive
from tests.factories import SuggestionFactory

pytestmark = pytest.mark.django_db


def skip_unless_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the history triggers exist on PostgreSQL only (SQLite has the Python guards)")


def raw(sql: str, params: list) -> None:
    # Its own savepoint: a refused statement must not break the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE suggestions_event SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM suggestions_event WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_rewrite_an_event(world, sql):
    skip_unless_postgresql()
    event = drive(world, "registered").events.get(action="register")
    with pytest.raises(IntegrityError, match="append-only"):
        raw(sql, [event.pk])
    assert Event.objects.filter(pk=event.pk, reason="编号：第1号").exists()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE suggestions_version SET body = 'rewritten' WHERE id = %s",
        "UPDATE suggestions_version SET submitted_at = NULL WHERE id = %s",
        "DELETE FROM suggestions_version WHERE id = %s",
    ],
    ids=["update-text", "unfreeze", "delete"],
)
def test_the_database_refuses_to_rewrite_a_submitted_version(world, sql):
    skip_unless_postgresql()
    version = drive(world, "submitted").versions.get()
    assert version.submitted_at is not None
    with pytest.raises(IntegrityError, match="frozen"):
        raw(sql, [version.pk])
    assert Version.objects.get(pk=version.pk).body == version.body


@pytest.mark.postgres
def test_a_draft_text_is_still_written_and_submitted(world):
    skip_unless_postgresql()
    draft = drive(world, "draft")
    user = world.deputy.person.user
    services.suggestion_update_draft(suggestion=draft, actor=user, title="新标题", body="新正文")
    services.suggestion_submit(suggestion=draft, actor=user)
    version = draft.versions.get()
    assert (version.title, version.submitted_at is not None) == ("新标题", True)
    with pytest.raises(IntegrityError):
        raw("DELETE FROM suggestions_version WHERE id = %s", [version.pk])


def test_a_suggestion_with_a_history_cannot_be_deleted(world):
    registered = drive(world, "registered")
    with pytest.raises(ProtectedError):
        registered.delete()
    with pytest.raises(ProtectedError):
        Suggestion.objects.filter(pk=registered.pk).delete()
    only_a_version = SuggestionFactory(lead_deputy=world.deputy)
    with pytest.raises(ProtectedError):
        only_a_version.delete()
    assert Suggestion.objects.filter(pk__in=[registered.pk, only_a_version.pk]).count() == 2
    assert registered.events.count() > 0


def test_the_author_of_a_version_cannot_be_deleted(world):
    drive(world, "submitted")
    with pytest.raises(ProtectedError):
        world.deputy.person.user.delete()


def test_a_seed_reload_never_rewrites_history():
    call_command("load_seeds", "--no-demo-users", stdout=io.StringIO(), stderr=io.StringIO())
    with CaptureQueriesContext(connection) as reload:
        call_command("load_seeds", "--no-demo-users", stdout=io.StringIO(), stderr=io.StringIO())
    rewrites = [
        q["sql"]
        for q in reload.captured_queries
        if q["sql"].startswith(("UPDATE", "DELETE"))
        and ('"suggestions_event"' in q["sql"] or '"suggestions_version"' in q["sql"])
    ]
    assert rewrites == []


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_still_empties_history_tables(world):
    """TRUNCATE is not blocked: transactional tests are flushed with it after they ran."""
    drive(world, "registered")
    assert Event.objects.exists()
