"""The benchmarks' synthetic congress: N suggestions in the shapes the pages meet in a real
ledger, written with bulk inserts (benchmark data is not a lifecycle, so it bypasses the
services on purpose, but every row is one the services could have left: each state carries
the versions, assignments, replies, evaluations and events it would have).

Shape (seeded, so two fills of the same size are alike):
- one municipal congress, one term, three sessions and a few recess suggestions, 12 topics,
  300 deputies (20% of suggestions co-signed), 40 handling units;
- states: ~91% public (registered, assigned, replied, re-handling, closed, follow-up,
  completed; 1% of those withheld), the rest drafts, submitted, returned, refused, withdrawn;
- every suggestion from "assigned" on has an active lead assignment (15% also a co-handling
  unit); one unit, `BIG_UNIT`, leads min(5,000, 5% of N) of them; ~10% of the assignments
  still being handled are past their reply deadline;
- replies published (public text = text: the generated text holds no contact details),
  evaluations, and the events of each step (~5 per suggestion); 10 supervision plans;
- accounts: `bench-staff` (congress staff), `bench-leader` (leader, leads the plans),
  `bench-unit` (member of `BIG_UNIT`).

3% of texts contain one of 电池/消防/古民居/电池之都, so each of these search terms matches
hundreds to thousands of suggestions (commoner than in real ledgers).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from contextlib import contextmanager

PHRASES = [
    "加快推进",
    "产业集聚区",
    "高质量发展",
    "乡村振兴",
    "城市更新",
    "公共交通",
    "义务教育",
    "医疗卫生",
    "养老服务",
    "生态环境",
    "水资源保护",
    "营商环境",
    "人才引进",
    "道路交通安全",
    "农村饮水",
    "文化旅游",
    "古城保护",
    "社区治理",
    "新能源汽车",
    "数字经济",
]
RARE = ["电池", "消防", "古民居", "电池之都"]
TOPICS = [
    "经济",
    "城建",
    "交通",
    "教育",
    "卫生",
    "农业",
    "环保",
    "社会",
    "文旅",
    "科技",
    "法治",
    "其他",
]
CONGRESS_NAME = "基准测试市人民代表大会"
BIG_UNIT = "承办单位0（大单位）"
STAFF, LEADER, UNIT_USER = "bench-staff", "bench-leader", "bench-unit"
# (state, weight in %): ~91% public once the 1% withheld is taken off.
STATE_WEIGHTS = [
    ("draft", 2),
    ("submitted", 2),
    ("returned", 1),
    ("refused", 1.5),
    ("withdrawn", 1.5),
    ("registered", 3),
    ("assigned", 30),
    ("replied", 14),
    ("rehandling", 2),
    ("closed", 35),
    ("follow_up", 5),
    ("completed", 3),
]
ASSIGNED_ON = ("assigned", "replied", "rehandling", "closed", "follow_up", "completed")
REPLIED_ON = ("replied", "rehandling", "closed", "follow_up", "completed")
EVALUATED_ON = ("rehandling", "closed", "follow_up", "completed")
BATCH = 2000


def text(rng: random.Random, words: int) -> str:
    parts = [rng.choice(PHRASES) for _ in range(words)]
    if rng.random() < 0.03:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(RARE))
    return "，".join(parts) + "。"


@contextmanager
def _given_timestamps(*fields):
    """Let bulk inserts keep the `created_at` they are given (auto_now_add would stamp every
    row with the same instant, and the lists order by it)."""
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


class _World:
    """The fixed part: congress, sessions, deputies, units, accounts."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from congress.models import (
            Congress,
            CongressStaff,
            Deputy,
            HandlingUnit,
            Person,
            Session,
            StaffRole,
            Term,
        )

        users = get_user_model()
        self.congress, _ = Congress.objects.get_or_create(
            name=CONGRESS_NAME, defaults={"level": "municipal", "region": "基准测试市"}
        )
        self.term, _ = Term.objects.get_or_create(
            congress=self.congress, number=6, defaults={"name": "六届"}
        )
        self.sessions = []
        for number, year in ((1, 2024), (2, 2025), (3, 2026)):
            session, _ = Session.objects.get_or_create(
                term=self.term,
                number=number,
                defaults={
                    "name": f"六届人大{'一二三'[number - 1]}次会议",
                    "opened_on": dt.date(year, 1, 15),
                    "closed_on": dt.date(year, 1, 19),
                },
            )
            self.sessions.append(session)
        self.deputies = list(Deputy.objects.filter(term=self.term))
        if not self.deputies:
            for i in range(300):
                user = users.objects.create(username=f"bench-deputy-{i}")
                person = Person.objects.create(name=f"代表{i}", user=user, phone="13800000000")
                self.deputies.append(Deputy.objects.create(person=person, term=self.term))
        self.units = list(HandlingUnit.objects.filter(congress=self.congress).order_by("pk"))
        if not self.units:
            names = [BIG_UNIT] + [f"承办单位{i}" for i in range(1, 40)]
            self.units = [
                HandlingUnit.objects.create(congress=self.congress, name=name) for name in names
            ]
        self.big_unit = next(u for u in self.units if u.name == BIG_UNIT)
        self.other_units = [u for u in self.units if u != self.big_unit]
        staff, _ = users.objects.get_or_create(username=STAFF)
        CongressStaff.objects.get_or_create(
            user=staff, congress=self.congress, defaults={"role": StaffRole.STAFF}
        )
        self.leader, _ = users.objects.get_or_create(username=LEADER)
        CongressStaff.objects.get_or_create(
            user=self.leader, congress=self.congress, defaults={"role": StaffRole.LEADER}
        )
        unit_user, _ = users.objects.get_or_create(username=UNIT_USER)
        self.big_unit.members.add(unit_user)


