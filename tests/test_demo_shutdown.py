"""`manage.py demo ADDR:PORT` as an operator runs it: the site answers, and SIGTERM stops the
demo and every process it started (Celery worker and beat, a redis-server of its own if it
needed one) within a bounded time. Runs the real command in a subprocess on a throwaway SQLite
database and its own Celery queue, so its worker takes no one else's tasks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import psutil
from django.conf import settings

from congress.services_runner import free_port

STARTUP_SECONDS = 120
SHUTDOWN_SECONDS = 30


def site_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_for_children(demo: psutil.Process, expected: int) -> list[psutil.Process]:
    """Worker and beat (and Redis) are started just before the site: wait until they are all
    there, as a process cannot be checked for being gone before it has been seen."""
    deadline = time.monotonic() + 10
    while True:
        children = demo.children(recursive=True)
        if len(children) >= expected or time.monotonic() > deadline:
            return children
        time.sleep(0.2)


def test_sigterm_stops_the_demo_and_everything_it_started(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "CELERY_QUEUE": f"demo-test-{uuid.uuid4().hex}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("DJANGO_ENV", None)
    log = open(tmp_path / "demo.log", "wb")  # noqa: SIM115 - closed below
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "demo", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    demo_process = psutil.Process(demo.pid)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not site_answers(f"http://127.0.0.1:{port}/healthz"):
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            assert time.monotonic() < deadline, "the demo site never answered"
            time.sleep(0.5)
        # Worker and beat always; a redis-server too (started first) when no Redis was there.
        children = wait_for_children(demo_process, expected=2)
        names = [" ".join(child.cmdline()) for child in children]
        assert any("celery" in name and " worker" in name for name in names), names
        assert any("celery" in name and " beat" in name for name in names), names

        started = time.monotonic()
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=SHUTDOWN_SECONDS)
        _gone, alive = psutil.wait_procs(
            children, timeout=max(1, SHUTDOWN_SECONDS - (time.monotonic() - started))
        )
        assert alive == [], [" ".join(p.cmdline()) for p in alive]
        assert demo.returncode == 0, (tmp_path / "demo.log").read_text()
        assert not site_answers(f"http://127.0.0.1:{port}/healthz")
    finally:
        # Whatever happened above, leave nothing running.
        for process in [demo_process, *children]:
            if process.is_running():
                process.kill()
        demo.wait(timeout=10)
        log.close()
