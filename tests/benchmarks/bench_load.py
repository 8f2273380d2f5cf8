"""Load benchmark (not a test): cold latency of the site's pages served by gunicorn, each as a
ratio to a minimal Django view served by the same gunicorn in the same run (issue 9, item 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load_bench \\
        .venv/bin/python tests/benchmarks/bench_load.py [--suggestions 100000] [--requests 200] \\
        [--output table.md]

What it does, in order:
1. `manage.py migrate` and `manage.py collectstatic` (into a temporary STATIC_ROOT), with
   production settings as README "Deployment" documents them (DJANGO_ENV=production,
   CONN_MAX_AGE=60, REDIS_URL, DEBUG off) except what plain HTTP on localhost needs
   (SECURE_SSL_REDIRECT, the secure cookies and HSTS off) and PUBLIC_CACHE_SECONDS=0: the
   response cache off, so every request reaches the database ("cold").
2. Fills the database to N suggestions if it holds fewer (tests/benchmarks/dataset.py; the
   database is reused by later runs).
3. Starts gunicorn (2 sync workers, a free port on 127.0.0.1) on
   tests/benchmarks/load_settings.py: the site's URLs plus /bench/minimal/.
4. Signs in the staff, unit and leader accounts by writing Django sessions directly and
   sending their cookie.
5. Warms every URL (3 requests), then measures in rounds: each round sends one request to
   every URL in turn, the minimal view included, so slow drifts of the machine (other
   processes, the database's caches) fall on every row alike. A URL stops being measured
   after --budget seconds of its own time, so a slow page cannot hold up the run; each
   request has a --timeout. Errors and timeouts are counted in the row, never fatal.

The load generator is one client connection sending one request at a time (concurrency 1):
the figures are the latency a person meets, not throughput under queueing, and the client
does not compete with the two workers for the machine's two cores. gunicorn's sync workers
close the connection after each response, so every request (the minimal view's too) pays a
TCP connect, as a browser's first visit does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import platform
import random
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MINIMAL = "minimal Django view"


@dataclass
class Scenario:
    label: str
    paths: list[str]
    target: int | None = None  # allowed p95 ratio to the minimal view; None: shown only
    account: str | None = None  # username whose session cookie is sent
    timings: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    spent: float = 0.0
    note: str = ""


def server_environment(static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="tests.benchmarks.load_settings",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL=env.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        CONN_MAX_AGE="60",
        STATIC_ROOT=static_root,
        DEBUG="0",
        PUBLIC_CACHE_SECONDS="0",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
    )
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "congress.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, "/bench/minimal/", None, 5)[0] == "200":
                return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    server.terminate()
    sys.exit(f"gunicorn did not answer; its log: {log}")


def request(port: int, path: str, cookie: str | None, timeout: float) -> tuple[str, float]:
    """One GET on a new connection (sync workers close each one): (status, milliseconds)."""
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    start = time.perf_counter()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        status = str(response.status)
    except TimeoutError:
        status = "timeout"
    except (OSError, http.client.HTTPException) as error:
        status = type(error).__name__
    finally:
        connection.close()
    return status, (time.perf_counter() - start) * 1000


def session_cookie(username: str) -> str:
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def scenarios(export: bool) -> list[Scenario]:
    from congress.models import Congress, HandlingUnit, Session
    from suggestions.models import Suggestion
    from tests.benchmarks import dataset

    congress = Congress.objects.get(name=dataset.CONGRESS_NAME)
    session = Session.objects.filter(term__congress=congress).order_by("-number").first()
    big_unit = HandlingUnit.objects.get(congress=congress, name=dataset.BIG_UNIT)
    public = Suggestion.objects.public()
    ids = random.Random(7).sample(list(public.values_list("pk", flat=True)), 200)
    pages = -(-public.count() // 20)
    deep = min(400, pages)
    two, four = quote("消防"), quote("电池之都")
    staff, unit, leader = dataset.STAFF, dataset.UNIT_USER, dataset.LEADER
    rows = [
        Scenario(MINIMAL, ["/bench/minimal/"], 1),
        Scenario("API list, page 1", ["/api/v1/suggestions/"], 5),
        Scenario("API search 消防 (2 chars)", [f"/api/v1/suggestions/?search={two}"], 5),
        Scenario("API search 电池之都 (4 chars)", [f"/api/v1/suggestions/?search={four}"], 5),
        Scenario("API detail (200 ids in turn)", [f"/api/v1/suggestions/{i}/" for i in ids], 5),
        Scenario("HTML list, page 1", ["/suggestions/"], 10),
        Scenario(f"HTML list, page {deep}", [f"/suggestions/?page={deep}"], 10),
        Scenario("HTML search 消防 (2 chars)", [f"/suggestions/?q={two}"], 10),
        Scenario("HTML search 电池之都 (4 chars)", [f"/suggestions/?q={four}"], 10),
        Scenario("HTML detail (200 ids in turn)", [f"/suggestions/{i}/" for i in ids], 10),
        Scenario("/stats/", ["/stats/"], 10),
        Scenario("staff list /staff/", ["/staff/"], 20, staff),
        Scenario("staff dashboard", ["/staff/dashboard/"], 20, staff),
        Scenario(
            f"unit inbox /unit/ ({big_unit.assignments.count():,} assignments)",
            ["/unit/"],
            20,
            unit,
        ),
        Scenario("statistics API, congress", [f"/api/v1/statistics/congresses/{congress.pk}/"], 20),
        Scenario(
            "statistics API, units", [f"/api/v1/statistics/congresses/{congress.pk}/units/"], 20
        ),
        Scenario("leader home /leader/", ["/leader/"], None, leader),
    ]
    if deep < 400:
        rows[6].note = f"deepest page: {pages} pages of 20"
    if export:
        rows.append(
            Scenario(
                "ledger export, session (csv)",
                [f"/api/v1/exports/sessions/{session.pk}/ledger.csv"],
                None,
                staff,
            )
        )
    return rows


def measure(rows: list[Scenario], port: int, args: argparse.Namespace) -> None:
    cookies = {r.account: session_cookie(r.account) for r in rows if r.account}
    for row in rows:  # warm both workers' connections, the caches and the database's buffers
        for i in range(3):
            request(port, row.paths[i % len(row.paths)], cookies.get(row.account), args.timeout)
    for index in range(args.requests):
        active = [r for r in rows if r.spent < args.budget]
        if not active:
            break
        for row in active:
            path = row.paths[index % len(row.paths)]
            status, ms = request(port, path, cookies.get(row.account), args.timeout)
            row.timings.append(ms)
            row.statuses[status] = row.statuses.get(status, 0) + 1
            row.spent += ms / 1000
        if index % 20 == 19:
            print(f"  round {index + 1}/{args.requests}", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def table(rows: list[Scenario], header: str) -> str:
    base = percentile(rows[0].timings, 95)
    lines = [
        header,
        "",
        "| request | n | status | p50 ms | p95 ms | p95 ÷ minimal p95 | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        p50, p95 = percentile(row.timings, 50), percentile(row.timings, 95)
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(row.statuses.items()))
        ratio = p95 / base
        target = f"{row.target}×" if row.target else "—"
        ok = all(k == "200" for k in row.statuses)
        met = "—" if not row.target else ("yes" if ratio <= row.target and ok else "**no**")
        label = f"{row.label} ({row.note})" if row.note else row.label
        lines.append(
            f"| {label} | {len(row.timings)} | {statuses} | {p50:.1f} | {p95:.1f} "
            f"| {ratio:.1f}× | {target} | {met} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suggestions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="per URL")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    parser.add_argument("--budget", type=float, default=120, help="seconds of time per URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--export", action="store_true", help="also request a ledger export")
    parser.add_argument(
        "--after-fill",
        action="append",
        default=[],
        metavar="COMMAND",
        help="a manage.py command (with its arguments, quoted) run after filling, before "
        "measuring: e.g. one that rebuilds data derived from the rows, which bulk inserts "
        "bypass; may be repeated",
    )
    parser.add_argument("--fill-only", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only the rows whose label contains this (repeatable); "
        "the minimal view is always measured",
    )
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Run against PostgreSQL: set DATABASE_URL=postgres://…/load_bench")

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = server_environment(static_root)
    os.environ.update(env)  # this process signs the sessions: same SECRET_KEY as the server
    manage(env, "migrate", "--verbosity", "0")
    import django

    django.setup()
    from django.db import connection

    from suggestions.models import Suggestion
    from tests.benchmarks import dataset

    dataset.fill(args.suggestions)
    for command in args.after_fill:
        manage(env, *shlex.split(command))
    # Bulk-filled tables have no visibility map and stale statistics until vacuumed; a
    # production server's autovacuum keeps both current (autovacuum is off on some machines
    # here), and index-only scans and plans depend on them.
    with connection.cursor() as cursor:  # Django's autocommit: VACUUM needs no transaction
        cursor.execute("VACUUM (ANALYZE)")
    if args.fill_only:
        return
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    rows = [
        row
        for row in scenarios(args.export)
        if row.label == MINIMAL or not args.only or any(o in row.label for o in args.only)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    connection.close()  # this process's connection stays out of the measurement

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # so gunicorn is stopped too
    port = free_port()
    log = Path(static_root) / "gunicorn.log"
    server = start_gunicorn(env, port, args.workers, log)
    try:
        measure(rows, port, args)
    finally:
        server.terminate()
        server.wait(timeout=30)
    total, public = Suggestion.objects.count(), Suggestion.objects.public().count()
    header = (
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.platform()} · PostgreSQL {pg_version} · "
        f"gunicorn {args.workers} sync workers · {total:,} suggestions ({public:,} public) · "
        f"cold (PUBLIC_CACHE_SECONDS=0) · up to {args.requests} requests per URL in rounds, "
        f"concurrency 1, {args.budget:.0f} s budget per URL"
    )
    result = table(rows, header)
    print("\n" + result)
    if args.output:
        args.output.write_text(result + "\n")
    print(f"\ngunicorn log: {log}")


if __name__ == "__main__":
    main()
