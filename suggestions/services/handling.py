"""Handling: assignment to units, extensions, unit returns, contacts, co-handling opinions,
replies, the deputy's evaluation and its lapse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import HandlingUnit
from suggestions import limits
from suggestions import rules as predicates
from suggestions.deadlines import Deadline, Period, PeriodUnit, WorkingCalendar
from suggestions.models import (
    Assignment,
    AssignmentStatus,
    ClockField,
    CoHandlingOpinion,
    ContactMethod,
    ContactRecord,
    DeadlineClock,
    Evaluation,
    Rating,
    Reply,
    ReplyCategory,
    State,
    Suggestion,
    UnitRole,
)
from suggestions.public_projection import stored_public_text
from suggestions.rulesets import Clock, CongressRules, rules_for

from .common import bounded_text, check_date, require_staff, require_text, today_for
from .errors import PermissionDenied, TransitionRefused, ValidationError
from .transitions import atomic_service, check_transition, fire, lock_suggestion, record_event


@atomic_service
def suggestion_assign(
    *,
    suggestion: Suggestion,
    actor,
    lead_unit: HandlingUnit | None = None,
    co_units: Sequence[HandlingUnit] = (),
    separate_units: Sequence[HandlingUnit] = (),
    assigned_on: dt.date | None = None,
    now=None,
) -> list[Assignment]:
    """交办: one lead unit (with optional co-units), or several separate units, each with its
    due dates computed from the congress's deadline policy."""
    lock_suggestion(suggestion)
    check_transition(suggestion, "assign", actor, conditions=False)
    check_date(assigned_on, "assigned_on", _("交办日期"), past_act=True, today=today_for(now))
    if co_units and lead_unit is None:
        raise ValidationError({"co_units": _("协办单位须配合一个主办单位")})
    if lead_unit is None and not separate_units:
        raise ValidationError({"lead_unit": _("交办须指定一个主办单位，或指定若干分办单位")})
    if lead_unit is not None and separate_units:
        raise ValidationError({"separate_units": _("已指定主办单位时不能再分办")})
    units = ([lead_unit] if lead_unit else []) + list(separate_units) + list(co_units)
    if len({u.pk for u in units}) != len(units):
        raise ValidationError({"co_units": _("同一单位不能重复交办")})
    foreign = [u.name for u in units if u.congress_id != suggestion.congress_id]
    if foreign:
        raise ValidationError(
            {"lead_unit": _("以下单位不向本级人大答复：%(units)s") % {"units": "、".join(foreign)}}
        )
    start = assigned_on or today_for(now)
    rules = rules_for(suggestion.congress)
    calendar = WorkingCalendar()

    def clock(name: Clock) -> Deadline | None:
        return rules.deadline(name, start, start_label=_("交办"), calendar_=calendar)

    reply_deadline, co_deadline = clock(Clock.REPLY), clock(Clock.CO_OPINION)
    return_deadline, contact_deadline = clock(Clock.RETURN), clock(Clock.CONTACT)
    plan = [(lead_unit, UnitRole.LEAD)] if lead_unit else []
    plan += [(u, UnitRole.SEPARATE) for u in separate_units]
    plan += [(u, UnitRole.CO) for u in co_units]
    created = []
    for unit, role in plan:
        deadline = co_deadline if role == UnitRole.CO else reply_deadline
        # Contact with the deputy is the replying unit's duty; co-units write to the lead.
        contact = None if role == UnitRole.CO else contact_deadline
        assignment = Assignment.objects.create(
            suggestion=suggestion,
            unit=unit,
            role=role,
            assigned_on=start,
            due_on=deadline.due if deadline else None,
            due_explanation=deadline.explanation if deadline else "",
            return_due_on=return_deadline.due if return_deadline else None,
            return_explanation=return_deadline.explanation if return_deadline else "",
            contact_due_on=contact.due if contact else None,
            contact_explanation=contact.explanation if contact else "",
        )
        for field, counted in (
            (ClockField.ASSIGNMENT_DUE, deadline),
            (ClockField.ASSIGNMENT_RETURN, return_deadline),
            (ClockField.ASSIGNMENT_CONTACT, contact),
        ):
            DeadlineClock.record(
                field,
                counted,
                start_label=_("交办"),
                suggestion=suggestion,
                assignment=assignment,
            )
        created.append(assignment)
    suggestion.assignment_due_on = None
    suggestion.assignment_explanation = ""
    suggestion.save(update_fields=["assignment_due_on", "assignment_explanation", "updated_at"])
    summary = "；".join(
        f"{a.get_role_display()}：{a.unit.name}（{a.due_explanation}）" for a in created
    )
    fire(suggestion, "assign", actor=actor, reason=summary, now=now)
    return created


