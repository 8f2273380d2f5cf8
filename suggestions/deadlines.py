"""Deadline arithmetic that staff can check by hand.

Legal periods in China: a period in months or days ends on the same-numbered day (or the
last day of a shorter month); if that day is not a working day the period ends on the next
working day. A period in working days ends on the N-th working day after the start day.

Working days come from the `holidays` package's China calendar (which knows the 调休 make-up
workdays) corrected by `CalendarOverride` rows that staff enter for years the package does
not know yet. Every result carries a one-line explanation in the active language.

Each year's calendar has a provenance. It is official when the package carries that year's
State Council notice (`ChinaStaticHolidays.special_public_holidays`: 2001–2026 in holidays
0.109) or when staff entered the year's notice (`CalendarYear`, whose days are then exactly
the entered holidays and make-up working days over the plain week); otherwise it is the
package's guess from the statutory rules, and a due date whose counting looked at any day of
such a year is provisional, saying so in its explanation.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

import holidays
from django.core.signals import request_finished, request_started
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext as _
from holidays.countries.china import ChinaStaticHolidays

from congress.models import CalendarOverride, CalendarYear

# The years whose official 调休 schedule the installed package carries.
PACKAGE_OFFICIAL_YEARS = frozenset(ChinaStaticHolidays.special_public_holidays)

# Marked for extraction only; translated where shown, in the language active then.
WEEKDAY_NAMES = (
    gettext_noop("星期一"),
    gettext_noop("星期二"),
    gettext_noop("星期三"),
    gettext_noop("星期四"),
    gettext_noop("星期五"),
    gettext_noop("星期六"),
    gettext_noop("星期日"),
)


class PeriodUnit(StrEnum):
    MONTHS = "m"
    DAYS = "d"
    WORKING_DAYS = "wd"


@dataclass(frozen=True)
class Period:
    amount: int
    unit: PeriodUnit

    PATTERN = re.compile(r"^\s*(\d{1,4})\s*(m|d|wd)\s*$")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse '3m', '10d' or '7wd'. Raises ValueError naming the problem."""
        match = cls.PATTERN.match(text or "")
        if not match:
            raise ValueError(
                _(
                    "无法识别的期限「%(text)s」：应为数字加单位，m=月，d=天，wd=工作日，例如 3m、10d、7wd"
                )
                % {"text": text}
            )
        amount = int(match.group(1))
        if amount == 0:
            raise ValueError(_("期限必须大于零：「%(text)s」") % {"text": text})
        return cls(amount, PeriodUnit(match.group(2)))

    def label(self) -> str:
        n = self.amount
        if self.unit is PeriodUnit.MONTHS:
            return ngettext("%(n)d个月", "%(n)d个月", n) % {"n": n}
        if self.unit is PeriodUnit.DAYS:
            return ngettext("%(n)d天", "%(n)d天", n) % {"n": n}
        return ngettext("%(n)d个工作日", "%(n)d个工作日", n) % {"n": n}

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"


@dataclass(frozen=True)
class Deadline:
    start: dt.date
    period: Period
    nominal: dt.date  # the plain calendar result, before rolling forward
    due: dt.date
    explanation: str
    # The years with an estimated calendar that the counting looked at: the due date may move
    # when their schedule is entered.
    provisional_years: tuple[int, ...] = ()

    def __str__(self) -> str:
        return self.explanation

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_years)

    @property
    def provisional_reason(self) -> str:
        return provisional_reason(self.provisional_years)


def provisional_reason(years: Sequence[int]) -> str:
    """'2027年放假安排尚未录入，按规则推算', or '' when `years` is empty."""
    if not years:
        return ""
    named = "、".join(_("%(year)d年") % {"year": year} for year in years)
    return _("%(years)s放假安排尚未录入，按规则推算") % {"years": named}


@lru_cache(maxsize=8)
def _package_calendar(language: str) -> holidays.HolidayBase:
    return holidays.China(language=language)


def _holiday_language() -> str:
    return "en_US" if (get_language() or "zh-hans").startswith("en") else "zh_CN"


