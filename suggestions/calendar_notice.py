"""Reading a year's schedule as the State Council's notice gives it: one line a holiday or a
make-up working day, `2027-02-06..2027-02-13 春节` (a range, both ends included) or
`2027-02-14 春节调休` (one day). The admin form and `manage.py calendar_year` read the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from suggestions.deadlines import parse_date

# A holiday of the notice spans at most a few days; a longer range is a typing mistake.
MAX_RANGE_DAYS = 15


def parse_days(lines: Iterable[str]) -> list[tuple[dt.date, str]]:
    """Every day the lines name, with its name. Raises ValueError naming the bad line."""
    days = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        dates, _sep, name = line.partition(" ")
        name = name.strip()
        if not name:
            raise ValueError(
                _("「%(line)s」缺少名称：应为「日期 名称」或「开始日期..结束日期 名称」")
                % {"line": line}
            )
        first_text, _dots, last_text = dates.partition("..")
        first = parse_date(first_text)
        last = parse_date(last_text) if last_text else first
        if not 0 <= (last - first).days < MAX_RANGE_DAYS:
            raise ValueError(
                _("「%(line)s」的日期范围无效：结束日期不能早于开始日期，且不超过%(n)d天")
                % {"line": line, "n": MAX_RANGE_DAYS}
            )
        days += [(first + dt.timedelta(days=i), name) for i in range((last - first).days + 1)]
    return days
