"""Large ledger (台账) exports as background jobs: 202 and a job beyond EXPORT_SYNC_LIMIT, the
worker's build (claimed once, progress, file on the storage), recovery after a crash or a
broker outage, owner-only access, the pages, and the clean-up of old files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from congress.models import CongressStaff
from suggestions import access
from suggestions.exports import building, jobs
from suggestions.exports.tasks import build_ledger_export
from suggestions.ledger import ledger_headers, ledger_row_count, ledger_rows
from suggestions.models import ExportStatus, LedgerExport
from tests import lifecycle
from tests.factories import CongressFactory, CongressStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger_world(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_SYNC_LIMIT = 2
    settings.EXPORT_PROGRESS_ROWS = 1
    lifecycle.evaluated(
        world,
        title="关于电池之都的建议",
        co_unit=True,
        category="B",
        assigned_on=dt.date(2024, 1, 10),
    )
    lifecycle.registered(world, title="关于古民居的建议")
    lifecycle.registered(world, title='=HYPERLINK("http://x","y")')
    lifecycle.draft(world, title="草稿不进台账")
    return world


@pytest.fixture
def queue(monkeypatch):
    """The broker: records the job ids enqueued (a worker is `run`)."""
    sent: list[int] = []

    def apply_async(args, **kwargs):
        sent.append(args[0])

    monkeypatch.setattr(build_ledger_export, "apply_async", apply_async)
    return sent


@pytest.fixture
def broker_down(monkeypatch):
    def apply_async(args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(build_ledger_export, "apply_async", apply_async)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def web(client, user):
    client.force_login(user)
    return client


def session_url(world, file_format="xlsx") -> str:
    return f"/api/v1/exports/sessions/{world.session.pk}/ledger.{file_format}"


def expected_rows(world) -> list[list]:
    readable = access.readable_suggestions(world.staff, access.Audience.STAFF)
    return list(ledger_rows(readable=readable, session=world.session))


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def unmasked(response) -> str:
    """A page without its per-request CSRF token and without the address asked for."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r"/staff/exports/\d+/", "/staff/exports/N/", page)


def stored_bytes(job: LedgerExport) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


# ---- small: as before; big: a job ----


def test_small_export_stays_synchronous(ledger_world, settings, queue):
    settings.EXPORT_SYNC_LIMIT = 2000
    response = api(ledger_world.staff).get(session_url(ledger_world, "csv"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith("\ufeff".encode())
    assert not LedgerExport.objects.exists() and queue == []


def test_row_count_matches_the_rows(ledger_world):
    world = ledger_world
    readable = access.readable_suggestions(world.staff, access.Audience.STAFF)
    assert ledger_row_count(readable=readable, session=world.session) == 4
    assert ledger_row_count(readable=readable, unit=world.co_unit) == 1
    assert len(expected_rows(world)) == 4


def test_big_api_export_is_a_job_built_by_the_worker_as_xlsx(ledger_world, queue):
    world = ledger_world
    client = api(world.staff)
    response = client.get(session_url(world))
    assert response.status_code == 202
    body = response.json()
    job = LedgerExport.objects.get()
    assert (
        response["Location"] == body["url"] == f"http://testserver/api/v1/exports/ledgers/{job.pk}/"
    )
    assert body["status"] == "pending" and body["rows_total"] == 4 and body["queued"] is True
    assert body["download_url"] is None and queue == [job.pk]
    assert client.get(f"/api/v1/exports/ledgers/{job.pk}/download/").status_code == 404

    assert building.build(job.pk) is True
    status = client.get(body["url"]).json()
    assert status["status"] == "done" and status["rows_done"] == status["rows_total"] == 4
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ledger_headers()
    expected = [[as_text(v) for v in row] for row in expected_rows(world)]
    assert [
        [as_text(v.date() if isinstance(v, dt.datetime) else v) for v in r] for r in rows[1:]
    ] == [[("'" + v if v.startswith("=") else v) for v in row] for row in expected]


def test_big_csv_job_writes_the_same_rows_with_bom(ledger_world, queue):
    world = ledger_world
    requested = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="csv"
    )
    assert build_ledger_export.run(requested.job.pk) is True  # the task's body, as a worker runs it
    job = LedgerExport.objects.get()
    raw = stored_bytes(job)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ledger_headers()
    expected = [[as_text(v) for v in row] for row in expected_rows(world)]
    assert rows[1:] == [[("'" + v if v.startswith("=") else v) for v in row] for row in expected]
    assert job.file.name.startswith("ledger-exports/") and job.file.name.endswith(".csv")


def test_progress_is_written_every_chunk(ledger_world, queue, monkeypatch):
    world = ledger_world
    job = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="xlsx"
    ).job
    seen = []
    record = building._record_progress

    def spy(job_id, token, **fields):
        record(job_id, token, **fields)
        seen.append(LedgerExport.objects.values_list("rows_done", "rows_total", "status").get())

    monkeypatch.setattr(building, "_record_progress", spy)
    building.build(job.pk)
    assert seen == [
        (0, 4, "running"),
        (1, 4, "running"),
        (2, 4, "running"),
        (3, 4, "running"),
        (4, 4, "running"),
    ]
    assert LedgerExport.objects.values_list("rows_done", "status").get() == (4, "done")


