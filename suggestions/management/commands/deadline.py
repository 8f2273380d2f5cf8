"""`manage.py deadline START PERIOD`: the due date alone on the first line (scripts read it),
then how it was computed, then a warning when it rests on a year whose schedule is a guess."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from congress.models import CalendarOverride, CalendarYear, RuleSetName
from suggestions.deadlines import Deadline, Period, WorkingCalendar, compute_deadline, parse_date
from suggestions.rulesets import CLOCK_LABELS, CLOCK_STARTS, Clock, preset_rules


class Command(BaseCommand):
    help = _(
        "计算期限：START 为开始日期（YYYY-MM-DD），PERIOD 为 3m（月）、10d（天）或 7wd（工作日）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", help=_("开始日期，格式 YYYY-MM-DD"))
        parser.add_argument(
            "period",
            help=_("期限：3m、10d 或 7wd；指定 --rules 时也可以是期限名称，例如 reply、contact"),
        )
        parser.add_argument(
            "--rules",
            choices=RuleSetName.values,
            help=_("按哪一部法规的期限计算，说明中注明所依据的条文"),
        )

    def handle(self, *args, start: str, period: str, rules: str | None, **options) -> None:
        try:
            start_date = parse_date(start)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if rules and period in {clock.value for clock in Clock}:
            deadline = self._clock(rules, Clock(period), start_date)
        else:
            try:
                parsed = Period.parse(period)
            except ValueError as exc:
                raise CommandError(str(exc), returncode=2) from None
            deadline = compute_deadline(start_date, parsed, calendar_=self._calendar())
        # Scripts read the first line: the due date alone.
        self.stdout.write(deadline.due.isoformat())
        self.stdout.write(deadline.explanation)
        if deadline.provisional:
            self.stdout.write(
                _("注意：此期限为暂定（%(reason)s），录入该年放假安排后可能变化。")
                % {"reason": deadline.provisional_reason}
            )

    def _clock(self, rules: str, clock: Clock, start: dt.date) -> Deadline:
        deadline = preset_rules(rules).deadline(
            clock, start, start_label=str(CLOCK_STARTS[clock]), calendar_=self._calendar()
        )
        if deadline is None:
            raise CommandError(
                _("所选法规不设「%(clock)s」") % {"clock": CLOCK_LABELS[clock]}, returncode=2
            )
        return deadline

    def _calendar(self) -> WorkingCalendar:
        # Operators may ask before the database is migrated: the package calendar still holds.
        tables = connection.introspection.table_names()
        if not {CalendarOverride._meta.db_table, CalendarYear._meta.db_table} <= set(tables):
            self.stderr.write(_("提示：数据库尚未迁移，未使用工作日调整表。"))
            return WorkingCalendar(overrides={})
        return WorkingCalendar()
