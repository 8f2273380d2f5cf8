"""Run the reminder sweep and deliver what it found, synchronously, for a given "now"."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from suggestions.reminders.delivery import deliver_all
from suggestions.reminders.models import ReminderKind, ReminderStep
from suggestions.reminders.sweep import run_sweep


def parse_now(text: str) -> dt.datetime:
    """'2025-10-09T09:00' (local time, Asia/Shanghai) or with an explicit offset."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("时间「%(text)s」无效：应为 YYYY-MM-DDTHH:MM，例如 2025-10-09T09:00") % {"text": text}
        ) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class Command(BaseCommand):
    help = _("按给定时间扫描到期事项并发送期限提醒（同步执行，不经过 Celery）")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            help=_("视为当前时间，例如 2025-10-09T09:00（默认：现在）"),
        )
        parser.add_argument(
            "--no-send",
            action="store_true",
            help=_("只生成提醒，不发送（交给 Celery 发送）"),
        )

    def handle(self, *args, **options) -> None:
        now = parse_now(options["now"]) if options["now"] else timezone.now()
        result = run_sweep(now=now)
        for kind in ReminderKind:
            steps = _("，").join(
                f"{ReminderStep(step).label} {result.created_steps[(kind.value, step.value)]}"
                for step in ReminderStep
                if result.created_steps[(kind.value, step.value)]
            )
            line = _("%(label)s（%(kind)s）：新增提醒 %(n)d 条") % {
                "label": kind.label,
                "kind": kind.value,
                "n": result.created[kind.value],
            }
            self.stdout.write(
                _("%(line)s（%(steps)s）") % {"line": line, "steps": steps} if steps else line
            )
        self.stdout.write(
            _("测评期满按未反馈办结：%(n)d 件；因期限变更取消的提醒：%(c)d 条")
            % {"n": result.lapsed, "c": result.cancelled}
        )
        sent = 0
        if not options["no_send"]:
            delivery = deliver_all(now=now)
            sent = delivery.sent
            if delivery.retrying or delivery.failed:
                self.stdout.write(
                    _("发送失败待重试：%(r)d 条；最终失败：%(f)d 条")
                    % {"r": delivery.retrying, "f": delivery.failed}
                )
        self.stdout.write(f"sent {sent} reminders")
