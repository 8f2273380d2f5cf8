"""What deputies do: draft, co-sign, revise, submit, withdraw."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import Deputy, Session
from suggestions import limits
from suggestions.models import (
    AssignmentStatus,
    ClockField,
    CoSignature,
    DeadlineClock,
    RevisedBy,
    State,
    Suggestion,
    Version,
)
from suggestions.rulesets import rules_for

from .common import bounded_text, require_lead_deputy, require_text, today_for
from .errors import PermissionDenied, TransitionRefused, ValidationError
from .transitions import atomic_service, fire, lock_suggestion, record_event

EDITABLE_STATES = (State.DRAFT, State.RETURNED)


@atomic_service
def suggestion_create_draft(
    *,
    actor,
    lead_deputy: Deputy,
    title: str,
    body: str = "",
    topic: str = "",
    session: Session | None = None,
    cosigners: Iterable[Deputy] = (),
) -> Suggestion:
    """A new draft by `lead_deputy`; only that deputy's own account may create it."""
    if actor is None or lead_deputy.person.user_id != actor.pk:
        raise PermissionDenied(_("只能以本人代表身份起草建议。"))
    title = require_text(title, "title", _("标题"), limits.TITLE)
    body = bounded_text(body, "body", _("正文"), limits.BODY)
    topic = bounded_text(topic, "topic", _("类别"), limits.TOPIC)
    if session is not None and session.term_id != lead_deputy.term_id:
        raise ValidationError({"session": _("所选会议不属于该代表所在的届次")})
    suggestion = Suggestion.objects.create(
        congress=lead_deputy.term.congress,
        term=lead_deputy.term,
        session=session,
        title=title,
        body=body,
        topic=topic,
        lead_deputy=lead_deputy,
    )
    Version.objects.create(
        suggestion=suggestion,
        number=1,
        title=title,
        body=body,
        revised_by_kind=RevisedBy.DEPUTY,
        revised_by_name=lead_deputy.person.name,
        revised_by_user=actor,
    )
    for deputy in cosigners:
        _invite(suggestion, deputy)
    record_event(suggestion, action="create", action_label=_("起草"), actor=actor, is_public=False)
    return suggestion


@atomic_service
def suggestion_update_draft(
    *,
    suggestion: Suggestion,
    actor,
    title: str,
    body: str,
    topic: str | None = None,
    reason: str = "",
) -> Version:
    """Edit the text. A submitted text is frozen, so the first edit after a return starts a
    new version; later edits before resubmitting change that new version."""
    require_lead_deputy(actor, suggestion)
    title = require_text(title, "title", _("标题"), limits.TITLE)
    body = bounded_text(body, "body", _("正文"), limits.BODY)
    if topic is not None:
        topic = bounded_text(topic, "topic", _("类别"), limits.TOPIC)
    reason = bounded_text(reason, "reason", _("修改说明"), limits.REASON)
    # A concurrent submit or withdrawal comes before this edit (which is then refused) or
    # after it, never in the middle of editing a text about to be frozen.
    lock_suggestion(suggestion)
    if suggestion.state not in EDITABLE_STATES:
        raise TransitionRefused(
            _("只有草稿或退回修改的建议可以修改文本，该建议当前状态为「%(state)s」。")
            % {"state": suggestion.get_state_display()},
            code="illegal_state",
        )
    current = suggestion.versions.get(number=suggestion.current_version_number)
    if current.submitted_at is None:
        current.title, current.body, current.reason = title, body, reason or current.reason
        current.save(update_fields=["title", "body", "reason"])
        version = current
    else:
        version = Version.objects.create(
            suggestion=suggestion,
            number=current.number + 1,
            title=title,
            body=body,
            revised_by_kind=RevisedBy.DEPUTY,
            revised_by_name=suggestion.lead_deputy.person.name,
            revised_by_user=actor,
            reason=reason,
        )
        suggestion.current_version_number = version.number
    suggestion.title, suggestion.body = title, body
    if topic is not None:
        suggestion.topic = topic
    suggestion.save(
        update_fields=["title", "body", "topic", "current_version_number", "updated_at"]
    )
    return version


