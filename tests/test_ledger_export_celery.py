"""End to end on real infrastructure: a Redis server, a `celery worker` and `celery beat` as
subprocesses. The broker was down when the export was requested, so the job waits in the
database; beat's export sweep enqueues it, the worker claims and builds it, and the file it
writes to the storage is the one the owner downloads."""

from __future__ import annotations

import csv
import io

import pytest
from rest_framework.test import APIClient

from suggestions.exports import jobs
from suggestions.exports.tasks import build_ledger_export
from suggestions.ledger import ledger_headers
from suggestions.models import ExportStatus, LedgerExport
from tests import lifecycle
from tests.celery_harness import celery_running, log_tail, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_the_job_the_broker_missed(
    world, tmp_path, broker_url, settings, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for title in ("关于电池之都的建议", "关于古民居的建议"):
        lifecycle.registered(world, title=title)

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to the broker")

    monkeypatch.setattr(build_ledger_export, "apply_async", broker_down)
    job = jobs.ledger_export_request(owner=world.staff, session=world.session, file_format="csv")
    assert job.job.enqueued_at is None

    with celery_running(
        tmp_path,
        redis_url=broker_url,
        mail_dir=tmp_path / "mail",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        EXPORT_SWEEP_INTERVAL_SECONDS="1",
    ):
        done = wait_until(
            lambda: LedgerExport.objects.get().status == ExportStatus.DONE, timeout=60
        )
        assert done, log_tail(tmp_path)

    finished = LedgerExport.objects.get()
    assert finished.attempts == 1 and finished.rows_done == finished.rows_total == 2
    client = APIClient()
    client.force_authenticate(world.staff)
    response = client.get(f"/api/v1/exports/ledgers/{finished.pk}/download/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ledger_headers()
    assert [row[2] for row in rows[1:]] == ["关于电池之都的建议", "关于古民居的建议"]
