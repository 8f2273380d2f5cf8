"""Celery tasks of the suggestions app: keeping the statistics rollup current (the design is in
`suggestions/statistics/__init__.py`; the beat schedule in `congress/celery.py`)."""

from __future__ import annotations

from congress.celery import database_task
from suggestions import statistics


@database_task("statistics.refresh_due")
def refresh_due_statistics() -> int:
    """Recount each congress written to since its last count, or counted on an earlier day."""
    return statistics.refresh_due()


@database_task("statistics.refresh_all")
def refresh_all_statistics() -> int:
    """Recount every congress (daily, after midnight)."""
    return statistics.refresh_all()
