"""python manage.py load_seeds [FILE ...] [--no-demo-users]

Loads the seed cases (default: every seeds/*.yaml, institutions.yaml first). Idempotent: run it
twice and the same rows are there. A file with a broken row is reported with its file name and
row and nothing of that file is loaded; the command then exits with status 1.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from suggestions.seeding import default_seed_files, load_seed_files
from suggestions.seeding.demo import ensure_demo_users


class Command(BaseCommand):
    help = _("导入种子案例（seeds/*.yaml），可重复运行；并创建各角色的演示账号")

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help=_("要导入的种子文件（默认全部）"))
        parser.add_argument("--no-demo-users", action="store_true", help=_("不创建演示账号"))

    def handle(self, *args, files: list[Path], no_demo_users: bool, **options) -> None:
        paths = files or default_seed_files()
        if not paths:
            raise CommandError(_("没有找到种子文件"))
        reports, errors = load_seed_files(paths)
        for report in reports:
            self.stdout.write(f"{report.path.name}: {report.summary()}")
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING(warning))
        for error in errors:
            self.stderr.write(self.style.ERROR(_("未导入：%(e)s") % {"e": error}))
        if settings.PRODUCTION and not no_demo_users:
            # Demo accounts have published passwords (one is an administrator's).
            self.stdout.write(_("生产环境（DJANGO_ENV=production）：不创建演示账号。"))
        elif not no_demo_users and not errors:
            logins = ensure_demo_users()
            self.stdout.write(_("演示账号（仅供演示）："))
            for login in logins:
                self.stdout.write(
                    f"  {login.role:<12} {login.username:<16} {login.password:<20} {login.can}"
                )
        if errors:
            raise CommandError(
                _("%(n)d 个种子文件有错误，未导入（见上）") % {"n": len(errors)}, returncode=1
            )
