"""Several processes on one machine, as deployed (README "Deployment"): two gunicorn web
processes, two Celery workers and one beat, all with DJANGO_ENV=production, on this test's
PostgreSQL database and one Redis (broker and cache). Shows:

- the public response cache is shared: web B answers from the entry web A stored, and a
  write through web A (a staff login on the token endpoint, then a real transition) is
  visible on the very next request to web B;
- a day of reminders, swept by beat every second and handled by both workers, is delivered
  exactly once: one outbox row and one e-mail per due reminder, none twice.

PostgreSQL only: SQLite's single writer is not what several machines share.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from congress.services_runner import free_port, redis_answers, start_own_redis, stop_groups
from suggestions.models import Assignment, State, Suggestion, UnitRole
from suggestions.reminders.models import InboxMessage, Reminder, ReminderStatus
from suggestions.reminders.planning import find_due
from tests import lifecycle
from tests.celery_harness import database_url_for_subprocess, mailed_keys, wait_until
from tests.factories import SuggestionFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several processes sharing one database as deployed: PostgreSQL only",
    ),
    pytest.mark.django_db(transaction=True),
]

LIST = "/api/v1/suggestions/"
STAFF_PASSWORD = "multi-process-Staff-2026"
# Days before each reply deadline: one suggestion set per step of a day's sweep (d30, d7, d1,
# overdue). Each step stays the same if the test runs across midnight, so every sweep wants
# the same reminders.
DAYS_LEFT = (30, 7, 1, -5)
SUGGESTIONS_PER_STEP = 2
# Each deadline reminds the unit's address and its member; an overdue one also the staff.
EXPECTED_REMINDERS = SUGGESTIONS_PER_STEP * (3 * 2 + 3)
# As deploy/systemd/ runs them, smaller: one gunicorn worker, one Celery process each.
GUNICORN = ["gunicorn", "congress.wsgi", "--workers", "1", "--access-logfile", "-"]
CELERY_WORKER = ["celery", "-A", "congress", "worker", "--loglevel", "INFO", "--concurrency", "1"]
CELERY_WORKER += ["--without-gossip", "--without-mingle"]  # no waiting for each other at start
CELERY_BEAT = ["celery", "-A", "congress", "beat", "--loglevel", "INFO", "--schedule"]
TASK_DONE = re.compile(r"Task (reminders\.\w+)\[[0-9a-f-]+\] succeeded")


@pytest.fixture
def redis_url(tmp_path):
    """REDIS_URL (it must answer) or a redis-server of our own: broker and cache of all five."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        if not redis_answers(url):
            pytest.skip(f"REDIS_URL={url} does not answer")
        yield url
        return
    own = start_own_redis(tmp_path / "redis")
    try:
        yield own.url
    finally:
        own.stop()


@dataclass
class Started:
    name: str
    process: subprocess.Popen
    log: Path

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])


class Processes:
    """The subprocesses of one test, each leading its own process group."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path, self.env, self.started = tmp_path, env, []

    def start(self, name: str, argv: list[str]) -> Started:
        log = self.tmp_path / f"{name}.log"
        with open(log, "ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", *argv],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        started = Started(name, process, log)
        self.started.append(started)
        return started

    def stop(self) -> None:
        # SIGTERM to every group (gunicorn and Celery shut down warm), SIGKILL after 15 s.
        stop_groups([s.process for s in reversed(self.started)], timeout=15)

    def tails(self) -> str:
        return "\n".join(s.tail() for s in self.started)

    def assert_alive(self) -> None:
        dead = [s for s in self.started if s.process.poll() is not None]
        assert not dead, "a process exited early:\n" + "\n".join(s.tail() for s in dead)


def production_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    """The documented production environment, on this test's database, for plain-HTTP
    localhost (no HTTPS redirect, cookies not HTTPS-only), mail written to files."""
    (tmp_path / "static").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="congress.settings",
        DJANGO_ENV="production",
        SECRET_KEY="multi-process-test-" + uuid.uuid4().hex * 2,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DATABASE_URL=database_url_for_subprocess(),
        CONN_MAX_AGE="60",
        REDIS_URL=redis_url,
        CELERY_QUEUE=f"test-multi-process-{uuid.uuid4().hex[:8]}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        REMINDERS_SWEEP_INTERVAL_SECONDS="1",
        REMINDERS_DELIVER_INTERVAL_SECONDS="1",
        LOG_FORMAT="text",
    )
    return env


def http(
    method: str, url: str, body: dict | None = None, token: str = ""
) -> tuple[int, dict | str]:
    request = urllib.request.Request(
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Accept": "application/json",
            "Content-Type": "application/json",
            **({"Authorization": f"Token {token}"} if token else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def healthy(base: str) -> bool:
    try:
        return http("GET", f"{base}/healthz") == (200, {"database": "ok", "redis": "ok"})
    except OSError:
        return False


def log_has(started: Started, pattern: str) -> bool:
    return started.log.exists() and pattern in started.log.read_text(errors="replace")


def tasks_done(started: Started) -> Counter:
    return Counter(TASK_DONE.findall(started.log.read_text(errors="replace")))


def build_a_day_of_deadlines(world) -> None:
    """Assigned suggestions whose reply is due at each step of today's sweep."""
    today = timezone.localdate()
    number = 100
    for days_left in DAYS_LEFT:
        due_on = today + dt.timedelta(days=days_left)
        for _ in range(SUGGESTIONS_PER_STEP):
            number += 1
            Assignment.objects.create(
                suggestion=SuggestionFactory(
                    lead_deputy=world.deputy,
                    session=world.session,
                    state=State.ASSIGNED,
                    number=number,
                ),
                unit=world.lead_unit,
                role=UnitRole.LEAD,
                assigned_on=due_on - dt.timedelta(days=90),
                due_on=due_on,
                due_explanation=f"交办 + 3个月 = {due_on.isoformat()}",
            )


