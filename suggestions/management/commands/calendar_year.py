"""`manage.py calendar_year YEAR --notice … --holiday … --workday … --by USER`: enter a year's
holidays and make-up working days from the State Council's notice; every open due date that
depends on them is counted again (suggestions.services.calendar_year_enter)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from suggestions import services
from suggestions.calendar_notice import parse_days


class Command(BaseCommand):
    help = _(
        "录入某年放假安排（国务院办公厅通知）：--holiday 与 --workday 可重复，"
        "格式「2027-02-06..2027-02-13 春节」或「2027-02-14 春节调休」"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help=_("年份，例如 2027"))
        parser.add_argument("--notice", required=True, help=_("通知名称和文号"))
        parser.add_argument(
            "--holiday", action="append", default=[], help=_("放假日期及名称，可重复")
        )
        parser.add_argument(
            "--workday", action="append", default=[], help=_("调休上班日期及名称，可重复")
        )
        parser.add_argument("--by", required=True, help=_("录入人的用户名（人大工作人员）"))

    def handle(self, *args, year: int, notice: str, holiday, workday, by: str, **options):
        actor = get_user_model().objects.filter(username=by).first()
        if actor is None:
            raise CommandError(_("没有用户名为「%(name)s」的账号") % {"name": by}, returncode=2)
        try:
            holidays, workdays = parse_days(holiday), parse_days(workday)
            entered, moved = services.calendar_year_enter(
                actor=actor, year=year, notice=notice, holidays=holidays, workdays=workdays
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except (services.ValidationError, services.PermissionDenied) as exc:
            raise CommandError(services.error_message(exc), returncode=2) from None
        self.stdout.write(
            _(
                "已录入%(year)d年放假安排（放假%(off)d天，调休上班%(on)d天）；%(moved)d个期限已调整。"
            )
            % {"year": entered.year, "off": len(holidays), "on": len(workdays), "moved": moved}
        )