# ---- claimed once; recovered after a crash ----


def test_two_claims_only_one_wins(ledger_world, queue):
    job = jobs.ledger_export_request(
        owner=ledger_world.staff, session=ledger_world.session, file_format="csv"
    ).job
    first = building.claim(job.pk)
    assert first is not None
    assert building.claim(job.pk) is None
    assert building.build(job.pk) is False  # a second worker, a redelivered task
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING and job.lease_token == first and not job.file


def test_a_finished_job_is_never_built_again(ledger_world, queue):
    job = jobs.ledger_export_request(
        owner=ledger_world.staff, session=ledger_world.session, file_format="csv"
    ).job
    assert building.build(job.pk) is True
    name = LedgerExport.objects.get().file.name
    assert building.build(job.pk) is False
    assert LedgerExport.objects.get().file.name == name


def test_a_crashed_build_is_recovered_by_the_sweep_and_the_dead_worker_writes_nothing(
    ledger_world, queue, client
):
    world = ledger_world
    job = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="xlsx"
    ).job
    dead = building.claim(job.pk)  # the worker dies right after its claim
    assert jobs.sweep() == {"failed": 0, "requeued": 0, "enqueued": 0}  # lease still running
    assert (
        "/retry/" not in web(client, world.staff).get(f"/staff/exports/{job.pk}/").content.decode()
    )

    LedgerExport.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    page = client.get(f"/staff/exports/{job.pk}/").content.decode()
    assert "/retry/" in page and 'http-equiv="refresh"' in page  # still running, but stalled
    assert jobs.sweep() == {"failed": 0, "requeued": 1, "enqueued": 1}
    assert queue == [job.pk, job.pk]
    with pytest.raises(building.LostLease):  # the dead worker wakes up: it no longer holds the job
        building._record_progress(job.pk, dead, rows_done=1)
    assert building.build(job.pk) is True
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.attempts == 2 and job.rows_done == 4


