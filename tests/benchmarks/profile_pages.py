"""Where a page's time goes (not a test): for each URL of the load benchmark, in-process
through Django's full stack, the median time of a few requests, its queries (count, total
SQL time, the slowest ones) and the functions of the project that took the most time
(cProfile), optionally with `EXPLAIN (ANALYZE, BUFFERS)` of each page's slowest query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load_bench \\
        .venv/bin/python tests/benchmarks/profile_pages.py [--only staff] [--explain] \\
        [--output PROFILE.md]

Run bench_load.py first: it migrates and fills the database this reads.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.load_settings")
os.environ["DEBUG"] = "0"
os.environ["PUBLIC_CACHE_SECONDS"] = "0"


def top_functions(profile: cProfile.Profile, count: int) -> list[str]:
    """The project's own functions (and the template engine's render) by cumulative time."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_, calls, _tottime, cumtime, _) in stats.stats.items():
        ours = str(ROOT) in filename and "/.venv/" not in filename and "benchmarks" not in filename
        if ours:
            where = f"{Path(filename).relative_to(ROOT)}:{line} {name}"
            rows.append((cumtime, f"{where} ({calls} calls)"))
    rows.sort(reverse=True)
    lines = [f"{cumtime * 1000:.0f} ms {where}" for cumtime, where in rows[:count]]
    rendering = [
        cumtime
        for (filename, _line, name), (_, _calls, _tottime, cumtime, _) in stats.stats.items()
        if filename.endswith("django/template/backends/django.py") and name == "render"
    ]
    if rendering:
        lines.append(
            f"{max(rendering) * 1000:.0f} ms rendering the template (Django; with the queries it evaluates)"
        )
    return lines


def fetch(client, path: str):
    """GET `path` and read the whole body (a streamed export is produced while it is read)."""
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def profile_page(client, path: str, runs: int, explain: bool) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fetch(client, path)  # warm
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = fetch(client, path)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        fetch(client, path)
        captured_ms = (time.perf_counter() - start) * 1000
    # read now: the next request's request_started signal empties the connection's log
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    profile = cProfile.Profile()
    profile.enable()
    fetch(client, path)
    profile.disable()
    sql_ms = sum(float(q["time"]) for q in queries) * 1000
    lines = [
        f"### `{path}`",
        "",
        f"- status {response.status_code}, median of {runs}: **{statistics.median(timings):.0f} ms**"
        f"; with queries captured {captured_ms:.0f} ms, of which SQL {sql_ms:.0f} ms in "
        f"{len(queries)} queries",
        "- slowest queries:",
    ]
    for query in queries[:4]:
        lines.append(f"  - {float(query['time']) * 1000:.0f} ms: `{query['sql'][:400]}`")
    lines.append("- project functions by cumulative time (cProfile, inflated by profiling):")
    lines += [f"  - {row}" for row in top_functions(profile, 8)]
    if explain and queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + queries[0]["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        lines += ["- plan of the slowest query:", "", "```", plan, "```"]
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="profile only the rows whose label contains this")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.benchmarks.bench_load import scenarios

    out = []
    for row in scenarios(export=True):
        if args.only and args.only not in row.label:
            continue
        client = Client()
        if row.account:
            client.force_login(get_user_model().objects.get(username=row.account))
        out.append(f"## {row.label}\n")
        out += profile_page(client, row.paths[0], args.runs, args.explain)
        print("\n".join(out[-1:]), row.label, flush=True)
    text = "\n".join(out)
    if args.output:
        args.output.write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
