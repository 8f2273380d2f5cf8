"""What congress staff do with a submitted suggestion: return, register, refuse, merge;
withhold it from the public pages and release it again."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext as _

from congress.models import Congress
from suggestions import limits
from suggestions.deadlines import Period, PeriodUnit
from suggestions.models import (
    ClockField,
    DeadlineClock,
    LinkKind,
    RefusalReason,
    State,
    Suggestion,
    SuggestionLink,
)
from suggestions.rulesets import Clock, rules_for

from .common import bounded_text, require_staff, require_text, today_for
from .errors import TransitionRefused, ValidationError
from .transitions import atomic_service, check_transition, fire, lock_suggestion, record_event

MERGE_TARGET_STATES = (State.REGISTERED, State.ASSIGNED, State.REPLIED, State.REHANDLING)


@atomic_service
def suggestion_return_for_revision(
    *, suggestion: Suggestion, actor, comments: str, revision_days: int | None = None, now=None
):
    """Send back to the lead deputy with written review comments and a revision due date."""
    comments = require_text(comments, "comments", _("审查意见"), limits.NOTES)
    if revision_days is not None and not 1 <= revision_days <= limits.MAX_REVISION_DAYS:
        raise ValidationError(
            {"revision_days": _("修改期限须为 1 至 %(max)d 天") % {"max": limits.MAX_REVISION_DAYS}}
        )
    lock_suggestion(suggestion)
    event = fire(
        suggestion,
        "return_for_revision",
        actor=actor,
        reason=comments,
        is_public=False,
        now=now,
    )
    granted = Period(revision_days, PeriodUnit.DAYS) if revision_days is not None else None
    rules = rules_for(suggestion.congress)
    deadline = rules.revision_deadline(today_for(now), granted)
    suggestion.revision_due_on = deadline.due if deadline else None
    suggestion.revision_explanation = deadline.explanation if deadline else ""
    suggestion.save(update_fields=["revision_due_on", "revision_explanation", "updated_at"])
    rule = rules.rule(Clock.REVISION)
    DeadlineClock.record(
        ClockField.REVISION,
        deadline,
        start_label=_("退回"),
        suggestion=suggestion,
        granted=granted is not None and (rule is None or rule.period != granted),
    )
    return event


def _next_number(suggestion: Suggestion) -> int:
    # Serialise numbering per congress. NO KEY UPDATE, not UPDATE: a plain FOR UPDATE would
    # also block other transactions' foreign-key checks against the congress row (KEY SHARE),
    # which deadlocks with a concurrent transition on the same suggestion.
    Congress.objects.select_for_update(no_key=True).filter(pk=suggestion.congress_id).first()
    same_series = Suggestion.objects.filter(congress_id=suggestion.congress_id)
    if suggestion.session_id:
        same_series = same_series.filter(session_id=suggestion.session_id)
    else:
        same_series = same_series.filter(term_id=suggestion.term_id, session__isnull=True)
    return (same_series.aggregate(n=Max("number"))["n"] or 0) + 1


@atomic_service
def suggestion_register(*, suggestion: Suggestion, actor, now=None):
    """Accept the suggestion and give it the next number of its session (or recess)."""
    lock_suggestion(suggestion)
    check_transition(suggestion, "register", actor, conditions=False)
    suggestion.number = _next_number(suggestion)
    return fire(
        suggestion,
        "register",
        actor=actor,
        reason=_("编号：%(number)s") % {"number": suggestion.number_display},
        now=now,
    )


@atomic_service
def suggestion_refuse(
    *, suggestion: Suggestion, actor, reason_code: str, explanation: str = "", now=None
):
    if reason_code not in RefusalReason.values:
        raise ValidationError(
            {
                "reason_code": _("不予立案须选择理由：%(choices)s")
                % {"choices": "、".join(str(label) for label in RefusalReason.labels)}
            }
        )
    explanation = bounded_text(explanation, "explanation", _("说明"), limits.REASON)
    reason = str(RefusalReason(reason_code).label)
    if explanation.strip():
        reason = f"{reason}：{explanation.strip()}"
    lock_suggestion(suggestion)
    suggestion.refusal_reason = reason_code
    return fire(suggestion, "refuse", actor=actor, reason=reason, now=now)


@atomic_service
def suggestion_merge(
    *, suggestion: Suggestion, actor, target: Suggestion, reason: str = "", now=None
):
    """并案: handle together with `target`; the target's replies also answer this one."""
    lock_suggestion(suggestion)
    check_transition(suggestion, "merge", actor, conditions=False)
    reason = bounded_text(reason, "reason", _("说明"), limits.REASON)
    if target is None or target.pk == suggestion.pk:
        raise ValidationError({"target": _("请选择另一件建议作为并案对象")})
    # The target's state as of now, held until this merge is recorded, so that a reply to
    # the target either comes before the merge or reaches this suggestion's deputy too.
    target = Suggestion.objects.select_for_update(no_key=True).get(pk=target.pk)
    if target.congress_id != suggestion.congress_id:
        raise ValidationError({"target": _("只能与同一人大的建议并案")})
    if target.state not in MERGE_TARGET_STATES:
        raise ValidationError(
            {
                "target": _("并案对象须为已立案、尚未办结的建议，所选建议状态为「%(state)s」")
                % {"state": target.get_state_display()}
            }
        )
    note = reason.strip() or _("并入《%(title)s》办理") % {"title": target.title}
    suggestion.merged_into = target
    event = fire(suggestion, "merge", actor=actor, reason=note, now=now)
    SuggestionLink.objects.get_or_create(
        from_suggestion=suggestion, to_suggestion=target, kind=LinkKind.MERGED
    )
    record_event(
        target,
        action="merge_in",
        action_label=_("并入其他建议"),
        actor=actor,
        reason=_("《%(title)s》并入本建议办理") % {"title": suggestion.title},
        now=now,
    )
    return event


@atomic_service
def suggestion_withhold(*, suggestion: Suggestion, actor, reason: str) -> None:
    """Take a suggestion off the public pages, with the recorded reason (涉密, 个人隐私)."""
    require_staff(actor, suggestion)
    reason = require_text(reason, "reason", _("不公开理由"), limits.WITHHELD_REASON)
    suggestion.withheld_reason = reason
    suggestion.save(update_fields=["withheld_reason", "updated_at"])
    record_event(
        suggestion,
        action="withhold",
        action_label=_("不予公开"),
        actor=actor,
        reason=reason,
        is_public=False,
    )


@atomic_service
def suggestion_release(*, suggestion: Suggestion, actor, reason: str = "") -> None:
    """Put a withheld suggestion back on the public pages; the timeline records who and why."""
    require_staff(actor, suggestion)
    reason = bounded_text(reason, "reason", _("恢复公开说明"), limits.REASON)
    lock_suggestion(suggestion)
    if not suggestion.withheld_reason:
        raise TransitionRefused(
            _("该建议没有被设为不公开，无需恢复公开。"), code="condition_failed"
        )
    previous = suggestion.withheld_reason
    suggestion.withheld_reason = ""
    suggestion.save(update_fields=["withheld_reason", "updated_at"])
    record_event(
        suggestion,
        action="release",
        action_label=_("恢复公开"),
        actor=actor,
        reason=reason.strip() or _("原不公开理由：%(reason)s") % {"reason": previous},
        is_public=False,
    )