def test_a_job_that_keeps_crashing_fails_and_the_owner_retries_it(ledger_world, queue, client):
    world = ledger_world
    job = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="xlsx"
    ).job
    LedgerExport.objects.update(
        status=ExportStatus.RUNNING,
        attempts=3,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    assert jobs.sweep()["failed"] == 1
    page = web(client, world.staff).get(f"/staff/exports/{job.pk}/").content.decode()
    assert "生成过程多次中断" in page and "/retry/" in page and 'http-equiv="refresh"' not in page

    response = client.post(f"/staff/exports/{job.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == f"/staff/exports/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ExportStatus.PENDING and job.attempts == 0 and job.error == ""
    assert queue[-1] == job.pk
    assert building.build(job.pk) is True


def test_retry_of_a_running_job_is_refused(ledger_world, queue):
    job = jobs.ledger_export_request(
        owner=ledger_world.staff, session=ledger_world.session, file_format="csv"
    ).job
    building.claim(job.pk)
    response = api(ledger_world.staff).post(f"/api/v1/exports/ledgers/{job.pk}/retry/")
    assert response.status_code == 409 and response.json()["code"] == "not_retryable"


def test_failure_is_shown_with_its_reason(ledger_world, queue, monkeypatch, client, settings):
    world = ledger_world

    def disk_full(rows, output):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(building.WRITERS, "xlsx", disk_full)
    job = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="xlsx"
    ).job
    assert building.build(job.pk) is False
    status = api(world.staff).get(f"/api/v1/exports/ledgers/{job.pk}/").json()
    assert status["status"] == "failed" and "No space left on device" in status["error"]
    page = web(client, world.staff).get(f"/staff/exports/{job.pk}/").content.decode()
    assert "导出失败" in page and "No space left on device" in page and "重试" in page
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


# ---- the broker is down when the job is requested ----


def test_broker_outage_leaves_the_job_pending_and_the_sweep_enqueues_it(
    ledger_world, broker_down, client, monkeypatch
):
    world = ledger_world
    response = api(world.staff).get(session_url(world))
    assert response.status_code == 202 and response.json()["queued"] is False
    job = LedgerExport.objects.get()
    assert job.status == ExportStatus.PENDING and job.enqueued_at is None
    page = web(client, world.staff).get(f"/staff/exports/{job.pk}/").content.decode()
    assert "任务队列暂时不可用" in page and 'http-equiv="refresh"' in page

    assert jobs.sweep()["enqueued"] == 0  # still down: stays pending
    sent = []
    monkeypatch.setattr(build_ledger_export, "apply_async", lambda args, **kw: sent.append(args[0]))
    assert jobs.sweep()["enqueued"] == 1 and sent == [job.pk]
    job.refresh_from_db()
    assert job.enqueued_at is not None
    assert jobs.sweep()["enqueued"] == 0  # queued recently: not sent again


# ---- the same request twice is one job ----


def test_resubmission_returns_the_same_job(ledger_world, queue, client):
    world = ledger_world
    first = api(world.staff).get(session_url(world)).json()
    again = api(world.staff).get(session_url(world)).json()
    posted = api(world.staff).post(
        "/api/v1/exports/ledgers/", {"session": world.session.pk, "format": "xlsx"}, format="json"
    )
    assert posted.status_code == 202
    assert first["id"] == again["id"] == posted.json()["id"]
    page = web(client, world.staff).post(
        "/staff/exports/", {"scope": f"session-{world.session.pk}", "file_format": "xlsx"}
    )
    assert page["Location"] == f"/staff/exports/{first['id']}/"
    assert LedgerExport.objects.count() == 1 and queue == [first["id"]]
    # Another format, or after the first is done, is a new job.
    api(world.staff).get(session_url(world, "csv"))
    building.build(first["id"])
    assert api(world.staff).get(session_url(world)).json()["id"] != first["id"]
    assert LedgerExport.objects.count() == 3


def test_start_input_is_checked(ledger_world, queue):
    client = api(ledger_world.staff)
    for data in (
        {"format": "xlsx"},
        {"session": ledger_world.session.pk, "unit": ledger_world.co_unit.pk, "format": "csv"},
        {"session": ledger_world.session.pk, "format": "pdf"},
        {"session": 10**9, "format": "csv"},
    ):
        response = client.post("/api/v1/exports/ledgers/", data, format="json")
        assert response.status_code == 400, data
        assert response.json()["code"] == "invalid"
    assert not LedgerExport.objects.exists()


# ---- owner only: the same 404 for missing and forbidden ----


def test_only_the_owner_reads_the_job_and_its_file(ledger_world, queue, client):
    world = ledger_world
    job = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="xlsx"
    ).job
    building.build(job.pk)
    colleague = CongressStaffFactory(congress=world.congress, user__username="colleague").user
    foreign = CongressStaffFactory(congress=CongressFactory(name="巍山县人民代表大会")).user
    missing = job.pk + 1000
    for path in ("", "download/"):
        gone = api(world.staff).get(f"/api/v1/exports/ledgers/{missing}/{path}")
        assert gone.status_code == 404
        for user in (colleague, foreign, world.lead_unit_user, None):
            response = api(user).get(f"/api/v1/exports/ledgers/{job.pk}/{path}")
            assert (response.status_code, response.content) == (404, gone.content), user
        assert api(world.staff).get(f"/api/v1/exports/ledgers/{job.pk}/{path}").status_code == 200
    retry = api(colleague).post(f"/api/v1/exports/ledgers/{job.pk}/retry/")
    assert retry.status_code == 404

    for path in ("", "download/"):
        for user in (colleague, foreign):
            web(client, user)
            gone = client.get(f"/staff/exports/{missing}/{path}")
            response = client.get(f"/staff/exports/{job.pk}/{path}")
            assert (response.status_code, unmasked(response)) == (404, unmasked(gone))
        client.logout()
        anonymous = client.get(f"/staff/exports/{job.pk}/{path}")
        anonymous_missing = client.get(f"/staff/exports/{missing}/{path}")
        assert anonymous.status_code == 302  # to the login page, saying nothing of the job
        assert anonymous["Location"].replace(str(job.pk), "N") == anonymous_missing[
            "Location"
        ].replace(str(missing), "N")
    owner = web(client, world.staff).get(f"/staff/exports/{job.pk}/download/")
    assert owner.status_code == 200 and b"".join(owner.streaming_content).startswith(b"PK")


