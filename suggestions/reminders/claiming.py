"""Claiming reminders: one read of the keys already claimed, then one INSERT … ON CONFLICT
DO NOTHING for all the new ones.

The planned rows travel as one JSON parameter (PostgreSQL `jsonb_to_recordset`, SQLite
`json_each`), so claiming costs one query however many reminders are due, and the unique key
makes the insert the arbiter: a row that already exists (sent, pending, cancelled) is left
alone, and RETURNING tells exactly which reminders this sweep created.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from django.db import connection
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
FIXED_COLUMNS = (
    "status",
    "attempts",
    "next_attempt_at",
    "lease_token",
    "lease_until",
    "last_error",
    "created_at",
    "sent_at",
)


def _json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False)


def _payload(planned: Sequence[PlannedReminder]) -> str:
    rows = []
    for p in planned:
        subject, body = p.render()
        rows.append(
            {
                "kind": p.kind,
                "object_type": p.object_type,
                "object_id": p.object_id,
                "recipient_key": p.recipient_key,
                "due_on": p.due_on.isoformat(),
                "step": p.step,
                "suggestion_id": p.suggestion_id,
                "recipient_user_id": p.recipient_user_id,
                "email": p.email,
                "subject": subject,
                "body": body,
            }
        )
    return _json(rows)


def _not_yet_claimed(planned: Sequence[PlannedReminder]) -> list[PlannedReminder]:
    """Skip, in one read, the reminders that already have a row, so that a sweep renders and
    ships only what is new. The INSERT's ON CONFLICT stays the arbiter for races."""
    due_dates = [p.due_on for p in planned]
    existing = set(
        Reminder.objects.filter(due_on__gte=min(due_dates), due_on__lte=max(due_dates)).values_list(
            *KEY_COLUMNS
        )
    )
    return [p for p in planned if p.key not in existing]


def claim(planned: Sequence[PlannedReminder], *, now: dt.datetime) -> list[tuple[int, str, str]]:
    """Insert the reminders that do not exist yet; return (id, kind, step) of those inserted."""
    if not planned:
        return []
    planned = _not_yet_claimed(planned)
    if not planned:
        return []
    quote = connection.ops.quote_name
    table = quote(Reminder._meta.db_table)
    payload_names = [name for name, _type in PAYLOAD_COLUMNS]
    columns = ", ".join(quote(c) for c in payload_names + list(FIXED_COLUMNS))
    conflict = ", ".join(quote(c) for c in KEY_COLUMNS)
    stamp = connection.ops.adapt_datetimefield_value(now)
    fixed_values = "%s, 0, %s, NULL, NULL, '', %s, NULL"
    params = [ReminderStatus.PENDING.value, stamp, stamp, _payload(planned)]
    if connection.vendor == "postgresql":
        record = ", ".join(f"{name} {type_}" for name, type_ in PAYLOAD_COLUMNS)
        sql = (
            f"INSERT INTO {table} ({columns}) "
            f"SELECT {', '.join('r.' + n for n in payload_names)}, {fixed_values} "
            f"FROM jsonb_to_recordset(%s::jsonb) AS r({record}) "
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING id, kind, step"
        )
    elif connection.vendor == "sqlite":
        extracts = ", ".join(f"json_extract(value, '$.{n}')" for n in payload_names)
        # `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
        sql = (
            f"INSERT INTO {table} ({columns}) "
            f"SELECT {extracts}, {fixed_values} FROM json_each(%s) WHERE true "
            f"ON CONFLICT ({conflict}) DO NOTHING RETURNING id, kind, step"
        )
    else:  # pragma: no cover - the project supports PostgreSQL and SQLite
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], row[1], row[2]) for row in cursor.fetchall()]


def cancel_stale(planned: Iterable[PlannedReminder]) -> int:
    """Cancel pending reminders that this sweep no longer wants: their deadline moved (an
    extension, a calendar override, a re-handling round), the work was done, or a later step
    superseded them. Two queries: read the pending keys, cancel the stale ones."""
    wanted = {p.key for p in planned}
    pending = Reminder.objects.filter(status=ReminderStatus.PENDING).values_list("id", *KEY_COLUMNS)
    stale = [row[0] for row in pending if tuple(row[1:]) not in wanted]
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