@atomic_service
def suggestion_reassign(
    *,
    suggestion: Suggestion,
    actor,
    assignment: Assignment,
    reason: str,
    requested_on: dt.date | None = None,
    now=None,
):
    """退办: a unit's justified return of a wrong assignment, within its working-day window.
    All current assignments end and the suggestion waits to be assigned again."""
    lock_suggestion(suggestion)
    check_transition(suggestion, "reassign", actor, conditions=False)
    reason = require_text(reason, "reason", _("退办理由"), limits.REASON)
    if assignment is not None:
        assignment.refresh_from_db()
    if (
        assignment is None
        or assignment.suggestion_id != suggestion.pk
        or assignment.status != AssignmentStatus.ACTIVE
    ):
        raise ValidationError({"assignment": _("该单位目前没有承办这件建议")})
    requested_on = requested_on or today_for(now)
    if assignment.return_due_on and requested_on > assignment.return_due_on:
        raise TransitionRefused(
            _("退办须在期限 %(due)s 前提出，已超过期限（%(explanation)s）。")
            % {
                "due": assignment.return_due_on.isoformat(),
                "explanation": assignment.return_explanation,
            },
            code="condition_failed",
        )
    event = fire(
        suggestion,
        "reassign",
        actor=actor,
        reason=_("%(unit)s申请退办：%(reason)s") % {"unit": assignment.unit.name, "reason": reason},
        now=now,
    )
    assignment.return_reason = reason
    assignment.status = AssignmentStatus.RETURNED
    assignment.save(update_fields=["return_reason", "status"])
    suggestion.assignments.filter(status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.ENDED
    )
    return event


@atomic_service
def assignment_extend(
    *, assignment: Assignment, actor, reason: str, total_months: int | None = None, now=None
) -> Assignment:
    """延期: once, with a reason the deputy is told, to at most the congress's maximum
    counted from the assignment date."""
    suggestion = assignment.suggestion
    require_staff(actor, suggestion)
    reason = require_text(reason, "reason", _("延期理由"), limits.REASON)
    # Two clerks extending at once: the second reads the first's extension and is refused.
    lock_suggestion(suggestion)
    assignment.refresh_from_db()
    rules = rules_for(suggestion.congress)
    if assignment.status != AssignmentStatus.ACTIVE or suggestion.state not in (
        State.ASSIGNED,
        State.REHANDLING,
    ):
        raise TransitionRefused(_("只有办理中的交办可以延期。"), code="illegal_state")
    if assignment.role == UnitRole.CO:
        raise ValidationError({"assignment": _("协办单位的协办意见期限不能延期")})
    if assignment.extended:
        raise TransitionRefused(
            _("办理期限只能延期一次，该交办已经延期过。"), code="condition_failed"
        )
    granted = _granted_extension(rules, assignment.assigned_on, total_months)
    deadline = rules.extended_deadline(assignment.assigned_on, granted)
    assignment.due_on = deadline.due
    assignment.due_explanation = deadline.explanation
    assignment.extended = True
    assignment.extension_reason = reason
    assignment.save(update_fields=["due_on", "due_explanation", "extended", "extension_reason"])
    DeadlineClock.record(
        ClockField.ASSIGNMENT_DUE,
        deadline,
        start_label=_("交办"),
        suggestion=suggestion,
        assignment=assignment,
        granted=granted is not None,
    )
    record_event(
        suggestion,
        action="extend",
        action_label=_("延期办理"),
        actor=actor,
        reason=_("%(unit)s延期至 %(due)s（%(explanation)s）：%(reason)s")
        % {
            "unit": assignment.unit.name,
            "due": deadline.due.isoformat(),
            "explanation": deadline.explanation,
            "reason": reason,
        },
        now=now,
    )
    return assignment