def test_an_owner_who_left_the_congress_cannot_download(ledger_world, queue):
    world = ledger_world
    job = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="csv"
    ).job
    building.build(job.pk)
    CongressStaff.objects.filter(user=world.staff).delete()
    assert api(world.staff).get(f"/api/v1/exports/ledgers/{job.pk}/download/").status_code == 404


def test_a_worker_builds_only_what_the_owner_may_still_read(ledger_world, queue):
    world = ledger_world
    job = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="csv"
    ).job
    CongressStaff.objects.filter(user=world.staff).delete()
    assert building.build(job.pk) is False
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "无权" in job.error and not job.file


# ---- pages ----


def test_exports_page_lists_own_jobs_and_offers_the_perimeter(ledger_world, queue, client):
    world = ledger_world
    mine = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="xlsx"
    ).job
    colleague = CongressStaffFactory(congress=world.congress, user__username="colleague").user
    theirs = jobs.ledger_export_request(owner=colleague, unit=world.co_unit, file_format="csv").job
    foreign = CongressFactory(name="巍山县人民代表大会")
    page = web(client, world.staff).get("/staff/exports/").content.decode()
    assert f"/staff/exports/{mine.pk}/" in page and f"/staff/exports/{theirs.pk}/" not in page
    assert (
        f'value="session-{world.session.pk}"' in page and f'value="unit-{world.co_unit.pk}"' in page
    )
    assert foreign.name not in page
    assert 'href="/staff/exports/"' in page  # the navigation links the page


