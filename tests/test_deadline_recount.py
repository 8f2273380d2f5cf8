"""Counting open due dates again: the clocks added with rule sets (contact with the deputy,
assignment of a submitted suggestion) move with a calendar change like the others, and
changing a congress's rule set or a clock override (service or admin) counts its open due
dates again by the new rules, with their citation and an event for each date that moved.

Dates are worked out by hand on the 2025 calendar (国庆节 10-01..10-08 off, 09-28 Sunday and
10-11 Saturday worked), as in tests/test_rule_clocks.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.forms.models import model_to_dict
from django.test import RequestFactory

from congress.models import Congress, RuleSetName
from suggestions import services
from suggestions.models import Assignment, DeadlineClock, Event, Reply, Suggestion, UnitRole
from suggestions.reminders.models import Reminder
from suggestions.reminders.sweep import run_sweep
from tests import reminder_world
from tests.reminder_world import at
from tests.test_rule_clocks import recess_submitted, use

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
CHONGQING = "依据《重庆市人民代表大会代表建议批评和意见工作条例》"
LAW = "依据《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》（2025年修正）"


def recounted(suggestion) -> list[str]:
    return list(
        Event.objects.filter(suggestion=suggestion, action="deadline_recomputed")
        .order_by("pk")
        .values_list("reason", flat=True)
    )


def day_off(world, day: str, now: str) -> int:
    _override, moved = services.calendar_override_set(
        actor=world.staff, date=D(day), is_working_day=False, note="临时调整", now=at(now)
    )
    return moved


def test_a_calendar_change_moves_the_contact_clock_and_its_reminders(world):
    use(world, RuleSetName.CHONGQING)
    # Assigned Monday 2025-09-01: contact 20 working days → 2025-09-28 (a make-up Sunday).
    suggestion = reminder_world.assigned(world, "重庆建议", "2025-09-01")
    lead = suggestion.assignments.get(unit=world.lead_unit)
    assert lead.contact_due_on == D("2025-09-28")
    assert DeadlineClock.objects.open().filter(assignment=lead, field="assignment.contact_due_on")

    # Monday 2025-09-15 becomes a day off: the 20th working day is now Monday 2025-09-29;
    # the return (10 working days, 2025-09-15) moves to 2025-09-16.
    assert day_off(world, "2025-09-15", now="2025-09-10") == 2

    lead.refresh_from_db()
    assert lead.contact_due_on == D("2025-09-29")
    assert lead.contact_explanation.startswith(CHONGQING + "第十八条")
    assert lead.contact_explanation.endswith("= 2025-09-29")
    assert lead.return_due_on == D("2025-09-16")
    assert lead.return_explanation.startswith(CHONGQING + "第十六条")
    reasons = recounted(suggestion)
    assert len(reasons) == 2
    assert any(
        r.startswith("郴州市人民政府联系代表期限由 2025-09-28 调整为 2025-09-29（" + CHONGQING)
        for r in reasons
    )

    # The reminder goes out for the new date (7 days before it), none for the old one.
    run_sweep(now=at("2025-09-22"))
    contact = Reminder.objects.filter(kind="contact", object_id=lead.pk)
    assert set(contact.values_list("due_on", flat=True)) == {D("2025-09-29")}


def test_a_recorded_contact_closes_the_contact_clock(world):
    use(world, RuleSetName.CHONGQING)
    suggestion = reminder_world.assigned(world, "重庆建议", "2025-09-01")
    lead = suggestion.assignments.get(unit=world.lead_unit)
    services.contact_record(
        assignment=lead, actor=world.lead_unit_user, method="phone", contacted_on=D("2025-09-05")
    )
    day_off(world, "2025-09-15", now="2025-09-10")
    lead.refresh_from_db()
    # The contact is done: its date stays as it was; the return still moves.
    assert lead.contact_due_on == D("2025-09-28")
    assert lead.return_due_on == D("2025-09-16")


def test_a_calendar_change_moves_the_assignment_clock(world):
    use(world, RuleSetName.SHANGHAI)
    # Received Monday 2025-09-22, 7 working days: 23, 24, 25, 26, 28 (make-up), 29, 30.
    suggestion = recess_submitted(world, "2025-09-22")
    assert suggestion.assignment_due_on == D("2025-09-30")

    # Wednesday the 24th off: the 7th working day falls after 国庆, on 2025-10-09.
    assert day_off(world, "2025-09-24", now="2025-09-23") == 1

    suggestion.refresh_from_db()
    assert suggestion.assignment_due_on == D("2025-10-09")
    assert suggestion.assignment_explanation.startswith(
        "依据《上海市人民代表大会关于代表建议、批评和意见的规定》第十一条"
    )
    assert recounted(suggestion) == [
        "交办期限由 2025-09-30 调整为 2025-10-09（" + suggestion.assignment_explanation + "）"
    ]

    # Once assigned, the assignment clock binds nobody and is not counted again.
    services.suggestion_register(suggestion=suggestion, actor=world.staff, now=at("2025-09-25"))
    services.suggestion_assign(
        suggestion=suggestion,
        actor=world.staff,
        lead_unit=world.lead_unit,
        assigned_on=D("2025-09-25"),
        now=at("2025-09-25"),
    )
    assert not DeadlineClock.objects.open().filter(field="suggestion.assignment_due_on")


def test_changing_the_rule_set_counts_the_congress_open_due_dates_again(world):
    # National rules; assigned Monday 2025-09-01 with a co-unit: reply 3 months → 2025-12-01,
    # co-handling opinion 1 month → 2025-10-01 (国庆) → 2025-10-09, return 7 working days →
    # 2025-09-10.
    suggestion = reminder_world.assigned(world, "建议", "2025-09-01", co=True)
    lead = suggestion.assignments.get(role=UnitRole.LEAD)
    co = suggestion.assignments.get(role=UnitRole.CO)
    assert (lead.due_on, co.due_on, lead.return_due_on) == (
        D("2025-12-01"),
        D("2025-10-09"),
        D("2025-09-10"),
    )
    moved = services.congress_rules_update(
        actor=world.staff,
        congress=world.congress,
        changes={"rule_set": RuleSetName.CHONGQING},
        now=at("2025-09-03"),
    )

    # 重庆: co-handling opinion 30 working days → 2025-10-17 (Art. 20); return 10 working days
    # → 2025-09-15 (Art. 16), for both units; the reply stays 2025-12-01 (Art. 21).
    assert moved == 3
    lead.refresh_from_db()
    co.refresh_from_db()
    assert lead.due_on == D("2025-12-01")
    assert lead.due_explanation.startswith(CHONGQING + "第二十一条")
    assert co.due_on == D("2025-10-17")
    assert co.due_explanation.startswith(CHONGQING + "第二十条")
    assert lead.return_due_on == co.return_due_on == D("2025-09-15")
    events = Event.objects.filter(suggestion=suggestion, action="deadline_recomputed")
    assert events.count() == 3
    assert set(events.values_list("action_label", flat=True)) == {"期限规则调整，期限变更"}
    assert events.filter(
        reason__startswith="郴州高新区协办意见期限由 2025-10-09 调整为 2025-10-17（" + CHONGQING
    ).exists()
    # The clocks now hold the new periods; a clock 重庆 adds (contact) is not started
    # retroactively.
    assert DeadlineClock.objects.get(assignment=co, field="assignment.due_on").period == "30wd"
    assert lead.contact_due_on is None

    # The same rules again move nothing.
    assert (
        services.congress_rules_update(
            actor=world.staff, congress=world.congress, changes={"rule_set": "chongqing"}
        )
        == 0
    )


def test_a_clock_the_new_rules_lack_is_cleared_with_an_event(world):
    # National: reply 2025-09-15 → evaluation 1 month (2025-10-15), publication 20 working days.
    suggestion = reminder_world.replied(world, "已答复建议", "2025-06-10", "2025-09-15")
    suggestion.refresh_from_db()
    assert suggestion.evaluation_due_on == D("2025-10-15")
    reply = Reply.objects.get(suggestion=suggestion)
    assert reply.publish_due_on is not None

    # 上海 sets neither an evaluation window nor a publication period.
    assert (
        services.congress_rules_update(
            actor=world.staff, congress=world.congress, changes={"rule_set": "shanghai"}
        )
        == 2
    )
    suggestion.refresh_from_db()
    reply.refresh_from_db()
    assert suggestion.evaluation_due_on is None and suggestion.evaluation_explanation == ""
    assert reply.publish_due_on is None and reply.publish_explanation == ""
    assert "满意度测评期限 2025-10-15 已取消（所适用的规则未规定该期限）" in recounted(suggestion)
    assert not DeadlineClock.objects.filter(suggestion=suggestion).open().exists()


def test_an_override_moves_rule_periods_but_not_a_granted_extension(world):
    granted = reminder_world.assigned(world, "延期五个月的建议", "2025-09-01")
    plain = reminder_world.assigned(world, "未延期的建议", "2025-09-01")
    extended = granted.assignments.get()
    # 5 of the 6 months the 代表法 allows: 2026-02-01 (Sunday) → 2026-02-02.
    services.assignment_extend(
        assignment=extended,
        actor=world.staff,
        reason="涉及面广",
        total_months=5,
        now=at("2025-11-20"),
    )
    extended.refresh_from_db()
    assert extended.due_on == D("2026-02-02")

    moved = services.congress_rules_update(
        actor=world.staff,
        congress=world.congress,
        changes={"reply_period": "2m", "extended_reply_period": "8m"},
    )

    # The plain reply: 2 months → 2025-11-01 (Saturday) → 2025-11-03, citing the override.
    assert moved == 1
    assignment = plain.assignments.get()
    assert assignment.due_on == D("2025-11-03")
    assert assignment.due_explanation.startswith("本人大设定的期限：2个月；")
    # The extension staff granted keeps its 5 months; its explanation names the new rule.
    extended.refresh_from_db()
    assert extended.due_on == D("2026-02-02")
    assert extended.due_explanation.startswith("本人大设定的期限：8个月；交办 2025-09-01 + 5个月")
    assert recounted(granted) == []


def test_bad_rule_changes_are_refused_and_change_nothing(world):
    reminder_world.assigned(world, "建议", "2025-09-01")
    with pytest.raises(services.ValidationError) as refused:
        services.congress_rules_update(
            actor=world.staff,
            congress=world.congress,
            changes={"rule_set": "beijing", "reply_period": "3y"},
        )
    assert "beijing" in str(refused.value.message_dict["rule_set"])
    assert "3y" in str(refused.value.message_dict["reply_period"])
    with pytest.raises(services.PermissionDenied):
        services.congress_rules_update(
            actor=world.lead_unit_user, congress=world.congress, changes={"rule_set": "shanghai"}
        )
    world.congress.refresh_from_db()
    assert world.congress.rule_set == RuleSetName.NATIONAL
    assert world.congress.reply_period == ""
    assert not Event.objects.filter(action="deadline_recomputed").exists()


def test_saving_the_congress_in_the_admin_counts_again(world, admin_user):
    suggestion = reminder_world.assigned(world, "建议", "2025-09-01", co=True)
    congress = Congress.objects.get(pk=world.congress.pk)
    model_admin = site._registry[Congress]
    request = RequestFactory().post("/admin/congress/congress/")
    request.user = admin_user
    data = {k: v for k, v in model_to_dict(congress).items() if v is not None}
    data["rule_set"] = RuleSetName.CHONGQING
    form = model_admin.get_form(request, congress, change=True)(data, instance=congress)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)

    co = Assignment.objects.get(suggestion=suggestion, role=UnitRole.CO)
    assert co.due_on == D("2025-10-17")
    assert len(recounted(suggestion)) == 3
    assert Suggestion.objects.get(pk=suggestion.pk).state == "assigned"
