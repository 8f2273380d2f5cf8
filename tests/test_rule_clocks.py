"""Every clock a period with its unit: the clocks added with rule sets (contact with the
deputy; assignment of a recess suggestion, or after the session), their reminders through
the sweep's exactly-once outbox, clocks a rule set lacks, and where their due dates show.

Dates are worked out by hand on the 2025 calendar (国庆节 10-01..10-08 off, 09-28 Sunday and
10-11 Saturday worked), as in tests/test_rule_sets.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from congress.models import RuleSetName
from suggestions import services
from suggestions.models import ContactMethod, Rating, State
from suggestions.reminders.models import Reminder
from suggestions.reminders.sweep import run_sweep
from tests import reminder_world
from tests.reminder_world import at
from tests.web_support import count_queries, login

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
CHONGQING = "依据《重庆市人民代表大会代表建议批评和意见工作条例》"


def use(world, preset: str, **overrides) -> None:
    world.congress.rule_set = preset
    for field, value in overrides.items():
        setattr(world.congress, field, value)
    world.congress.save()


def recess_submitted(world, day: str):
    suggestion = services.suggestion_create_draft(
        actor=world.deputy.person.user,
        lead_deputy=world.deputy,
        title="闭会期间提出的建议",
        body="建议正文。",
        session=None,
    )
    services.suggestion_submit(suggestion=suggestion, actor=world.deputy.person.user, now=at(day))
    suggestion.refresh_from_db()
    return suggestion


def test_contact_clock_reminds_the_replying_unit_once_until_it_records_a_contact(world):
    use(world, RuleSetName.CHONGQING)
    # Assigned Monday 2025-09-01: contact due on the 20th working day, 2025-09-28 (Sunday,
    # a make-up working day).
    suggestion = reminder_world.assigned(world, "重庆建议", "2025-09-01", co=True)
    lead = suggestion.assignments.get(unit=world.lead_unit)
    assert lead.contact_due_on == D("2025-09-28")

    # 2025-09-22 is 6 days before: the 7-day step, to the lead unit's member and address.
    first = run_sweep(now=at("2025-09-22"))
    contact = Reminder.objects.filter(kind="contact")
    assert first.created_steps[("contact", "d7")] == 2
    assert set(contact.values_list("object_id", flat=True)) == {lead.pk}
    assert contact.filter(recipient_user=world.lead_unit_user).exists()
    assert not contact.filter(recipient_user=world.co_unit_user).exists()
    body = contact.get(recipient_user=world.lead_unit_user).body
    assert "2025-09-28" in body
    assert CHONGQING + "第十八条" in body

    # The same step is never sent twice.
    again = run_sweep(now=at("2025-09-23"))
    assert again.created_steps.get(("contact", "d7"), 0) == 0
    assert contact.count() == 2

    services.contact_record(
        assignment=lead,
        actor=world.lead_unit_user,
        method=ContactMethod.MEETING,
        contacted_on=D("2025-09-24"),
    )
    # Recorded in time: no overdue reminder once the date has passed.
    run_sweep(now=at("2025-09-29"))
    assert not contact.filter(step="overdue").exists()


def test_an_overdue_contact_is_reminded_as_overdue(world):
    use(world, RuleSetName.CHONGQING)
    reminder_world.assigned(world, "重庆建议", "2025-09-01")
    result = run_sweep(now=at("2025-09-29"))
    assert result.created_steps[("contact", "overdue")] == 2


def test_without_a_contact_clock_there_is_no_contact_due_date_nor_reminder(world):
    use(world, RuleSetName.SHANGHAI)
    suggestion = reminder_world.assigned(world, "上海建议", "2025-09-01")
    assert suggestion.assignments.get().contact_due_on is None
    run_sweep(now=at("2025-09-29"))
    assert not Reminder.objects.filter(kind="contact").exists()


def test_recess_suggestion_gets_an_assignment_due_date_and_staff_are_reminded(world):
    use(world, RuleSetName.CHONGQING)
    # Received Friday 2025-09-26: 10 working days → 09-28, 09-29, 09-30, 10-09, 10-10,
    # 10-11, 10-13, 10-14, 10-15, 10-16.
    suggestion = recess_submitted(world, "2025-09-26")
    assert suggestion.assignment_due_on == D("2025-10-16")
    assert suggestion.assignment_explanation.startswith(
        CHONGQING + "第十三条：闭会期间提出的，收到之日起十个工作日内交办；收到 2025-09-26"
    )

    result = run_sweep(now=at("2025-10-10"))
    assert result.created_steps[("assignment", "d7")] == 1
    reminder = Reminder.objects.get(kind="assignment")
    assert reminder.recipient_user == world.staff
    assert "2025-10-16" in reminder.body

    services.suggestion_register(suggestion=suggestion, actor=world.staff, now=at("2025-10-10"))
    services.suggestion_assign(
        suggestion=suggestion,
        actor=world.staff,
        lead_unit=world.lead_unit,
        assigned_on=D("2025-10-13"),
        now=at("2025-10-13"),
    )
    suggestion.refresh_from_db()
    assert suggestion.assignment_due_on is None
    run_sweep(now=at("2025-10-17"))
    assert not Reminder.objects.filter(kind="assignment", step="overdue").exists()


def test_session_suggestions_have_no_assignment_clock_unless_the_congress_sets_one(world):
    use(world, RuleSetName.CHONGQING)
    world.session.closed_on = D("2025-09-26")
    world.session.save()
    plain = reminder_world.submitted(world, "会议期间建议", "2025-09-20")
    plain.refresh_from_db()
    assert plain.assignment_due_on is None

    use(world, RuleSetName.CHONGQING, session_assignment_period="10wd")
    counted = reminder_world.submitted(world, "会议期间建议二", "2025-09-20")
    counted.refresh_from_db()
    # Counted from the session's close, 2025-09-26: the 10th working day is 10-16.
    assert counted.assignment_due_on == D("2025-10-16")
    assert counted.assignment_explanation.startswith(
        "本人大设定的期限：10个工作日；闭幕 2025-09-26"
    )


def test_shanghai_has_no_evaluation_window_so_nothing_lapses(world):
    use(world, RuleSetName.SHANGHAI)
    suggestion = reminder_world.replied(world, "上海建议", "2025-06-10", "2025-08-20")
    suggestion.refresh_from_db()
    assert suggestion.evaluation_due_on is None
    reply = suggestion.replies.get()
    assert reply.publish_due_on is None

    run_sweep(now=at("2025-12-31"))
    suggestion.refresh_from_db()
    assert suggestion.state == State.REPLIED
    assert not Reminder.objects.filter(kind="evaluation").exists()


def test_chongqing_evaluation_window_is_20_working_days_and_named_in_the_reminder(world):
    use(world, RuleSetName.CHONGQING)
    # Replied Monday 2025-09-15: the 20th working day after is 2025-10-17.
    suggestion = reminder_world.replied(world, "重庆建议", "2025-07-01", "2025-09-15")
    suggestion.refresh_from_db()
    assert suggestion.evaluation_due_on == D("2025-10-17")
    run_sweep(now=at("2025-10-13"))
    reminder = Reminder.objects.get(kind="evaluation")
    assert CHONGQING + "第二十七条" in reminder.body


def test_qingdao_rehandling_without_a_period_counts_the_reply_period_and_says_so(world):
    use(world, RuleSetName.QINGDAO)
    suggestion = reminder_world.replied(world, "青岛建议", "2025-04-25", "2025-06-20")
    reminder_world.evaluated(world, suggestion, Rating.DISSATISFIED, "2025-06-27")
    lead = suggestion.assignments.get()
    # 2025-06-27 + 3 months = 2025-09-27, a Saturday → 09-28, a Sunday worked for 国庆.
    assert lead.rehandling_due_on == D("2025-09-28")
    assert lead.rehandling_explanation.startswith(
        "所适用的规则未规定重新办理期限，按答复期限计算。"
        "依据《青岛市人民代表大会代表建议、批评和意见工作条例》（2021年修订）第二十五条"
    )


def test_revision_period_follows_the_rule_set_or_the_reviewers_days(world):
    submitted = reminder_world.submitted(world, "待审查建议", "2025-09-15")
    services.suggestion_return_for_revision(
        suggestion=submitted, actor=world.staff, comments="请补充。", now=at("2025-09-15")
    )
    submitted.refresh_from_db()
    # National default 10 days: 2025-09-25, a Thursday.
    assert submitted.revision_due_on == D("2025-09-25")
    assert submitted.revision_explanation.startswith("本系统默认期限（法规未规定）：10天")

    use(world, RuleSetName.SHANGHAI)
    other = reminder_world.submitted(world, "上海待审查建议", "2025-09-15")
    services.suggestion_return_for_revision(
        suggestion=other, actor=world.staff, comments="请补充。", now=at("2025-09-15")
    )
    other.refresh_from_db()
    assert other.revision_due_on is None  # 上海's regulation sets no revision period
    third = reminder_world.submitted(world, "上海待审查建议二", "2025-09-15")
    services.suggestion_return_for_revision(
        suggestion=third,
        actor=world.staff,
        comments="请补充。",
        revision_days=5,
        now=at("2025-09-15"),
    )
    third.refresh_from_db()
    assert third.revision_due_on == D("2025-09-22")  # 09-20 is a Saturday → Monday 09-22
    assert third.revision_explanation.startswith("退回时确定的修改期限：5天")


def test_staff_page_shows_the_new_due_dates_with_their_rule_in_the_same_queries(client, world):
    login(client, world.staff)
    use(world, RuleSetName.NATIONAL)
    national = reminder_world.assigned(world, "全国默认建议", "2025-09-01")
    baseline = count_queries(client, reverse("web:staff-suggestion", args=[national.pk]))

    use(world, RuleSetName.CHONGQING)
    suggestion = reminder_world.assigned(world, "重庆建议", "2025-09-01")
    url = reverse("web:staff-suggestion", args=[suggestion.pk])
    assert count_queries(client, url) == baseline
    body = client.get(url).content.decode()
    assert "联系代表期限 2025-09-28" in body
    assert CHONGQING + "第十八条：收到之日起二十个工作日内与代表沟通、联系" in body

    recess = recess_submitted(world, "2025-09-26")
    body = client.get(reverse("web:staff-suggestion", args=[recess.pk])).content.decode()
    assert "交办期限 2025-10-16" in body
    assert CHONGQING + "第十三条" in body


def test_entering_a_day_off_moves_a_working_day_clock_by_its_own_period(world):
    use(world, RuleSetName.CHONGQING)
    suggestion = reminder_world.assigned(world, "重庆建议", "2025-09-01", co=True)
    co = suggestion.assignments.get(unit=world.co_unit)
    assert co.due_on == D("2025-10-17")  # 30 working days, see test_rule_sets.py

    # A fictional extra day off on Friday 2025-10-10, for the test only: the 30th working
    # day moves one working day on, over the weekend, to Monday 2025-10-20.
    services.calendar_override_set(
        actor=world.staff,
        date=D("2025-10-10"),
        is_working_day=False,
        note="测试用虚构放假",
        now=at("2025-09-02"),
    )
    co.refresh_from_db()
    assert co.due_on == D("2025-10-20")
    assert co.due_explanation.startswith(CHONGQING + "第二十条")
    # The reply clock, in months, did not depend on that day: 2025-12-01 stays.
    assert suggestion.assignments.get(unit=world.lead_unit).due_on == D("2025-12-01")


def test_unit_page_shows_the_contact_and_return_deadlines_in_the_same_queries(client, world):
    login(client, world.lead_unit_user)
    national = reminder_world.assigned(world, "全国默认建议", "2025-09-01")
    national_url = reverse("web:unit-assignment", args=[national.assignments.get().pk])
    baseline = count_queries(client, national_url)

    use(world, RuleSetName.CHONGQING)
    suggestion = reminder_world.assigned(world, "重庆建议", "2025-09-01")
    url = reverse("web:unit-assignment", args=[suggestion.assignments.get().pk])
    assert count_queries(client, url) == baseline
    body = client.get(url).content.decode()
    assert "联系代表期限 2025-09-28" in body
    assert CHONGQING + "第十八条" in body
    assert "退办期限 2025-09-15" in body
    assert CHONGQING + "第十六条" in body
