"""Two sweeps (and their deliveries) at the same moment, on PostgreSQL, in two threads with
their own connections: no reminder is created or sent twice, no evaluation lapses twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection

from suggestions.models import Evaluation
from suggestions.reminders.delivery import deliver_all
from suggestions.reminders.models import Reminder, ReminderStatus
from suggestions.reminders.sweep import run_sweep
from tests import reminder_world
from tests.reminder_world import EXPECTED_AT_NOW, NOW

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "concurrent sweeps need a database with row-level locking and concurrent writers; "
            "SQLite serialises all writes, so run this with DATABASE_URL=postgres://…"
        )


def run_concurrently(target, workers: int = 2) -> list:
    barrier = threading.Barrier(workers)
    outcomes: list = []
    errors: list = []

    def body():
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            outcomes.append(target())
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=body) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return outcomes


def test_two_sweeps_at_once_send_each_reminder_once(postgres_only, world):
    lifecycle = reminder_world.build(world)

    def sweep_and_deliver():
        result = run_sweep(now=NOW)
        delivery = deliver_all(now=NOW)
        return result.created_total, result.lapsed, delivery.sent

    outcomes = run_concurrently(sweep_and_deliver)

    expected = sum(EXPECTED_AT_NOW.values())
    assert sum(created for created, _lapsed, _sent in outcomes) == expected
    assert sum(lapsed for _created, lapsed, _sent in outcomes) == 1
    assert sum(sent for _created, _lapsed, sent in outcomes) == expected
    assert Reminder.objects.count() == expected
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == expected
    keys = Counter(m.extra_headers["X-Reminder-Key"] for m in mail.outbox)
    assert set(keys.values()) == {1}
    assert len(keys) == Reminder.objects.exclude(email="").count()
    assert Evaluation.objects.filter(suggestion=lifecycle.lapsing).count() == 1
    assert lifecycle.lapsing.events.filter(action="lapse_evaluation").count() == 1


def test_many_deliverers_share_the_pending_rows_without_overlap(postgres_only, world):
    reminder_world.build(world)
    run_sweep(now=NOW)

    outcomes = run_concurrently(lambda: deliver_all(now=NOW, batch_size=2).sent, workers=4)

    expected = sum(EXPECTED_AT_NOW.values())
    assert sum(outcomes) == expected
    keys = Counter(m.extra_headers["X-Reminder-Key"] for m in mail.outbox)
    assert set(keys.values()) == {1}
