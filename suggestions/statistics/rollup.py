"""The statistics rollup: snapshots of `compute.count`'s counters, marked dirty by writes and
refreshed by a Celery task (the design is in `suggestions/statistics/__init__.py`)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from congress.models import Congress, Session
from suggestions.models import (
    Assignment,
    Evaluation,
    Event,
    Reply,
    StatisticsChange,
    StatisticsRefresh,
    StatisticsSnapshot,
    Suggestion,
)

from .compute import (
    CongressScope,
    SessionScope,
    UnitScope,
    UnitSessionScope,
    count,
    population,
)

logger = logging.getLogger(__name__)

# What the figures count: suggestions (state, withholding, session, round), their assignments,
# replies and evaluations. Events too, because every service records one: a service's bulk
# `update()` of assignments sends no signal, its Event's save does.
COUNTED_MODELS = (Suggestion, Assignment, Reply, Evaluation, Event)


# ---- marking: a write makes its congress dirty, in the writer's transaction ----


def _congress_of(instance) -> int | None:
    if isinstance(instance, Suggestion):
        return instance.congress_id
    if type(instance).suggestion.is_cached(instance):
        return instance.suggestion.congress_id
    return (
        Suggestion.objects.filter(pk=instance.suggestion_id)
        .values_list("congress_id", flat=True)
        .first()
    )


def _mark_dirty(sender, instance, **kwargs) -> None:
    congress_id = _congress_of(instance)
    if congress_id is not None:
        # bulk_create sends no signal (the public response cache has nothing to invalidate);
        # an insert, not an UPDATE of a shared row, so concurrent writers never wait on it.
        StatisticsChange.objects.bulk_create([StatisticsChange(congress_id=congress_id)])


def connect() -> None:
    for model in COUNTED_MODELS:
        uid = f"statistics_dirty_{model._meta.model_name}"
        post_save.connect(_mark_dirty, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(_mark_dirty, sender=model, dispatch_uid=f"{uid}_delete")


# ---- refreshing ----


def refresh(congress: Congress, *, wait: bool = True, only_if_missing: bool = False) -> bool:
    """Count `congress`'s statistics now and store them; True if this call did.

    One refresh per congress at a time: it holds the congress's `StatisticsRefresh` row lock
    for the whole transaction. `wait=False` (the periodic task) skips a congress another
    worker is refreshing (`SKIP LOCKED`); `wait=True` waits for it, and with
    `only_if_missing` (a reader that found no snapshot) then uses what that worker stored.
    The marks deleted here are the writes committed before the counting starts, so each
    counted write's mark goes and a write committed later keeps its mark for the next refresh.
    """
    StatisticsRefresh.objects.get_or_create(congress=congress)
    with transaction.atomic():
        locked = StatisticsRefresh.objects.select_for_update(skip_locked=not wait)
        if not list(locked.filter(pk=congress.pk).values_list("pk", flat=True)):
            return False
        if only_if_missing and _whole_snapshots(congress).exists():
            return False
        StatisticsChange.objects.filter(congress=congress).delete()
        computed_at, today = timezone.now(), timezone.localdate()
        sessions = list(Session.objects.filter(term__congress=congress))
        snapshots = []
        for public_only in (True, False):
            for session, counts in _counts(congress, sessions, public_only, today):
                snapshots.append(
                    StatisticsSnapshot(
                        congress=congress,
                        public_only=public_only,
                        session=session,
                        counts=counts,
                        computed_at=computed_at,
                        computed_for=today,
                    )
                )
        StatisticsSnapshot.objects.filter(congress=congress).only("pk").delete()
        StatisticsSnapshot.objects.bulk_create(snapshots)
        StatisticsRefresh.objects.filter(pk=congress.pk).update(computed_at=computed_at)
    return True


def _counts(congress: Congress, sessions: list[Session], public_only: bool, today: dt.date):
    """(session or None, counters) for each snapshot of one audience."""
    counted = population(public_only)
    whole = {
        "overall": count(CongressScope(congress=congress, population=counted), today).get(
            congress.pk, {}
        ),
        "sessions": count(SessionScope(congress=congress, session=None, population=counted), today),
        "units": count(
            UnitScope(congress=congress, session=None, only_unit=None, population=counted), today
        ),
    }
    if not public_only:  # the staff dashboard's suggestions per state
        states = counted.filter(congress=congress).values("state").annotate(n=Count("pk"))
        whole["states"] = {row["state"]: row["n"] for row in states}
    yield None, whole
    by_session: dict[int, dict] = {session.pk: {} for session in sessions}
    unit_sessions = UnitSessionScope(congress=congress, population=counted)
    for (unit_pk, session_pk), counters in count(unit_sessions, today).items():
        by_session.setdefault(session_pk, {})[unit_pk] = counters
    for session in sessions:
        yield session, {"units": by_session[session.pk]}


def _whole_snapshots(congress: Congress):
    return StatisticsSnapshot.objects.filter(congress=congress, session__isnull=True)


def due(today: dt.date | None = None) -> list[Congress]:
    """Congresses to refresh: dirty, never counted, or counted on an earlier day (overdue and
    on-time figures depend on the day)."""
    today = today or timezone.localdate()
    counted_today = _whole_snapshots(OuterRef("pk")).filter(computed_for__gte=today)
    return list(
        Congress.objects.filter(
            Exists(StatisticsChange.objects.filter(congress=OuterRef("pk")))
            | ~Exists(counted_today)
        ).order_by("pk")
    )


def refresh_due() -> int:
    """Refresh each due congress that no other worker is refreshing; how many were."""
    return sum(refresh(congress, wait=False) for congress in due())


def refresh_all() -> int:
    """Refresh every congress (the daily run: also counts writes made around the services)."""
    return sum(refresh(congress, wait=True) for congress in Congress.objects.order_by("pk"))


# ---- reading ----


@dataclass(frozen=True)
class Stored:
    """One audience's snapshots of a congress: the whole congress, and one session's if asked."""

    whole: dict
    session: dict | None
    computed_at: dt.datetime
    computed_for: dt.date
    stale: bool  # written to since, or counted on an earlier day

    def counters(self, part: str, pk: int, *, of_session: bool = False) -> dict[str, int]:
        source = (self.session or {}) if of_session else self.whole
        return source.get(part, {}).get(str(pk), {})


def read(congress: Congress, *, public_only: bool, session: Session | None = None) -> Stored:
    """`congress`'s stored counters in one query (two when there are none yet: then they are
    counted now, once, while other readers wait for them)."""
    rows = _rows(congress, public_only, session)
    if not any(row.session_id is None for row in rows):
        refresh(congress, wait=True, only_if_missing=True)
        rows = _rows(congress, public_only, session)
    whole = next(row for row in rows if row.session_id is None)
    of_session = next((row for row in rows if row.session_id is not None), None)
    return Stored(
        whole=whole.counts,
        session=(of_session.counts if of_session else {}) if session is not None else None,
        computed_at=whole.computed_at,
        computed_for=whole.computed_for,
        stale=whole.dirty or whole.computed_for < timezone.localdate(),
    )


def _rows(congress: Congress, public_only: bool, session: Session | None) -> list:
    wanted = Q(session__isnull=True)
    if session is not None:
        wanted |= Q(session=session)
    return list(
        StatisticsSnapshot.objects.filter(wanted, congress=congress, public_only=public_only)
        .annotate(dirty=Exists(StatisticsChange.objects.filter(congress=OuterRef("congress"))))
        .only("session", "counts", "computed_at", "computed_for")
    )
