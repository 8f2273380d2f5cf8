"""Celery tasks. Beat runs `reminders.sweep` periodically (congress/celery.py) and
`reminders.deliver` every minute, which retries failed sends once their backoff has passed and
picks up anything a lost broker message left pending: the database, not the broker, holds
what still has to go out. A worker killed mid-batch leaves its untried rows reserved until
their lease expires; the next periodic `deliver` after that sends them (see `delivery`)."""

from __future__ import annotations

import logging
import math

from django.conf import settings

from congress.celery import database_task

from .delivery import deliver_all, deliver_batch, expire_abandoned
from .sweep import run_sweep

logger = logging.getLogger(__name__)


@database_task("reminders.sweep")
def sweep() -> dict:
    """Find and claim everything due now, then hand the new reminders to deliverers."""
    result = run_sweep()
    batch = settings.REMINDERS_DELIVERY_BATCH
    for _ in range(math.ceil(result.created_total / batch)):
        try:
            deliver.apply_async(retry=False)
        except Exception as exc:  # broker down: the rows wait in the database
            logger.warning(
                "could not enqueue reminder delivery (%s); the periodic deliver task will "
                "send the pending reminders",
                exc,
            )
            break
    return {"created": result.created_total, "cancelled": result.cancelled}


@database_task("reminders.deliver")
def deliver() -> int:
    """Deliver one batch of pending reminders."""
    expire_abandoned()
    return deliver_batch().sent


@database_task("reminders.deliver_all")
def deliver_everything() -> int:
    """Deliver every pending reminder whose attempt is due (retries after backoff included)."""
    return deliver_all().sent
