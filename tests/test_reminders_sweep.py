"""The reminder sweep at chosen "now" values, against one suggestion in every state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suggestions import services
from suggestions.models import Assignment, Evaluation, Rating, State, UnitRole
from suggestions.reminders.delivery import deliver_all
from suggestions.reminders.models import InboxMessage, Reminder, ReminderStatus
from suggestions.reminders.planning import relevant_step
from suggestions.reminders.services import inbox_mark_all_read, inbox_mark_read
from suggestions.reminders.sweep import run_sweep
from tests import reminder_world
from tests.factories import SuggestionFactory
from tests.reminder_world import EXPECTED_AT_NOW, NOW, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def lifecycle(world):
    return reminder_world.build(world)


def reminders_for(suggestion, **filters):
    return Reminder.objects.filter(suggestion=suggestion, **filters)


def test_sweep_at_now_finds_each_clock_at_its_step(lifecycle):
    result = run_sweep(now=NOW)

    assert dict(result.created_steps) == EXPECTED_AT_NOW
    assert Reminder.objects.count() == sum(EXPECTED_AT_NOW.values())
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.PENDING}


def test_suggestions_without_a_running_clock_get_no_reminder(lifecycle):
    run_sweep(now=NOW)

    quiet = [
        lifecycle.draft,
        lifecycle.submitted,
        lifecycle.registered,
        lifecycle.far,
        lifecycle.closed,
        lifecycle.completed,
        lifecycle.withdrawn,
        lifecycle.refused,
        lifecycle.merged,
        lifecycle.lapsing,
    ]
    assert not Reminder.objects.filter(suggestion__in=quiet).exists()


def test_closed_evaluation_window_lapses_through_the_state_machine(lifecycle):
    result = run_sweep(now=NOW)

    lifecycle.lapsing.refresh_from_db()
    assert result.lapsed == 1
    assert lifecycle.lapsing.state == State.CLOSED
    assert lifecycle.lapsing.events.filter(action="lapse_evaluation").count() == 1
    evaluation = Evaluation.objects.get(suggestion=lifecycle.lapsing)
    assert evaluation.rating == Rating.NO_FEEDBACK
    # The window of `replied` (due 2025-10-15) is still open.
    lifecycle.replied.refresh_from_db()
    assert lifecycle.replied.state == State.REPLIED
    assert run_sweep(now=NOW).lapsed == 0


def test_overdue_reply_is_escalated_to_staff_and_the_supervising_leader(world, lifecycle):
    run_sweep(now=NOW)

    overdue = reminders_for(lifecycle.overdue, kind="reply", step="overdue")
    keys = set(overdue.values_list("recipient_key", flat=True))
    assert keys == {
        f"user:{world.lead_unit_user.pk}",
        f"email:{world.lead_unit.email.lower()}",
        f"user:{world.staff.pk}",
        f"user:{world.leader.pk}",
    }
    to_leader = overdue.get(recipient_user=world.leader)
    assignment = lifecycle.overdue.assignments.get(role=UnitRole.LEAD)
    assert "逾期建议" in to_leader.subject
    assert "2025-09-02" in to_leader.subject
    assert world.lead_unit.name in to_leader.body
    assert assignment.due_explanation in to_leader.body
    # A suggestion that is not under supervision is escalated to staff only.
    assert not reminders_for(lifecycle.assigned, recipient_user=world.leader).exists()


def test_texts_name_the_suggestion_the_deadline_and_its_computation(world, lifecycle):
    run_sweep(now=NOW)

    reminder = reminders_for(
        lifecycle.assigned, kind="reply", recipient_user=world.lead_unit_user
    ).get()
    assert reminder.step == "d1"
    assert "办理中建议" in reminder.subject and "2025-10-09" in reminder.subject
    # 2025-07-01 + 3 months = 2025-10-01, National Day → rolled to 2025-10-09.
    assert "2025-07-01 + 3个月 = 2025-10-01" in reminder.body
    assert "2025-10-09" in reminder.body
    rehandling = reminders_for(lifecycle.rehandling, kind="reply").first()
    assert "不满意测评 2025-09-12 + 1个月" in rehandling.body


def test_second_sweep_creates_and_sends_nothing_new(lifecycle):
    first = run_sweep(now=NOW)
    delivered = deliver_all(now=NOW)
    assert delivered.sent == first.created_total == len(mail.outbox)

    again = run_sweep(now=NOW + dt.timedelta(hours=1))
    assert again.created_total == 0
    assert deliver_all(now=NOW + dt.timedelta(hours=1)).sent == 0
    assert len(mail.outbox) == first.created_total


def test_e_mail_and_inbox_delivery(world, lifecycle):
    run_sweep(now=NOW)
    deliver_all(now=NOW)

    addresses = sorted(address for message in mail.outbox for address in message.to)
    assert world.lead_unit.email in addresses  # the unit's own address
    assert world.lead_unit_user.email in addresses  # and its member's
    keys = [message.extra_headers["X-Reminder-Key"] for message in mail.outbox]
    assert len(keys) == len(set(keys))
    # Users get an inbox message per reminder; a bare unit address has no inbox.
    user_reminders = Reminder.objects.filter(recipient_user__isnull=False)
    assert InboxMessage.objects.count() == user_reminders.count()
    inbox = InboxMessage.objects.for_user(world.leader)
    assert inbox.count() == 2  # overdue escalation + supervision deadline
    message = inbox.first()
    assert not message.is_read
    inbox_mark_read(message=message, user=world.leader)
    assert InboxMessage.objects.for_user(world.leader).unread().count() == 1
    with pytest.raises(services.PermissionDenied):
        inbox_mark_read(message=message, user=world.staff)
    assert inbox_mark_all_read(user=world.leader) == 1


def test_a_week_without_sweeps_sends_only_the_step_still_relevant(world, lifecycle):
    # `assigned` reply is due 2025-10-09: 30-day step on 09-10, then nothing until 10-09.
    run_sweep(now=at("2025-09-10", 9))
    run_sweep(now=at("2025-10-09", 9))
    for day in ("2025-10-10", "2025-10-11", "2025-10-20"):
        run_sweep(now=at(day, 9))
    steps = reminders_for(
        lifecycle.assigned, kind="reply", recipient_user=world.lead_unit_user
    ).values_list("step", flat=True)
    assert sorted(steps) == ["d1", "d30", "overdue"]  # the missed 7-day step is skipped


def test_extension_moves_the_due_date_and_the_pending_reminder_is_cancelled(world, lifecycle):
    run_sweep(now=at("2025-10-02", 9))  # `assigned`: 7-day step for 2025-10-09, not delivered
    pending = reminders_for(lifecycle.assigned, kind="reply", step="d7")
    assert pending.count() == 2
    assignment = lifecycle.assigned.assignments.get(role=UnitRole.LEAD)
    services.assignment_extend(assignment=assignment, actor=world.staff, reason="需要跨部门协调")

    result = run_sweep(now=at("2025-10-03", 9))
    assert result.cancelled >= 2
    assert set(pending.values_list("status", flat=True)) == {ReminderStatus.CANCELLED}
    deliver_all(now=at("2025-10-03", 9))
    assert not any("办理中建议" in m.subject and "答复" in m.subject for m in mail.outbox)
    # The new deadline (2025-07-01 + 6 months → 2026-01-04) gets its own reminders later.
    assignment.refresh_from_db()
    run_sweep(now=timezone.make_aware(dt.datetime(2025, 12, 29, 9)))
    new = reminders_for(lifecycle.assigned, kind="reply", due_on=assignment.due_on)
    assert new.filter(step="d7").count() == 2


def test_calendar_override_moves_the_due_date_and_reminders_follow(world, lifecycle):
    run_sweep(now=at("2025-10-02", 9))
    old = reminders_for(lifecycle.assigned, kind="reply", due_on=dt.date(2025, 10, 9))
    assert old.count() == 2
    # Say the office announced 2025-10-09 as an extra day off.
    _override, moved = services.calendar_override_set(
        actor=world.staff, date=dt.date(2025, 10, 9), is_working_day=False, note="临时放假"
    )
    assert moved >= 1
    assignment = lifecycle.assigned.assignments.get(role=UnitRole.LEAD)
    assert assignment.due_on == dt.date(2025, 10, 10)
    assert assignment.due_explanation.endswith("→ 2025-10-10")
    assert lifecycle.assigned.events.filter(action="deadline_recomputed").exists()

    run_sweep(now=at("2025-10-02", 10))
    assert set(old.values_list("status", flat=True)) == {ReminderStatus.CANCELLED}
    new = reminders_for(lifecycle.assigned, kind="reply", due_on=dt.date(2025, 10, 10))
    assert new.count() == 2 and all(r.status == ReminderStatus.PENDING for r in new)
    assert all("顺延 → 2025-10-10" in r.body for r in new)


def test_rehandling_round_follows_the_new_deadline(world, lifecycle):
    run_sweep(now=NOW)
    rehandling = reminders_for(lifecycle.rehandling, kind="reply")
    assert set(rehandling.values_list("due_on", flat=True)) == {dt.date(2025, 10, 13)}


def test_co_opinion_reminders_stop_once_the_opinion_is_in(world, lifecycle):
    co = lifecycle.assigned.assignments.get(role=UnitRole.CO)
    run_sweep(now=at("2025-07-28", 9))  # opinion due 2025-08-01: 7-day step, pending
    pending = reminders_for(lifecycle.assigned, kind="co_opinion")
    assert pending.count() == 2
    services.co_opinion_submit(assignment=co, actor=world.co_unit_user, text="同意主办单位意见。")

    run_sweep(now=at("2025-07-28", 10))
    assert set(pending.values_list("status", flat=True)) == {ReminderStatus.CANCELLED}
    run_sweep(now=NOW)
    assert not reminders_for(lifecycle.assigned, kind="co_opinion", step="overdue").exists()


def test_relevant_step():
    due = dt.date(2025, 10, 31)
    assert relevant_step("reply", due, dt.date(2025, 9, 30)) is None  # 31 days left
    assert relevant_step("reply", due, dt.date(2025, 10, 1)) == "d30"
    assert relevant_step("reply", due, dt.date(2025, 10, 24)) == "d7"
    assert relevant_step("reply", due, dt.date(2025, 10, 30)) == "d1"
    assert relevant_step("reply", due, due) == "d1"
    assert relevant_step("reply", due, dt.date(2025, 11, 1)) == "overdue"
    assert relevant_step("evaluation", due, dt.date(2025, 11, 1)) is None
    assert relevant_step("co_opinion", due, dt.date(2025, 10, 10)) is None


def test_failed_send_is_retried_with_backoff_and_never_marked_sent(settings, lifecycle):
    # A real SMTP backend pointed at a port nobody listens on: the mail server is down.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    created = run_sweep(now=NOW).created_total
    first = deliver_all(now=NOW)
    assert first.sent == Reminder.objects.filter(email="").count()  # inbox-only ones
    assert first.retrying == Reminder.objects.exclude(email="").count()
    waiting = Reminder.objects.exclude(email="")
    assert set(waiting.values_list("status", flat=True)) == {ReminderStatus.PENDING}
    assert set(waiting.values_list("attempts", flat=True)) == {1}
    assert not waiting.filter(sent_at__isnull=False).exists()
    assert {r.next_attempt_at for r in waiting} == {NOW + dt.timedelta(seconds=60)}
    assert "ConnectionRefused" in waiting.first().last_error
    # Before the backoff has passed nothing is tried again.
    assert deliver_all(now=NOW + dt.timedelta(seconds=30)).retrying == 0
    second = deliver_all(now=NOW + dt.timedelta(seconds=61))
    assert second.retrying == first.retrying
    assert {r.next_attempt_at for r in waiting.all()} == {
        NOW + dt.timedelta(seconds=61) + dt.timedelta(seconds=120)
    }

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    third = deliver_all(now=NOW + dt.timedelta(minutes=10))
    assert third.sent == first.retrying
    assert len(mail.outbox) == first.retrying
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == created
    # Inbox messages were delivered once, on the first attempt.
    assert InboxMessage.objects.count() == Reminder.objects.exclude(recipient_user=None).count()


def test_send_that_keeps_failing_ends_failed(settings, lifecycle):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.REMINDERS_MAX_ATTEMPTS = 2
    run_sweep(now=NOW)
    deliver_all(now=NOW)
    result = deliver_all(now=NOW + dt.timedelta(hours=1))
    assert result.failed == Reminder.objects.exclude(email="").count()
    assert not Reminder.objects.filter(status=ReminderStatus.PENDING).exists()
    assert not Reminder.objects.exclude(email="").filter(status=ReminderStatus.SENT).exists()


def test_row_abandoned_mid_send_is_not_sent_again(lifecycle):
    run_sweep(now=NOW)
    abandoned = Reminder.objects.exclude(email="").first()
    # A deliverer claimed it and died before recording the outcome.
    Reminder.objects.filter(pk=abandoned.pk).update(
        status=ReminderStatus.SENDING,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    deliver_all(now=NOW)
    abandoned.refresh_from_db()
    assert abandoned.status == ReminderStatus.FAILED
    assert "避免重复发送" in abandoned.last_error
    assert all(m.extra_headers["Message-ID"] != f"<reminder-{abandoned.pk}" for m in mail.outbox)
    assert len(mail.outbox) == Reminder.objects.exclude(email="").count() - 1


def test_send_reminders_command(lifecycle, capsys):
    call_command("send_reminders", "--now", "2025-10-09T09:00")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("答复期限（reply）：新增提醒 10 条")
    assert any(line.startswith("协办意见期限（co_opinion）：新增提醒 2 条") for line in lines)
    assert any("（follow_up）：新增提醒 1 条" in line for line in lines)
    assert any("按未反馈办结：1 件" in line for line in lines)
    total = sum(EXPECTED_AT_NOW.values())
    assert lines[-1] == f"sent {total} reminders"
    assert len(mail.outbox) == Reminder.objects.exclude(email="").count()

    call_command("send_reminders", "--now", "2025-10-09T10:00")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "sent 0 reminders"


def test_send_reminders_rejects_a_bad_now(lifecycle):
    with pytest.raises(CommandError, match="2025-13-01"):
        call_command("send_reminders", "--now", "2025-13-01T09:00")
    assert not Reminder.objects.exists()


def build_assigned(world, count: int) -> None:
    """`count` assigned suggestions whose reply clocks sit at every step at NOW."""
    offsets = [-20, 0, 1, 5, 20, 60]
    for i in range(count):
        suggestion = SuggestionFactory(
            lead_deputy=world.deputy, session=world.session, state=State.ASSIGNED, number=i + 1
        )
        Assignment.objects.create(
            suggestion=suggestion,
            unit=world.lead_unit,
            role=UnitRole.LEAD,
            assigned_on=dt.date(2025, 7, 1),
            due_on=NOW.date() + dt.timedelta(days=offsets[i % len(offsets)]),
            due_explanation="测试",
        )


def sweep_queries(count: int, world) -> tuple[int, int]:
    # Rolled back afterwards: suggestions with a history cannot be deleted.
    with transaction.atomic():
        build_assigned(world, count)
        with CaptureQueriesContext(connection) as queries:
            result = run_sweep(now=NOW)
        transaction.set_rollback(True)
    return len(queries), result.created_total


def test_sweep_query_count_does_not_grow_with_the_number_of_suggestions(world):
    small, small_created = sweep_queries(10, world)
    large, large_created = sweep_queries(100, world)
    assert large_created > small_created * 9  # ten times the work…
    assert large == small  # …in the same number of queries
    assert small <= 17  # one query per clock (8), three for recipients, the writes
