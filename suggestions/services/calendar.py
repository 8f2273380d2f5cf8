"""Working-day calendar overrides, and moving the stored deadlines that an override changes.

Due dates are stored when a clock starts (assignment, 不满意 rating, reply). When staff enter
a holiday or a make-up workday the `holidays` package did not know, a stored deadline that
rolled forward over that day (or should now roll) is recomputed from its start, and the
reminders follow on the next sweep: their key includes the due date, and pending reminders
for the old date are cancelled.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import CalendarOverride, Congress, StaffRole
from suggestions.deadlines import Period, PeriodUnit, WorkingCalendar, add_months, compute_deadline
from suggestions.models import (
    Assignment,
    AssignmentStatus,
    Evaluation,
    Rating,
    Reply,
    State,
    Suggestion,
    UnitRole,
)
from suggestions.rulesets import Clock, CongressRules, Rule, cited, rules_for

from .common import check_date, require_text, today_for
from .errors import PermissionDenied
from .transitions import record_event


def _require_calendar_editor(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("只有人大工作人员可以调整工作日。"))
    if actor.is_superuser:
        return
    if not actor.congress_roles.filter(role=StaffRole.STAFF).exists():
        raise PermissionDenied(_("只有人大工作人员可以调整工作日。"))


def calendar_override_set(
    *, actor, date: dt.date, is_working_day: bool, note: str, now=None
) -> tuple[CalendarOverride, int]:
    """Enter (or change) one day's override and move the deadlines it affects.
    Returns the override and how many stored deadlines moved."""
    _require_calendar_editor(actor)
    note = require_text(
        note, "note", _("说明"), CalendarOverride._meta.get_field("note").max_length
    )
    check_date(date, "date", _("日期"), past_act=False, today=today_for(now))
    with transaction.atomic():
        override, _created = CalendarOverride.objects.update_or_create(
            date=date, defaults={"is_working_day": is_working_day, "note": note}
        )
        moved = deadlines_recompute(actor=actor, now=now)
    return override, moved


def calendar_override_delete(*, actor, override: CalendarOverride, now=None) -> int:
    _require_calendar_editor(actor)
    with transaction.atomic():
        override.delete()
        return deadlines_recompute(actor=actor, now=now)


def _months_counted(start: dt.date, due: dt.date) -> int | None:
    """How many months a stored deadline counted from `start`. Rolling forward adds at most
    a holiday's length (days), far less than a month, so the largest month count whose plain
    calendar date is not after `due` is the one that was used."""
    months = None
    candidate = 1
    while add_months(start, candidate) <= due:
        months = candidate
        candidate += 1
    return months


def _recomputed(
    start: dt.date, due: dt.date, label: str, calendar_: WorkingCalendar, rule: Rule | None
):
    """`due` recomputed by its clock's rule. A period in months is read back from the stored
    date (an extension may have granted fewer months than the rule's limit); a period in
    days or working days is the rule's own."""
    if rule is None:
        return None
    period = rule.period
    if period.unit is PeriodUnit.MONTHS:
        months = _months_counted(start, due)
        if months is None:
            return None
        period = Period(months, PeriodUnit.MONTHS)
    deadline = cited(rule, compute_deadline(start, period, start_label=label, calendar_=calendar_))
    return deadline if deadline.due != due else None


class _RulesByCongress(dict):
    def __missing__(self, congress_id: int) -> CongressRules:
        self[congress_id] = rules_for(Congress.objects.get(pk=congress_id))
        return self[congress_id]


def _assignment_clock(assignment: Assignment) -> Clock:
    if assignment.role == UnitRole.CO:
        return Clock.CO_OPINION
    return Clock.EXTENDED_REPLY if assignment.extended else Clock.REPLY


def deadlines_recompute(*, actor=None, now=None) -> int:
    """Recompute the stored deadlines of open work against the current calendar; record an
    event on each suggestion whose deadline moved. Returns the number of moved deadlines."""
    calendar_ = WorkingCalendar()
    rules = _RulesByCongress()
    changes: dict[int, list[str]] = {}

    def note(suggestion_id: int, what: str, old: dt.date, new) -> None:
        changes.setdefault(suggestion_id, []).append(
            _("%(what)s由 %(old)s 调整为 %(new)s（%(explanation)s）")
            % {"what": what, "old": old, "new": new.due, "explanation": new.explanation}
        )

    assignments = list(
        Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE,
            suggestion__state__in=(State.ASSIGNED, State.REHANDLING),
            assigned_on__isnull=False,
            due_on__isnull=False,
        ).select_related("unit", "suggestion")
    )
    dissatisfied_on = {
        e.suggestion_id: timezone.localdate(e.evaluated_at)
        for e in Evaluation.objects.filter(
            suggestion_id__in={a.suggestion_id for a in assignments if a.rehandling_due_on},
            round=1,
            rating=Rating.DISSATISFIED,
        )
    }
    changed_assignments = []
    for assignment in assignments:
        moved = False
        congress_rules = rules[assignment.suggestion.congress_id]
        new = _recomputed(
            assignment.assigned_on,
            assignment.due_on,
            _("交办"),
            calendar_,
            congress_rules.rule(_assignment_clock(assignment)),
        )
        if new is not None:
            note(
                assignment.suggestion_id,
                assignment.unit.name + _("办理期限"),
                assignment.due_on,
                new,
            )
            assignment.due_on, assignment.due_explanation = new.due, new.explanation
            moved = True
        start = dissatisfied_on.get(assignment.suggestion_id)
        if assignment.rehandling_due_on and start:
            new = _recomputed(
                start,
                assignment.rehandling_due_on,
                _("不满意测评"),
                calendar_,
                congress_rules.rule(Clock.REHANDLING) or congress_rules.rule(Clock.REPLY),
            )
            if new is not None:
                note(
                    assignment.suggestion_id,
                    assignment.unit.name + _("重新办理期限"),
                    assignment.rehandling_due_on,
                    new,
                )
                assignment.rehandling_due_on = new.due
                assignment.rehandling_explanation = new.explanation
                moved = True
        if moved:
            changed_assignments.append(assignment)
    Assignment.objects.bulk_update(
        changed_assignments,
        ["due_on", "due_explanation", "rehandling_due_on", "rehandling_explanation"],
    )

    replied = list(Suggestion.objects.filter(state=State.REPLIED, evaluation_due_on__isnull=False))
    last_reply: dict[int, dt.datetime] = {}
    for suggestion_id, round_, replied_at in Reply.objects.filter(
        suggestion_id__in=[s.pk for s in replied]
    ).values_list("suggestion_id", "round", "replied_at"):
        last_reply[(suggestion_id, round_)] = max(
            replied_at, last_reply.get((suggestion_id, round_), replied_at)
        )
    changed_suggestions = []
    for suggestion in replied:
        replied_at = last_reply.get((suggestion.pk, suggestion.handling_round))
        if replied_at is None:
            continue
        start = timezone.localdate(replied_at)
        new = _recomputed(
            start,
            suggestion.evaluation_due_on,
            _("答复"),
            calendar_,
            rules[suggestion.congress_id].rule(Clock.EVALUATION),
        )
        if new is not None:
            note(suggestion.pk, _("满意度测评期限"), suggestion.evaluation_due_on, new)
            suggestion.evaluation_due_on = new.due
            suggestion.evaluation_explanation = new.explanation
            changed_suggestions.append(suggestion)
    Suggestion.objects.bulk_update(
        changed_suggestions, ["evaluation_due_on", "evaluation_explanation"]
    )

    by_pk = {s.pk: s for s in Suggestion.objects.filter(pk__in=changes)}
    for suggestion_id, lines in changes.items():
        record_event(
            by_pk[suggestion_id],
            action="deadline_recomputed",
            action_label=_("工作日调整，期限变更"),
            actor=actor,
            reason="；".join(lines),
            is_public=False,
            now=now,
        )
    return sum(len(lines) for lines in changes.values())