def _fill_batch(world: _World, rng: random.Random, size: int, state: dict) -> None:
    from suggestions.models import (
        NATIONAL_REPLY_CATEGORIES,
        Assignment,
        CoSignature,
        Evaluation,
        Event,
        Rating,
        Reply,
        Suggestion,
        Version,
    )
    from suggestions.services.transitions import transition_label

    national_labels = {code: label for code, label, _promise in NATIONAL_REPLY_CATEGORIES}

    today = state["today"]
    states, weights = zip(*STATE_WEIGHTS, strict=True)
    suggestions, plans = [], []
    for _ in range(size):
        status = rng.choices(states, weights)[0]
        recess = rng.random() < 0.05
        session = None if recess else rng.choices(world.sessions, (3, 3, 4))[0]
        opened = dt.date(2025, 6, 1) if recess else session.opened_on
        filed_on = opened + dt.timedelta(days=rng.randrange(5))
        number = None
        if status != "draft":
            state["number"] += 1
            number = state["number"]
        public = status in ASSIGNED_ON or status == "registered"
        replied_on = filed_on + dt.timedelta(days=rng.randrange(40, 100))
        suggestions.append(
            Suggestion(
                congress=world.congress,
                term=world.term,
                session=session,
                number=number,
                title=f"关于{text(rng, 2)[:-1]}的建议",
                body=text(rng, 40),
                topic=rng.choice(TOPICS),
                lead_deputy=rng.choice(world.deputies),
                state=status,
                handling_round=2 if status == "rehandling" else 1,
                returned_at_version=1 if status == "returned" else None,
                revision_due_on=filed_on + dt.timedelta(days=20) if status == "returned" else None,
                filed_on=filed_on,
                evaluation_due_on=(
                    replied_on + dt.timedelta(days=30) if status == "replied" else None
                ),
                refusal_reason="other" if status == "refused" else "",
                withheld_reason="涉及个人隐私" if public and rng.random() < 0.01 else "",
                created_at=_at(filed_on, 8 + rng.randrange(10)),
            )
        )
        plans.append({"status": status, "filed_on": filed_on, "replied_on": replied_on})
    Suggestion.objects.bulk_create(suggestions)

    versions, cosignatures, assignments, events = [], [], [], []
    for suggestion, plan in zip(suggestions, plans, strict=True):
        status, filed_on = plan["status"], plan["filed_on"]
        submitted = status != "draft"
        versions.append(
            Version(
                suggestion=suggestion,
                number=1,
                title=suggestion.title,
                body=suggestion.body,
                submitted_at=_at(filed_on) if submitted else None,
                created_at=_at(filed_on, 9),
            )
        )
        if rng.random() < 0.2:
            for deputy in rng.sample(world.deputies, 3):
                if deputy != suggestion.lead_deputy:
                    cosignatures.append(
                        CoSignature(
                            suggestion=suggestion, deputy=deputy, confirmed_at=_at(filed_on, 9)
                        )
                    )
        steps = _steps(status)
        day = filed_on
        for name, from_state, to_state in steps:
            events.append(
                Event(
                    suggestion=suggestion,
                    action=name,
                    action_label=transition_label(name),
                    from_state=from_state,
                    to_state=to_state,
                    actor_name="基准测试",
                    occurred_at=_at(day, 11),
                    created_at=_at(day, 11),
                )
            )
            day += dt.timedelta(days=rng.randrange(5, 40))
        if status not in ASSIGNED_ON:
            continue
        assigned_on = filed_on + dt.timedelta(days=20)
        if state["big"] < state["big_target"] and rng.random() < state["big_share"]:
            lead_unit = world.big_unit
            state["big"] += 1
        else:
            lead_unit = rng.choice(world.other_units)
        due_on = assigned_on + dt.timedelta(days=90)
        if status in ("assigned", "rehandling"):  # still being handled: ~10% overdue
            late = rng.random() < 0.1
            due_on = today + dt.timedelta(
                days=-rng.randrange(1, 60) if late else rng.randrange(1, 90)
            )
        lead = Assignment(
            suggestion=suggestion,
            unit=lead_unit,
            role="lead",
            assigned_on=assigned_on,
            due_on=due_on,
            due_explanation="交办之日起三个月",
            rehandling_due_on=due_on if status == "rehandling" else None,
            created_at=_at(assigned_on),
        )
        assignments.append(lead)
        plan["lead"] = lead
        if rng.random() < 0.15:
            co_unit = rng.choice([u for u in world.other_units if u != lead_unit])
            assignments.append(
                Assignment(
                    suggestion=suggestion,
                    unit=co_unit,
                    role="co",
                    assigned_on=assigned_on,
                    due_on=assigned_on + dt.timedelta(days=30),
                    due_explanation="交办之日起一个月",
                    created_at=_at(assigned_on),
                )
            )
    Version.objects.bulk_create(versions)
    CoSignature.objects.bulk_create(cosignatures)
    Assignment.objects.bulk_create(assignments)
    Event.objects.bulk_create(events)

    replies, evaluations = [], []
    for suggestion, plan in zip(suggestions, plans, strict=True):
        status = plan["status"]
        if status not in REPLIED_ON:
            continue
        replied_on = plan["replied_on"]
        category = rng.choice("BC") if status in ("follow_up", "completed") else rng.choice("ABCD")
        reply_text = text(rng, 30)
        replies.append(
            Reply(
                suggestion=suggestion,
                assignment=plan["lead"],
                round=1,
                category=category,
                category_label=national_labels[category],
                carries_promise=category in "BC",
                text=reply_text,
                public_text=reply_text,
                signer="签发人",
                replied_at=_at(replied_on),
                publish_due_on=replied_on + dt.timedelta(days=7),
                published_at=_at(replied_on + dt.timedelta(days=3)),
            )
        )
        if status in EVALUATED_ON:
            rating = (
                Rating.DISSATISFIED
                if status == "rehandling"
                else rng.choice([Rating.SATISFIED, Rating.BASICALLY_SATISFIED])
            )
            evaluations.append(
                Evaluation(
                    suggestion=suggestion,
                    round=1,
                    rating=rating,
                    evaluated_at=_at(replied_on + dt.timedelta(days=10)),
                )
            )
    Reply.objects.bulk_create(replies)
    Evaluation.objects.bulk_create(evaluations)


