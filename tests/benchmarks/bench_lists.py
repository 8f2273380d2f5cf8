"""List and detail page benchmark (not a test): in-process time and query count of every
public HTML page, the public API, the staff workbench, a unit's inbox and a deputy's home
against a large PostgreSQL database, beside a minimal Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lists_bench \\
        .venv/bin/python tests/benchmarks/bench_lists.py [--suggestions 100000] [--requests 30]
        [--explain]

The data is `bench_api.fill()` (public, replied and draft suggestions with their lead
assignments and published replies) plus what these pages read: topics, three public events
per suggestion (registered by a clerk, assigned, replied by the unit's clerk), one unit with
5,000 assignments and a member account, about 10% of assignments overdue, and a clerk of the
congress. Responses are timed through django.test.Client with the public response cache off.
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
os.environ["DEBUG"] = "0"

from tests.benchmarks.bench_api import fill, percentile  # noqa: E402

TOPICS = ["教育", "医疗", "交通", "农业", "环保", "城建", "文旅", "民政", "经济", "科技", "法治"]
BIG_UNIT = "基准测试大单位"
BIG_UNIT_ASSIGNMENTS = 5000


def fill_extras() -> None:
    """Topics, events, the big unit, overdue deadlines and the accounts (once)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from congress.models import Congress, CongressStaff, HandlingUnit, StaffRole
    from suggestions.models import Assignment, Event

    congress = Congress.objects.get(name="基准测试市人民代表大会")
    if HandlingUnit.objects.filter(name=BIG_UNIT).exists():
        return
    users = get_user_model().objects
    with transaction.atomic():
        clerk = users.create(username="bench-staff")
        CongressStaff.objects.create(user=clerk, congress=congress, role=StaffRole.STAFF)
        big = HandlingUnit.objects.create(congress=congress, name=BIG_UNIT)
        big.members.add(users.create(username="bench-big-unit"))
        for unit in HandlingUnit.objects.filter(congress=congress).exclude(pk=big.pk):
            unit.members.add(users.create(username=f"bench-unit-{unit.pk}"))
        with connection.cursor() as cursor:
            topics = "ARRAY[" + ",".join(f"'{t}'" for t in TOPICS) + "]"
            cursor.execute(
                f"UPDATE suggestions_suggestion SET topic = ({topics})[1 + id % {len(TOPICS)}]"
            )
            ids = list(
                Assignment.objects.order_by("?").values_list("pk", flat=True)[:BIG_UNIT_ASSIGNMENTS]
            )
            Assignment.objects.filter(pk__in=ids).update(unit=big)
            # Open assignments: a third overdue (about 10% of all), the rest due later.
            cursor.execute(
                "UPDATE suggestions_assignment a SET due_on = CASE WHEN random() < 0.33 "
                "THEN CURRENT_DATE - 20 ELSE CURRENT_DATE + 60 END "
                "FROM suggestions_suggestion s WHERE s.id = a.suggestion_id "
                "AND s.state = 'assigned'"
            )
            event_table = Event._meta.db_table
            columns = (
                "suggestion_id, action, action_label, from_state, to_state, actor_id, "
                "actor_name, reason, is_public, occurred_at, created_at, date_precision"
            )
            steps = [
                ("register", "立案", "submitted", "registered", clerk.pk, "第1号"),
                ("assign", "交办", "registered", "assigned", clerk.pk, "交办承办单位"),
            ]
            for action, label, source, target, actor, reason in steps:
                cursor.execute(
                    f"INSERT INTO {event_table} ({columns}) SELECT id, %s, %s, %s, %s, %s, '', "
                    "%s, true, now(), now(), 'day' FROM suggestions_suggestion "
                    "WHERE state <> 'draft'",
                    [action, label, source, target, actor, reason],
                )
            cursor.execute(
                f"INSERT INTO {event_table} ({columns}) SELECT a.suggestion_id, 'reply', '答复', "
                "'assigned', 'replied', m.user_id, '', '答复（A类）', true, now(), now(), 'day' "
                "FROM suggestions_assignment a JOIN suggestions_suggestion s "
                "ON s.id = a.suggestion_id JOIN congress_handlingunit_members m "
                "ON m.handlingunit_id = a.unit_id WHERE s.state IN ('replied', 'closed')"
            )
            cursor.execute("ANALYZE")