def test_a_unit_member_exports_their_own_unit_only(ledger_world, queue, client, settings):
    world = ledger_world
    settings.EXPORT_SYNC_LIMIT = 2000
    web(client, world.co_unit_user)
    page = client.get("/staff/exports/").content.decode()
    assert f'value="unit-{world.co_unit.pk}"' in page
    assert f'value="unit-{world.lead_unit.pk}"' not in page and "session-" not in page
    response = client.post(
        "/staff/exports/", {"scope": f"unit-{world.co_unit.pk}", "file_format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r[2], r[9]) for r in rows[1:]] == [("关于电池之都的建议", "郴州高新区")]
    forged = client.post(
        "/staff/exports/", {"scope": f"unit-{world.lead_unit.pk}", "file_format": "csv"}
    )
    assert forged.status_code == 400 and not LedgerExport.objects.exists()
    api_forged = api(world.co_unit_user).get(
        f"/api/v1/exports/units/{world.lead_unit.pk}/ledger.csv"
    )
    assert api_forged.status_code == 403
    assert client.get("/staff/exports/", HTTP_ACCEPT="text/html").status_code == 200
    web(client, world.deputy.person.user)
    assert client.get("/staff/exports/").status_code == 403


def test_big_web_export_goes_to_the_progress_page(ledger_world, queue, client):
    world = ledger_world
    response = web(client, world.staff).post(
        "/staff/exports/", {"scope": f"session-{world.session.pk}", "file_format": "xlsx"}
    )
    job = LedgerExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/exports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "已写 0 / 4 行" in page and "/download/" not in page
    building.build(job.pk)
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and "已写 4 / 4 行" in page
    assert f"/staff/exports/{job.pk}/download/" in page


def test_progress_and_list_pages_query_counts_are_constant(ledger_world, queue, client):
    world = ledger_world
    web(client, world.staff)
    first = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="xlsx"
    ).job

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    pending = queries(f"/staff/exports/{first.pk}/")
    building.build(first.pk)
    assert queries(f"/staff/exports/{first.pk}/") == pending
    unit_job = jobs.ledger_export_request(
        owner=world.staff, unit=world.co_unit, file_format="csv"
    ).job
    assert queries(f"/staff/exports/{unit_job.pk}/") == pending
    listing = queries("/staff/exports/")
    for unit in (world.lead_unit, world.other_unit):
        jobs.ledger_export_request(owner=world.staff, unit=unit, file_format="xlsx")
    jobs.ledger_export_request(owner=world.staff, session=world.session, file_format="csv")
    assert queries("/staff/exports/") == listing


# ---- clean-up ----


def test_old_files_are_deleted_with_their_jobs(ledger_world, queue, settings):
    world = ledger_world
    settings.EXPORT_KEEP_DAYS = 7
    old = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="csv"
    ).job
    building.build(old.pk)
    recent = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="csv"
    ).job
    building.build(recent.pk)
    waiting = jobs.ledger_export_request(
        owner=world.staff, unit=world.co_unit, file_format="csv"
    ).job
    LedgerExport.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    old.refresh_from_db()
    recent.refresh_from_db()
    storage = old.file.storage
    assert storage.exists(old.file.name) and storage.exists(recent.file.name)
    assert jobs.cleanup() == 1
    assert not storage.exists(old.file.name) and storage.exists(recent.file.name)
    assert set(LedgerExport.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


# ---- real concurrency (PostgreSQL) ----


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_and_requests_on_postgres(ledger_world, queue):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL; SQLite serialises the database")
    from tests.test_concurrency import run_at_once

    world = ledger_world
    results = run_at_once(
        *[
            lambda: (
                jobs.ledger_export_request(
                    owner=world.staff, session=world.session, file_format="xlsx"
                ).job.pk
            )
        ]
        * 4
    )
    assert len(set(results)) == 1 and LedgerExport.objects.count() == 1, results
    tokens = run_at_once(*[lambda: building.claim(results[0])] * 4)
    assert len([t for t in tokens if t is not None]) == 1, tokens
    assert LedgerExport.objects.get().attempts == 1


def test_the_owner_retries_a_stalled_build_from_the_page(ledger_world, queue, client):
    world = ledger_world
    job = jobs.ledger_export_request(
        owner=world.staff, session=world.session, file_format="csv"
    ).job
    dead = building.claim(job.pk)
    LedgerExport.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    response = web(client, world.staff).post(f"/staff/exports/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ExportStatus.PENDING and job.lease_token is None
    assert queue == [job.pk, job.pk]
    with pytest.raises(building.LostLease):
        building._record_progress(job.pk, dead, rows_done=1)
    assert building.build(job.pk) is True
