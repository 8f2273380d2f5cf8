"""A lifecycle fixture for the reminder tests: one suggestion in every state, built through
the services with dated clocks, so that at NOW (2025-10-09 09:00, Asia/Shanghai) each clock
is at a known step.

What is due at NOW (see EXPECTED_AT_NOW):
- `assigned`: lead unit reply due 2025-10-09 (2025-07-01 + 3 months, rolled over 国庆) → 1 day
  step; its co-unit's opinion was due 2025-08-01 → overdue.
- `overdue`: reply due 2025-09-02 → overdue, escalated to staff and the plan's leader.
- `due_soon`: reply due 2025-11-05 → 30-day step.
- `far`: reply due 2025-12-22 → nothing yet.
- `rehandling`: re-handling due 2025-10-13 → 7-day step.
- `returned`: revision due 2025-10-15 → 7-day step (deputy).
- `replied`: evaluation due 2025-10-15 → 7-day step (deputy).
- `lapsing`: evaluation window closed 2025-09-22 → the sweep lapses it (closed, 未反馈).
- `follow_up`: follow-up review due 2025-10-20 → 30-day step (staff).
- the plan covering `overdue`: deadline 2025-10-31 → 30-day step (leader, staff, lead unit).
- draft, submitted, registered, closed, completed, withdrawn, refused, merged: nothing.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from suggestions import services
from suggestions.models import ContactMethod, Rating

NOW = timezone.make_aware(dt.datetime(2025, 10, 9, 9, 0))

# (kind, step) -> number of reminders at NOW
EXPECTED_AT_NOW = {
    ("reply", "d1"): 2,  # `assigned`: unit address + member
    ("reply", "overdue"): 4,  # `overdue`: unit address + member + staff + leader
    ("reply", "d30"): 2,  # `due_soon`
    ("reply", "d7"): 2,  # `rehandling`
    ("co_opinion", "overdue"): 2,  # `assigned`'s co-unit
    ("revision", "d7"): 1,
    ("evaluation", "d7"): 1,
    ("supervision", "d30"): 4,  # leader, staff, lead unit address + member
    ("follow_up", "d30"): 1,
}


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(day).replace(hour=hour))


def draft(world, title: str):
    return services.suggestion_create_draft(
        actor=world.deputy.person.user,
        lead_deputy=world.deputy,
        title=title,
        body="建议正文。",
        session=world.session,
    )


def submitted(world, title: str, day: str = "2025-06-01"):
    suggestion = draft(world, title)
    services.suggestion_submit(suggestion=suggestion, actor=world.deputy.person.user, now=at(day))
    return suggestion


def registered(world, title: str, day: str = "2025-06-01"):
    suggestion = submitted(world, title, day)
    services.suggestion_register(suggestion=suggestion, actor=world.staff, now=at(day))
    return suggestion


def assigned(world, title: str, assigned_on: str, *, co: bool = False):
    suggestion = registered(world, title)
    services.suggestion_assign(
        suggestion=suggestion,
        actor=world.staff,
        lead_unit=world.lead_unit,
        co_units=[world.co_unit] if co else [],
        assigned_on=dt.date.fromisoformat(assigned_on),
        now=at(assigned_on),
    )
    return suggestion


def replied(world, title: str, assigned_on: str, replied_on: str, category: str = "A"):
    suggestion = assigned(world, title, assigned_on)
    assignment = suggestion.assignments.get(unit=world.lead_unit)
    services.contact_record(
        assignment=assignment,
        actor=world.lead_unit_user,
        method=ContactMethod.PHONE,
        contacted_on=dt.date.fromisoformat(replied_on),
    )
    services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category=category,
        text="答复内容。",
        signer="张三",
        now=at(replied_on),
    )
    return suggestion


def evaluated(world, suggestion, rating: str, day: str):
    services.suggestion_evaluate(
        suggestion=suggestion, actor=world.deputy.person.user, rating=rating, now=at(day)
    )
    return suggestion


def build(world) -> SimpleNamespace:
    s = SimpleNamespace()
    s.draft = draft(world, "草稿建议")
    s.submitted = submitted(world, "已提交建议")
    s.registered = registered(world, "已立案建议")
    s.assigned = assigned(world, "办理中建议", "2025-07-01", co=True)
    s.overdue = assigned(world, "逾期建议", "2025-06-02")
    s.due_soon = assigned(world, "一月内到期建议", "2025-08-05")
    s.far = assigned(world, "远期建议", "2025-09-20")

    s.returned = submitted(world, "退回修改建议")
    services.suggestion_return_for_revision(
        suggestion=s.returned, actor=world.staff, comments="请补充数据。", now=at("2025-10-05")
    )

    s.replied = replied(world, "已答复建议", "2025-06-10", "2025-09-15")
    s.lapsing = replied(world, "测评逾期建议", "2025-06-10", "2025-08-20")
    s.rehandling = evaluated(
        world,
        replied(world, "重新办理建议", "2025-05-10", "2025-08-01"),
        Rating.DISSATISFIED,
        "2025-09-12",
    )
    s.closed = evaluated(
        world,
        replied(world, "已办结建议", "2025-03-01", "2025-05-01"),
        Rating.SATISFIED,
        "2025-05-10",
    )
    s.follow_up = evaluated(
        world,
        replied(world, "跟踪落实建议", "2025-03-01", "2025-05-01", "B"),
        Rating.SATISFIED,
        "2025-05-10",
    )
    services.suggestion_start_follow_up(
        suggestion=s.follow_up,
        actor=world.staff,
        due_on=dt.date(2025, 10, 20),
        now=at("2025-05-20"),
    )
    s.completed = evaluated(
        world,
        replied(world, "落实完毕建议", "2025-03-01", "2025-05-01", "C"),
        Rating.SATISFIED,
        "2025-05-10",
    )
    services.suggestion_start_follow_up(
        suggestion=s.completed, actor=world.staff, due_on=dt.date(2025, 9, 1), now=at("2025-05-20")
    )
    services.suggestion_complete(suggestion=s.completed, actor=world.staff, findings="已落实。")

    s.withdrawn = submitted(world, "撤回建议")
    services.suggestion_withdraw(
        suggestion=s.withdrawn, actor=world.deputy.person.user, reason="情况已变化。"
    )
    s.refused = submitted(world, "不予立案建议")
    services.suggestion_refuse(
        suggestion=s.refused, actor=world.staff, reason_code="personal_matter"
    )
    s.merged = submitted(world, "并案建议")
    services.suggestion_merge(suggestion=s.merged, actor=world.staff, target=s.overdue)

    s.plan = services.supervision_plan_create(
        actor=world.staff,
        congress=world.congress,
        theme="电池之都",
        suggestions=[s.overdue],
        leader=world.leader,
        leader_title="市人大常委会副主任",
        lead_unit=world.lead_unit,
        deadline=dt.date(2025, 10, 31),
    )
    return s
