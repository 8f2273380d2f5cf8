from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from congress.services_runner import start_own_redis
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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 costs ~0.3 s per demo user; tests need no real hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    # A rolled-back test database sends no signals, so no test may see another's cached
    # public responses (suggestions/api/public_cache.py).
    from django.core.cache import cache

    cache.clear()


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


def drive(world: World, to_state: str, *, category: str = "B"):
    """A suggestion by the world's deputy, taken to `to_state` through the real services
    (the steps are those of tests/lifecycle.py, assigned on 2025-07-01)."""
    import datetime as dt

    from suggestions import services
    from tests import lifecycle

    common = {
        "title": "关于把郴州打造成为“中国电池之都”的建议",
        "body": "力争用10年时间，将郴州打造成为“中国电池之都”。",
    }
    handled = {**common, "assigned_on": dt.date(2025, 7, 1), "category": category}
    builders = {
        "draft": lambda: lifecycle.draft(world, **common),
        "submitted": lambda: lifecycle.submitted(world, **common),
        "registered": lambda: lifecycle.registered(world, **common),
        "assigned": lambda: lifecycle.assigned(world, **common, assigned_on=dt.date(2025, 7, 1)),
        "replied": lambda: lifecycle.replied(world, **handled),
        "closed": lambda: lifecycle.evaluated(world, **handled),
    }
    if to_state in builders:
        suggestion = builders[to_state]()
    else:
        suggestion = lifecycle.evaluated(world, **handled)
        services.suggestion_start_follow_up(suggestion=suggestion, actor=world.staff)
        if to_state == "completed":
            services.suggestion_complete(
                suggestion=suggestion, actor=world.staff, findings="承诺事项已落实。"
            )
    assert suggestion.state == to_state
    return suggestion


@pytest.fixture
def at_state(world):
    """at_state("replied") → a suggestion taken there through the services."""
    return lambda state, **kw: drive(world, state, **kw)


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


@pytest.fixture
def broker_url(tmp_path):
    """REDIS_URL when the environment gives one, else a redis-server of our own."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        yield url
        return
    own = start_own_redis(tmp_path / "redis")
    try:
        yield own.url
    finally:
        own.stop()
