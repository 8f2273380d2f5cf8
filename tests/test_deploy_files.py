"""The operator's files in deploy/ (deploy/README.md): the systemd units parse as INI and run
what the README says, every variable they use is in the example environment file, that file
holds no secret, and with a secret added it passes Django's deployment checks."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import time
from pathlib import Path

from django.conf import settings

from tests.test_settings_production import manage

DEPLOY = Path(settings.BASE_DIR) / "deploy"
UNITS = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "suggestions.env.example"
SERVICES = {"suggestions-web.service", "suggestions-worker@.service", "suggestions-beat.service"}
BACKUP_UNITS = {"suggestions-backup.service", "suggestions-backup.timer"}
# Where the units expect the code (deploy/README.md): the repository's root.
APP_DIR = "/srv/suggestions/app/"


def unit(name: str) -> configparser.ConfigParser:
    # Strict: a duplicated section or key is an error; no interpolation: systemd's own % and $.
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((UNITS / name).read_text(encoding="utf-8"), source=name)
    return parser


def command(name: str) -> list[str]:
    return shlex.split(unit(name)["Service"]["ExecStart"])


def example_environment() -> dict[str, str]:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {key: value for key, value in pairs}


def test_the_three_services_parse_and_share_the_environment_file():
    assert {p.name for p in UNITS.iterdir()} == SERVICES | BACKUP_UNITS
    for name in SERVICES:
        parsed = unit(name)
        assert parsed.sections() == ["Unit", "Service", "Install"], name
        service = parsed["Service"]
        assert service["EnvironmentFile"] == "/etc/suggestions/suggestions.env", name
        assert service["Restart"] == "on-failure" and service["User"] == "suggestions", name
        assert parsed["Install"]["WantedBy"] == "multi-user.target", name


def test_web_runs_gunicorn_with_workers_and_address_from_the_environment():
    argv = command("suggestions-web.service")
    assert Path(argv[0]).name == "gunicorn" and argv[1] == "congress.wsgi"
    assert argv[argv.index("--workers") + 1] == "${WEB_WORKERS}"
    assert argv[argv.index("--bind") + 1] == "${WEB_BIND}"


def test_workers_are_a_template_each_with_its_own_celery_name():
    argv = command("suggestions-worker@.service")
    assert argv[1:4] == ["-A", "congress", "worker"]
    assert "%i" in argv[argv.index("--hostname") + 1]


def test_beat_runs_once_on_the_designated_machine_only():
    parsed = unit("suggestions-beat.service")
    assert parsed["Unit"]["ConditionPathExists"] == "/etc/suggestions/beat-here"
    argv = command("suggestions-beat.service")
    assert argv[1:4] == ["-A", "congress", "beat"]
    schedule = argv[argv.index("--schedule") + 1]
    assert schedule.startswith(f"/var/lib/{parsed['Service']['StateDirectory']}/")
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "beat-here" in readme and "exactly one" in readme.lower()


def test_every_variable_the_units_use_is_in_the_example_and_it_holds_no_secret():
    environment = example_environment()
    used = set()
    for path in UNITS.iterdir():
        used |= set(re.findall(r"\$\{(\w+)\}", path.read_text(encoding="utf-8")))
    assert used == {
        "WEB_WORKERS",
        "WEB_BIND",
        "CELERY_CONCURRENCY",
        "BACKUP_DIR",
        "BACKUP_KEEP_DAYS",
    }
    assert used <= environment.keys()
    assert environment["SECRET_KEY"] == environment["EMAIL_HOST_PASSWORD"] == ""
    assert ":" not in environment["DATABASE_URL"].split("@")[0].removeprefix("postgres://")
    # nginx sets the header that the example tells Django to trust.
    nginx = (DEPLOY / "nginx" / "suggestions.conf").read_text(encoding="utf-8")
    assert environment["SECURE_PROXY_SSL_HEADER"] == "X-Forwarded-Proto"
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx


def test_the_example_with_a_secret_passes_the_deployment_checks(tmp_path):
    environment = example_environment()
    # The example's database and Redis hosts do not exist here; the checks need neither.
    del environment["DATABASE_URL"], environment["REDIS_URL"]
    environment["SECRET_KEY"] = "k7Qe2vX9pLm4Rt8Wz1Yb6Nc3Hd5Fg0Js-uAoEiKqTxVyBnMlPwZrCsDfGhJkLa"
    environment["STATIC_ROOT"] = str(tmp_path / "static")
    environment["MEDIA_ROOT"] = str(tmp_path / "media")
    result = manage(tmp_path, environment, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


def test_backup_timer_runs_the_backup_service_daily_and_persistently():
    timer = unit("suggestions-backup.timer")
    assert timer.sections() == ["Unit", "Timer", "Install"]
    assert timer["Timer"]["Unit"] in BACKUP_UNITS
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:00:00"  # daily
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"

    service = unit("suggestions-backup.service")
    assert service.sections() == ["Unit", "Service"]  # started by the timer, not at boot
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["EnvironmentFile"] == "/etc/suggestions/suggestions.env"
    assert service["Service"]["WorkingDirectory"] == APP_DIR.rstrip("/")
    argv = command("suggestions-backup.service")
    assert argv[0].startswith(APP_DIR) and argv[1:] == ["${BACKUP_DIR}"]
    script = Path(settings.BASE_DIR) / argv[0].removeprefix(APP_DIR)
    assert script == DEPLOY / "backup.sh" and os.access(script, os.X_OK)
    prune = shlex.split(service["Service"]["ExecStartPost"])
    assert Path(prune[0]).exists(), prune[0]
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    assert "suggestions-backup.timer" in readme and "BACKUP_KEEP_DAYS" in readme


def test_retention_deletes_only_complete_backups_older_than_the_kept_days(tmp_path):
    days = 24 * 3600
    ages = {
        "backup-20250101T020000Z": 30 * days,  # expired
        "backup-20250120T020000Z": 16 * days,  # expired
        "backup-20250130T020000Z": 6 * days,  # kept
        "backup-20250205T020000Z.partial": 30 * days,  # not backup.sh's complete folder
        "notes": 30 * days,  # not a backup at all
    }
    for name, age in ages.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "database.dump").write_bytes(b"dump")
        os.utime(tmp_path / name, (time.time() - age, time.time() - age))

    variables = {"BACKUP_DIR": str(tmp_path), "BACKUP_KEEP_DAYS": "14"}
    line = unit("suggestions-backup.service")["Service"]["ExecStartPost"]
    argv = [re.sub(r"\$\{(\w+)\}", lambda m: variables[m[1]], arg) for arg in shlex.split(line)]
    subprocess.run(argv, check=True, timeout=30)

    assert {p.name for p in tmp_path.iterdir()} == {
        "backup-20250130T020000Z",
        "backup-20250205T020000Z.partial",
        "notes",
    }
