"""The public parts of a suggestion's record: dates at their precision, active assignments,
outcomes, key supervision with its public activities, follow-up reviews, links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from suggestions.models import (
    PUBLIC_STATES,
    AssignmentStatus,
    DatePrecision,
    Suggestion,
    SuggestionLink,
    format_partial_date,
)


def is_public(suggestion: Suggestion) -> bool:
    """The instance form of `Suggestion.objects.public()`."""
    return suggestion.state in PUBLIC_STATES and not suggestion.withheld_reason


# ---- Dates with their precision ----


@dataclass(frozen=True)
class PublicDate:
    """A date known to the day, the month or the year. Never shown with an invented day."""

    value: dt.date | None
    precision: str = DatePrecision.DAY

    @property
    def iso(self) -> str:
        """ISO 8601 at the known precision: '2023-01-05', '2023-01' or '2023'; '' if unknown."""
        if self.value is None:
            return ""
        if self.precision == DatePrecision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()

    @property
    def display(self) -> str:
        """For pages, in the active language: '2023年1月' (English 'January 2023')."""
        return format_partial_date(self.value, self.precision)

    def __str__(self) -> str:
        return self.display


@dataclass(frozen=True)
class PublicRef:
    id: int
    name: str


@dataclass(frozen=True)
class PublicAssignment:
    """An active assignment, with its deadlines but never its extension or return reason."""

    unit: PublicRef
    role: str
    role_label: str
    status: str
    status_label: str
    assigned_on: dt.date | None
    due_on: dt.date | None
    due_explanation: str
    extended: bool
    rehandling_due_on: dt.date | None
    current_due_on: dt.date | None


def public_assignments(suggestion: Suggestion) -> list[PublicAssignment]:
    active = [a for a in suggestion.assignments.all() if a.status == AssignmentStatus.ACTIVE]
    return [
        PublicAssignment(
            unit=PublicRef(a.unit_id, a.unit.name),
            role=a.role,
            role_label=str(a.get_role_display()),
            status=a.status,
            status_label=str(a.get_status_display()),
            assigned_on=a.assigned_on,
            due_on=a.due_on,
            due_explanation=a.due_explanation,
            extended=a.extended,
            rehandling_due_on=a.rehandling_due_on,
            current_due_on=a.current_due_on,
        )
        for a in sorted(active, key=lambda a: (a.role, a.unit.name))
    ]


@dataclass(frozen=True)
class PublicOutcome:
    id: int
    kind: str
    kind_label: str
    title: str
    issuing_body: str
    date: PublicDate
    description: str


def public_outcomes(suggestion: Suggestion) -> list[PublicOutcome]:
    outcomes = sorted(suggestion.outcomes.all(), key=lambda o: (o.date or dt.date.min, o.pk))
    return [
        PublicOutcome(
            id=o.pk,
            kind=o.kind,
            kind_label=str(o.get_kind_display()),
            title=o.title,
            issuing_body=o.issuing_body,
            date=PublicDate(o.date, o.date_precision),
            description=o.description,
        )
        for o in outcomes
    ]


@dataclass(frozen=True)
class PublicActivity:
    kind: str
    kind_label: str
    title: str
    conducted_by: str
    description: str
    date: PublicDate


@dataclass(frozen=True)
class PublicPlan:
    id: int
    theme: str
    decided_by: str
    leader_title: str
    committee: str | None
    supervising_body: str
    lead_unit: str | None
    deadline: dt.date | None
    activities: list[PublicActivity]


def public_plans(suggestion: Suggestion) -> list[PublicPlan]:
    return [
        PublicPlan(
            id=plan.pk,
            theme=plan.theme,
            decided_by=plan.decided_by,
            leader_title=plan.leader_title,
            committee=plan.committee.name if plan.committee_id else None,
            supervising_body=plan.supervising_body,
            lead_unit=plan.lead_unit.name if plan.lead_unit_id else None,
            deadline=plan.deadline,
            activities=[
                PublicActivity(
                    kind=a.kind,
                    kind_label=str(a.get_kind_display()),
                    title=a.title,
                    conducted_by=a.conducted_by,
                    description=a.description,
                    date=PublicDate(a.date, a.date_precision),
                )
                for a in plan.activities.all()
                if a.is_public
            ],
        )
        for plan in suggestion.supervision_plans.all()
    ]


@dataclass(frozen=True)
class PublicFollowUp:
    date: PublicDate
    conducted_by: str
    findings: str
    is_done: bool
    due_on: dt.date | None


def public_follow_ups(suggestion: Suggestion) -> list[PublicFollowUp]:
    return [
        PublicFollowUp(
            date=PublicDate(r.date, r.date_precision),
            conducted_by=r.conducted_by,
            findings=r.findings,
            is_done=r.is_done,
            due_on=r.due_on,
        )
        for r in suggestion.follow_up_reviews.all()
    ]


@dataclass(frozen=True)
class PublicLink:
    kind: str
    kind_label: str
    direction: str  # "out": this suggestion → the other; "in": the other → this one
    suggestion: PublicRef
    congress: str
    note: str


LINK_FIELDS = (
    "kind",
    "note",
    *(
        f"{end}__{field}"
        for end in ("from_suggestion", "to_suggestion")
        for field in ("title", "state", "withheld_reason", "congress__name")
    ),
)


def public_links(suggestion: Suggestion) -> list[PublicLink]:
    """Links to public suggestions only: a withheld or unpublished one is not named.

    Both directions come from one query with only the columns read here: two prefetches
    (links_out, links_in) of whole linked suggestions spent more Python time building their
    SQL and rows than PostgreSQL spent running them. `load_public_detail` reads them with the
    suggestion (cached as "links", as a prefetch would be)."""
    loaded = getattr(suggestion, "_prefetched_objects_cache", {}).get("links")
    links = (
        loaded
        if loaded is not None
        else (
            SuggestionLink.objects.filter(
                Q(from_suggestion_id=suggestion.pk) | Q(to_suggestion_id=suggestion.pk)
            )
            .select_related("from_suggestion__congress", "to_suggestion__congress")
            .only(*LINK_FIELDS)
            .order_by("pk")
        )
    )
    pairs = [
        ("out", link, link.to_suggestion)
        for link in links
        if link.from_suggestion_id == suggestion.pk
    ]
    pairs += [
        ("in", link, link.from_suggestion)
        for link in links
        if link.from_suggestion_id != suggestion.pk
    ]
    return [
        PublicLink(
            kind=link.kind,
            kind_label=str(link.get_kind_display()),
            direction=direction,
            suggestion=PublicRef(other.pk, other.title),
            congress=other.congress.name,
            note=link.note,
        )
        for direction, link, other in pairs
        if is_public(other)
    ]