def _invite(suggestion: Suggestion, deputy: Deputy) -> CoSignature:
    if deputy.pk == suggestion.lead_deputy_id:
        raise ValidationError({"cosigners": _("领衔代表不能同时作为联名代表")})
    if deputy.term_id != suggestion.term_id:
        raise ValidationError(
            {"cosigners": _("%(name)s 不是本届代表，不能联名") % {"name": deputy.person.name}}
        )
    cosignature, _created = CoSignature.objects.get_or_create(suggestion=suggestion, deputy=deputy)
    return cosignature


@atomic_service
def cosigner_invite(*, suggestion: Suggestion, actor, deputy: Deputy) -> CoSignature:
    require_lead_deputy(actor, suggestion)
    lock_suggestion(suggestion)
    if suggestion.state not in EDITABLE_STATES:
        raise TransitionRefused(_("只有草稿或退回修改的建议可以邀请联名代表。"))
    return _invite(suggestion, deputy)


@atomic_service
def cosigner_confirm(*, suggestion: Suggestion, actor) -> CoSignature:
    """The invited deputy confirms joining the suggestion."""
    cosignature = (
        suggestion.cosignatures.filter(deputy__person__user=actor).select_related("deputy").first()
        if actor is not None
        else None
    )
    if cosignature is None:
        raise PermissionDenied(_("您没有被邀请联名这件建议。"))
    lock_suggestion(suggestion)
    if suggestion.state not in EDITABLE_STATES:
        raise TransitionRefused(_("该建议已提交，不能再确认联名。"))
    if cosignature.confirmed_at is None:
        cosignature.confirmed_at = timezone.now()
        cosignature.save(update_fields=["confirmed_at"])
    return cosignature


@atomic_service
def cosigner_remove(*, suggestion: Suggestion, actor, deputy: Deputy) -> None:
    require_lead_deputy(actor, suggestion)
    lock_suggestion(suggestion)
    if suggestion.state not in EDITABLE_STATES:
        raise TransitionRefused(_("只有草稿或退回修改的建议可以调整联名代表。"))
    suggestion.cosignatures.filter(deputy=deputy).delete()


@atomic_service
def suggestion_submit(*, suggestion: Suggestion, actor, now: dt.datetime | None = None):
    now = now or timezone.now()
    # Serialised with co-signers confirming or being removed, which the submit checks.
    lock_suggestion(suggestion)
    event = fire(suggestion, "submit", actor=actor, now=now)
    suggestion.versions.filter(number=suggestion.current_version_number).update(submitted_at=now)
    if suggestion.filed_on is None:
        suggestion.filed_on = today_for(now)
    suggestion.revision_due_on = None
    suggestion.revision_explanation = ""
    deadline = rules_for(suggestion.congress).assignment_deadline(
        suggestion, received_on=today_for(now)
    )
    suggestion.assignment_due_on = deadline.due if deadline else None
    suggestion.assignment_explanation = deadline.explanation if deadline else ""
    suggestion.save(
        update_fields=[
            "filed_on",
            "revision_due_on",
            "revision_explanation",
            "assignment_due_on",
            "assignment_explanation",
            "updated_at",
        ]
    )
    closed_on = suggestion.session.closed_on if suggestion.session_id else None
    DeadlineClock.record(
        ClockField.SUGGESTION_ASSIGNMENT,
        deadline,
        start_label=_("闭幕") if deadline and deadline.start == closed_on else _("收到"),
        suggestion=suggestion,
    )
    return event


@atomic_service
def suggestion_withdraw(*, suggestion: Suggestion, actor, reason: str):
    reason = require_text(reason, "reason", _("撤回理由"), limits.REASON)
    lock_suggestion(suggestion)
    event = fire(suggestion, "withdraw", actor=actor, reason=reason)
    suggestion.assignments.filter(status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.ENDED
    )
    return event
