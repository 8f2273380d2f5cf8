"""Celery tasks of the suggestions app: keeping the statistics rollup current (the design is in
`suggestions/statistics/__init__.py`; the beat schedule in `congress/celery.py`)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from suggestions import statistics


@shared_task(
    name="statistics.refresh_due",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def refresh_due_statistics() -> int:
    """Recount each congress written to since its last count, or counted on an earlier day."""
    return statistics.refresh_due()


@shared_task(
    name="statistics.refresh_all",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def refresh_all_statistics() -> int:
    """Recount every congress (daily, after midnight)."""
    return statistics.refresh_all()
