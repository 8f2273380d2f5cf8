"""Claiming reminders: one read of the keys already claimed, then one INSERT … ON CONFLICT
DO NOTHING for all the new ones.

The new rows reach the database in a fixed number of statements however many reminders are
due (PostgreSQL: COPY into a temporary table; SQLite: one JSON parameter read by
`json_each`), and the unique key makes the insert the arbiter: a row that already exists
(sent, pending, cancelled) is left alone, and RETURNING tells exactly which reminders this
sweep created. Texts are rendered only for the rows not yet claimed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Reminder, ReminderStatus
from .planning import PlannedReminder

PAYLOAD_COLUMNS = (
    ("kind", "text"),
    ("object_type", "text"),
    ("object_id", "bigint"),
    ("recipient_key", "text"),
    ("due_on", "date"),
    ("step", "text"),
    ("suggestion_id", "bigint"),
    ("recipient_user_id", "bigint"),
    ("email", "text"),
    ("subject", "text"),
    ("body", "text"),
)
KEY_COLUMNS = ("kind", "object_type", "object_id", "recipient_key", "due_on", "step")
FIXED_COLUMNS: tuple[str, ...] = (
    "status",
    "attempts",
    "next_attempt_at",
    "lease_token",
    "lease_until",
    "last_error",
    "created_at",
    "sent_at",
)


PAYLOAD_NAMES = tuple(name for name, _type in PAYLOAD_COLUMNS)
# Pending rows start with no attempt, no lease and no error.
FIXED_VALUES = "%s, 0, %s, NULL, NULL, '', %s, NULL"
CLAIM_TABLE = "reminders_claim"


def _rows(planned: Sequence[PlannedReminder]) -> Iterator[tuple]:
    """The INSERT's payload as plain tuples in PAYLOAD_COLUMNS order, texts rendered."""
    language = get_language() or ""
    for p in planned:
        subject, body = p.render(language)
        yield (
            p.kind,
            p.object_type,
            p.object_id,
            p.recipient_key,
            p.due_on,
            p.step,
            p.suggestion_id,
            p.recipient_user_id,
            p.email,
            subject,
            body,
        )


@dataclass
class Claimed:
    """What the reminder table held before this sweep's insert, read in one query: the keys
    in the planned due-date range (to skip them) and every pending row (to cancel the ones
    no longer wanted)."""

    keys: set[tuple] = field(default_factory=set)
    pending: list[tuple[int, tuple]] = field(default_factory=list)


def read_claimed(planned: Sequence[PlannedReminder]) -> Claimed:
    wanted_range = Q(status=ReminderStatus.PENDING)
    if planned:
        due_dates = [p.due_on for p in planned]
        wanted_range |= Q(due_on__gte=min(due_dates), due_on__lte=max(due_dates))
    claimed = Claimed()
    pending = ReminderStatus.PENDING.value
    for pk, status, *key in Reminder.objects.filter(wanted_range).values_list(
        "id", "status", *KEY_COLUMNS
    ):
        key = tuple(key)
        claimed.keys.add(key)
        if status == pending:
            claimed.pending.append((pk, key))
    return claimed


def claim(
    planned: Sequence[PlannedReminder], *, now: dt.datetime, claimed: Claimed | None = None
) -> list[tuple[int, str, str]]:
    """Insert the reminders that do not exist yet; return (id, kind, step) of those inserted.
    Rows already in `claimed` are skipped before rendering; the INSERT's ON CONFLICT stays
    the arbiter for rows another sweep inserted meanwhile."""
    if not planned:
        return []
    if claimed is None:
        claimed = read_claimed(planned)
    planned = [p for p in planned if p.key not in claimed.keys]
    if not planned:
        return []
    stamp = connection.ops.adapt_datetimefield_value(now)
    if connection.vendor == "postgresql":
        return _claim_postgresql(_rows(planned), stamp)
    if connection.vendor == "sqlite":
        return _claim_sqlite(_rows(planned), stamp)
    raise NotImplementedError(connection.vendor)  # pragma: no cover - PostgreSQL and SQLite only


def _insert_sql(source: str, select: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in PAYLOAD_NAMES + FIXED_COLUMNS)
    conflict = ", ".join(quote(c) for c in KEY_COLUMNS)
    return (
        f"INSERT INTO {quote(Reminder._meta.db_table)} ({columns}) "
        f"SELECT {select}, {FIXED_VALUES} FROM {source} "
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING id, kind, step"
    )


def _claim_postgresql(rows: Iterable[tuple], stamp) -> list[tuple[int, str, str]]:
    """COPY the rows into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING.

    COPY streams the rows in PostgreSQL's text format, encoded by psycopg's C adapters; a
    single JSON parameter (the previous path) cost more in quoting and parsing than the
    insert itself. The temporary table dies with the transaction, which ends right after the
    INSERT, so the insert remains one atomic statement for concurrent sweeps to race on.
    """
    quote = connection.ops.quote_name
    record = ", ".join(f"{quote(name)} {type_}" for name, type_ in PAYLOAD_COLUMNS)
    names = ", ".join(quote(n) for n in PAYLOAD_NAMES)
    with transaction.atomic(), connection.cursor() as cursor:
        # DROP first: inside an outer transaction (tests) an earlier claim's table survives.
        cursor.execute(
            f"DROP TABLE IF EXISTS pg_temp.{CLAIM_TABLE}; "
            f"CREATE TEMPORARY TABLE {CLAIM_TABLE} ({record}) ON COMMIT DROP"
        )
        # The COPY goes to psycopg directly: Django's cursor wrapper has no COPY, so query
        # counters built on execute wrappers do not see this one statement.
        with cursor.cursor.copy(f"COPY {CLAIM_TABLE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            _insert_sql(CLAIM_TABLE, names),
            [ReminderStatus.PENDING.value, stamp, stamp],
        )
        return [(row[0], row[1], row[2]) for row in cursor.fetchall()]


def _claim_sqlite(rows: Iterable[tuple], stamp) -> list[tuple[int, str, str]]:
    """One INSERT … SELECT from `json_each` over the rows sent as one JSON array."""
    payload = json.dumps(
        [[v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in rows],
        ensure_ascii=False,
    )
    extracts = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(PAYLOAD_NAMES)))
    # `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    sql = _insert_sql("json_each(%s) WHERE true", extracts)
    with connection.cursor() as cursor:
        cursor.execute(sql, [ReminderStatus.PENDING.value, stamp, stamp, payload])
        return [(row[0], row[1], row[2]) for row in cursor.fetchall()]


def cancel_stale(planned: Iterable[PlannedReminder], *, claimed: Claimed | None = None) -> int:
    """Cancel pending reminders that this sweep no longer wants: their deadline moved (an
    extension, a calendar override, a re-handling round), the work was done, or a later step
    superseded them. The pending rows come from `claimed` (read before the insert; the rows
    the insert adds are wanted by definition); the UPDATE re-checks `pending`, so a row a
    deliverer took meanwhile is left alone."""
    if claimed is None:
        claimed = read_claimed([])
    if not claimed.pending:
        return 0
    wanted = {p.key for p in planned}
    stale = [pk for pk, key in claimed.pending if key not in wanted]
    cancelled = 0
    for start in range(0, len(stale), 5000):
        cancelled += Reminder.objects.filter(
            id__in=stale[start : start + 5000], status=ReminderStatus.PENDING
        ).update(
            status=ReminderStatus.CANCELLED,
            lease_token=None,
            last_error=_("期限已变更或事项已办理，提醒不再发送"),
        )
    return cancelled
