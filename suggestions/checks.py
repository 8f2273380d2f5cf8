"""Start-up checks for the suggestions app.

pg_trgm only indexes Chinese text when the PostgreSQL database locale classifies CJK
characters as letters. This is checked twice, so that nobody runs a slow search unawares:

* as a Django system check tagged ``database`` (run by ``migrate`` and by
  ``manage.py check --database default``), reported as warning ``suggestions.W001``;
* once per process, when the first PostgreSQL connection opens, logged as an error on the
  ``suggestions.search`` logger (so a running server says it in its log at start).
"""

from __future__ import annotations

import logging
import threading

from django.core import checks
from django.db import connections
from django.db.backends.signals import connection_created

from suggestions.search import trigram_cjk_problem

logger = logging.getLogger("suggestions.search")

_checked_aliases: set[str] = set()
_lock = threading.Lock()


@checks.register(checks.Tags.database)
def check_trigram_cjk_support(app_configs=None, databases=None, **kwargs):
    problems = []
    for alias in databases or ():
        if connections[alias].vendor != "postgresql":
            continue
        problem = trigram_cjk_problem(alias)
        if problem:
            problems.append(
                checks.Warning(
                    problem,
                    hint="Search results stay correct; only their speed suffers.",
                    id="suggestions.W001",
                )
            )
    return problems


def log_trigram_problem_once(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    with _lock:
        if connection.alias in _checked_aliases:
            return
        _checked_aliases.add(connection.alias)
    try:
        problem = trigram_cjk_problem(connection.alias)
    except Exception:  # never let a diagnostic break a connection
        logger.exception("Could not check pg_trgm support for Chinese text.")
        return
    if problem:
        logger.error(problem)


def connect() -> None:
    connection_created.connect(log_trigram_problem_once, dispatch_uid="suggestions-trgm-check")
