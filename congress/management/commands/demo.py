"""`manage.py demo`: migrate, load the seed cases, print the demo logins, run the site.

The README's first command ends here, so a fresh clone is usable in one step. Ctrl-C (SIGINT)
or SIGTERM stops the site and everything the demo started: the Celery worker, beat and any
Redis of its own (congress/services_runner.py).
"""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("初始化数据库、导入种子案例、打印演示账号并启动网站")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help=_("只准备数据，不启动网站（用于检查）")
        )
        parser.add_argument(
            "--no-celery",
            action="store_true",
            help=_("不启动 Redis、Celery worker 和 beat（提醒将不会自动发送）"),
        )

    def handle(self, *args, addrport: str, no_serve: bool, no_celery: bool, **options) -> None:
        if settings.PRODUCTION:
            # The demo accounts have published passwords, among them an administrator's.
            raise CommandError(_("演示不能在生产环境（DJANGO_ENV=production）运行。"))
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(_("数据库已就绪。"))
        if "load_seeds" in get_commands():
            call_command("load_seeds", stdout=self.stdout, stderr=self.stderr)
        if no_serve:
            return
        # SIGTERM (a service manager, `kill`) stops the demo as Ctrl-C does: through the
        # `finally` below, which stops the background services too.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        background = None
        try:
            if not no_celery:
                from congress.services_runner import start_background_services

                log = settings.BASE_DIR / "celery.log"
                background = start_background_services(log_to=log)
                self.stdout.write(
                    _("提醒服务已启动：Redis %(url)s，Celery worker 和 beat（日志：%(log)s）")
                    % {"url": background.redis_url, "log": log}
                )
            self.stdout.write(
                _("网站地址：http://%(addr)s/  管理后台：http://%(addr)s/admin/")
                % {"addr": addrport}
            )
            # DEBUG stays off (no debug pages); --insecure serves the static files without it.
            call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
        except KeyboardInterrupt:
            pass  # Ctrl-C or SIGTERM before runserver (which handles its own) took over
        finally:
            if background is not None:
                background.stop()
