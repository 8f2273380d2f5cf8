"""Reminder rows and the in-app inbox.

A `Reminder` is one message to one recipient about one due date at one step. Its natural key
(kind, object, recipient, due date, step) is UNIQUE: the sweep claims a reminder by inserting
the row (a conflict means someone already did), and a deliverer claims the send by moving
the row from `pending` to `sending` with a conditional UPDATE just before sending it (see
`delivery`). So two sweeps, a retried task, two beat processes or a re-run after a crash can
never produce two rows, nor two sends.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    """Which clock the reminder is about (DESIGN.md §4–§5)."""

    REPLY = "reply", _("答复期限")
    CO_OPINION = "co_opinion", _("协办意见期限")
    CONTACT = "contact", _("联系代表期限")
    ASSIGNMENT = "assignment", _("交办期限")
    REVISION = "revision", _("修改期限")
    EVALUATION = "evaluation", _("满意度测评期限")
    SUPERVISION = "supervision", _("重点督办时限")
    FOLLOW_UP = "follow_up", _("跟踪回头看期限")


class ReminderStep(models.TextChoices):
    """How far from the due date: 30, 7 or 1 day(s) before it, or overdue."""

    DAYS_30 = "d30", _("提前30天")
    DAYS_7 = "d7", _("提前7天")
    DAYS_1 = "d1", _("提前1天")
    OVERDUE = "overdue", _("已逾期")


class ReminderObject(models.TextChoices):
    ASSIGNMENT = "assignment", _("交办")
    SUGGESTION = "suggestion", _("建议")
    SUPERVISION_PLAN = "supervision_plan", _("重点督办")
    FOLLOW_UP_REVIEW = "follow_up_review", _("跟踪回头看")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    CANCELLED = "cancelled", _("已取消")


class ReminderQuerySet(models.QuerySet):
    def deliverable(self, now, *, wall_now) -> ReminderQuerySet:
        """Pending rows due for an attempt at `now` that no deliverer holds: never reserved,
        or reserved by a batch whose lease ran out at `wall_now` (the clock leases use)."""
        return self.filter(
            models.Q(lease_until__isnull=True) | models.Q(lease_until__lt=wall_now),
            status=ReminderStatus.PENDING,
            next_attempt_at__lte=now,
        )


class Reminder(models.Model):
    kind = models.CharField(_("提醒类型"), max_length=20, choices=ReminderKind.choices)
    object_type = models.CharField(_("对象类型"), max_length=20, choices=ReminderObject.choices)
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    recipient_key = models.CharField(
        _("收件人标识"), max_length=300, help_text=_("user:<账号编号> 或 email:<地址>")
    )
    due_on = models.DateField(_("期限"))
    step = models.CharField(_("提醒节点"), max_length=10, choices=ReminderStep.choices)

    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        verbose_name=_("建议"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    subject = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"))

    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ReminderStatus.choices,
        default=ReminderStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    lease_token = models.UUIDField(_("发送批次"), null=True, blank=True)
    lease_until = models.DateTimeField(_("发送占用至"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("期限提醒")
        verbose_name_plural = _("期限提醒")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "recipient_key", "due_on", "step"],
                name="unique_reminder_key",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="reminder_status_next_idx"),
            # Only rows being sent carry a token; a partial index keeps inserts cheap.
            models.Index(
                fields=["lease_token"],
                condition=models.Q(lease_token__isnull=False),
                name="reminder_lease_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def key(self) -> str:
        return ":".join(
            (
                self.kind,
                self.object_type,
                str(self.object_id),
                self.recipient_key,
                self.due_on.isoformat(),
                self.step,
            )
        )


class InboxMessageQuerySet(models.QuerySet):
    def for_user(self, user) -> InboxMessageQuerySet:
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(user=user)

    def unread(self) -> InboxMessageQuerySet:
        return self.filter(read_at__isnull=True)


class InboxMessage(models.Model):
    """站内消息: what a user sees in the in-app inbox; created once per reminder."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="inbox_messages",
    )
    reminder = models.OneToOneField(
        Reminder,
        verbose_name=_("期限提醒"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbox_message",
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        verbose_name=_("建议"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inbox_messages",
    )
    subject = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"))
    created_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = InboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="inbox_user_read_idx")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
