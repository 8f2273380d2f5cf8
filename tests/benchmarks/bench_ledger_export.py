"""Ledger export benchmark (not a test): how long the request that starts a large export
takes, how long a worker takes to build the file (XLSX and CSV), and the build's peak memory.

Issue 9: an XLSX ledger of 80,092 rows answered 500 after 30 s because the file was built
within the request. Now the request counts the rows and, above EXPORT_SYNC_LIMIT, creates a
job and answers 202; a worker builds the file in chunks. The figures here are the request's
latency (count + job row + enqueue) and the worker's build time and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_export REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python tests/benchmarks/bench_ledger_export.py [--suggestions 90000]

Data comes from `bench_api.fill` (bulk inserts, one session, one assignment per non-draft
suggestion, so about 0.9 ledger rows per suggestion), created on first use and reused. The
broker is not needed: the enqueue is replaced by a no-op and the build runs in this process,
exactly as the worker's task body (`building.build`). Peak memory: tracemalloc's peak of
Python allocations during a second build of each format (tracemalloc slows the build, so the
times come from the first), and the process's maximum resident set size at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
os.environ["DEBUG"] = "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suggestions", type=int, default=90_000)
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from congress.models import CongressStaff, Session, StaffRole
    from suggestions.exports import building
    from suggestions.exports.tasks import build_ledger_export
    from suggestions.models import LedgerExport
    from tests.benchmarks.bench_api import fill, percentile

    call_command("migrate", verbosity=0)
    fill(args.suggestions)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="ledger-bench-")
    settings.ALLOWED_HOSTS = ["*"]
    build_ledger_export.apply_async = lambda *a, **kw: None  # no broker: built below

    session = Session.objects.get(term__congress__name="基准测试市人民代表大会", number=1)
    from django.contrib.auth import get_user_model

    clerk, _ = get_user_model().objects.get_or_create(username="bench-ledger-clerk")
    CongressStaff.objects.get_or_create(
        user=clerk, congress=session.term.congress, defaults={"role": StaffRole.STAFF}
    )
    client = Client()
    client.force_login(clerk)
    print(f"\n{connection.vendor}, EXPORT_SYNC_LIMIT={settings.EXPORT_SYNC_LIMIT}")

    for file_format in ("xlsx", "csv"):
        url = f"/api/v1/exports/sessions/{session.pk}/ledger.{file_format}"
        timings = []
        for _ in range(args.requests):
            LedgerExport.objects.filter(owner=clerk).delete()
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 202, response.status_code
        job = LedgerExport.objects.get(owner=clerk)
        print(
            f"{file_format}: request → 202 with {job.rows_total:,} rows: "
            f"p50 {percentile(timings, 50) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
        )

        start = time.perf_counter()
        assert building.build(job.pk)
        built = time.perf_counter() - start
        job.refresh_from_db()
        size = job.file.size
        print(
            f"{file_format}: build {job.rows_done:,} rows in {built:.1f} s "
            f"({job.rows_done / built:,.0f} rows/s), file {size / 1e6:.1f} MB"
        )

        LedgerExport.objects.filter(pk=job.pk).update(status="pending")
        tracemalloc.start()
        building.build(job.pk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{file_format}: peak Python memory during the build {peak / 1e6:.1f} MB")

    client.get(f"/staff/exports/{job.pk}/")  # warm
    start = time.perf_counter()
    for _ in range(20):
        assert client.get(f"/staff/exports/{job.pk}/").status_code == 200
    page = (time.perf_counter() - start) / 20
    print(f"progress page: {page * 1000:.1f} ms")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS at the end: {maxrss:.0f} MB")
    LedgerExport.objects.filter(owner=clerk).delete()


if __name__ == "__main__":
    main()
