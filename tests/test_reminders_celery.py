"""End to end on real infrastructure: a Redis server (our own when REDIS_URL is not set), a
`celery worker` and `celery beat` as subprocesses; beat triggers the sweep, the worker
delivers, the e-mails land in the file backend. No eager mode, no in-memory broker."""

from __future__ import annotations

import time

import pytest

from suggestions.reminders.models import InboxMessage, Reminder, ReminderStatus
from tests.celery_harness import (
    build_due_assignments,
    celery_running,
    log_tail,
    mailed_keys,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_beat_triggered_sweep_delivers_each_reminder_once(world, tmp_path, broker_url, settings):
    build_due_assignments(world, 3, days_left=1)  # 3 × (unit address + member) = 6 reminders
    mail_dir = tmp_path / "mail"

    with celery_running(tmp_path, redis_url=broker_url, mail_dir=mail_dir):
        arrived = wait_until(lambda: sum(mailed_keys(mail_dir).values()) >= 6, timeout=45)
        assert arrived, log_tail(tmp_path)
        time.sleep(3)  # several more beat ticks: sweeps and deliveries that must add nothing

    keys = mailed_keys(mail_dir)
    assert len(keys) == 6
    assert set(keys.values()) == {1}, keys
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == 6
    assert InboxMessage.objects.filter(user=world.lead_unit_user).count() == 3
