"""Web processes run with a PostgreSQL statement timeout (WEB_STATEMENT_TIMEOUT_MS), set as a
connection startup parameter by congress/wsgi.py; other processes (migrations, Celery,
commands: anything that sets Django up without loading the WSGI module) run without one.

Each case runs in a fresh Python process against the test database, as a server or a
command would, because loading congress/wsgi.py changes the connection settings of the
process that loads it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

WEB_PROCESS = """
import congress.wsgi
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
print(len(captured.captured_queries))  # no SET after connecting: a startup parameter
try:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(2)")
    print("finished")
except OperationalError as exc:
    print("cancelled" if "statement timeout" in str(exc) else exc)
"""

COMMAND_PROCESS = """
import django

django.setup()
from django.db import connection

with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
"""


@pytest.fixture
def run_python():
    if connection.vendor != "postgresql":
        pytest.skip("the statement timeout is a PostgreSQL setting")
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )

    def run(code: str, *args: str) -> list[str]:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "congress.settings",
            "WEB_STATEMENT_TIMEOUT_MS": "250",
        }
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    return run


def test_a_web_process_cancels_a_statement_over_the_timeout(run_python):
    shown, queries, outcome = run_python(WEB_PROCESS)
    assert shown == "250ms"
    assert queries == "1"
    assert outcome == "cancelled"


def test_a_command_or_worker_process_has_no_statement_timeout(run_python):
    assert run_python(COMMAND_PROCESS) == ["0"]


JIT_SHOWN = """
import sys

if sys.argv[1] == "web":
    import congress.wsgi  # noqa: F401
else:
    import django

    django.setup()
from django.db import connection

with connection.cursor() as cursor:
    cursor.execute("SHOW jit")
    print(cursor.fetchone()[0])
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
"""


@pytest.mark.parametrize(
    ("process", "timeout"), [("web", "250ms"), ("command", "0")], ids=["web", "command"]
)
def test_every_process_runs_without_the_jit_compiler(run_python, process, timeout):
    # The JIT option and the web statement timeout share libpq's `options`: neither may
    # push the other out.
    assert run_python(JIT_SHOWN, process) == ["off", timeout]
