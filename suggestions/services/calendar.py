"""Working-day calendar overrides and years' schedules, and moving the stored due dates a
change affects.

Due dates are stored when a clock starts (assignment, return for revision, reply, 不满意
rating), with the start and period they were counted from (`DeadlineClock`). When staff
enter a year's schedule from the State Council's notice, or correct one day, every open due
date is counted again — all clocks — and the reminders follow on the next sweep: their key
includes the due date, and pending reminders for the old date are cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import CalendarOverride, CalendarYear, Congress, StaffRole
from suggestions import limits
from suggestions.deadlines import Deadline, WorkingCalendar, forget_entered_years
from suggestions.models import DeadlineClock
from suggestions.models.clocks import EXPLANATION_FIELDS
from suggestions.rulesets import RulesByCongress, rules_for

from .common import check_date, require_text, today_for
from .errors import PermissionDenied, ValidationError
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


def calendar_year_enter(
    *,
    actor,
    year: int,
    notice: str,
    holidays: Sequence[tuple[dt.date, str]],
    workdays: Sequence[tuple[dt.date, str]] = (),
    now=None,
) -> tuple[CalendarYear, int]:
    """Enter a year's schedule from the State Council's notice: its days off (`holidays`,
    every day of each holiday, weekends within it included) and its make-up working days
    (`workdays`), each with its name. They replace the year's earlier corrections, the year's
    calendar becomes official, and every open due date is counted again. Entering the same
    schedule twice moves nothing the second time. Returns the year and how many due dates
    moved."""
    _require_calendar_editor(actor)
    today = today_for(now)
    if not today.year - 1 <= year <= limits.latest_planned_date(today).year:
        raise ValidationError(
            {
                "year": _("年份须在 %(first)d 至 %(last)d 之间")
                % {"first": today.year - 1, "last": limits.latest_planned_date(today).year}
            }
        )
    notice = require_text(notice, "notice", _("依据"), _max_length(CalendarYear, "notice"))
    if not holidays:
        raise ValidationError({"holidays": _("请填写通知中的放假日期")})
    days: dict[dt.date, tuple[bool, str]] = {}
    note_length = _max_length(CalendarOverride, "note")
    for field, entries, working in (("holidays", holidays, False), ("workdays", workdays, True)):
        for day, name in entries:
            if day.year != year:
                raise ValidationError(
                    {field: _("%(day)s 不在%(year)d年内") % {"day": day, "year": year}}
                )
            if day in days:
                raise ValidationError({field: _("%(day)s 重复填写") % {"day": day}})
            days[day] = (working, require_text(name, field, _("名称"), note_length))
    with transaction.atomic():
        CalendarOverride.objects.filter(date__year=year).delete()
        CalendarOverride.objects.bulk_create(
            CalendarOverride(date=day, is_working_day=working, note=name)
            for day, (working, name) in sorted(days.items())
        )
        entered, _created = CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "notice": notice,
                "entered_at": now or timezone.now(),
                "entered_by": actor if actor.is_authenticated else None,
            },
        )
        forget_entered_years()
        moved = deadlines_recompute(actor=actor, now=now)
    return entered, moved


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def deadlines_recompute(*, actor=None, now=None, congress: Congress | None = None) -> int:
    """Count every open due date again (only `congress`'s, after its rules changed) from its
    start (`DeadlineClock`) against the current calendar and the congress's rules. A date
    that moved is stored with its new explanation and gets one event on its suggestion; a
    clock the rules no longer have is cleared, with an event; an explanation that changed
    alone (the calendar of a year it looked at became official) is stored silently.
    Reminders follow on the next sweep: their key holds the due date, and pending reminders
    of the old date are cancelled. Returns the number of due dates that moved."""
    calendar_ = WorkingCalendar()
    rules = RulesByCongress()
    if congress is not None:
        rules[congress] = rules_for(congress)
    owners: dict[tuple[type, int], object] = {}
    dirty: dict[tuple[type, int], set[str]] = {}
    moves, recounted, dropped = [], [], []
    entries = DeadlineClock.objects.open().select_related(
        "suggestion__congress", "assignment__unit", "reply"
    )
    if congress is not None:
        entries = entries.filter(suggestion__congress=congress)
    for entry in entries.order_by("suggestion_id", "pk"):
        owner = entry.owner
        key = (type(owner), owner.pk)
        owner = owners.setdefault(key, owner)
        attribute = entry.attribute
        old = getattr(owner, attribute)
        if old is None:
            continue
        new = entry.count(rules[entry.suggestion.congress], calendar_)
        changed = dirty.setdefault(key, set())
        due = new.due if new else None
        if due != old:
            setattr(owner, attribute, due)
            changed.add(attribute)
            moves.append((entry, old, new))
        explained = EXPLANATION_FIELDS[entry.field]
        explanation = new.explanation if new else ""
        if getattr(owner, explained) != explanation:
            setattr(owner, explained, explanation)
            changed.add(explained)
        if new is None:
            dropped.append(entry.pk)
        elif str(new.period) != entry.period:
            entry.period = str(new.period)
            recounted.append(entry)
    for (model, _pk), owner in owners.items():
        fields = dirty.get((model, owner.pk))
        if fields:
            owner.save(update_fields=sorted(fields))
    DeadlineClock.objects.bulk_update(recounted, ["period"])
    DeadlineClock.objects.filter(pk__in=dropped).delete()
    for entry, old, new in moves:
        record_event(
            entry.suggestion,
            action="deadline_recomputed",
            action_label=_("工作日调整，期限变更")
            if congress is None
            else _("期限规则调整，期限变更"),
            actor=actor,
            reason=_moved(entry, old, new),
            is_public=False,
            now=now,
        )
    return len(moves)


def _moved(entry: DeadlineClock, old: dt.date, new: Deadline | None) -> str:
    if new is None:
        return _("%(what)s %(old)s 已取消（所适用的规则未规定该期限）") % {
            "what": entry.describe(),
            "old": old,
        }
    return _("%(what)s由 %(old)s 调整为 %(new)s（%(explanation)s）") % {
        "what": entry.describe(),
        "old": old,
        "new": new.due,
        "explanation": new.explanation,
    }
