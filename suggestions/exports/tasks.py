"""Celery tasks of the ledger exports. Beat runs `exports.sweep` every minute and
`exports.cleanup` hourly (congress/celery.py)."""

from __future__ import annotations

from celery import shared_task

from congress.celery import database_task

from . import building, jobs


@shared_task(name="exports.build_ledger", ignore_result=True)
def build_ledger_export(job_id: int) -> bool:
    """Build one export job, if no other worker has it."""
    return building.build(job_id)


@database_task("exports.sweep")
def sweep_exports() -> dict[str, int]:
    return jobs.sweep()


@database_task("exports.cleanup")
def cleanup_exports() -> int:
    return jobs.cleanup()
