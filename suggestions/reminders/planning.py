"""Finding everything due, in a fixed number of queries whatever the number of suggestions.

Each clock is one query (with the names and addresses the texts need joined in), and the
recipients are three more (unit members, congress staff, supervising leaders). Everything else
happens in Python over those rows, so the sweep never runs a query per suggestion.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import F
from django.db.models.functions import Coalesce

from congress.models import CongressStaff, HandlingUnit, StaffRole
from suggestions.models import (
    SupervisionPlan,
)

from . import queries, texts
from .models import ReminderKind, ReminderObject, ReminderStep
from .queries import HANDLING_STATES

# Days before the due date at which each clock reminds; the smallest offset that the due date
# is within is the one step that is relevant now (a sweep that was down skips missed steps).
OFFSETS: dict[str, tuple[int, ...]] = {
    ReminderKind.REPLY: (30, 7, 1),
    ReminderKind.CO_OPINION: (7, 1),
    ReminderKind.CONTACT: (7, 1),
    ReminderKind.ASSIGNMENT: (7, 1),
    ReminderKind.REVISION: (7, 1),
    ReminderKind.EVALUATION: (7, 1),
    ReminderKind.SUPERVISION: (30, 7, 1),
    ReminderKind.FOLLOW_UP: (30, 7, 1),
}
# Evaluations do not become overdue: the window closes with `lapse_evaluation` instead.
REMINDS_WHEN_OVERDUE = {
    ReminderKind.REPLY,
    ReminderKind.CO_OPINION,
    ReminderKind.CONTACT,
    ReminderKind.ASSIGNMENT,
    ReminderKind.REVISION,
    ReminderKind.SUPERVISION,
    ReminderKind.FOLLOW_UP,
}
STEP_FOR_OFFSET = {30: ReminderStep.DAYS_30, 7: ReminderStep.DAYS_7, 1: ReminderStep.DAYS_1}


def relevant_step(kind: str, due_on: dt.date, today: dt.date) -> str | None:
    """The one step of `kind` that is due at `today` for a deadline on `due_on`, or None."""
    days_left = (due_on - today).days
    if days_left < 0:
        return ReminderStep.OVERDUE if kind in REMINDS_WHEN_OVERDUE else None
    within = [offset for offset in OFFSETS[kind] if days_left <= offset]
    return STEP_FOR_OFFSET[min(within)] if within else None


@dataclass(frozen=True)
class Recipient:
    key: str
    user_id: int | None
    email: str
    greeting: str

    @classmethod
    def for_user(cls, user_id: int, email: str, greeting: str) -> Recipient:
        return cls(f"user:{user_id}", user_id, (email or "").strip(), greeting)

    @classmethod
    def for_address(cls, email: str, greeting: str) -> Recipient:
        email = email.strip()
        return cls(f"email:{email.lower()}", None, email, greeting)


class PlannedReminder(NamedTuple):
    """One reminder the sweep wants. A named tuple, not a dataclass: a cold sweep builds one
    per recipient of every due deadline (~180,000 at 100k suggestions), and the first six
    fields, in this order, are the unique key."""

    kind: str
    object_type: str
    object_id: int
    recipient_key: str
    due_on: dt.date
    step: str
    suggestion_id: int | None
    recipient_user_id: int | None
    email: str
    context: texts.Subject
    audience: str
    greeting: str

    @property
    def key(self) -> tuple:
        """(kind, object_type, object_id, recipient_key, due_on, step)."""
        return self[:6]

    def render(self, language: str | None = None) -> tuple[str, str]:
        """(subject, body). Rendered only for reminders a sweep actually creates."""
        return texts.render(
            self.context, audience=self.audience, greeting=self.greeting, language=language
        )


@dataclass
class Due:
    """Everything the sweep found, before anything is written."""

    reminders: list[PlannedReminder]


class Directory:
    """Recipients looked up once per sweep: unit members, congress staff, plan leaders."""

    def __init__(self, *, unit_ids: set[int], congress_ids: set[int], with_leaders: bool):
        self.unit_members: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self.staff: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self.leaders: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self._units: dict[tuple, list[Recipient]] = {}
        self._staff: dict[int, list[Recipient]] = {}
        user_name = Coalesce(F("user__person__name"), F("user__username"))
        if unit_ids:
            through = HandlingUnit.members.through
            for row in (
                through.objects.filter(handlingunit_id__in=unit_ids, user__is_active=True)
                .annotate(name=user_name)
                .values_list("handlingunit_id", "user_id", "user__email", "name")
            ):
                self.unit_members[row[0]].append(row[1:])
        if congress_ids:
            for row in (
                CongressStaff.objects.filter(
                    congress_id__in=congress_ids, role=StaffRole.STAFF, user__is_active=True
                )
                .annotate(name=user_name)
                .values_list("congress_id", "user_id", "user__email", "name")
                .distinct()
            ):
                self.staff[row[0]].append(row[1:])
        if with_leaders:
            through = SupervisionPlan.suggestions.through
            leader_name = Coalesce(
                F("supervisionplan__leader__person__name"), F("supervisionplan__leader__username")
            )
            for row in (
                through.objects.filter(
                    suggestion__state__in=HANDLING_STATES,
                    supervisionplan__leader__isnull=False,
                    supervisionplan__leader__is_active=True,
                )
                .annotate(name=leader_name)
                .values_list(
                    "suggestion_id",
                    "supervisionplan__leader_id",
                    "supervisionplan__leader__email",
                    "name",
                )
                .distinct()
            ):
                self.leaders[row[0]].append(row[1:])

    def unit(self, unit_id: int, unit_name: str, unit_email: str) -> list[Recipient]:
        # Units and congresses are few, their deadlines many: build each list once.
        cache_key = (unit_id, unit_name, unit_email)
        if cache_key not in self._units:
            self._units[cache_key] = self._unit(unit_id, unit_name, unit_email)
        return list(self._units[cache_key])

    def _unit(self, unit_id: int, unit_name: str, unit_email: str) -> list[Recipient]:
        members = [
            Recipient.for_user(uid, email, name) for uid, email, name in self.unit_members[unit_id]
        ]
        member_addresses = {m.email.lower() for m in members if m.email}
        if unit_email and unit_email.strip().lower() not in member_addresses:
            members.append(Recipient.for_address(unit_email, unit_name))
        return members

    def congress_staff(self, congress_id: int) -> list[Recipient]:
        if congress_id not in self._staff:
            self._staff[congress_id] = [
                Recipient.for_user(uid, e, n) for uid, e, n in self.staff[congress_id]
            ]
        return list(self._staff[congress_id])

    def supervising_leaders(self, suggestion_id: int) -> list[Recipient]:
        return [Recipient.for_user(uid, e, n) for uid, e, n in self.leaders[suggestion_id]]


def deputy_recipient(row: dict, words: texts.Words) -> list[Recipient]:
    greeting = words.deputy % {"name": row["lead_deputy__person__name"]}
    user_id = row["lead_deputy__person__user_id"]
    if user_id and row["lead_deputy__person__user__is_active"]:
        email = row["lead_deputy__person__email"] or row["lead_deputy__person__user__email"]
        return [Recipient.for_user(user_id, email, greeting)]
    if row["lead_deputy__person__email"]:
        return [Recipient.for_address(row["lead_deputy__person__email"], greeting)]
    return []


def find_due(today: dt.date) -> Due:
    """Everything due at `today`: at most 11 queries, whatever the number of suggestions."""
    horizon = today + dt.timedelta(days=max(max(o) for o in OFFSETS.values()))
    responsible = list(queries.responsible_assignments(horizon))
    co_handling = list(queries.co_assignments(horizon))
    contacts = list(queries.contact_assignments(horizon))
    unassigned = list(queries.awaiting_assignment(horizon))
    returned = list(queries.returned_suggestions(horizon))
    replied = list(queries.replied_suggestions(horizon))
    plans = list(queries.open_plans(horizon))
    reviews = list(queries.follow_up_reviews(horizon))

    unit_ids = {r["unit_id"] for r in responsible} | {r["unit_id"] for r in co_handling}
    unit_ids |= {r["unit_id"] for r in contacts}
    unit_ids |= {p["lead_unit_id"] for p in plans if p["lead_unit_id"]}
    congress_ids = {r["suggestion__congress_id"] for r in responsible}
    congress_ids |= {p["congress_id"] for p in plans}
    congress_ids |= {r["suggestion__congress_id"] for r in reviews}
    congress_ids |= {r["congress_id"] for r in unassigned}
    any_overdue_reply = any(r["current_due"] < today for r in responsible)
    directory = Directory(
        unit_ids=unit_ids, congress_ids=congress_ids, with_leaders=any_overdue_reply
    )

    words = texts.words()
    planned: list[PlannedReminder] = []
    planned += _plan_replies(responsible, today, directory, words)
    planned += _plan_co_opinions(co_handling, today, directory, words)
    planned += _plan_contacts(contacts, today, directory, words)
    planned += _plan_suggestion_clock(
        unassigned,
        today,
        kind=ReminderKind.ASSIGNMENT,
        due_field="assignment_due_on",
        explanation=lambda row: row["assignment_explanation"] or words.unrecorded,
        recipients=lambda row: directory.congress_staff(row["congress_id"]),
        words=words,
    )
    planned += _plan_suggestion_clock(
        returned,
        today,
        kind=ReminderKind.REVISION,
        due_field="revision_due_on",
        explanation=lambda row: words.revision % {"due": row["revision_due_on"].isoformat()},
        recipients=lambda row: deputy_recipient(row, words),
        words=words,
    )
    # A window that closed before today is the sweep's to lapse, not to remind about.
    replied = [r for r in replied if r["evaluation_due_on"] >= today]
    planned += _plan_suggestion_clock(
        replied,
        today,
        kind=ReminderKind.EVALUATION,
        due_field="evaluation_due_on",
        explanation=lambda row: row["evaluation_explanation"] or words.unrecorded,
        recipients=lambda row: deputy_recipient(row, words),
        words=words,
    )
    planned += _plan_supervision(plans, today, directory, words)
    planned += _plan_follow_ups(reviews, today, directory, words)
    return Due(reminders=planned)


# ---- turning rows into reminders (no queries) ----


def _build(
    *,
    kind: str,
    object_type: str,
    object_id: int,
    suggestion_id: int | None,
    subject: texts.Subject,
    recipients: Iterable[Recipient],
    audience: str = "owner",
) -> Iterator[PlannedReminder]:
    for recipient in recipients:
        if recipient.user_id is None and not recipient.email:
            continue
        yield PlannedReminder(
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            recipient_key=recipient.key,
            due_on=subject.due_on,
            step=subject.step,
            suggestion_id=suggestion_id,
            recipient_user_id=recipient.user_id,
            email=recipient.email,
            context=subject,
            audience=audience,
            greeting=recipient.greeting,
        )


def _days(due_on: dt.date, today: dt.date) -> int:
    return abs((due_on - today).days)


def _plan_replies(
    rows, today, directory: Directory, words: texts.Words
) -> Iterator[PlannedReminder]:
    for row in rows:
        due_on = row["current_due"]
        step = relevant_step(ReminderKind.REPLY, due_on, today)
        if step is None:
            continue
        in_rehandling = row["rehandling_due_on"] is not None
        explanation = row["rehandling_explanation"] if in_rehandling else row["due_explanation"]
        subject = texts.Subject(
            kind=ReminderKind.REPLY,
            step=step,
            title=words.suggestion_label(row["suggestion__title"], row["suggestion__number"]),
            due_on=due_on,
            days=_days(due_on, today),
            explanation=explanation or words.unrecorded,
            unit=row["unit__name"],
            role=words.roles[row["role"]],
        )
        common = {
            "kind": ReminderKind.REPLY,
            "object_type": ReminderObject.ASSIGNMENT,
            "object_id": row["id"],
            "suggestion_id": row["suggestion_id"],
            "subject": subject,
        }
        yield from _build(
            recipients=directory.unit(row["unit_id"], row["unit__name"], row["unit__email"]),
            **common,
        )
        if step == ReminderStep.OVERDUE:
            escalation = directory.congress_staff(row["suggestion__congress_id"])
            escalation += directory.supervising_leaders(row["suggestion_id"])
            yield from _build(recipients=_unique(escalation), audience="escalation", **common)


def _plan_co_opinions(
    rows, today, directory: Directory, words: texts.Words
) -> Iterator[PlannedReminder]:
    for row in rows:
        step = relevant_step(ReminderKind.CO_OPINION, row["due_on"], today)
        if step is None:
            continue
        subject = texts.Subject(
            kind=ReminderKind.CO_OPINION,
            step=step,
            title=words.suggestion_label(row["suggestion__title"], row["suggestion__number"]),
            due_on=row["due_on"],
            days=_days(row["due_on"], today),
            explanation=row["due_explanation"] or words.unrecorded,
            unit=row["unit__name"],
        )
        yield from _build(
            kind=ReminderKind.CO_OPINION,
            object_type=ReminderObject.ASSIGNMENT,
            object_id=row["id"],
            suggestion_id=row["suggestion_id"],
            subject=subject,
            recipients=directory.unit(row["unit_id"], row["unit__name"], row["unit__email"]),
        )


def _plan_contacts(
    rows, today, directory: Directory, words: texts.Words
) -> Iterator[PlannedReminder]:
    for row in rows:
        due_on = row["contact_due_on"]
        step = relevant_step(ReminderKind.CONTACT, due_on, today)
        if step is None:
            continue
        subject = texts.Subject(
            kind=ReminderKind.CONTACT,
            step=step,
            title=words.suggestion_label(row["suggestion__title"], row["suggestion__number"]),
            due_on=due_on,
            days=_days(due_on, today),
            explanation=row["contact_explanation"] or words.unrecorded,
            unit=row["unit__name"],
        )
        yield from _build(
            kind=ReminderKind.CONTACT,
            object_type=ReminderObject.ASSIGNMENT,
            object_id=row["id"],
            suggestion_id=row["suggestion_id"],
            subject=subject,
            recipients=directory.unit(row["unit_id"], row["unit__name"], row["unit__email"]),
        )


def _plan_suggestion_clock(
    rows,
    today,
    *,
    kind: ReminderKind,
    due_field: str,
    explanation: Callable[[dict], str],
    recipients: Callable[[dict], list[Recipient]],
    words: texts.Words,
) -> Iterator[PlannedReminder]:
    """Reminders of a clock the suggestion itself carries (assignment, revision,
    evaluation): its due date is `row[due_field]`."""
    for row in rows:
        due_on = row[due_field]
        step = relevant_step(kind, due_on, today)
        if step is None:
            continue
        subject = texts.Subject(
            kind=kind,
            step=step,
            title=words.suggestion_label(row["title"], row["number"]),
            due_on=due_on,
            days=_days(due_on, today),
            explanation=explanation(row),
        )
        yield from _build(
            kind=kind,
            object_type=ReminderObject.SUGGESTION,
            object_id=row["id"],
            suggestion_id=row["id"],
            subject=subject,
            recipients=recipients(row),
        )


def _plan_supervision(
    rows, today, directory: Directory, words: texts.Words
) -> Iterator[PlannedReminder]:
    for row in rows:
        due_on = row["deadline"]
        step = relevant_step(ReminderKind.SUPERVISION, due_on, today)
        if step is None:
            continue
        subject = texts.Subject(
            kind=ReminderKind.SUPERVISION,
            step=step,
            title=words.plan_label(row["theme"]),
            due_on=due_on,
            days=_days(due_on, today),
            explanation=words.supervision % {"due": due_on.isoformat()},
        )
        recipients = []
        if row["leader_id"] and row["leader__is_active"]:
            recipients.append(
                Recipient.for_user(row["leader_id"], row["leader__email"], row["leader_name"])
            )
        recipients += directory.congress_staff(row["congress_id"])
        if row["lead_unit_id"]:
            recipients += directory.unit(
                row["lead_unit_id"], row["lead_unit__name"], row["lead_unit__email"]
            )
        yield from _build(
            kind=ReminderKind.SUPERVISION,
            object_type=ReminderObject.SUPERVISION_PLAN,
            object_id=row["id"],
            suggestion_id=None,
            subject=subject,
            recipients=_unique(recipients),
        )


def _plan_follow_ups(
    rows, today, directory: Directory, words: texts.Words
) -> Iterator[PlannedReminder]:
    for row in rows:
        due_on = row["due_on"]
        step = relevant_step(ReminderKind.FOLLOW_UP, due_on, today)
        if step is None:
            continue
        subject = texts.Subject(
            kind=ReminderKind.FOLLOW_UP,
            step=step,
            title=words.suggestion_label(row["suggestion__title"], row["suggestion__number"]),
            due_on=due_on,
            days=_days(due_on, today),
            explanation=words.follow_up % {"due": due_on.isoformat()},
        )
        yield from _build(
            kind=ReminderKind.FOLLOW_UP,
            object_type=ReminderObject.FOLLOW_UP_REVIEW,
            object_id=row["id"],
            suggestion_id=row["suggestion_id"],
            subject=subject,
            recipients=directory.congress_staff(row["suggestion__congress_id"]),
        )


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for recipient in recipients:
        seen.setdefault(recipient.key, recipient)
    return list(seen.values())


__all__ = ["Due", "PlannedReminder", "Recipient", "find_due", "relevant_step"]
