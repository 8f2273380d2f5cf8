"""deploy/backup.sh and deploy/restore.sh (deploy/README.md, "Backups"): a backup of the seeded
database and of a reply letter, restored into an empty database, gives back the same rows, the
seed facts, the history triggers and the file; restore.sh refuses a database in use.

PostgreSQL only (the scripts run pg_dump and pg_restore). Transactional: pg_dump reads the test
database from its own connection, so the seeds must be committed."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection

from suggestions.models import Event, Version
from tests import test_seeds as seed_checks

DEPLOY = Path(settings.BASE_DIR) / "deploy"
LETTER = Path("replies/2025/郴州市人民政府答复函.pdf")


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("backup.sh and restore.sh run pg_dump and pg_restore: PostgreSQL only")


def database_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}{port}/{name}"


def run(script: str, argument: Path, *, database: str, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url(database), "MEDIA_ROOT": str(media)}
    return subprocess.run(
        [str(DEPLOY / script), str(argument)], env=env, capture_output=True, text=True, timeout=300
    )


def every_row() -> dict[str, list[tuple]]:
    """All rows of the project's tables and the users, in primary-key order."""
    models = [
        *apps.get_app_config("congress").get_models(),
        *apps.get_app_config("suggestions").get_models(),
        *apps.get_app_config("reminders").get_models(),
        *apps.get_app_config("auth").get_models(),
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in models}


@contextmanager
def connected_to(name: str) -> Iterator[None]:
    """The default connection reads database NAME for the duration (no transaction is open:
    the test is transactional)."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@contextmanager
def new_database() -> Iterator[str]:
    # Named after the configured database (h_deploy → h_deploy_restore_…), dropped afterwards.
    name = (
        f"{connection.settings_dict['NAME'].removeprefix('test_')}_restore_{secrets.token_hex(4)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_gives_back_the_records_and_files(
    postgres, tmp_path
):
    seed_checks.load("--no-demo-users")
    source = connection.settings_dict["NAME"]
    before = every_row()
    assert len(before["suggestions.Suggestion"]) == 3 and before["suggestions.Event"]
    media = tmp_path / "media"
    (media / LETTER).parent.mkdir(parents=True)
    (media / LETTER).write_bytes(b"%PDF-1.4 reply letter\n")

    backup = run("backup.sh", tmp_path / "backups", database=source, media=media)
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip())
    assert folder.parent == tmp_path / "backups" and folder.name.startswith("backup-")
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar.gz"}

    restored_media = tmp_path / "restored-media"
    with new_database() as target:
        restore = run("restore.sh", folder, database=target, media=restored_media)
        assert restore.returncode == 0, restore.stderr
        with connected_to(target):
            assert every_row() == before
            for check in (
                seed_checks.test_municipal_suggestion_has_three_versions_in_order_with_their_revisers,
                seed_checks.test_municipal_suggestion_is_handled_by_three_units_without_invented_dates,
                seed_checks.test_historical_steps_are_events_naming_the_acting_body,
                seed_checks.test_municipal_supervision_has_the_decision_and_the_dated_visits,
                seed_checks.test_escalation_to_the_provincial_congress_and_its_measures,
                seed_checks.test_weishan_suggestion_is_under_key_supervision_with_activities_and_review,
                seed_checks.test_weishan_outcomes_and_citizen_opinions,
                seed_checks.test_no_seeded_date_is_invented,
                seed_checks.test_every_seeded_record_cites_its_source,
            ):
                check(None)
            # The history triggers came back with the data (restored rows were inserted): SQL
            # that goes around the models' own guards is refused by the database.
            event = Event.objects.first().pk
            version = Version.objects.first().pk
            with pytest.raises(IntegrityError, match="append-only"), connection.cursor() as sql:
                sql.execute("UPDATE suggestions_event SET reason = '改写' WHERE id = %s", [event])
            with (
                pytest.raises(IntegrityError, match="no version is deleted"),
                connection.cursor() as sql,
            ):
                sql.execute("DELETE FROM suggestions_version WHERE id = %s", [version])
    assert (restored_media / LETTER).read_bytes() == b"%PDF-1.4 reply letter\n"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_in_use_and_changes_nothing(postgres, tmp_path):
    seed_checks.load("--no-demo-users")
    before = every_row()
    folder = tmp_path / "backup-20250101T000000Z"
    folder.mkdir()
    (folder / "database.dump").write_bytes(b"")
    (folder / "media.tar.gz").write_bytes(b"")
    media = tmp_path / "media"

    result = run("restore.sh", folder, database=connection.settings_dict["NAME"], media=media)

    assert result.returncode == 2
    assert "is not empty" in result.stderr and "createdb" in result.stderr
    assert every_row() == before
    assert not media.exists()


def test_backup_names_a_missing_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT")}
    result = subprocess.run(
        [str(DEPLOY / "backup.sh"), str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr
    assert not list(tmp_path.iterdir())