def _granted_extension(
    rules: CongressRules, start: dt.date | None, total_months: int | None
) -> Period | None:
    """The period staff grant when they extend by less than the rule set's longest one
    (`total_months` from the assignment); None for the longest. Refuses what the rules do not
    allow."""
    limit = rules.extension_limit()
    reply = rules.rule(Clock.REPLY)
    if limit is None or reply is None or start is None:
        raise TransitionRefused(
            _("本人大适用的期限规则没有规定可以延期。"), code="condition_failed"
        )
    if not total_months:
        return None
    if limit.unit is not PeriodUnit.MONTHS or reply.period.unit is not PeriodUnit.MONTHS:
        raise ValidationError(
            {
                "total_months": _("本人大的延期期限为%(limit)s，不能按月指定")
                % {"limit": limit.label()}
            }
        )
    if not reply.period.amount < total_months <= limit.amount:
        raise ValidationError(
            {
                "total_months": _("延期后的期限须超过%(min)d个月、最长%(max)d个月（自交办日起算）")
                % {"min": reply.period.amount, "max": limit.amount}
            }
        )
    granted = Period(total_months, PeriodUnit.MONTHS)
    return None if granted == limit else granted


def _require_unit_member(actor, assignment: Assignment) -> None:
    if actor is None or not assignment.unit.members.filter(pk=actor.pk).exists():
        raise PermissionDenied(
            _("只有%(unit)s的经办人可以执行此操作。") % {"unit": assignment.unit.name}
        )


def _require_open_assignment(assignment: Assignment) -> None:
    """A unit writes to an assignment only while it handles it: after a return, a
    reassignment or the end of handling its record is read-only."""
    if assignment.status != AssignmentStatus.ACTIVE or assignment.suggestion.state not in (
        State.ASSIGNED,
        State.REHANDLING,
    ):
        raise TransitionRefused(
            _("这项交办已不在办理中（已退办、已终止或已办结），不能再记录。"),
            code="illegal_state",
        )


@atomic_service
def contact_record(
    *,
    assignment: Assignment,
    actor,
    method: str,
    contacted_on: dt.date,
    notes: str = "",
) -> ContactRecord:
    _require_unit_member(actor, assignment)
    _require_open_assignment(assignment)
    if method not in ContactMethod.values:
        raise ValidationError({"method": _("请选择沟通方式")})
    if contacted_on is None:
        raise ValidationError({"contacted_on": _("请填写沟通日期")})
    check_date(contacted_on, "contacted_on", _("沟通日期"), past_act=True)
    notes = bounded_text(notes, "notes", _("沟通情况"), limits.NOTES)
    record = ContactRecord.objects.create(
        assignment=assignment,
        method=method,
        contacted_on=contacted_on,
        notes=notes,
        recorded_by=actor,
    )
    record_event(
        assignment.suggestion,
        action="contact",
        action_label=_("与代表沟通"),
        actor=actor,
        reason=f"{assignment.unit.name}：{record.get_method_display()} {contacted_on}",
    )
    return record


@atomic_service
def co_opinion_submit(*, assignment: Assignment, actor, text: str) -> CoHandlingOpinion:
    """协办意见 to the lead unit. Internal: never on a public page."""
    _require_unit_member(actor, assignment)
    text = require_text(text, "text", _("协办意见"), limits.CO_OPINION)
    # Serialised with the lead unit's reply, which waits for this opinion, and with a return.
    suggestion = assignment.suggestion
    lock_suggestion(suggestion)
    assignment.refresh_from_db()
    if assignment.role != UnitRole.CO or assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError({"assignment": _("只有办理中的协办单位可以提交协办意见")})
    opinion, _created = CoHandlingOpinion.objects.update_or_create(
        assignment=assignment,
        round=suggestion.handling_round,
        defaults={"text": text, "submitted_by": actor},
    )
    record_event(
        suggestion,
        action="co_opinion",
        action_label=_("提交协办意见"),
        actor=actor,
        reason=assignment.unit.name,
        is_public=False,
    )
    return opinion


