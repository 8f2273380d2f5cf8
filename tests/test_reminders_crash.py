"""Fault: the deliverer dies in the middle of a batch (SystemExit, KeyboardInterrupt, the
database going away right after a send, a killed worker process). The messages it had not
tried yet are delivered once its lease (REMINDERS_LEASE_SECONDS) has expired, each once; the
one it was sending is never sent again but marked failed for staff; nothing is marked failed
without having been tried."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from suggestions.reminders import delivery
from suggestions.reminders.delivery import deliver_all, deliver_batch
from suggestions.reminders.models import (
    Reminder,
    ReminderKind,
    ReminderObject,
    ReminderStatus,
    ReminderStep,
)
from tests import crash_mail
from tests.celery_harness import database_url_for_subprocess, mailed_keys, wait_until

T0 = timezone.make_aware(dt.datetime(2025, 10, 9, 9, 0))
LEASE = dt.timedelta(seconds=900)
COUNT = 5


@pytest.fixture
def crashing_mail(settings):
    settings.EMAIL_BACKEND = "tests.crash_mail.EmailBackend"
    settings.REMINDERS_LEASE_SECONDS = int(LEASE.total_seconds())
    mail.outbox = []
    yield crash_mail.plan
    crash_mail.plan.disarm()


def make_reminders(count: int = COUNT) -> list[Reminder]:
    return [
        Reminder.objects.create(
            kind=ReminderKind.REPLY,
            object_type=ReminderObject.ASSIGNMENT,
            object_id=i,
            recipient_key=f"email:unit{i}@example.org",
            due_on=dt.date(2025, 10, 10),
            step=ReminderStep.DAYS_1,
            email=f"unit{i}@example.org",
            subject=f"答复期限提醒 {i}",
            body="请按期答复。",
        )
        for i in range(1, count + 1)
    ]


def outbox_ids() -> Counter:
    return Counter(
        int(m.extra_headers["Message-ID"].split("-")[1].split("@")[0]) for m in mail.outbox
    )


def statuses(reminders) -> list[str]:
    by_pk = dict(Reminder.objects.values_list("pk", "status"))
    return [by_pk[r.pk] for r in reminders]


def assert_nothing_moves(reminders) -> None:
    before = statuses(reminders), outbox_ids()
    assert deliver_all().sent == 0
    assert (statuses(reminders), outbox_ids()) == before


@pytest.mark.django_db
@pytest.mark.parametrize("raising", [SystemExit, KeyboardInterrupt])
@pytest.mark.parametrize("after_send", [False, True], ids=["before-send", "after-send"])
def test_death_while_sending_the_kth_message(crashing_mail, raising, after_send):
    with time_machine.travel(T0, tick=False) as clock:
        reminders = make_reminders()
        crashing_mail.arm(at=3, raising=raising, after_send=after_send)
        with pytest.raises(raising):
            deliver_batch()
        crashing_mail.disarm()
        s, p = ReminderStatus.SENT, ReminderStatus.PENDING
        assert statuses(reminders) == [s, s, ReminderStatus.SENDING, p, p]
        in_flight = reminders[2].pk
        mailed_before_death = [r.pk for r in reminders[: 3 if after_send else 2]]
        assert outbox_ids() == Counter(mailed_before_death)

        # While the dead batch's lease runs, nobody takes its rows.
        clock.move_to(T0 + dt.timedelta(minutes=1))
        assert_nothing_moves(reminders)
        clock.move_to(T0 + LEASE - dt.timedelta(seconds=1))
        assert_nothing_moves(reminders)

        clock.move_to(T0 + LEASE + dt.timedelta(seconds=1))
        result = deliver_all()
        assert result.sent == 2 and result.sent_ids == [r.pk for r in reminders[3:]]
        assert statuses(reminders) == [s, s, ReminderStatus.FAILED, s, s]
        for reminder in reminders:
            reminder.refresh_from_db()
            assert reminder.attempts == (0 if reminder.pk == in_flight else 1)
        assert "避免重复发送" in reminders[2].last_error
        sent_once = {r.pk: 1 for r in reminders if r.pk != in_flight}
        assert outbox_ids() == Counter({**sent_once, **({in_flight: 1} if after_send else {})})

        clock.move_to(T0 + dt.timedelta(days=2))
        assert_nothing_moves(reminders)


@pytest.mark.django_db
def test_database_lost_right_after_a_send(crashing_mail, monkeypatch):
    """Send-then-mark: the mail server accepted message 2, then recording it failed."""
    real_mark_sent = delivery._mark_sent
    calls = []

    def mark_sent_then_lose_the_database(token, ids, result):
        calls.append(ids)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        real_mark_sent(token, ids, result)

    with time_machine.travel(T0, tick=False) as clock:
        reminders = make_reminders()
        with monkeypatch.context() as patched:
            patched.setattr(delivery, "_mark_sent", mark_sent_then_lose_the_database)
            with pytest.raises(OperationalError):
                deliver_batch()
        assert set(outbox_ids()) == {reminders[0].pk, reminders[1].pk}

        clock.move_to(T0 + LEASE + dt.timedelta(seconds=1))
        assert deliver_all().sent == 3
        s = ReminderStatus.SENT
        assert statuses(reminders) == [s, ReminderStatus.FAILED, s, s, s]
        assert outbox_ids() == Counter({r.pk: 1 for r in reminders})


KILLABLE_DELIVERER = """
import django
django.setup()
from suggestions.reminders.delivery import deliver_batch
deliver_batch()
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_deliverer_process(settings, tmp_path):
    """A real process, killed with SIGKILL after its second e-mail: no cleanup code runs."""
    reminders = make_reminders(8)
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "congress.settings",
        "DATABASE_URL": database_url_for_subprocess(),
        "EMAIL_BACKEND": "tests.slow_mail.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "REMINDER_TEST_MAIL_DELAY": "0.3",
    }
    root = Path(django_settings.BASE_DIR)
    child = subprocess.Popen([sys.executable, "-c", KILLABLE_DELIVERER], cwd=root, env=env)
    try:
        assert wait_until(lambda: sum(mailed_keys(mail_dir).values()) >= 2, timeout=60)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    left = Counter(Reminder.objects.values_list("status", flat=True))
    assert left[ReminderStatus.PENDING] >= 1, left
    assert left[ReminderStatus.SENDING] <= 1, left

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)
    with time_machine.travel(timezone.now() + LEASE + dt.timedelta(seconds=5)):
        deliver_all()
    after = Counter(Reminder.objects.values_list("status", flat=True))
    mailed = mailed_keys(mail_dir)
    assert set(mailed.values()) == {1}, mailed
    assert after[ReminderStatus.SENT] + after[ReminderStatus.FAILED] == len(reminders), after
    assert after[ReminderStatus.FAILED] == left[ReminderStatus.SENDING]
    # Every e-mail went out once, except perhaps the one in flight when the process died.
    assert after[ReminderStatus.SENT] <= len(mailed) <= len(reminders)
    assert len(mailed) >= len(reminders) - after[ReminderStatus.FAILED]
