"""Safe settings: DEBUG off unless asked for, and DJANGO_ENV=production passes Django's deployment
checks from the environment alone, and refuses to start without its secrets.

Settings are read once per process, so each case runs manage.py in a subprocess with exactly
the environment under test (nothing inherited that could set DEBUG or a key)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

# The production environment documented in the README ("Production settings").
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k7Qe2vX9pLm4Rt8Wz1Yb6Nc3Hd5Fg0Js-uAoEiKqTxVyBnMlPwZrCsDfGhJkLa",
    "ALLOWED_HOSTS": "jianyi.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://jianyi.example.gov.cn",
}


def manage(tmp_path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {
        key: os.environ[key]
        for key in ("PATH", "HOME", "LANG", "SYSTEMROOT", "PYTHONPATH")
        if key in os.environ
    }
    base["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_in(tmp_path, env: dict[str, str], *names: str) -> dict:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    result = manage(tmp_path, env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_unless_set(tmp_path):
    assert settings_in(tmp_path, {}, "DEBUG") == {"DEBUG": False}
    assert settings_in(tmp_path, {"DEBUG": "1"}, "DEBUG") == {"DEBUG": True}


def test_development_runs_with_a_development_only_key(tmp_path):
    key = settings_in(tmp_path, {}, "SECRET_KEY")["SECRET_KEY"]
    assert key.startswith("django-insecure-")  # check --deploy names it as unfit for production


def test_documented_production_environment_passes_check_deploy(tmp_path):
    result = manage(tmp_path, PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_secure_by_default(tmp_path):
    values = settings_in(
        tmp_path,
        PRODUCTION_ENV,
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "ALLOWED_HOSTS": ["jianyi.example.gov.cn"],
        "CSRF_TRUSTED_ORIGINS": ["https://jianyi.example.gov.cn"],
        # Trusted only when asked for: a client could otherwise claim HTTPS.
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_production_settings_come_from_the_environment(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "SECURE_HSTS_SECONDS": "3600",
        "SECURE_SSL_REDIRECT": "0",
    }
    values = settings_in(
        tmp_path, env, "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"
    )
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_SSL_REDIRECT": False,
    }


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "DJANGO_ENV=production needs the SECRET_KEY environment variable"),
        ("ALLOWED_HOSTS", "DJANGO_ENV=production needs ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing, message):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = manage(tmp_path, env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_misspelt_environment_name_refuses_to_start(tmp_path):
    result = manage(tmp_path, {**PRODUCTION_ENV, "DJANGO_ENV": "prod"}, "check")
    assert result.returncode != 0
    assert "DJANGO_ENV='prod' is not one of development, production" in result.stderr


def test_demo_refuses_to_run_in_production(tmp_path):
    result = manage(tmp_path, PRODUCTION_ENV, "demo", "--no-serve")
    assert result.returncode != 0
    assert "演示不能在生产环境" in result.stderr
    assert "demo_admin" not in result.stdout
