"""Celery tasks of the ledger exports. Beat runs `exports.sweep` every minute and
`exports.cleanup` hourly (congress/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import building, jobs


@shared_task(name="exports.build_ledger", ignore_result=True)
def build_ledger_export(job_id: int) -> bool:
    """Build one export job, if no other worker has it."""
    return building.build(job_id)


@shared_task(
    name="exports.sweep",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sweep_exports() -> dict[str, int]:
    return jobs.sweep()


@shared_task(
    name="exports.cleanup",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def cleanup_exports() -> int:
    return jobs.cleanup()
