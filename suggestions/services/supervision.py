"""Key supervision, supervision activities, follow-up and outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from congress.models import Committee, Congress, HandlingUnit, StaffRole
from suggestions.models import (
    PUBLIC_STATES,
    ActivityKind,
    DatePrecision,
    FollowUpReview,
    Outcome,
    OutcomeKind,
    State,
    Suggestion,
    SupervisionActivity,
    SupervisionPlan,
)

from .common import require_staff, require_text
from .errors import PermissionDenied, ValidationError
from .transitions import atomic_service, fire, lock_suggestion, record_event

SUPERVISABLE_STATES = tuple(s for s in PUBLIC_STATES if s != State.MERGED)


def _require_congress_staff(actor, congress: Congress) -> None:
    if actor is None or not (
        actor.is_superuser
        or actor.congress_roles.filter(congress=congress, role=StaffRole.STAFF).exists()
    ):
        raise PermissionDenied(_("只有本级人大常委会代表工作机构的工作人员可以执行此操作。"))


@atomic_service
def supervision_plan_create(
    *,
    actor,
    congress: Congress,
    theme: str,
    suggestions: Sequence[Suggestion],
    leader=None,
    leader_title: str = "",
    committee: Committee | None = None,
    supervising_body: str = "",
    lead_unit: HandlingUnit | None = None,
    deadline: dt.date | None = None,
    decided_by: str = "",
) -> SupervisionPlan:
    """重点督办: one theme, one or more registered suggestions of this congress."""
    _require_congress_staff(actor, congress)
    theme = require_text(theme, "theme", _("督办主题"))
    if not suggestions:
        raise ValidationError({"suggestions": _("重点督办须至少包含一件建议")})
    for suggestion in suggestions:
        if suggestion.congress_id != congress.pk:
            raise ValidationError(
                {"suggestions": _("《%(t)s》不是本级人大的建议") % {"t": suggestion.title}}
            )
        if suggestion.state not in SUPERVISABLE_STATES:
            raise ValidationError(
                {
                    "suggestions": _("《%(t)s》当前状态为「%(s)s」，只有已立案的建议可以重点督办")
                    % {"t": suggestion.title, "s": suggestion.get_state_display()}
                }
            )
    plan = SupervisionPlan.objects.create(
        congress=congress,
        theme=theme,
        leader=leader,
        leader_title=leader_title,
        committee=committee,
        supervising_body=supervising_body,
        lead_unit=lead_unit,
        deadline=deadline,
        decided_by=decided_by,
    )
    plan.suggestions.set(suggestions)
    for suggestion in suggestions:
        record_event(
            suggestion,
            action="key_supervision",
            action_label=_("列为重点督办"),
            actor=actor,
            reason=theme,
        )
    return plan


@atomic_service
def supervision_activity_log(
    *,
    plan: SupervisionPlan,
    actor,
    kind: str,
    title: str,
    date: dt.date | None,
    date_precision: str = DatePrecision.DAY,
    conducted_by: str = "",
    description: str = "",
    is_public: bool = True,
) -> SupervisionActivity:
    _require_congress_staff(actor, plan.congress)
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("请选择督办活动类型")})
    title = require_text(title, "title", _("活动标题"))
    activity = SupervisionActivity.objects.create(
        plan=plan,
        kind=kind,
        title=title,
        date=date,
        date_precision=date_precision,
        conducted_by=conducted_by,
        description=description,
        is_public=is_public,
    )
    for suggestion in plan.suggestions.all():
        record_event(
            suggestion,
            action="supervision_activity",
            action_label=str(ActivityKind(kind).label),
            actor=actor,
            reason=title,
            is_public=is_public,
        )
    return activity


@atomic_service
def suggestion_start_follow_up(
    *, suggestion: Suggestion, actor, due_on: dt.date | None = None, reason: str = "", now=None
) -> FollowUpReview:
    """跟踪落实 of a B or C promise; the review is due on `due_on`."""
    lock_suggestion(suggestion)
    fire(suggestion, "start_follow_up", actor=actor, reason=reason, now=now)
    return FollowUpReview.objects.create(suggestion=suggestion, due_on=due_on)


@atomic_service
def suggestion_complete(
    *,
    suggestion: Suggestion,
    actor,
    findings: str,
    date: dt.date | None = None,
    conducted_by: str = "",
    now=None,
) -> FollowUpReview:
    """落实完毕, with the findings of the follow-up review."""
    findings = require_text(findings, "findings", _("落实情况"))
    lock_suggestion(suggestion)
    fire(suggestion, "complete", actor=actor, reason=findings, now=now)
    review = suggestion.follow_up_reviews.filter(is_done=False).order_by("pk").first()
    if review is None:
        review = FollowUpReview(suggestion=suggestion)
    review.findings, review.is_done, review.date = findings, True, date
    review.conducted_by = conducted_by
    review.save()
    return review


@atomic_service
def outcome_record(
    *,
    suggestion: Suggestion,
    actor,
    kind: str,
    title: str,
    issuing_body: str = "",
    date: dt.date | None = None,
    date_precision: str = DatePrecision.DAY,
    description: str = "",
) -> Outcome:
    require_staff(actor, suggestion)
    if kind not in OutcomeKind.values:
        raise ValidationError({"kind": _("请选择成果类型")})
    title = require_text(title, "title", _("成果名称"))
    outcome = Outcome.objects.create(
        suggestion=suggestion,
        kind=kind,
        title=title,
        issuing_body=issuing_body,
        date=date,
        date_precision=date_precision,
        description=description,
    )
    record_event(
        suggestion,
        action="outcome",
        action_label=_("办理成果"),
        actor=actor,
        reason=f"{issuing_body}《{title}》" if issuing_body else f"《{title}》",
    )
    return outcome
