"""Database settings that only web processes get.

`apply_web_statement_timeout` is called from congress/wsgi.py, which only servers (gunicorn,
uwsgi, runserver) load: migrations, Celery workers and management commands never import it,
so their long statements are not cut short.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connections

STATEMENT_TIMEOUT_FLAG = re.compile(r"\s*-c\s*statement_timeout=\S+")


def apply_web_statement_timeout(timeout_ms: int | None = None) -> None:
    """Make PostgreSQL cancel any statement of this process that runs longer than
    `timeout_ms` (default settings.WEB_STATEMENT_TIMEOUT_MS; 0 or less: no limit).

    The limit is a startup parameter of each connection this process opens from now on
    (libpq ``options``), so it costs no query per request or per connection."""
    timeout_ms = settings.WEB_STATEMENT_TIMEOUT_MS if timeout_ms is None else timeout_ms
    if timeout_ms <= 0:
        return
    for alias in connections:
        if connections[alias].vendor != "postgresql":
            continue
        options = connections.settings[alias].setdefault("OPTIONS", {})
        others = STATEMENT_TIMEOUT_FLAG.sub("", options.get("options", "")).strip()
        options["options"] = f"{others} -c statement_timeout={int(timeout_ms)}".strip()
