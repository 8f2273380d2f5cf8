"""Benchmark of the reminder sweep (not a test): builds N suggestions in mixed states with
bulk_create and reports the sweep's wall time and query count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reminders_bench \\
        .venv/bin/python tests/benchmarks/bench_sweep.py --sizes 10000,100000

The database in DATABASE_URL is FLUSHED (its name must end in "bench"); on PostgreSQL it is
created if missing. Delivery runs through the locmem mail backend and is reported apart:
the sweep finds and claims in a fixed number of queries, delivery is one UPDATE per message.
On PostgreSQL a sweep that claims new reminders also runs one COPY, which the query counter
(an execute wrapper) cannot see; the report marks it as "+1 COPY".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"


def ensure_database() -> None:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url) if url else {}
    name = str(config.get("NAME", ""))
    if not name.endswith("bench"):
        sys.exit("DATABASE_URL must name a database ending in 'bench' (it is flushed).")
    if "postgresql" in config.get("ENGINE", ""):
        import psycopg

        admin = psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"],
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        )
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
        admin.close()


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def build(n: int, today: dt.date) -> dict:
    from django.contrib.auth import get_user_model

    from congress.models import (
        Congress,
        CongressStaff,
        Deputy,
        HandlingUnit,
        Person,
        Session,
        Term,
    )
    from suggestions.models import (
        Assignment,
        CoHandlingOpinion,
        FollowUpReview,
        State,
        Suggestion,
        SupervisionPlan,
        UnitRole,
    )

    rng = random.Random(20251009)
    User = get_user_model()
    congress = Congress.objects.create(
        name="基准测试市人民代表大会", level="municipal", region="基准市"
    )
    term = Term.objects.create(congress=congress, number=1, name="一届")
    session = Session.objects.create(term=term, number=1, name="一届人大一次会议")
    people = Person.objects.bulk_create(
        [Person(name=f"代表{i}", email=f"deputy{i}@example.org") for i in range(200)]
    )
    deputies = Deputy.objects.bulk_create([Deputy(person=p, term=term) for p in people])
    staff = User.objects.bulk_create(
        [User(username=f"staff{i}", email=f"staff{i}@example.org") for i in range(5)]
    )
    CongressStaff.objects.bulk_create(
        [CongressStaff(user=u, congress=congress, role="staff") for u in staff]
    )
    leaders = User.objects.bulk_create(
        [User(username=f"leader{i}", email=f"leader{i}@example.org") for i in range(10)]
    )
    Person.objects.bulk_create([Person(name=f"领导{i}", user=u) for i, u in enumerate(leaders)])
    units = HandlingUnit.objects.bulk_create(
        [
            HandlingUnit(congress=congress, name=f"单位{i}", email=f"unit{i}@example.org")
            for i in range(50)
        ]
    )
    members = User.objects.bulk_create(
        [User(username=f"member{i}", email=f"member{i}@example.org") for i in range(100)]
    )
    HandlingUnit.members.through.objects.bulk_create(
        [
            HandlingUnit.members.through(handlingunit=units[i // 2], user=m)
            for i, m in enumerate(members)
        ]
    )

    weights = {
        State.ASSIGNED: 40,
        State.REHANDLING: 5,
        State.REPLIED: 10,
        State.RETURNED: 5,
        State.CLOSED: 12,
        State.FOLLOW_UP: 5,
        State.COMPLETED: 5,
        State.DRAFT: 3,
        State.SUBMITTED: 3,
        State.REGISTERED: 4,
        State.WITHDRAWN: 3,
        State.REFUSED: 3,
        State.MERGED: 2,
    }
    states = rng.choices(list(weights), weights=list(weights.values()), k=n)
    day = dt.timedelta(days=1)
    suggestions = []
    for i, state in enumerate(states):
        suggestion = Suggestion(
            congress=congress,
            term=term,
            session=session,
            number=i + 1,
            title=f"关于第{i + 1}项工作的建议",
            body="正文",
            lead_deputy=deputies[i % len(deputies)],
            state=state,
            handling_round=2 if state == State.REHANDLING else 1,
        )
        if state == State.RETURNED:
            suggestion.revision_due_on = today + rng.randint(-5, 10) * day
        if state == State.REPLIED:
            suggestion.evaluation_due_on = today + rng.randint(-1, 30) * day
        suggestions.append(suggestion)
    suggestions = Suggestion.objects.bulk_create(suggestions, batch_size=5000)

    assignments, co_assignments = [], []
    for suggestion in suggestions:
        if suggestion.state not in (State.ASSIGNED, State.REHANDLING, State.REPLIED, State.CLOSED):
            continue
        due = today + rng.randint(-60, 120) * day
        assignments.append(
            Assignment(
                suggestion=suggestion,
                unit=units[rng.randrange(len(units))],
                role=UnitRole.LEAD,
                assigned_on=due - 90 * day,
                due_on=due,
                due_explanation=f"交办 {(due - 90 * day).isoformat()} + 3个月 = {due.isoformat()}",
                rehandling_due_on=(today + rng.randint(-5, 30) * day)
                if suggestion.state == State.REHANDLING
                else None,
                rehandling_explanation="不满意测评 + 1个月"
                if suggestion.state == State.REHANDLING
                else "",
            )
        )
        if suggestion.state == State.ASSIGNED and rng.random() < 0.25:
            co_assignments.append(
                Assignment(
                    suggestion=suggestion,
                    unit=units[rng.randrange(len(units))],
                    role=UnitRole.CO,
                    assigned_on=due - 90 * day,
                    due_on=due - 60 * day,
                    due_explanation="交办 + 1个月",
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=5000, ignore_conflicts=True)
    co_created = Assignment.objects.bulk_create(
        co_assignments, batch_size=5000, ignore_conflicts=True
    )
    with_opinion = [a for a in Assignment.objects.filter(role=UnitRole.CO) if rng.random() < 0.5]
    CoHandlingOpinion.objects.bulk_create(
        [CoHandlingOpinion(assignment=a, round=1, text="意见") for a in with_opinion],
        batch_size=5000,
    )
    FollowUpReview.objects.bulk_create(
        [
            FollowUpReview(suggestion=s, due_on=today + rng.randint(-30, 90) * day)
            for s in suggestions
            if s.state == State.FOLLOW_UP
        ],
        batch_size=5000,
    )
    assigned = [s for s in suggestions if s.state == State.ASSIGNED]
    plans = SupervisionPlan.objects.bulk_create(
        [
            SupervisionPlan(
                congress=congress,
                theme=f"督办主题{i}",
                leader=leaders[i % len(leaders)],
                lead_unit=units[i % len(units)],
                deadline=today + rng.randint(-10, 60) * day,
            )
            for i in range(max(1, n // 500))
        ]
    )
    SupervisionPlan.suggestions.through.objects.bulk_create(
        [
            SupervisionPlan.suggestions.through(supervisionplan=plans[i % len(plans)], suggestion=s)
            for i, s in enumerate(assigned[: len(plans) * 20])
        ],
        batch_size=5000,
    )
    return {
        "suggestions": n,
        "assignments": len(assignments) + len(co_created),
        "plans": len(plans),
    }


def measure(n: int, deliver_up_to: int) -> None:
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from suggestions.reminders.delivery import deliver_all
    from suggestions.reminders.sweep import _lapse_evaluations, run_sweep

    call_command("flush", interactive=False, verbosity=0)
    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    sizes = build(n, timezone.localdate(now))
    built = time.perf_counter() - started
    mail.outbox = []

    def timed(label: str, func):
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            result = func()
        elapsed = time.perf_counter() - started
        return result, elapsed, counter.count

    # Lapsing evaluations is a state transition per suggestion (rare writes, a handful a
    # day); it is timed apart so the sweep's own query count can be seen to stay flat.
    lapsed, t0, q0 = timed("lapse", lambda: _lapse_evaluations(timezone.localdate(now)))
    first, t1, q1 = timed("sweep", lambda: run_sweep(now=now))
    # On PostgreSQL the claim also streams its rows with one COPY, which psycopg runs outside
    # Django's execute wrappers: a sweep that creates rows runs one statement more than counted.
    copy = " (+1 COPY)" if connection.vendor == "postgresql" and first.created_total else ""
    lines = [
        f"{n:>7} suggestions ({sizes['assignments']} assignments, {sizes['plans']} plans; "
        f"built in {built:.1f}s)",
        f"  lapse transitions: {t0:6.2f}s {q0:6d} queries — {lapsed} evaluations closed",
        f"  first sweep:       {t1:6.2f}s {q1:6d} queries{copy} — {first.created_total} "
        f"reminders claimed (texts rendered)",
    ]
    if n <= deliver_up_to:
        delivered, t2, q2 = timed("deliver", lambda: deliver_all(now=now))
        lines.append(
            f"  delivery:          {t2:6.2f}s {q2:6d} queries — {delivered.sent} sent "
            f"({len(mail.outbox)} e-mails, locmem backend)"
        )
    second, t3, q3 = timed("sweep again", lambda: run_sweep(now=now))
    lines.append(
        f"  second sweep:      {t3:6.2f}s {q3:6d} queries — {second.created_total} new, "
        f"{second.due} due reminders already claimed"
    )
    print("\n".join(lines), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated, e.g. 10000,100000")
    parser.add_argument(
        "--deliver-up-to",
        type=int,
        default=10000,
        help="also time delivery (one UPDATE per e-mail) for sizes up to this",
    )
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    for size in (int(s) for s in args.sizes.split(",")):
        measure(size, args.deliver_up_to)


if __name__ == "__main__":
    main()
