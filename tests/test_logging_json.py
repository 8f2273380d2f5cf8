"""LOG_FORMAT=json: one JSON object per line on stdout; plain text on stderr by default."""

from __future__ import annotations

import json
import logging
import sys

from congress.logging import JsonFormatter
from tests.test_settings_production import manage


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.ERROR, __file__, 1, message, args, exc_info)


def test_formatter_writes_one_json_object_per_line():
    line = JsonFormatter().format(record("出错了：%s\nsecond line", "/staff/"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "出错了：/staff/\nsecond line"
    assert entry["time"].endswith("+00:00")
    assert "exc_info" not in entry


def test_formatter_includes_the_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        line = JsonFormatter().format(record("failed", exc_info=sys.exc_info()))
    entry = json.loads(line)
    assert "Traceback" in entry["exc_info"]
    assert "ValueError: boom" in entry["exc_info"]


LOG_TWO = (
    "import logging; logging.getLogger('django.request').error('page failed'); "
    "logging.getLogger('suggestions').warning('warned')"
)


def test_log_format_json_writes_django_and_root_records_to_stdout(tmp_path):
    result = manage(tmp_path, {"LOG_FORMAT": "json"}, "shell", "--no-imports", "-c", LOG_TWO)
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["logger"], e["level"], e["message"]) for e in entries] == [
        ("django.request", "ERROR", "page failed"),
        ("suggestions", "WARNING", "warned"),
    ]


def test_plain_text_on_stderr_by_default(tmp_path):
    result = manage(tmp_path, {}, "shell", "--no-imports", "-c", LOG_TWO)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["page failed", "warned"]


def test_an_unknown_log_format_refuses_to_start(tmp_path):
    result = manage(tmp_path, {"LOG_FORMAT": "xml"}, "check")
    assert result.returncode != 0
    assert "LOG_FORMAT='xml' is not one of text, json" in result.stderr
