"""The due-date queries of the sweep, one per clock, with the names and addresses the texts
need joined in (see `planning`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce

from suggestions.models import (
    Assignment,
    AssignmentStatus,
    CoHandlingOpinion,
    ContactRecord,
    FollowUpReview,
    Reply,
    State,
    Suggestion,
    SupervisionPlan,
    UnitRole,
)

HANDLING_STATES = (State.ASSIGNED, State.REHANDLING)
# A supervision plan is still running while one of its suggestions is not finished.
SUPERVISED_OPEN_STATES = (
    State.REGISTERED,
    State.ASSIGNED,
    State.REPLIED,
    State.REHANDLING,
    State.FOLLOW_UP,
)
# Received and not yet assigned: the congress's assignment clock runs.
AWAITING_ASSIGNMENT_STATES = (State.SUBMITTED, State.REGISTERED)

SUGGESTION_FIELDS = ("suggestion__title", "suggestion__number", "suggestion__congress_id")
DEPUTY_FIELDS = (
    "lead_deputy__person__name",
    "lead_deputy__person__email",
    "lead_deputy__person__user_id",
    "lead_deputy__person__user__email",
    "lead_deputy__person__user__is_active",
)


def responsible_assignments(horizon: dt.date) -> Iterable[dict]:
    replied_this_round = Reply.objects.filter(
        assignment=OuterRef("pk"), round=OuterRef("suggestion__handling_round")
    )
    return (
        Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE,
            role__in=(UnitRole.LEAD, UnitRole.SEPARATE),
            suggestion__state__in=HANDLING_STATES,
        )
        .annotate(current_due=Coalesce("rehandling_due_on", "due_on"))
        .filter(current_due__lte=horizon)
        .exclude(Exists(replied_this_round))
        .values(
            "id",
            "suggestion_id",
            "unit_id",
            "role",
            "current_due",
            "rehandling_due_on",
            "due_explanation",
            "rehandling_explanation",
            "unit__name",
            "unit__email",
            *SUGGESTION_FIELDS,
        )
    )


def co_assignments(horizon: dt.date) -> Iterable[dict]:
    opinion = CoHandlingOpinion.objects.filter(assignment=OuterRef("pk"))
    return (
        Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE,
            role=UnitRole.CO,
            suggestion__state__in=HANDLING_STATES,
            due_on__lte=horizon,
        )
        .exclude(Exists(opinion))
        .values(
            "id",
            "suggestion_id",
            "unit_id",
            "due_on",
            "due_explanation",
            "unit__name",
            "unit__email",
            *SUGGESTION_FIELDS,
        )
    )


def returned_suggestions(horizon: dt.date) -> Iterable[dict]:
    return Suggestion.objects.filter(state=State.RETURNED, revision_due_on__lte=horizon).values(
        "id", "title", "number", "revision_due_on", *DEPUTY_FIELDS
    )


def replied_suggestions(horizon: dt.date) -> Iterable[dict]:
    return Suggestion.objects.filter(state=State.REPLIED, evaluation_due_on__lte=horizon).values(
        "id",
        "title",
        "number",
        "evaluation_due_on",
        "evaluation_explanation",
        *DEPUTY_FIELDS,
    )


def open_plans(horizon: dt.date) -> Iterable[dict]:
    open_suggestion = Suggestion.objects.filter(
        supervision_plans=OuterRef("pk"), state__in=SUPERVISED_OPEN_STATES
    )
    return (
        SupervisionPlan.objects.filter(deadline__lte=horizon)
        .filter(Exists(open_suggestion))
        .annotate(leader_name=Coalesce(F("leader__person__name"), F("leader__username")))
        .values(
            "id",
            "theme",
            "deadline",
            "congress_id",
            "leader_id",
            "leader__email",
            "leader__is_active",
            "leader_name",
            "lead_unit_id",
            "lead_unit__name",
            "lead_unit__email",
        )
    )


def follow_up_reviews(horizon: dt.date) -> Iterable[dict]:
    return FollowUpReview.objects.filter(
        is_done=False, due_on__lte=horizon, suggestion__state=State.FOLLOW_UP
    ).values("id", "due_on", "suggestion_id", *SUGGESTION_FIELDS)


def contact_assignments(horizon: dt.date) -> Iterable[dict]:
    """Replying units that have not yet recorded a contact with the deputy."""
    contact = ContactRecord.objects.filter(assignment=OuterRef("pk"))
    return (
        Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE,
            role__in=(UnitRole.LEAD, UnitRole.SEPARATE),
            suggestion__state__in=HANDLING_STATES,
            contact_due_on__lte=horizon,
        )
        .exclude(Exists(contact))
        .values(
            "id",
            "suggestion_id",
            "unit_id",
            "contact_due_on",
            "contact_explanation",
            "unit__name",
            "unit__email",
            *SUGGESTION_FIELDS,
        )
    )


def awaiting_assignment(horizon: dt.date) -> Iterable[dict]:
    return Suggestion.objects.filter(
        state__in=AWAITING_ASSIGNMENT_STATES, assignment_due_on__lte=horizon
    ).values("id", "title", "number", "congress_id", "assignment_due_on", "assignment_explanation")
