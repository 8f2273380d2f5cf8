from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import (
    CongressFactory,
    CongressStaffFactory,
    DeputyFactory,
    HandlingUnitFactory,
    SessionFactory,
    TermFactory,
    UserFactory,
)


@dataclass
class World:
    """One congress with a session, two deputies, staff, a leader and three units."""

    congress: object
    term: object
    session: object
    deputy: object
    cosigner: object
    staff: object
    leader: object
    outsider: object
    lead_unit: object
    co_unit: object
    other_unit: object
    lead_unit_user: object
    co_unit_user: object
    other_unit_user: object


@pytest.fixture
def world(db) -> World:
    congress = CongressFactory(name="郴州市人民代表大会", short_name="郴州市")
    term = TermFactory(congress=congress)
    session = SessionFactory(term=term)
    deputy = DeputyFactory(term=term, person__name="汤欣平", person__user__username="deputy")
    cosigner = DeputyFactory(term=term, person__name="刘杨", person__user__username="cosigner")
    staff = CongressStaffFactory(congress=congress, user__username="staff").user
    leader = CongressStaffFactory(congress=congress, role="leader", user__username="leader").user
    lead_unit_user = UserFactory(username="unit_lead")
    co_unit_user = UserFactory(username="unit_co")
    other_unit_user = UserFactory(username="unit_other")
    return World(
        congress=congress,
        term=term,
        session=session,
        deputy=deputy,
        cosigner=cosigner,
        staff=staff,
        leader=leader,
        outsider=UserFactory(username="outsider"),
        lead_unit=HandlingUnitFactory(
            congress=congress, name="郴州市人民政府", members=[lead_unit_user]
        ),
        co_unit=HandlingUnitFactory(congress=congress, name="郴州高新区", members=[co_unit_user]),
        other_unit=HandlingUnitFactory(
            congress=congress, name="郴州经开区", members=[other_unit_user]
        ),
        lead_unit_user=lead_unit_user,
        co_unit_user=co_unit_user,
        other_unit_user=other_unit_user,
    )


# ---- Reminders: Celery worker subprocesses must see the test database ----
@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, test in a file instead of in memory, so that the worker processes the Celery
    integration tests start (tests/test_reminders_celery.py) open the same database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("sqlite") / "test_db.sqlite3"
        )
