"""The operator's files in deploy/ (deploy/README.md): the systemd units parse as INI and run
what the README says, every variable they use is in the example environment file, that file
holds no secret, and with a secret added it passes Django's deployment checks."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

from django.conf import settings

from tests.test_settings_production import manage

DEPLOY = Path(settings.BASE_DIR) / "deploy"
UNITS = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "suggestions.env.example"
UNIT_NAMES = {"suggestions-web.service", "suggestions-worker@.service", "suggestions-beat.service"}


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


def test_the_three_units_parse_and_share_the_environment_file():
    assert {p.name for p in UNITS.iterdir()} == UNIT_NAMES
    for name in UNIT_NAMES:
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
    assert used == {"WEB_WORKERS", "WEB_BIND", "CELERY_CONCURRENCY"}
    assert used <= environment.keys()
    assert environment["SECRET_KEY"] == ""
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
