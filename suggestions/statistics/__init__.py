"""Handling statistics for the staff dashboard, the public statistics page and the API, read
from a rollup in a constant number of queries, whatever the number of suggestions.

Why a rollup
    Counting on each request cost about 18 full-table aggregates per congress (sequential
    scans and hash joins of suggestions, assignments and replies): 0.7 s for /stats/ at 20,000
    suggestions, 2.5-4 s at 100,000 (README "Performance"). Pure counters updated on each write cannot give all the
    figures: overdue and "due by now" (the on-time rate's denominator) change with the date,
    not with writes, and the rates count per assignment, per round and per latest reply.

What is stored (`rollup.py`, models in `suggestions/models/statistics.py`)
    `compute.count` — the one definition of the figures (`compute.py`) — runs for each
    congress and audience (public: public suggestions only; staff: all) and its counters are
    stored as `StatisticsSnapshot` rows: the whole congress (its figures, each session's, each
    unit's, and for staff the suggestions per state) and one row per session (each unit's
    share of it). Readers turn the counters into figures with the same `compute.build`, so a
    snapshot's figures are exactly what counting gives; the groups (sessions, units and their
    names) are read live, so a unit created since shows with nothing counted.

When it is counted
    * A save or delete of a suggestion, assignment, reply, evaluation or event inserts a
      `StatisticsChange` mark for its congress in the writer's own transaction: atomic with
      the write (no mark is lost to a crash or a Redis outage) and insert-only (writers never
      wait on a shared row).
    * The Celery beat task `statistics.refresh_due` (every `STATISTICS_REFRESH_SECONDS`,
      default 60) refreshes each congress that is dirty, has no snapshot yet or was counted
      on an earlier day — so after midnight the date-dependent figures are counted for the
      new day — and `statistics.refresh_all` recounts every congress daily at 00:05 (also
      catching writes made around the services). `manage.py refresh_statistics` does the
      same by hand, e.g. after `migrate` on a large database.
    * A refresh holds the congress's `StatisticsRefresh` row lock: two workers never refresh
      one congress together (the task skips a locked congress, `SKIP LOCKED`). It deletes the
      marks committed before it starts counting, so a write committed during the count keeps
      its mark and is counted by the next refresh.
    * A reader that finds no snapshot at all (a fresh install, a test) counts it once, under
      that lock: concurrent readers wait and then use it.

What readers see
    The last snapshot, with `computed_at` (pages: 统计截至 <time>; the API: ``computed_at``) and
    `stale`: writes have come since, or it was counted on an earlier day (pages: 数据已有更新，
    统计正在刷新). With Redis or the workers down, pages keep serving the last snapshot, marked
    stale. Passing an explicit `today` other than the snapshot's day counts live (tests, what-if).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from congress.models import Congress, HandlingUnit, Session
from suggestions.models import ReplyCategory

from . import compute, rollup
from .compute import HandlingStatistics, Rate
from .rollup import refresh, refresh_all, refresh_due

__all__ = [
    "HandlingStatistics",
    "Rate",
    "congress_board",
    "congress_statistics",
    "refresh",
    "refresh_all",
    "refresh_due",
    "session_statistics",
    "session_table",
    "unit_statistics",
    "unit_table",
]


def congress_statistics(
    congress: Congress, *, today: dt.date | None = None, public_only: bool = True
) -> HandlingStatistics:
    stored = rollup.read(congress, public_only=public_only)
    if _live(stored, today):
        scope = compute.CongressScope(congress=congress, population=compute.population(public_only))
        return compute.compute(scope, today)[congress.pk]
    return _built(
        stored,
        "congress",
        congress.pk,
        congress.name,
        stored.whole.get("overall", {}),
        categories=ReplyCategory.of(congress),
    )


def session_statistics(
    session: Session, *, today: dt.date | None = None, public_only: bool = True
) -> HandlingStatistics:
    congress = session.term.congress
    stored = rollup.read(congress, public_only=public_only)
    if _live(stored, today):
        scope = _session_scope(congress, session, public_only)
        return compute.compute(scope, today)[session.pk]
    counters = stored.counters("sessions", session.pk)
    return _built(
        stored, "session", session.pk, str(session), counters, categories=ReplyCategory.of(congress)
    )


def unit_statistics(
    unit: HandlingUnit,
    *,
    session: Session | None = None,
    today: dt.date | None = None,
    public_only: bool = True,
) -> HandlingStatistics:
    stored = rollup.read(unit.congress, public_only=public_only, session=session)
    if _live(stored, today):
        scope = _unit_scope(unit.congress, session, public_only, only_unit=unit)
        return compute.compute(scope, today)[unit.pk]
    counters = stored.counters("units", unit.pk, of_session=session is not None)
    return _built(
        stored, "unit", unit.pk, unit.name, counters, categories=ReplyCategory.of(unit.congress)
    )


def session_table(
    congress: Congress, *, today: dt.date | None = None, public_only: bool = True
) -> list[HandlingStatistics]:
    """One row per session of `congress` (in term and session order)."""
    stored = rollup.read(congress, public_only=public_only)
    scope = _session_scope(congress, None, public_only)
    if _live(stored, today):
        return list(compute.compute(scope, today).values())
    return _table(stored, scope, "sessions", of_session=False)


def unit_table(
    congress: Congress,
    *,
    session: Session | None = None,
    today: dt.date | None = None,
    public_only: bool = True,
) -> list[HandlingStatistics]:
    """One row per handling unit of `congress` (by name), optionally for one session."""
    stored = rollup.read(congress, public_only=public_only, session=session)
    scope = _unit_scope(congress, session, public_only)
    if _live(stored, today):
        return list(compute.compute(scope, today).values())
    return _table(stored, scope, "units", of_session=session is not None)


def congress_board(congress: Congress, *, session: Session | None, public_only: bool) -> dict:
    """What a statistics page shows of one congress, in four queries: its figures, each
    session's, each unit's (of `session` if given, only units with something assigned), the
    staff's suggestions per state, and as of when."""
    stored = rollup.read(congress, public_only=public_only, session=session)
    categories = ReplyCategory.of(congress)
    sessions = _session_scope(congress, None, public_only)
    units = _table(
        stored,
        _unit_scope(congress, session, public_only),
        "units",
        of_session=bool(session),
        categories=categories,
    )
    overall = stored.whole.get("overall", {})
    return {
        "congress": congress,
        "overall": _built(
            stored, "congress", congress.pk, congress.name, overall, categories=categories
        ),
        "sessions": _table(stored, sessions, "sessions", of_session=False, categories=categories),
        "units": [row for row in units if row.assigned],
        "session": session,
        "states": stored.whole.get("states", {}),
        "computed_at": stored.computed_at,
        "stale": stored.stale,
    }


