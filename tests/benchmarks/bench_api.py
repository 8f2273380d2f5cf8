"""API latency benchmark (not a test): p50/p95 of the public list, a search and a detail
request against 100,000 suggestions on PostgreSQL, next to a minimal Django view measured in
the same run. The ratio to the minimal view is the figure (the issue's target: public list
and search p95 within 5x of the minimal view's p95). Each request is measured twice: cold,
with the public response cache off (PUBLIC_CACHE_SECONDS=0: every request reads the
database), and warm, with it on after one visit of every URL (an anonymous visitor repeating
what others asked since the last write; see suggestions/api/public_cache.py).

Synthetic data: tests/benchmarks/dataset.py (shared with bench_load.py), in which 3% of texts
contain one of 电池/消防/古民居/电池之都, so each of these terms matches hundreds to thousands
of suggestions (commoner than in real ledgers).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/api_bench \\
        .venv/bin/python tests/benchmarks/bench_api.py [--suggestions 100000] [--requests 200]

The database is created and filled on first use (bulk inserts: benchmark data is not a
lifecycle, so it bypasses the services on purpose) and reused by later runs. Requests go
through Django's full stack in-process (django.test.Client: middleware, DRF, database), so
network noise is left out and the ratio compares like with like.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory and slows everything


def measure(client, urls: list[str], requests: int) -> list[float]:
    for url in urls:  # warm up connections, the database's buffers and (warm) the cache
        client.get(url)
    timings = []
    for i in range(requests):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suggestions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "tests.benchmarks.bench_urls"
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL=postgres://…/api_bench")
    call_command("migrate", verbosity=0)
    from tests.benchmarks.dataset import fill

    fill(args.suggestions)

    from suggestions.models import Suggestion

    public_ids = list(Suggestion.objects.public().values_list("pk", flat=True)[:5000])
    rng = random.Random(7)
    client = Client()
    scenarios = {
        "minimal Django view": ["/bench/minimal/"],
        "public list (page 1)": ["/api/v1/suggestions/"],
        "public list (page 50)": ["/api/v1/suggestions/?page=50"],
        "search 电池之都 (4 chars)": ["/api/v1/suggestions/?search=电池之都"],
        "search 消防 (2 chars)": ["/api/v1/suggestions/?search=消防"],
        "search 古民居 消防 (2 terms)": ["/api/v1/suggestions/?search=古民居 消防"],
        "detail": [f"/api/v1/suggestions/{pk}/" for pk in rng.sample(public_ids, 200)],
    }
    results = {}
    for label, seconds in (("cold", 0), ("warm", 300)):
        settings.PUBLIC_CACHE_SECONDS = seconds
        results[label] = {
            name: measure(client, urls, args.requests) for name, urls in scenarios.items()
        }
    print(
        f"\n{Suggestion.objects.count()} suggestions ({Suggestion.objects.public().count()} "
        f"public), {args.requests} requests each; cold = response cache off, warm = on\n"
    )
    print(f"{'request':32} {'cache':>5} {'p50 ms':>8} {'p95 ms':>8} {'p95 / minimal p95':>18}")
    for label, timings_by_name in results.items():
        base = percentile(timings_by_name["minimal Django view"], 95)
        for name, timings in timings_by_name.items():
            p50, p95 = percentile(timings, 50), percentile(timings, 95)
            print(f"{name:32} {label:>5} {p50:8.2f} {p95:8.2f} {p95 / base:17.1f}x")


if __name__ == "__main__":
    main()
