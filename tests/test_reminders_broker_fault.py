"""Fault: the Redis broker goes away in the middle of a delivery run and comes back empty
(its queued tasks lost). The database holds what still has to go out, so every reminder is
delivered, and none twice."""

from __future__ import annotations

import time

import pytest

from congress.services_runner import start_own_redis
from suggestions.reminders.models import Reminder, ReminderStatus
from tests.celery_harness import (
    build_due_assignments,
    celery_running,
    log_tail,
    mailed_keys,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EXPECTED = 20  # 10 assignments × (unit address + member)


def test_broker_stops_mid_run_and_comes_back(world, tmp_path, settings):
    build_due_assignments(world, 10, days_left=1)
    mail_dir = tmp_path / "mail"
    # Always a Redis of our own: the test stops and restarts it.
    broker = start_own_redis(tmp_path / "redis")
    try:
        with celery_running(
            tmp_path,
            redis_url=broker.url,
            mail_dir=mail_dir,
            EMAIL_BACKEND="tests.slow_mail.EmailBackend",
            REMINDER_TEST_MAIL_DELAY="0.25",
            REMINDERS_DELIVERY_BATCH="5",
        ):
            started = wait_until(lambda: sum(mailed_keys(mail_dir).values()) >= 1, timeout=45)
            assert started, log_tail(tmp_path)
            broker.stop()
            during = sum(mailed_keys(mail_dir).values())
            time.sleep(3)
            broker.start()  # same port, empty: queued deliveries are gone
            assert during < EXPECTED, "the run finished before the broker went away"

            done = wait_until(lambda: len(mailed_keys(mail_dir)) >= EXPECTED, timeout=60)
            assert done, log_tail(tmp_path)
            time.sleep(3)  # more sweeps and deliveries: nothing may be sent again
    finally:
        broker.stop()

    keys = mailed_keys(mail_dir)
    assert len(keys) == EXPECTED
    assert set(keys.values()) == {1}, keys.most_common(3)
    assert Reminder.objects.count() == EXPECTED
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == EXPECTED