def _steps(status: str) -> list[tuple[str, str, str]]:
    """The transitions (name, from, to) that led a suggestion to `status`."""
    path = {
        "draft": [],
        "submitted": [("submit", "draft", "submitted")],
        "returned": [("return_for_revision", "submitted", "returned")],
        "refused": [("refuse", "submitted", "refused")],
        "withdrawn": [("withdraw", "submitted", "withdrawn")],
        "registered": [("register", "submitted", "registered")],
    }
    if status in path:
        head = [] if status in ("draft", "submitted") else [("submit", "draft", "submitted")]
        return head + path[status]
    steps = [
        ("submit", "draft", "submitted"),
        ("register", "submitted", "registered"),
        ("assign", "registered", "assigned"),
    ]
    if status == "assigned":
        return steps
    steps.append(("reply", "assigned", "replied"))
    if status == "replied":
        return steps
    if status == "rehandling":
        return [*steps, ("evaluate", "replied", "rehandling")]
    steps.append(("evaluate", "replied", "closed"))
    if status in ("follow_up", "completed"):
        steps.append(("start_follow_up", "closed", "follow_up"))
    if status == "completed":
        steps.append(("complete", "follow_up", "completed"))
    return steps


def _supervision_plans(world: _World, rng: random.Random) -> None:
    from suggestions.models import Suggestion, SupervisionPlan

    if SupervisionPlan.objects.filter(congress=world.congress).exists():
        return
    candidates = list(
        Suggestion.objects.public()
        .filter(congress=world.congress, state__in=["assigned", "replied"])
        .values_list("pk", flat=True)[:5000]
    )
    for i in range(10):
        plan = SupervisionPlan.objects.create(
            congress=world.congress,
            theme=f"重点督办主题{i}",
            decided_by="主任会议",
            leader=world.leader,
            leader_title="常委会副主任",
            lead_unit=rng.choice(world.units),
        )
        plan.suggestions.set(rng.sample(candidates, min(30, len(candidates))))


