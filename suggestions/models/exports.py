"""台账导出任务: a ledger export that is too large to build within a request.

The job row, not the broker, holds what still has to be built: a worker claims it with a
conditional UPDATE (pending → running, or running whose lease ran out → running again) and
stamps it with its own lease token; every progress write and the final "done" are
conditional on that token, so two workers, a retried task or a worker that was only slow
never build one job twice nor overwrite each other (`suggestions/exports/building.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suggestions import limits


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_STATUSES = (ExportStatus.PENDING, ExportStatus.RUNNING)


class LedgerExport(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="ledger_exports",
    )
    congress = models.ForeignKey(
        "congress.Congress",
        verbose_name=_("人大"),
        on_delete=models.CASCADE,
        related_name="ledger_exports",
    )
    session = models.ForeignKey(
        "congress.Session",
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ledger_exports",
    )
    unit = models.ForeignKey(
        "congress.HandlingUnit",
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ledger_exports",
    )
    file_format = models.CharField(_("格式"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(
        _("文件"), upload_to="ledger-exports/%Y/%m/", max_length=300, blank=True
    )
    error = models.TextField(_("失败原因"), max_length=limits.REASON, blank=True)
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=0)
    lease_token = models.UUIDField(_("生成批次"), null=True, blank=True)
    lease_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("排入队列时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导出")
        verbose_name_plural = _("台账导出")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(session__isnull=False, unit__isnull=True)
                | Q(session__isnull=True, unit__isnull=False),
                name="ledger_export_one_scope",
            ),
            # One active job per owner, scope and format: a second click, a second tab or a
            # concurrent request gets the job already under way (NULLs are distinct in a
            # unique index, hence one constraint per kind of scope).
            models.UniqueConstraint(
                fields=["owner", "session", "file_format"],
                condition=Q(status__in=ACTIVE_STATUSES, session__isnull=False),
                name="ledger_export_one_active_session",
            ),
            models.UniqueConstraint(
                fields=["owner", "unit", "file_format"],
                condition=Q(status__in=ACTIVE_STATUSES, unit__isnull=False),
                name="ledger_export_one_active_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="ledger_export_owner_idx"),
            models.Index(fields=["status", "finished_at"], name="ledger_export_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope_name} ({self.file_format})"

    @property
    def scope_name(self) -> str:
        return str(self.session) if self.session_id else self.unit.name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def may_retry(self) -> bool:
        """Failed; or its worker went silent past its lease; or the queue never received it."""
        if self.status == ExportStatus.FAILED:
            return True
        if self.status == ExportStatus.RUNNING:
            return self.lease_until is not None and self.lease_until < timezone.now()
        return self.status == ExportStatus.PENDING and self.enqueued_at is None

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
