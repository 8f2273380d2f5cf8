"""One JSON object per log line (LOG_FORMAT=json), for log collectors that parse fields."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """time (ISO 8601, UTC), level, logger, message and, for exceptions, exc_info (the
    formatted traceback). Newlines inside values are escaped, so each record is one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        # default=str: a message argument or extra that JSON cannot encode must not lose the line.
        return json.dumps(entry, ensure_ascii=False, default=str)