def scenarios(rng: random.Random) -> dict[str, tuple[str | None, list[str]]]:
    from congress.models import HandlingUnit
    from suggestions.models import Suggestion

    public_ids = list(Suggestion.objects.public().values_list("pk", flat=True)[:5000])
    details = rng.sample(public_ids, 30)
    some_unit = HandlingUnit.objects.exclude(name=BIG_UNIT).order_by("pk").first()
    return {
        "minimal Django view": (None, ["/bench/minimal/"]),
        "home": (None, ["/"]),
        "public list": (None, ["/suggestions/"]),
        "public list page 400": (None, ["/suggestions/?page=400"]),
        "public list topic+unit": (None, [f"/suggestions/?category=交通&unit={some_unit.pk}"]),
        "HTML search 消防 (2)": (None, ["/suggestions/?q=消防"]),
        "HTML search 电池之都 (4)": (None, ["/suggestions/?q=电池之都"]),
        "HTML detail": (None, [f"/suggestions/{pk}/" for pk in details]),
        "API list": (None, ["/api/v1/suggestions/"]),
        "API list page 50": (None, ["/api/v1/suggestions/?page=50"]),
        "API search 消防": (None, ["/api/v1/suggestions/?search=消防"]),
        "API search 电池之都": (None, ["/api/v1/suggestions/?search=电池之都"]),
        "API detail": (None, [f"/api/v1/suggestions/{pk}/" for pk in details]),
        "staff workbench": ("bench-staff", ["/staff/"]),
        "unit inbox (5,000)": ("bench-big-unit", ["/unit/"]),
        "deputy home": ("bench-deputy-0", ["/deputy/"]),
    }


def measure(client, urls: list[str], requests: int) -> tuple[list[float], int]:
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    # Counted by a wrapper: each request resets connection.queries (request_started).
    with connection.execute_wrapper(count):
        response = client.get(urls[0])
    assert response.status_code == 200, (urls[0], response.status_code)
    timings = []
    for i in range(requests):
        start = time.perf_counter()
        response = client.get(urls[i % len(urls)])
        timings.append((time.perf_counter() - start) * 1000)
    return timings, len(executed)


def explain(client, url: str, slowest: int = 3) -> None:
    """EXPLAIN ANALYZE of the slowest queries of one request."""
    from django.db import connection

    timed = []

    def timing(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((time.perf_counter() - start, sql, params))

    with connection.execute_wrapper(timing):
        client.get(url)
    for seconds, sql, params in sorted(timed, key=lambda q: -q[0])[:slowest]:
        print(f"\n--- {url}: {seconds * 1000:.1f} ms\n{sql[-700:]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()[:40]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suggestions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="", help="substring of the scenario names to run")
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "tests.benchmarks.bench_urls"
    settings.PUBLIC_CACHE_SECONDS = 0
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL")
    call_command("migrate", verbosity=0)
    fill(args.suggestions)
    fill_extras()
    print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, (username, urls) in scenarios(random.Random(7)).items():
        if args.only and args.only not in name and name != "minimal Django view":
            continue
        client = Client()
        if username:
            client.force_login(get_user_model().objects.get(username=username))
        timings, queries = measure(client, urls, args.requests)
        p50, p95 = percentile(timings, 50), percentile(timings, 95)
        print(f"{name:28} {p50:8.1f} {p95:8.1f} {queries:8}", flush=True)
        if args.explain and name != "minimal Django view":
            explain(client, urls[0])


if __name__ == "__main__":
    main()
