"""Export jobs: requesting one, retrying one, the sweep that recovers lost ones and the
clean-up of old files. Every write to `LedgerExport` outside the worker's build is here.

The database holds what has to be built, the broker only says "look at job N": a request
whose enqueue fails (Redis down) leaves the job pending, and the sweep enqueues pending jobs
that no worker started; enqueuing one twice is harmless (only one claim wins).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import HandlingUnit, Session
from suggestions import access
from suggestions.models import ACTIVE_STATUSES, ExportFormat, ExportStatus, LedgerExport
from suggestions.services import PermissionDenied, TransitionRefused, ValidationError

from .building import claimable

logger = logging.getLogger(__name__)

SWEEP_BATCH = 100


def enqueue(job: LedgerExport) -> bool:
    """Hand the job to the workers; False (and the job stays pending, for the sweep) if the
    broker cannot be reached."""
    from .tasks import build_ledger_export

    try:
        build_ledger_export.apply_async(args=[job.pk], retry=False)
    except Exception as exc:  # broker down: the job waits in the database
        logger.warning("ledger export %s: could not enqueue (%s); the sweep will", job.pk, exc)
        return False
    job.enqueued_at = timezone.now()
    LedgerExport.objects.filter(pk=job.pk).update(enqueued_at=job.enqueued_at)
    return True


def _active(owner, session, unit, file_format):
    return LedgerExport.objects.filter(
        owner=owner, session=session, unit=unit, file_format=file_format, status__in=ACTIVE_STATUSES
    )


@dataclass(frozen=True)
class Requested:
    job: LedgerExport
    created: bool  # False: the owner's identical job already under way


def ledger_export_request(
    *,
    owner,
    file_format: str,
    session: Session | None = None,
    unit: HandlingUnit | None = None,
    rows_total: int = 0,
) -> Requested:
    """Start a background export of the ledger of `session` or `unit` for `owner`, or return
    their identical job that is still pending or running."""
    if file_format not in ExportFormat.values:
        raise ValidationError(
            _("不支持的导出格式：%(f)s（可选 xlsx、csv）") % {"f": file_format}, code="format"
        )
    if (session is None) == (unit is None):
        raise ValidationError(_("请选择一次会议或一个承办单位。"), code="scope")
    if access.ledger_readable(owner, session=session, unit=unit) is None:
        raise PermissionDenied(_("您不能导出该台账。"))
    existing = _active(owner, session, unit, file_format).first()
    if existing is not None:
        if existing.enqueued_at is None:
            enqueue(existing)
        return Requested(existing, created=False)
    congress_id = session.term.congress_id if session is not None else unit.congress_id
    try:
        with transaction.atomic():
            job = LedgerExport.objects.create(
                owner=owner,
                congress_id=congress_id,
                session=session,
                unit=unit,
                file_format=file_format,
                rows_total=rows_total,
            )
    except IntegrityError:  # the same request a moment earlier (double click, second tab)
        return Requested(_active(owner, session, unit, file_format).get(), created=False)
    logger.info("ledger export %s requested by %s: %s", job.pk, owner.pk, job)
    enqueue(job)
    return Requested(job, created=True)


def ledger_export_retry(*, job: LedgerExport, actor) -> LedgerExport:
    """The owner (or a superuser) retries a failed job, one whose worker died (its lease ran
    out) or one the queue never received."""
    if not (actor.is_superuser or job.owner_id == actor.pk):
        raise PermissionDenied(_("只能重试自己的导出。"))
    now = timezone.now()
    retryable = Q(status=ExportStatus.FAILED) | claimable(now)
    try:
        with transaction.atomic():
            reset = (
                LedgerExport.objects.filter(retryable, pk=job.pk)
                .exclude(status=ExportStatus.PENDING)
                .update(
                    status=ExportStatus.PENDING,
                    error="",
                    attempts=0,
                    rows_done=0,
                    lease_token=None,
                    lease_until=None,
                    started_at=None,
                    finished_at=None,
                )
            )
    except IntegrityError:
        raise TransitionRefused(
            _("您已有一项相同的导出正在进行，请查看那一项。"), code="duplicate_export"
        ) from None
    job.refresh_from_db()
    if not reset and job.status != ExportStatus.PENDING:
        raise TransitionRefused(_("这项导出正在生成或已经完成，无需重试。"), code="not_retryable")
    enqueue(job)
    return job


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Recover jobs a dead worker or a lost broker message left behind (run by beat)."""
    now = now or timezone.now()
    abandoned = LedgerExport.objects.filter(status=ExportStatus.RUNNING, lease_until__lt=now)
    given_up = abandoned.filter(attempts__gte=settings.EXPORT_MAX_ATTEMPTS).update(
        status=ExportStatus.FAILED,
        error=_("生成过程多次中断，已停止自动重试；请重试，如仍失败请联系系统管理员。"),
        finished_at=now,
        lease_token=None,
        lease_until=None,
    )
    requeued = abandoned.update(
        status=ExportStatus.PENDING, lease_token=None, lease_until=None, enqueued_at=None
    )
    stale = dt.timedelta(seconds=settings.EXPORT_REQUEUE_SECONDS)
    waiting = LedgerExport.objects.filter(
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - stale),
        status=ExportStatus.PENDING,
    ).order_by("created_at", "pk")[:SWEEP_BATCH]
    enqueued = 0
    for job in waiting:
        if not enqueue(job):
            break  # the broker is down: the next sweep tries again
        enqueued += 1
    return {"failed": given_up, "requeued": requeued, "enqueued": enqueued}


def cleanup(now: dt.datetime | None = None) -> int:
    """Delete finished and failed jobs older than `EXPORT_KEEP_DAYS`, with their files."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
    old = LedgerExport.objects.filter(
        status__in=(ExportStatus.DONE, ExportStatus.FAILED), finished_at__lt=cutoff
    )
    removed = []
    for job in old.only("pk", "file"):
        try:
            if job.file:
                job.file.storage.delete(job.file.name)
        except Exception as exc:  # storage unreachable: keep the row, try again next time
            logger.warning("ledger export %s: could not delete %s: %s", job.pk, job.file, exc)
            continue
        removed.append(job.pk)
    LedgerExport.objects.filter(pk__in=removed).delete()
    return len(removed)
