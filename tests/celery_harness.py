"""Helpers for the tests that run a real Redis and real `celery worker`/`beat` processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connection
from django.utils import timezone

from congress.services_runner import BackgroundServices, start_background_services
from suggestions.models import Assignment, State, UnitRole
from tests.factories import SuggestionFactory

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def database_url_for_subprocess() -> str:
    """The URL of the database this test runs on (the test database, not the configured one)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if name.startswith("file:") or name == ":memory:":
            raise RuntimeError("the SQLite test database must be a file (see tests/conftest.py)")
        return f"sqlite:///{name}"
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def build_due_assignments(world, count: int, days_left: int = 1) -> list[Assignment]:
    """`count` assigned suggestions whose reply is due `days_left` days from the real today."""
    due_on = timezone.localdate() + dt.timedelta(days=days_left)
    created = []
    for i in range(count):
        suggestion = SuggestionFactory(
            lead_deputy=world.deputy, session=world.session, state=State.ASSIGNED, number=i + 1
        )
        created.append(
            Assignment.objects.create(
                suggestion=suggestion,
                unit=world.lead_unit,
                role=UnitRole.LEAD,
                assigned_on=due_on - dt.timedelta(days=90),
                due_on=due_on,
                due_explanation=f"交办 + 3个月 = {due_on.isoformat()}",
            )
        )
    return created


def mailed_keys(directory: Path) -> Counter:
    """X-Reminder-Key of every message the file backend wrote, counted."""
    keys: Counter = Counter()
    if not directory.exists():
        return keys
    for path in directory.iterdir():
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                # The default policy unfolds a long header that the mail backend folded.
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                keys[str(message["X-Reminder-Key"]).strip()] += 1
    return keys


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@contextlib.contextmanager
def celery_running(
    tmp_path: Path, *, redis_url: str | None, mail_dir: Path, **env: str
) -> Iterator[BackgroundServices]:
    """A worker and beat on a queue of their own, sweeping every second, on this test's
    database, writing mail to `mail_dir`. Logs go to tmp_path/celery.log."""
    child_env = {
        "DATABASE_URL": database_url_for_subprocess(),
        "CELERY_QUEUE": f"test-reminders-{uuid.uuid4().hex[:8]}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "REMINDERS_SWEEP_INTERVAL_SECONDS": "1",
        "REMINDERS_DELIVER_INTERVAL_SECONDS": "1",
        **env,
    }
    saved = os.environ.get("REDIS_URL")
    services = start_background_services(
        workdir=tmp_path / "services",
        env=child_env,
        loglevel="warning",
        log_to=tmp_path / "celery.log",
        redis_url=redis_url,
    )
    try:
        yield services
    finally:
        services.stop()
        if saved is None:
            os.environ.pop("REDIS_URL", None)
        else:
            os.environ["REDIS_URL"] = saved


def log_tail(tmp_path: Path, lines: int = 40) -> str:
    path = tmp_path / "celery.log"
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
