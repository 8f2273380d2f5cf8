"""The reminder sweep: close lapsed evaluations, find everything due, claim it.

`run_sweep` writes reminder rows only; delivery is separate (`delivery.deliver_all`, or the
Celery `deliver` task the sweep task enqueues), so the sweep's cost is a fixed number of
queries whatever the number of suggestions. Closing a lapsed evaluation is a transition per
suggestion through the state machine; those are rare writes and happen first, so that the
reminders planned afterwards already see the closed state.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from suggestions.models import State, Suggestion
from suggestions.services import (
    TransitionConflict,
    TransitionRefused,
    suggestion_lapse_evaluation,
)

from .claiming import cancel_stale, claim, read_claimed
from .planning import find_due

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    now: dt.datetime
    due: int = 0  # reminders relevant now, new or already claimed
    created: Counter = field(default_factory=Counter)  # kind -> new reminders
    created_steps: Counter = field(default_factory=Counter)  # (kind, step) -> new reminders
    created_ids: list[int] = field(default_factory=list)
    cancelled: int = 0
    lapsed: int = 0

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


def run_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Sweep at `now` (default: the current time). Safe to run twice, concurrently, or again
    after a crash: the unique reminder key decides which run creates a row."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = SweepResult(now=now)

    result.lapsed = _lapse_evaluations(today)
    due = find_due(today)
    result.due = len(due.reminders)
    # One read serves both: skipping what is already claimed, cancelling what is stale.
    claimed = read_claimed(due.reminders)
    for pk, kind, step in claim(due.reminders, now=now, claimed=claimed):
        result.created[kind] += 1
        result.created_steps[(kind, step)] += 1
        result.created_ids.append(pk)
    result.cancelled = cancel_stale(due.reminders, claimed=claimed)
    logger.info(
        "reminder sweep at %s: %d due, %d new, %d cancelled, %d evaluations lapsed",
        now.isoformat(),
        result.due,
        result.created_total,
        result.cancelled,
        result.lapsed,
    )
    return result


def _lapse_evaluations(today: dt.date) -> int:
    """Close, as 未反馈, every replied suggestion whose evaluation window ended before today."""
    lapsed = 0
    for suggestion in Suggestion.objects.filter(
        state=State.REPLIED, evaluation_due_on__lt=today
    ).select_related("congress"):
        try:
            suggestion_lapse_evaluation(suggestion=suggestion, today=today)
        except (TransitionConflict, TransitionRefused) as exc:
            # Another sweep closed it first, or the deputy rated it meanwhile.
            logger.info("lapse of suggestion %s skipped: %s", suggestion.pk, exc)
            continue
        lapsed += 1
    return lapsed
