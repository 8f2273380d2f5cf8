"""Statistics latency benchmark (not a test): p50/p95 and query counts of the public /stats/
page, the staff dashboard and the statistics API against N suggestions on PostgreSQL, next to
a minimal Django view measured in the same run (the issue's target: /stats/ within 10x, the
dashboard and the API within 20x of the minimal view's p95, cold: response cache off). It
also times one full refresh of the statistics rollup (`suggestions.statistics.refresh`).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stats_bench \\
        .venv/bin/python tests/benchmarks/bench_stats.py [--suggestions 20000] [--requests 50]

The data is bench_api.py's (bulk inserts, one session, 40 units); the database is filled on
first use and reused by later runs. Requests go in-process through Django's full stack
(django.test.Client), or with `--server http://127.0.0.1:8000` over HTTP to a running server,
e.g. gunicorn serving `tests.benchmarks.bench_wsgi` (the site plus the minimal view):

    PUBLIC_CACHE_SECONDS=0 CONN_MAX_AGE=60 DATABASE_URL=… gunicorn tests.benchmarks.bench_wsgi \
        --workers 2 --bind 127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
os.environ["DEBUG"] = "0"

from tests.benchmarks.bench_api import fill, percentile  # noqa: E402


class HttpClient:
    """The slice of django.test.Client that `measure` uses, over HTTP to a running server
    (no query count: the queries run in the server's process)."""

    def __init__(self, base: str, session_key: str | None = None):
        self.base, self.session_key = base.rstrip("/"), session_key

    def get(self, url: str):
        import urllib.request
        from types import SimpleNamespace

        request = urllib.request.Request(self.base + url)
        if self.session_key:
            request.add_header("Cookie", f"sessionid={self.session_key}")
        with urllib.request.urlopen(request) as response:
            response.read()
            return SimpleNamespace(status_code=response.status)


def measure(client, url: str, requests: int) -> tuple[list[float], int]:
    from django.db import connection

    queries = []  # counted by a wrapper: a request resets Django's own query log

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200, url  # warm-up, and the query count
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings, len(queries)


def staff_user(congress):
    from django.contrib.auth import get_user_model

    from congress.models import CongressStaff

    user, _ = get_user_model().objects.get_or_create(username="bench-staff")
    CongressStaff.objects.get_or_create(user=user, congress=congress, role="staff")
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suggestions", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--server", help="send the requests over HTTP to this server")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "tests.benchmarks.bench_urls"
    settings.PUBLIC_CACHE_SECONDS = 0
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL=postgres://…/stats_bench")
    call_command("migrate", verbosity=0)
    fill(args.suggestions)

    from congress.models import Congress, HandlingUnit, Session
    from suggestions.models import Suggestion

    congress = Congress.objects.get(name="基准测试市人民代表大会")
    session = Session.objects.get(term__congress=congress)
    unit = HandlingUnit.objects.filter(congress=congress).order_by("pk").first()
    refresh_seconds = None
    try:
        from suggestions.statistics import refresh
    except ImportError:  # before the rollup: every request computes
        refresh = None
    if refresh is not None:
        start = time.perf_counter()
        refresh(congress)
        refresh_seconds = time.perf_counter() - start

    staff = Client()
    staff.force_login(staff_user(congress))
    client = Client()
    if args.server:
        client = HttpClient(args.server)
        staff = HttpClient(args.server, staff.session.session_key)
    api = "/api/v1/statistics"
    scenarios = {
        "minimal Django view": (client, "/bench/minimal/"),
        "/stats/": (client, "/stats/"),
        "/staff/dashboard/": (staff, "/staff/dashboard/"),
        "API congress": (client, f"{api}/congresses/{congress.pk}/"),
        "API congress sessions": (client, f"{api}/congresses/{congress.pk}/sessions/"),
        "API congress units": (client, f"{api}/congresses/{congress.pk}/units/"),
        "API session": (client, f"{api}/sessions/{session.pk}/"),
        "API unit": (client, f"{api}/units/{unit.pk}/"),
    }
    results = {name: measure(who, url, args.requests) for name, (who, url) in scenarios.items()}
    print(
        f"\n{Suggestion.objects.count()} suggestions ({Suggestion.objects.public().count()} "
        f"public), {args.requests} requests each, response cache off, "
        + (f"over HTTP to {args.server}" if args.server else "in-process")
    )
    if refresh_seconds is not None:
        print(f"one full refresh of the congress's rollup: {refresh_seconds:.2f} s")
    base = percentile(results["minimal Django view"][0], 95)
    print(f"{'request':24} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'p95 / minimal':>14}")
    for name, (timings, queries) in results.items():
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        shown = "-" if args.server else str(queries)
        print(f"{name:24} {shown:>7} {p50:8.2f} {p95:8.2f} {p95 / base:13.1f}x")


if __name__ == "__main__":
    main()
