"""The statistics rollup (suggestions/statistics/): stored counts equal a fresh count, writes
mark their congress dirty and the task recounts it, the date-dependent figures are recounted
for a new day, pages and the API read in a constant number of queries and say as of when,
and two refreshes at once neither double-write nor deadlock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from congress.celery import app as celery_app
from congress.celery import schedule_statistics
from congress.models import Session
from suggestions import services, statistics
from suggestions.models import StatisticsChange, StatisticsRefresh, StatisticsSnapshot
from suggestions.statistics import compute, rollup
from suggestions.tasks import refresh_all_statistics, refresh_due_statistics
from tests import lifecycle
from tests.factories import CongressFactory, SessionFactory, SuggestionFactory
from tests.web_support import bulk_public_suggestions

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LONG_AGO = dt.date(2024, 1, 10)  # reply due 2024-04-10


def same_figures(stored, counted) -> bool:
    """Equal figures, whatever the as-of fields."""
    plain = {"computed_at": None, "stale": False}
    return dataclasses.replace(stored, **plain) == dataclasses.replace(counted, **plain)


def counted_now(scope) -> dict:
    return compute.compute(scope, None)


@pytest.fixture
def handled(world):
    """Suggestions in several stages, written through the services; counted once."""
    lifecycle.evaluated(world, title="一：满意", category="A")
    lifecycle.replied(world, title="二：逾期答复", category="B", assigned_on=LONG_AGO)
    lifecycle.assigned(world, title="三：超期未复", assigned_on=LONG_AGO)
    lifecycle.assigned(world, title="四：未到期", co_unit=True)
    lifecycle.evaluated(world, title="五：不满意", rating="dissatisfied", category="C")
    lifecycle.draft(world, title="六：草稿")
    statistics.refresh(world.congress)
    return world


def assert_snapshot_equals_a_fresh_count(world) -> None:
    congress = world.congress
    for public_only in (True, False):
        population = compute.population(public_only)
        scope = compute.CongressScope(congress=congress, population=population)
        assert same_figures(
            statistics.congress_statistics(congress, public_only=public_only),
            counted_now(scope)[congress.pk],
        )
        sessions = compute.SessionScope(congress=congress, session=None, population=population)
        stored = statistics.session_table(congress, public_only=public_only)
        assert [s.scope_id for s in stored] == list(counted_now(sessions))
        assert all(same_figures(s, counted_now(sessions)[s.scope_id]) for s in stored)
        for of_session in [None, *Session.objects.filter(term__congress=congress)]:
            units = compute.UnitScope(
                congress=congress, session=of_session, only_unit=None, population=population
            )
            fresh = counted_now(units)
            stored = statistics.unit_table(congress, session=of_session, public_only=public_only)
            assert [u.scope_id for u in stored] == list(fresh)
            assert all(same_figures(u, fresh[u.scope_id]) for u in stored)
            one = statistics.unit_statistics(
                world.lead_unit, session=of_session, public_only=public_only
            )
            assert same_figures(one, fresh[world.lead_unit.pk])


def test_snapshot_equals_a_fresh_count_after_writes_through_the_services(handled):
    assert_snapshot_equals_a_fresh_count(handled)
    withheld = lifecycle.evaluated(handled, title="七：不公开", category="D")
    services.suggestion_withhold(suggestion=withheld, actor=handled.staff, reason="个人隐私")
    lifecycle.replied(handled, title="八：又一件", category="B")
    second = SessionFactory(term=handled.term, number=2, name="六届人大二次会议")
    at_second = dataclasses.replace(handled, session=second)
    lifecycle.replied(at_second, title="九：二次会议", category="A", assigned_on=LONG_AGO)
    lifecycle.assigned(at_second, title="十：二次会议超期", assigned_on=LONG_AGO)
    statistics.refresh(handled.congress)
    assert_snapshot_equals_a_fresh_count(handled)
    second_units = statistics.unit_table(handled.congress, session=second)
    assert [u.assigned for u in second_units if u.scope_id == handled.lead_unit.pk] == [2]
    public = statistics.congress_statistics(handled.congress)
    staff = statistics.congress_statistics(handled.congress, public_only=False)
    assert staff.categories["D"] == 1 and public.categories["D"] == 0  # public: public only


def test_a_service_write_marks_dirty_and_the_task_recounts(handled):
    before = statistics.congress_statistics(handled.congress)
    assert not before.stale and rollup.due() == []
    lifecycle.registered(handled, title="九：刚立案")
    # The page keeps the last snapshot, marked stale, until the task recounts.
    stale = statistics.congress_statistics(handled.congress)
    assert stale.stale and stale.registered == before.registered
    assert rollup.due() == [handled.congress]
    assert refresh_due_statistics() == 1
    fresh = statistics.congress_statistics(handled.congress)
    assert not fresh.stale and fresh.registered == before.registered + 1
    assert fresh.computed_at > before.computed_at
    assert not StatisticsChange.objects.exists()
    assert refresh_due_statistics() == 0  # nothing due: nothing recounted


def test_a_draft_of_another_congress_marks_only_that_congress(handled):
    other = CongressFactory(name="巍山县人民代表大会", short_name="巍山县")
    StatisticsChange.objects.all().delete()
    SuggestionFactory(congress=other)
    assert set(StatisticsChange.objects.values_list("congress_id", flat=True)) == {other.pk}


def test_date_dependent_figures_change_after_the_daily_recount(world):
    # Assigned on 2025-07-01: reply due 2025-10-09 (the 3-month period ends in the National
    # Day holiday and rolls forward).
    day_before = dt.datetime(2025, 10, 9, 23, 0, tzinfo=SHANGHAI)
    with time_machine.travel(day_before, tick=False):
        lifecycle.assigned(world, title="到期前", assigned_on=dt.date(2025, 7, 1))
        statistics.refresh(world.congress)
        counted = statistics.congress_statistics(world.congress)
        assert counted.overdue_now == 0 and counted.on_time_rate.denominator == 0
    with time_machine.travel(day_before + dt.timedelta(hours=1, minutes=10), tick=False):
        # After midnight the snapshot still holds yesterday's figures, marked stale…
        stale = statistics.congress_statistics(world.congress)
        assert stale.overdue_now == 0 and stale.stale
        assert rollup.due() == [world.congress]
        # …until the beat's first run after midnight recounts it for the new day.
        assert refresh_due_statistics() == 1
        today = statistics.congress_statistics(world.congress)
        assert today.overdue_now == 1 and today.on_time_rate.denominator == 1
        assert not today.stale
        unit = statistics.unit_statistics(world.lead_unit)
        assert unit.overdue_now == 1


def test_the_daily_task_recounts_every_congress(handled):
    before = StatisticsRefresh.objects.get(pk=handled.congress.pk).computed_at
    assert refresh_all_statistics() == 1
    assert StatisticsRefresh.objects.get(pk=handled.congress.pk).computed_at > before


def test_the_beat_schedules_both_recounts():
    class Recorder:
        def __init__(self):
            self.tasks = {}

        def add_periodic_task(self, schedule, signature, name):
            self.tasks[signature.task] = schedule

        def signature(self, name):
            return celery_app.signature(name)

    recorder = Recorder()
    schedule_statistics(recorder)
    assert set(recorder.tasks) == {"statistics.refresh_due", "statistics.refresh_all"}
    assert recorder.tasks["statistics.refresh_due"] == 60
    daily = recorder.tasks["statistics.refresh_all"]
    assert (daily.hour, daily.minute) == ({0}, {5})
    assert {"statistics.refresh_due", "statistics.refresh_all"} <= set(celery_app.tasks)


# ---- readers: constant queries, as of when ----


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def statistics_urls(world) -> list[str]:
    congress, session, unit = world.congress.pk, world.session.pk, world.lead_unit.pk
    api = "/api/v1/statistics"
    return [
        "/stats/",
        f"/stats/?session={session}",
        f"{api}/congresses/{congress}/",
        f"{api}/congresses/{congress}/sessions/",
        f"{api}/congresses/{congress}/units/",
        f"{api}/congresses/{congress}/units/?session={session}",
        f"{api}/sessions/{session}/",
        f"{api}/units/{unit}/",
        f"{api}/units/{unit}/?session={session}",
    ]


def test_query_counts_are_the_same_at_10_and_at_60_suggestions(world, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0  # cold: every request reads the database
    staff = APIClient()
    staff.force_login(world.staff)
    urls = statistics_urls(world)
    dashboard = ["/staff/dashboard/", f"/staff/dashboard/?session={world.session.pk}"]

    def counts() -> list[int]:
        statistics.refresh(world.congress)
        return [queries(client, url) for url in urls] + [queries(staff, u) for u in dashboard]

    bulk_public_suggestions(world, 10)
    few = counts()
    bulk_public_suggestions(world, 50)
    many = counts()
    assert statistics.congress_statistics(world.congress).registered == 60
    assert many == few
    # an API request: the scope, its snapshot, its groups, the congress's reply categories
    assert max(few[2 : len(urls)]) <= 5


def test_pages_and_api_say_as_of_when(handled, client):
    computed_at = StatisticsRefresh.objects.get(pk=handled.congress.pk).computed_at
    as_of = timezone.localtime(computed_at, SHANGHAI).strftime("%Y-%m-%d %H:%M")
    page = client.get("/stats/").content.decode()
    assert f"统计截至 {as_of}" in page and "统计正在刷新" not in page
    client.force_login(handled.staff)
    assert f"统计截至 {as_of}" in client.get("/staff/dashboard/").content.decode()
    client.logout()
    api = APIClient().get(f"/api/v1/statistics/congresses/{handled.congress.pk}/").json()
    assert dt.datetime.fromisoformat(api["computed_at"]) == computed_at
    assert api["stale"] is False
    lifecycle.registered(handled, title="十：新立案")
    assert "统计正在刷新" in client.get("/stats/").content.decode()
    assert APIClient().get(f"/api/v1/statistics/sessions/{handled.session.pk}/").json()["stale"]


def test_english_page_says_as_of_when(handled, client):
    page = client.get("/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Statistics as of" in page


def test_a_fresh_install_counts_once_on_first_read(world, client):
    lifecycle.registered(world)
    assert not StatisticsSnapshot.objects.exists()
    block = client.get("/stats/").context["blocks"][0]
    assert block["overall"].registered == 1 and not block["stale"]
    assert StatisticsSnapshot.objects.filter(congress=world.congress).count() == 4
    # A session created since the last count shows with nothing counted.
    later = SessionFactory(term=world.term, number=2, name="六届人大二次会议")
    rows = {row.scope_id: row for row in statistics.session_table(world.congress)}
    assert rows[later.pk].registered == 0


def test_the_page_serves_the_last_snapshot_while_redis_is_down(handled, client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    lifecycle.registered(handled, title="十一：Redis 停机时立案")  # the write succeeds
    response = client.get("/stats/")
    assert response.status_code == 200
    assert "统计正在刷新" in response.content.decode()
    assert response.context["blocks"][0]["stale"]


def test_the_command_counts_every_congress(handled, capsys):
    lifecycle.registered(handled, title="十二：命令前")
    call_command("refresh_statistics")
    assert "1 congresses counted" in capsys.readouterr().out
    assert not statistics.congress_statistics(handled.congress).stale


# ---- two workers ----


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent refreshes need row-level locks (SKIP LOCKED); SQLite serialises all "
            "writes, so run this with DATABASE_URL=postgres://…"
        )


def in_threads(*targets) -> list:
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)
    errors: list = []

    def body(i, target):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            results[i] = target()
        except Exception as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=body, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "deadlocked"
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_neither_double_write_nor_deadlock(postgres_only, world):
    lifecycle.replied(world, category="B")
    lifecycle.registered(world, title="另一件")
    refreshed = in_threads(statistics.refresh_due, statistics.refresh_due)
    assert 1 <= sum(refreshed) <= 2  # the second skips the locked congress, or comes after
    snapshots = StatisticsSnapshot.objects.filter(congress=world.congress)
    assert snapshots.count() == 4  # (public, staff) × (whole congress, one session)
    assert not StatisticsChange.objects.exists()
    assert_snapshot_equals_a_fresh_count(world)


@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_a_congress_being_refreshed_and_a_reader_waits(postgres_only, world):
    lifecycle.registered(world)
    statistics.refresh(world.congress)
    lifecycle.assigned(world, title="刷新中写入")
    holding = threading.Event()
    release = threading.Event()

    def other_worker_mid_refresh():
        from django.db import connection as thread_connection

        try:
            with transaction.atomic():
                rows = StatisticsRefresh.objects.select_for_update()
                list(rows.filter(pk=world.congress.pk))
                holding.set()
                release.wait(timeout=30)
        finally:
            thread_connection.close()

    worker = threading.Thread(target=other_worker_mid_refresh)
    worker.start()
    assert holding.wait(timeout=30)
    try:
        assert statistics.refresh_due() == 0  # skipped at once, not blocked
        stale = statistics.congress_statistics(world.congress)  # readers are not blocked
        assert stale.stale and stale.assigned == 0
    finally:
        release.set()
        worker.join(timeout=30)
    assert statistics.refresh_due() == 1
    assert statistics.congress_statistics(world.congress).assigned == 1