def _live(stored: rollup.Stored, today: dt.date | None) -> bool:
    """An explicit day other than the snapshot's is counted live."""
    return today is not None and today != stored.computed_for


def _session_scope(
    congress: Congress, session: Session | None, public_only: bool
) -> compute.SessionScope:
    return compute.SessionScope(
        congress=congress, session=session, population=compute.population(public_only)
    )


def _unit_scope(
    congress: Congress,
    session: Session | None,
    public_only: bool,
    only_unit: HandlingUnit | None = None,
) -> compute.UnitScope:
    return compute.UnitScope(
        congress=congress,
        session=session,
        only_unit=only_unit,
        population=compute.population(public_only),
    )


def _table(stored: rollup.Stored, scope, part: str, *, of_session: bool, categories=None) -> list:
    categories = categories or ReplyCategory.of(scope.congress)
    return [
        _built(
            stored,
            scope.kind,
            pk,
            name,
            stored.counters(part, pk, of_session=of_session),
            categories=categories,
        )
        for pk, name in scope.groups().items()
    ]


def _built(
    stored: rollup.Stored,
    kind: str,
    pk: int,
    name: str,
    counters: dict,
    *,
    categories: Sequence[ReplyCategory],
) -> HandlingStatistics:
    return compute.build(
        kind,
        pk,
        name,
        counters,
        categories=categories,
        computed_at=stored.computed_at,
        stale=stored.stale,
    )