def fill(target: int, say: Callable[[str], None] = print) -> None:
    """Fill the current database up to `target` suggestions (no-op when it holds as many)."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from suggestions.models import Assignment, Event, Suggestion, Version

    existing = Suggestion.objects.count()
    if existing >= target:
        say(f"database already holds {existing} suggestions")
        return
    rng = random.Random(42 + existing)
    world = _World()
    state = {
        "today": timezone.localdate(),
        "number": Suggestion.objects.aggregate(n=Max("number"))["n"] or 0,
        "big": Assignment.objects.filter(unit=world.big_unit).count(),
        "big_target": min(5000, target // 20),
        # lead assignments go to ~89% of suggestions; aim a little high, the target caps it
        "big_share": min(1.0, 1.1 * min(5000, target // 20) / max(1, 0.89 * target)),
    }
    fields = [
        model._meta.get_field("created_at") for model in (Suggestion, Version, Assignment, Event)
    ]
    with _given_timestamps(*fields):
        while existing < target:
            size = min(BATCH, target - existing)
            with transaction.atomic():
                _fill_batch(world, rng, size, state)
            existing += size
            say(f"  {existing}/{target} suggestions ({state['big']} assigned to {BIG_UNIT})")
    _supervision_plans(world, rng)
    # Bulk inserts bypass the services that keep the open work current.
    Assignment.objects.filter(status="active").refresh_open_work()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