def titles(page: dict) -> set[str]:
    return {row["title"] for row in page["results"]}


def check_the_cache_is_shared(web_a: str, web_b: str, world, public, submitted) -> None:
    status, first = http("GET", web_a + LIST)
    assert status == 200, first
    assert public.title in titles(first) and submitted.title not in titles(first)

    # A probe that no cache can see: a bulk update sends no signal, so the data version stays.
    # If web B still answers the old title, it answered from the entry web A stored.
    Suggestion.objects.filter(pk=public.pk).update(title="改过但缓存不知道的标题")
    status, from_b = http("GET", web_b + LIST)
    assert status == 200
    assert from_b == first, "web B did not answer from the response web A stored in Redis"

    # A write through web A: staff log in on the token endpoint and register the suggestion.
    status, login = http(
        "POST", web_a + "/api/v1/auth/token/", {"username": "staff", "password": STAFF_PASSWORD}
    )
    assert status == 200, login
    status, registered = http(
        "POST",
        f"{web_a}/api/v1/suggestions/{submitted.pk}/transitions/register/",
        {},
        token=login["token"],
    )
    assert status == 200, registered
    assert registered["state"] == State.REGISTERED

    status, after = http("GET", web_b + LIST)  # the very next request, to the other process
    assert status == 200
    assert submitted.title in titles(after), "web B served a stale page after web A's write"
    assert "改过但缓存不知道的标题" in titles(after)
    assert after["count"] == first["count"] + 1
    assert http("GET", web_a + LIST) == (200, after)


def test_two_webs_two_workers_one_beat_share_cache_and_send_each_reminder_once(
    world, tmp_path, redis_url, settings
):
    started_at = time.monotonic()
    # The web processes use the default (production) hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    world.staff.set_password(STAFF_PASSWORD)
    world.staff.save(update_fields=["password"])
    public = lifecycle.registered(world, title="关于公共交通的建议")
    submitted = lifecycle.submitted(world, title="关于古民居保护的建议")
    build_a_day_of_deadlines(world)
    due = find_due(timezone.localdate()).reminders
    expected = {":".join(map(str, planned.key)) for planned in due}
    assert len(expected) == EXPECTED_REMINDERS
    assert not Reminder.objects.exists()

    mail_dir = tmp_path / "mail"
    processes = Processes(tmp_path, production_env(tmp_path, redis_url))
    try:
        webs = []
        for name in ("web-a", "web-b"):
            port = free_port()
            processes.start(name, [*GUNICORN, "--bind", f"127.0.0.1:{port}"])
            webs.append(f"http://127.0.0.1:{port}")
        workers = [
            processes.start(name, [*CELERY_WORKER, "--hostname", f"{name}@%h"])
            for name in ("worker-1", "worker-2")
        ]
        webs_up = wait_until(
            lambda: processes.assert_alive() or all(healthy(web) for web in webs), timeout=60
        )
        assert webs_up, "the web processes did not answer /healthz\n" + processes.tails()
        workers_up = wait_until(
            lambda: processes.assert_alive() or all(log_has(w, " ready.") for w in workers),
            timeout=60,
        )
        assert workers_up, "the workers did not get ready\n" + processes.tails()
        check_the_cache_is_shared(*webs, world, public, submitted)

        # Beat last, so that both workers are waiting for its first tasks.
        beat = processes.start("beat", [*CELERY_BEAT, str(tmp_path / "celerybeat-schedule")])

        def all_sent() -> bool:
            processes.assert_alive()
            sent = Reminder.objects.filter(status=ReminderStatus.SENT).count()
            return sent >= len(expected) and sum(mailed_keys(mail_dir).values()) >= len(expected)

        assert wait_until(all_sent, timeout=60, interval=0.5), (
            f"{Reminder.objects.filter(status=ReminderStatus.SENT).count()} of {len(expected)} "
            "reminders sent\n" + processes.tails()
        )
        # Several more sweeps and deliveries, which must add nothing; and both workers at work.
        sweeps_when_sent = beat.log.read_text().count("Sending due task reminders: sweep")
        more_sweeps = wait_until(
            lambda: (
                beat.log.read_text().count("Sending due task reminders: sweep")
                >= sweeps_when_sent + 3
                and all(tasks_done(w).total() for w in workers)
            ),
            timeout=30,
            interval=0.5,
        )
        assert more_sweeps, "beat stopped sweeping, or a worker got no task\n" + processes.tails()
    finally:
        processes.stop()

    sweeps = beat.log.read_text().count("Sending due task reminders: sweep")
    done = {w.name: tasks_done(w) for w in workers}
    assert all(counts.total() for counts in done.values()), f"a worker ran no task: {done}"

    rows = list(Reminder.objects.all())
    assert {row.key for row in rows} == expected
    assert {(row.status, row.attempts) for row in rows} == {(ReminderStatus.SENT, 1)}
    mailed = mailed_keys(mail_dir)
    assert set(mailed) == {row.key for row in rows if row.email}
    duplicates = {key: n for key, n in mailed.items() if n != 1}
    assert not duplicates, f"sent more than once: {duplicates}"
    assert InboxMessage.objects.count() == sum(1 for row in rows if row.recipient_user_id)
    print(
        f"\nmulti-process: {len(rows)} reminders, {sum(mailed.values())} mails, "
        f"{InboxMessage.objects.count()} inbox messages, {sweeps} sweeps scheduled, "
        f"tasks per worker {done}, {time.monotonic() - started_at:.1f} s"
    )