def reply_category_check(congress, category: str) -> ReplyCategory:
    """`congress`'s reply category with code `category`; a ValidationError naming the valid
    codes otherwise."""
    categories = ReplyCategory.of(congress)
    for candidate in categories:
        if candidate.code == category:
            return candidate
    valid = "、".join(c.code for c in categories)
    if not category:
        message = _("请选择答复类别（%(valid)s）") % {"valid": valid}
    else:
        message = _("答复类别「%(category)s」无效，本级人大的答复类别为：%(valid)s") % {
            "category": category,
            "valid": valid,
        }
    raise ValidationError({"category": message})


@atomic_service
def suggestion_reply(
    *,
    suggestion: Suggestion,
    actor,
    category: str,
    text: str,
    signer: str,
    assignment: Assignment | None = None,
    attachment=None,
    now: dt.datetime | None = None,
) -> Reply:
    """答复 by a responsible unit. With separate units the suggestion counts as replied when
    the last of them has replied.

    Replies to one suggestion are serialised on its row lock, so whoever replies last reads
    the others' replies and moves the suggestion to replied, however close together they
    arrive; a second reply of the same unit reads the first and is refused."""
    lock_suggestion(suggestion)
    check_transition(suggestion, "reply", actor, conditions=False)
    chosen = reply_category_check(suggestion.congress, category)
    text = require_text(text, "text", _("答复内容"), limits.REPLY_TEXT)
    signer = require_text(signer, "signer", _("签发人"), limits.SIGNER)
    now = now or timezone.now()
    if assignment is None:
        assignment = (
            suggestion.assignments.active().responsible().filter(unit__members=actor).first()
            if actor is not None
            else None
        )
    if assignment is None or not predicates.is_responsible_unit_member(actor, suggestion):
        raise PermissionDenied(_("只有主办或分办单位的经办人可以答复这件建议。"))
    _require_unit_member(actor, assignment)
    round_ = suggestion.handling_round
    if assignment.replies.filter(round=round_).exists():
        raise TransitionRefused(_("本单位本轮已经答复过这件建议。"), code="condition_failed")
    missing = []
    if not assignment.contacts.exists():
        missing.append(_("答复前须记录与代表的沟通联系"))
    if assignment.role == UnitRole.LEAD:
        waiting = [
            co.unit.name
            for co in suggestion.assignments.active().co_handling().prefetch_related("co_opinions")
            if not co.co_opinions.exists()
        ]
        if waiting:
            missing.append(
                _("尚未收到协办单位的协办意见：%(units)s") % {"units": "、".join(waiting)}
            )
    if missing:
        raise TransitionRefused(
            _("不能答复：%(reasons)s。") % {"reasons": "；".join(str(m) for m in missing)},
            code="condition_failed",
        )
    rules = rules_for(suggestion.congress)
    today = today_for(now)
    calendar = WorkingCalendar()
    publish = rules.deadline(Clock.PUBLICATION, today, start_label=_("答复"), calendar_=calendar)
    reply = Reply.objects.create(
        suggestion=suggestion,
        assignment=assignment,
        round=round_,
        category=chosen.code,
        category_label=chosen.label,
        carries_promise=chosen.carries_promise,
        text=text,
        signer=signer,
        replied_at=now,
        publish_due_on=publish.due if publish else None,
        publish_explanation=publish.explanation if publish else "",
        replied_by=actor,
        **({"attachment": attachment} if attachment else {}),
    )
    DeadlineClock.record(
        ClockField.PUBLICATION, publish, start_label=_("答复"), suggestion=suggestion, reply=reply
    )
    responsible = suggestion.assignments.active().responsible()
    still_owing = responsible.exclude(replies__round=round_).exists()
    label = _("%(unit)s答复（%(category)s类）") % {
        "unit": assignment.unit.name,
        "category": chosen.code,
    }
    # 并案: the deputies of merged suggestions are answered by this reply too.
    for merged in suggestion.merged_suggestions.all():
        record_event(
            merged,
            action="merged_reply",
            action_label=_("并案建议已答复"),
            actor=actor,
            reason=_("并入的《%(title)s》由%(label)s")
            % {"title": suggestion.title, "label": label},
            now=now,
        )
    if still_owing:
        record_event(suggestion, action="partial_reply", action_label=label, actor=actor, now=now)
    else:
        fire(suggestion, "reply", actor=actor, reason=label, now=now)
        evaluation = rules.deadline(
            Clock.EVALUATION, today, start_label=_("答复"), calendar_=calendar
        )
        suggestion.evaluation_due_on = evaluation.due if evaluation else None
        suggestion.evaluation_explanation = evaluation.explanation if evaluation else ""
        suggestion.save(update_fields=["evaluation_due_on", "evaluation_explanation", "updated_at"])
        DeadlineClock.record(
            ClockField.EVALUATION, evaluation, start_label=_("答复"), suggestion=suggestion
        )
    return reply


