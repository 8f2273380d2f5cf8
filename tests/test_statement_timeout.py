"""Web processes run with a PostgreSQL statement timeout (WEB_STATEMENT_TIMEOUT_MS), set as a
connection startup parameter by congress/wsgi.py; other processes (tests, migrations, Celery,
commands) run without one."""

from __future__ import annotations

import copy
import importlib

import pytest
from django.db import OperationalError, connection, connections
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def web_process(settings):
    """Load congress/wsgi.py as a server does; restore the connection settings afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the statement timeout is a PostgreSQL setting")
    saved = copy.deepcopy(connections.settings["default"].get("OPTIONS", {}))
    settings.WEB_STATEMENT_TIMEOUT_MS = 250
    try:
        importlib.reload(importlib.import_module("congress.wsgi"))
        fresh = connections.create_connection("default")
        yield fresh
        fresh.close()
    finally:
        connections.settings["default"]["OPTIONS"] = saved


def show_statement_timeout(wrapper) -> str:
    with wrapper.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def test_a_web_process_connection_has_the_statement_timeout(web_process):
    assert show_statement_timeout(web_process) == "250ms"
    with pytest.raises(OperationalError, match="statement timeout"), web_process.cursor() as c:
        c.execute("SELECT pg_sleep(2)")


def test_it_costs_no_query_per_connection(web_process):
    # A startup parameter of the connection, not a SET run after connecting.
    assert connections.settings["default"]["OPTIONS"]["options"] == "-c statement_timeout=250"
    with CaptureQueriesContext(web_process) as captured:
        assert show_statement_timeout(web_process) == "250ms"
    assert [q["sql"] for q in captured.captured_queries] == ["SHOW statement_timeout"]


def test_other_processes_have_no_statement_timeout(db):
    if connection.vendor != "postgresql":
        pytest.skip("the statement timeout is a PostgreSQL setting")
    assert show_statement_timeout(connection) == "0"