class WorkingCalendar:
    """The China working-day calendar with staff overrides. Load once, ask many times.

    Given `overrides` (tests, an unmigrated database) and no `entered_years`, no year counts
    as entered by staff."""

    def __init__(
        self,
        overrides: dict[dt.date, CalendarOverride] | None = None,
        entered_years: frozenset[int] | None = None,
    ) -> None:
        if overrides is None:
            overrides = {o.date: o for o in CalendarOverride.objects.all()}
            if entered_years is None:
                entered_years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        self.overrides = overrides
        self.entered_years = entered_years or frozenset()
        self.package = _package_calendar(_holiday_language())

    def is_official(self, year: int) -> bool:
        return year in PACKAGE_OFFICIAL_YEARS or year in self.entered_years

    def estimated_years(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """The years from `first` to `last` whose calendar is the package's guess."""
        return tuple(y for y in range(first.year, last.year + 1) if not self.is_official(y))

    def is_working_day(self, day: dt.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override.is_working_day
        if day.year in self.entered_years and day.year not in PACKAGE_OFFICIAL_YEARS:
            # The notice lists every day off and make-up day: the package's guess is out.
            return day.weekday() < 5
        return self.package.is_working_day(day)

    def reason_off(self, day: dt.date) -> str:
        """Why `day` is not a working day, in words."""
        override = self.overrides.get(day)
        if override is not None:
            return override.note
        name = None if day.year in self.entered_years else self.package.get(day)
        if name:
            return str(name)
        return _(WEEKDAY_NAMES[day.weekday()])

    def next_working_day(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def nth_working_day_after(self, start: dt.date, n: int) -> dt.date:
        day = start
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic; 01-31 + 1 month = 02-28 (or 29)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def compute_deadline(
    start: dt.date,
    period: Period | str,
    *,
    start_label: str | None = None,
    calendar_: WorkingCalendar | None = None,
) -> Deadline:
    """The due date of `period` counted from `start`, with its explanation.

    `start_label` names what started the clock (交办, 答复, …) in the explanation.
    """
    if isinstance(period, str):
        period = Period.parse(period)
    cal = calendar_ or WorkingCalendar()
    prefix = f"{start_label} " if start_label else ""
    head = f"{prefix}{start.isoformat()} + {period.label()}"

    if period.unit is PeriodUnit.WORKING_DAYS:
        due = cal.nth_working_day_after(start, period.amount)
        explanation = _("%(head)s（第%(n)d个工作日，节假日和周末不计）= %(due)s") % {
            "head": head,
            "n": period.amount,
            "due": due.isoformat(),
        }
        # Every day after the start was asked whether it is a working day.
        return _provisional(
            Deadline(start, period, due, due, explanation),
            cal.estimated_years(start + dt.timedelta(days=1), due),
        )

    if period.unit is PeriodUnit.MONTHS:
        nominal = add_months(start, period.amount)
    else:
        nominal = start + dt.timedelta(days=period.amount)
    due = cal.next_working_day(nominal)
    if due == nominal:
        explanation = _("%(head)s = %(due)s（%(weekday)s，工作日）") % {
            "head": head,
            "due": due.isoformat(),
            "weekday": _(WEEKDAY_NAMES[due.weekday()]),
        }
    else:
        explanation = _("%(head)s = %(nominal)s（%(reason)s），顺延 → %(due)s") % {
            "head": head,
            "nominal": nominal.isoformat(),
            "reason": cal.reason_off(nominal),
            "due": due.isoformat(),
        }
    # Only the days from the plain calendar result to the due date were asked.
    return _provisional(
        Deadline(start, period, nominal, due, explanation), cal.estimated_years(nominal, due)
    )


def _provisional(deadline: Deadline, years: tuple[int, ...]) -> Deadline:
    if not years:
        return deadline
    explanation = _("%(explanation)s；暂定：%(reason)s") % {
        "explanation": deadline.explanation,
        "reason": provisional_reason(years),
    }
    return replace(deadline, explanation=explanation, provisional_years=years)


# The years staff entered, read at most once per request (a list may show many due dates).
_request_years: ContextVar[dict | None] = ContextVar("calendar_entered_years", default=None)


def _start_request_memo(**kwargs) -> None:
    _request_years.set({})


def _end_request_memo(**kwargs) -> None:
    _request_years.set(None)


def connect() -> None:
    request_started.connect(_start_request_memo, dispatch_uid="calendar_years_start")
    request_finished.connect(_end_request_memo, dispatch_uid="calendar_years_end")


def forget_entered_years() -> None:
    """After staff enter a year: this request reads the years again."""
    if _request_years.get() is not None:
        _request_years.set({})


def remember_entered_years(years: frozenset[int]) -> None:
    """`years`, read with something else in this request (the public detail's one query),
    answer `entered_years` for the rest of it."""
    memo = _request_years.get()
    if memo is not None:
        memo["years"] = years


def entered_years() -> frozenset[int]:
    """The years whose schedule staff entered (`CalendarYear`)."""
    memo = _request_years.get()
    if memo is not None and "years" in memo:
        return memo["years"]
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    if memo is not None:
        memo["years"] = years
    return years


def stored_due_reason(due: dt.date | None, *, today: dt.date | None = None) -> str:
    """Why a stored due date is provisional ('' when it is not): a year from this year (or
    the due date's, if earlier) to the due date's still has an estimated calendar. Every
    stored date was counted from a start no later than today, so those are the years its
    counting may have looked at. Reads the database only for a year the package lacks."""
    if due is None:
        return ""
    today = today or timezone.localdate()
    return provisional_reason(estimated_years(range(min(today.year, due.year), due.year + 1)))


def estimated_years(years: Iterable[int]) -> list[int]:
    """Those of `years` whose calendar is still the package's guess."""
    unknown = [year for year in years if year not in PACKAGE_OFFICIAL_YEARS]
    if not unknown:
        return []
    entered = entered_years()
    return [year for year in unknown if year not in entered]


def parse_date(text: str) -> dt.date:
    """Parse YYYY-MM-DD strictly. Raises ValueError naming the problem."""
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValueError(
            _("日期「%(text)s」无效：应为存在的日期，格式 YYYY-MM-DD，例如 2025-07-01")
            % {"text": text}
        ) from None
