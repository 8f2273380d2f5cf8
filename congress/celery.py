"""The Celery app. Broker and options come from Django settings (`CELERY_*`, built from
`REDIS_URL`); the beat schedule (the reminder sweep, the statistics rollup) is declared here,
in code."""

from __future__ import annotations

import os

from celery import Celery, shared_task
from celery.schedules import crontab
from django.db import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress.settings")

app = Celery("congress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Not an app of its own: the ledger export jobs live in the suggestions app.
app.autodiscover_tasks(["suggestions.exports"])


def database_task(name: str):
    """The periodic tasks' decorator: a dropped connection or a deadlock (OperationalError)
    is retried with backoff, at most five times; no result is kept. Each task's work is
    claimed in the database, so a retry never does it twice."""
    return shared_task(
        name=name,
        ignore_result=True,
        autoretry_for=(OperationalError,),
        retry_backoff=True,
        max_retries=5,
    )


@app.on_after_configure.connect
def schedule_reminders(sender: Celery, **kwargs) -> None:
    """Sweep for due reminders (hourly by default) and deliver pending ones every minute."""
    from django.conf import settings

    sender.add_periodic_task(
        settings.REMINDERS_SWEEP_INTERVAL_SECONDS,
        sender.signature("reminders.sweep"),
        name="reminders: sweep for due deadlines",
    )
    sender.add_periodic_task(
        settings.REMINDERS_DELIVER_INTERVAL_SECONDS,
        sender.signature("reminders.deliver_all"),
        name="reminders: deliver pending and retry failed sends",
    )


@app.on_after_configure.connect
def schedule_exports(sender: Celery, **kwargs) -> None:
    """Recover lost ledger export jobs every minute; delete old export files hourly."""
    from django.conf import settings

    sender.add_periodic_task(
        settings.EXPORT_SWEEP_INTERVAL_SECONDS,
        sender.signature("exports.sweep"),
        name="exports: re-queue lost ledger export jobs",
    )
    sender.add_periodic_task(
        settings.EXPORT_CLEANUP_INTERVAL_SECONDS,
        sender.signature("exports.cleanup"),
        name="exports: delete old ledger export files",
    )


@app.on_after_configure.connect
def schedule_statistics(sender: Celery, **kwargs) -> None:
    """Recount dirty congresses every minute by default, and every congress after midnight
    (suggestions/statistics/__init__.py)."""
    from django.conf import settings

    sender.add_periodic_task(
        settings.STATISTICS_REFRESH_SECONDS,
        sender.signature("statistics.refresh_due"),
        name="statistics: recount congresses written to since their last count",
    )
    sender.add_periodic_task(
        crontab(hour=0, minute=5),
        sender.signature("statistics.refresh_all"),
        name="statistics: recount every congress after midnight",
    )
