"""Building one export job in a worker: claim, stream the rows to a temporary file, store it.

Claim
    One conditional UPDATE moves the job from `pending` (or `running` whose lease ran out:
    its worker died) to `running` and stamps a fresh lease token. Whoever's UPDATE matched
    builds the job; a second worker, a retried or redelivered task gets 0 rows and stops.
Progress
    Every `EXPORT_PROGRESS_ROWS` rows one UPDATE, conditional on the token, records
    `rows_done` and renews the lease. If it matches nothing the job was taken away (the sweep
    or a retry gave it to someone else after this worker went silent): the build stops and
    writes nothing.
Done
    The file goes to the default storage through its API (local disk or an object store),
    then one conditional UPDATE marks the job done; a worker that lost its lease meanwhile
    deletes the file it stored instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import uuid
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.files import File
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from suggestions import access, limits
from suggestions.ledger import WRITERS, ledger_row_count, ledger_rows
from suggestions.models import ExportStatus, LedgerExport

logger = logging.getLogger(__name__)


class LostLease(Exception):
    """The job was given to another worker while this one was building it."""


class NotPermitted(Exception):
    """The owner may no longer read the ledger the job is for."""


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def claimable(now: dt.datetime) -> Q:
    return Q(status=ExportStatus.PENDING) | Q(status=ExportStatus.RUNNING, lease_until__lt=now)


def claim(job_id: int) -> uuid.UUID | None:
    """Take the job for this worker: its lease token, or None if someone else has it or it
    needs no building (done, failed, deleted)."""
    now = timezone.now()
    token = uuid.uuid4()
    won = LedgerExport.objects.filter(claimable(now), pk=job_id).update(
        status=ExportStatus.RUNNING,
        lease_token=token,
        lease_until=now + lease(),
        started_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        rows_done=0,
        error="",
    )
    return token if won else None


def _record_progress(job_id: int, token: uuid.UUID, **fields) -> None:
    held = LedgerExport.objects.filter(
        pk=job_id, lease_token=token, status=ExportStatus.RUNNING
    ).update(lease_until=timezone.now() + lease(), **fields)
    if not held:
        raise LostLease(job_id)


def build(job_id: int) -> bool:
    """Build the job if this worker can claim it; True when this call finished it."""
    token = claim(job_id)
    if token is None:
        logger.info("ledger export %s: not claimable (taken, finished or gone)", job_id)
        return False
    job = LedgerExport.objects.select_related("owner", "session__term", "unit").get(pk=job_id)
    try:
        # A ledger is the congress's document: headers in the site's language, whatever the
        # worker's environment.
        with translation.override(settings.LANGUAGE_CODE):
            _build(job, token)
    except LostLease:
        logger.warning("ledger export %s: lease lost, another worker builds it", job_id)
        return False
    except NotPermitted:
        _fail(job, token, _("申请人已无权导出该台账，导出未生成。"))
        return False
    except Exception as exc:
        logger.exception("ledger export %s failed", job_id)
        _fail(
            job, token, _("生成台账时出错：%(error)s") % {"error": str(exc) or type(exc).__name__}
        )
        return False
    return True


def _build(job: LedgerExport, token: uuid.UUID) -> None:
    readable = access.ledger_readable(job.owner, session=job.session, unit=job.unit)
    if readable is None:
        raise NotPermitted(job.pk)
    scope = {"readable": readable, "session": job.session, "unit": job.unit}
    total = ledger_row_count(**scope)
    _record_progress(job.pk, token, rows_total=total)
    counter = _Progress(ledger_rows(**scope), job.pk, token)
    with tempfile.TemporaryFile() as output:
        WRITERS[job.file_format](counter, output)
        output.seek(0)
        name = job.file.field.generate_filename(job, f"ledger-{job.pk}.{job.file_format}")
        stored = job.file.storage.save(name, File(output), max_length=300)
    finished = LedgerExport.objects.filter(
        pk=job.pk, lease_token=token, status=ExportStatus.RUNNING
    ).update(
        status=ExportStatus.DONE,
        file=stored,
        rows_done=counter.count,
        rows_total=max(total, counter.count),
        finished_at=timezone.now(),
        lease_token=None,
        lease_until=None,
    )
    if not finished:
        job.file.storage.delete(stored)
        raise LostLease(job.pk)


class _Progress:
    """Passes the rows through, counts them and records the count every
    `EXPORT_PROGRESS_ROWS` rows (the final count may differ from the total counted first:
    suggestions change while the file is built)."""

    def __init__(self, rows: Iterable[list], job_id: int, token: uuid.UUID) -> None:
        self.rows, self.job_id, self.token = rows, job_id, token
        self.count = 0

    def __iter__(self) -> Iterator[list]:
        every = settings.EXPORT_PROGRESS_ROWS
        for row in self.rows:
            yield row
            self.count += 1
            if self.count % every == 0:
                _record_progress(self.job_id, self.token, rows_done=self.count)


def _fail(job: LedgerExport, token: uuid.UUID, message: str) -> None:
    LedgerExport.objects.filter(pk=job.pk, lease_token=token).update(
        status=ExportStatus.FAILED,
        error=message[: limits.REASON],
        finished_at=timezone.now(),
        lease_token=None,
        lease_until=None,
    )
