"""Staff's page of provisional due dates: open due dates of their congresses counted over a
year whose holiday schedule is still the package's guess, with the prompt to enter that
year's schedule from the State Council's notice (admin, or `manage.py calendar_year`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from suggestions import access
from suggestions.access import Audience
from suggestions.deadlines import WorkingCalendar, estimated_years
from suggestions.models import DeadlineClock, Suggestion
from suggestions.rulesets import RulesByCongress

from .roles import staff_required

# The page lists this many, soonest first; the count says how many there are in all.
LIST_LIMIT = 500


@dataclass(frozen=True)
class ProvisionalDue:
    clock: DeadlineClock
    due_on: dt.date
    explanation: str

    @property
    def what(self) -> str:
        return self.clock.describe()


def years_to_enter(today: dt.date) -> list[int]:
    """This year and the next, where their schedule is still estimated: what staff are
    prompted to enter."""
    return estimated_years((today.year, today.year + 1))


def provisional_due_dates(readable: QuerySet[Suggestion], today: dt.date) -> list[ProvisionalDue]:
    """The open due dates of `readable` suggestions whose counting looked at an estimated
    year, soonest first. Each is counted again from its clock: exactly the days it asked."""
    calendar_ = WorkingCalendar()
    # No clock runs longer than a year (the longest is an extended reply, months), so one
    # that could reach an estimated year started at most a year before it.
    first_estimated = next(
        (y for y in range(today.year - 1, today.year + 3) if not calendar_.is_official(y)), None
    )
    if first_estimated is None:
        return []
    clocks = (
        DeadlineClock.objects.open()
        .filter(suggestion__in=readable, start__gte=dt.date(first_estimated - 1, 1, 1))
        .select_related("suggestion__congress", "assignment__unit", "reply")
    )
    rules = RulesByCongress()
    rows = []
    for clock in clocks:
        due_on = getattr(clock.owner, clock.attribute)
        if due_on is None:
            continue
        counted = clock.count(rules[clock.suggestion.congress], calendar_)
        if counted is not None and counted.provisional:
            rows.append(ProvisionalDue(clock, due_on, counted.explanation))
    rows.sort(key=lambda row: (row.due_on, row.clock.suggestion_id, row.clock.pk))
    return rows


@staff_required
def provisional_deadlines(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    readable = access.readable_suggestions(request.user, Audience.STAFF)
    rows = provisional_due_dates(readable, today)
    return render(
        request,
        "web/staff/provisional.html",
        {
            "rows": rows[:LIST_LIMIT],
            "count": len(rows),
            "limit": LIST_LIMIT,
            "years_to_enter": years_to_enter(today),
        },
    )
