"""Benchmark of filing a long suggestion (not a test): a deputy's draft is created and
submitted through the services with a 4,000- and a 32,000-character Chinese body, on the
database in DATABASE_URL, and the script prints the median times and their ratio. A linear
cost gives a ratio near 8 (less, with the fixed cost of the calls); the quadratic bigram
function of migration 0003 gave about 64.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \\
        .venv/bin/python tests/benchmarks/bench_long_text.py [--repeat 3] [--quadratic]

The database must be migrated. Everything runs in one transaction that is rolled back, so
the database is left as it was. ``--quadratic`` (PostgreSQL) puts the definition of 0003
back inside that transaction, to measure what filing cost before migration 0004; its
statements are cancelled after ``--timeout`` seconds, and a cancelled one is reported as
"> timeout". (Other sessions using suggestion_bigrams wait for this transaction meanwhile.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
os.environ["DEBUG"] = "0"  # DEBUG keeps every query (and its 32k parameter) in memory

LENGTHS = (4_000, 32_000)
PHRASE = "建议加快推进电池回收利用体系建设，完善消防安全配套政策，"

QUADRATIC_BIGRAMS = """
CREATE OR REPLACE FUNCTION suggestion_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(upper($1), i, 2)), '{}')
    FROM generate_series(1, char_length($1) - 1) AS i
$$
"""


class Rollback(Exception):
    pass


def body_of(length: int, serial: int) -> str:
    text = f"第{serial}稿：" + PHRASE * (length // len(PHRASE) + 1)
    return text[:length]


def file_one(deputy, length: int, serial: int) -> float:
    """Seconds to create and submit one draft with a body of `length` characters."""
    from django.db import transaction

    from suggestions import services

    user = deputy.person.user
    started = time.perf_counter()
    with transaction.atomic():
        suggestion = services.suggestion_create_draft(
            actor=user,
            lead_deputy=deputy,
            title=f"关于长篇建议第{serial}稿的建议",
            body=body_of(length, serial),
        )
        services.suggestion_submit(suggestion=suggestion, actor=user)
    return time.perf_counter() - started


def run(repeat: int, quadratic: bool, timeout: float) -> None:
    import django

    django.setup()
    from django.db import OperationalError, connection, transaction

    from tests.factories import DeputyFactory

    postgres = connection.vendor == "postgresql"
    if quadratic and not postgres:
        sys.exit("--quadratic needs PostgreSQL (the bigram function exists only there)")
    print(f"database: {connection.vendor} {connection.settings_dict.get('NAME')}")
    print(f"bigram function: {'0003 (quadratic)' if quadratic else 'as migrated'}")
    results: dict[int, list[float] | None] = {}
    try:
        with transaction.atomic():
            deputy = DeputyFactory(person__name="基准代表", person__user__username="bench-long")
            with connection.cursor() as cursor:
                if quadratic:
                    cursor.execute(QUADRATIC_BIGRAMS)
                if postgres:
                    cursor.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
            serial = 0
            for length in LENGTHS:
                times = []
                for _ in range(repeat):
                    serial += 1
                    try:
                        times.append(file_one(deputy, length, serial))
                    except OperationalError as exc:
                        if "statement timeout" not in str(exc):
                            raise
                        times = None
                        break
                results[length] = times
                if times is None:
                    break  # the transaction is aborted; a longer text would only wait too
            raise Rollback
    except Rollback:
        pass
    for length in LENGTHS:
        times = results.get(length)
        if times is None:
            shown = f"> {timeout:.0f} s (cancelled)" if length in results else "not run"
        else:
            shown = (
                f"{statistics.median(times):8.3f} s  (runs: {', '.join(f'{t:.3f}' for t in times)})"
            )
        print(f"{length:>6} characters: {shown}")
    short, long = results.get(LENGTHS[0]), results.get(LENGTHS[1])
    if short and long:
        ratio = statistics.median(long) / statistics.median(short)
        print(
            f"ratio {LENGTHS[1]:,} / {LENGTHS[0]:,}: {ratio:.1f} (length ratio {LENGTHS[1] // LENGTHS[0]})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quadratic", action="store_true")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per statement")
    args = parser.parse_args()
    run(args.repeat, args.quadratic, args.timeout)


if __name__ == "__main__":
    main()
