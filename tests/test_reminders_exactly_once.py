"""Property: whatever the schedule of sweeps and deliveries (repeated, out of order, with the
mail server down some of the time), each reminder key is e-mailed at most once, and what is
due at the last sweep is not lost."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suggestions.reminders.delivery import deliver_all
from suggestions.reminders.models import InboxMessage, Reminder, ReminderStatus
from suggestions.reminders.sweep import run_sweep
from tests import reminder_world

pytestmark = pytest.mark.django_db

START = timezone.make_aware(dt.datetime(2025, 7, 1, 0, 0))
MAIL_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,
    "EMAIL_TIMEOUT": 2,
}

moments = st.integers(min_value=0, max_value=150 * 24).map(lambda h: START + dt.timedelta(hours=h))
steps = st.lists(
    st.tuples(moments, st.sampled_from(["sweep", "deliver", "both", "deliver_mail_down"])),
    min_size=1,
    max_size=8,
)


@pytest.fixture
def lifecycle(world):
    return reminder_world.build(world)


def run(action: str, now: dt.datetime) -> None:
    if action in ("sweep", "both"):
        run_sweep(now=now)
    if action in ("deliver", "both"):
        deliver_all(now=now)
    if action == "deliver_mail_down":
        with override_settings(**MAIL_DOWN):
            deliver_all(now=now)


def sent_keys() -> Counter:
    return Counter(message.extra_headers["X-Reminder-Key"] for message in mail.outbox)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(schedule=steps, in_order=st.booleans())
def test_each_reminder_key_is_sent_at_most_once(lifecycle, schedule, in_order):
    with transaction.atomic():
        mail.outbox = []
        if in_order:
            schedule = sorted(schedule, key=lambda step: step[0])
        for now, action in schedule:
            run(action, now)
        # A last, healthy run at the latest moment: what is still due goes out now.
        last = max(now for now, _action in schedule)
        run("both", last)
        run("both", last)

        counts = sent_keys()
        assert all(n == 1 for n in counts.values()), counts.most_common(3)
        emailed = Reminder.objects.filter(status=ReminderStatus.SENT).exclude(email="")
        assert len(counts) == emailed.count()
        assert not Reminder.objects.filter(status=ReminderStatus.SENDING).exists()
        # Everything the last sweep wanted is sent (or waits for its retry backoff).
        assert not Reminder.objects.filter(
            status=ReminderStatus.PENDING, next_attempt_at__lte=last
        ).exists()
        inbox = Counter(InboxMessage.objects.values_list("reminder_id", flat=True))
        assert all(n == 1 for n in inbox.values())
        transaction.set_rollback(True)
