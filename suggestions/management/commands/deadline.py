"""`manage.py deadline START PERIOD`: the due date alone on the first line (scripts read it),
then how it was computed, then a warning when it rests on a year whose schedule is a guess."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from congress.models import CalendarOverride, CalendarYear
from suggestions.deadlines import Period, WorkingCalendar, compute_deadline, parse_date


class Command(BaseCommand):
    help = _(
        "计算期限：START 为开始日期（YYYY-MM-DD），PERIOD 为 3m（月）、10d（天）或 7wd（工作日）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", help=_("开始日期，格式 YYYY-MM-DD"))
        parser.add_argument("period", help=_("期限：3m、10d 或 7wd"))

    def handle(self, *args, start: str, period: str, **options) -> None:
        try:
            start_date = parse_date(start)
            parsed = Period.parse(period)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        deadline = compute_deadline(start_date, parsed, calendar_=self._calendar())
        self.stdout.write(deadline.due.isoformat())
        self.stdout.write(deadline.explanation)
        if deadline.provisional:
            self.stdout.write(
                _("注意：此期限为暂定（%(reason)s），录入该年放假安排后可能变化。")
                % {"reason": deadline.provisional_reason}
            )

    def _calendar(self) -> WorkingCalendar:
        # Operators may ask before the database is migrated: the package calendar still holds.
        tables = connection.introspection.table_names()
        if not {CalendarOverride._meta.db_table, CalendarYear._meta.db_table} <= set(tables):
            self.stderr.write(_("提示：数据库尚未迁移，未使用工作日调整表。"))
            return WorkingCalendar(overrides={})
        return WorkingCalendar()