@atomic_service
def reply_publish(
    *, reply: Reply, actor, redactions: str = "", withheld: bool = False, now=None
) -> Reply:
    """The congress's publication decision on a reply: published with `redactions` removed,
    or, `withheld`, decided not to be published at all."""
    require_staff(actor, reply.suggestion)
    redactions = bounded_text(redactions, "redactions", _("公开时删除的段落"), limits.REDACTIONS)
    reply.redactions = redactions
    reply.withheld = withheld
    reply.published_at = now or timezone.now()
    reply.public_text = stored_public_text(reply)
    reply.save(update_fields=["redactions", "withheld", "published_at", "public_text"])
    return reply


@atomic_service
def suggestion_evaluate(
    *, suggestion: Suggestion, actor, rating: str, comment: str = "", now=None
) -> Evaluation:
    """满意度测评. 不满意 in round 1 starts re-handling with its own deadline; in round 2 the
    suggestion closes, flagged."""
    if rating not in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED):
        raise ValidationError({"rating": _("请选择测评结果：满意、基本满意或不满意")})
    comment = bounded_text(comment, "comment", _("意见"), limits.REASON)
    now = now or timezone.now()
    lock_suggestion(suggestion)
    round_ = suggestion.handling_round
    label = Rating(rating).label
    fire(
        suggestion,
        "evaluate",
        actor=actor,
        arguments={"dissatisfied": rating == Rating.DISSATISFIED},
        # The event carries the rating only; the comment stays in the Evaluation.
        reason=str(label),
        now=now,
    )
    evaluation = Evaluation.objects.create(
        suggestion=suggestion,
        round=round_,
        rating=rating,
        comment=comment,
        evaluated_by=actor,
        evaluated_at=now,
    )
    suggestion.evaluation_due_on = None
    suggestion.evaluation_explanation = ""
    suggestion.save(update_fields=["evaluation_due_on", "evaluation_explanation", "updated_at"])
    if suggestion.state == State.REHANDLING:
        deadline = rules_for(suggestion.congress).rehandling_deadline(today_for(now))
        rehandled = suggestion.assignments.active().responsible()
        rehandled.update(
            rehandling_due_on=deadline.due if deadline else None,
            rehandling_explanation=deadline.explanation if deadline else "",
        )
        for assignment in rehandled:
            DeadlineClock.record(
                ClockField.ASSIGNMENT_REHANDLING,
                deadline,
                start_label=_("不满意测评"),
                suggestion=suggestion,
                assignment=assignment,
            )
    return evaluation


@atomic_service
def suggestion_lapse_evaluation(*, suggestion: Suggestion, today: dt.date | None = None):
    """The evaluation window passed without a rating: close, recorded as 未反馈."""
    today = today or timezone.localdate()
    lock_suggestion(suggestion)
    round_ = suggestion.handling_round
    event = fire(
        suggestion,
        "lapse_evaluation",
        actor=None,
        as_of=today,
        reason=_("测评期限 %(due)s 已过，代表未反馈") % {"due": suggestion.evaluation_due_on},
    )
    Evaluation.objects.create(
        suggestion=suggestion,
        round=round_,
        rating=Rating.NO_FEEDBACK,
        evaluated_at=timezone.now(),
    )
    suggestion.evaluation_due_on = None
    suggestion.evaluation_explanation = ""
    suggestion.save(update_fields=["evaluation_due_on", "evaluation_explanation", "updated_at"])
    return event


__all__ = [
    "assignment_extend",
    "co_opinion_submit",
    "contact_record",
    "reply_publish",
    "suggestion_assign",
    "suggestion_evaluate",
    "suggestion_lapse_evaluation",
    "suggestion_reassign",
    "suggestion_reply",
]
