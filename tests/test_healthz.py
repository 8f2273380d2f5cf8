"""/healthz: 200 when the database (and Redis, if configured) answer, 503 naming what failed;
no login, never cached, reachable over plain HTTP in production."""

from __future__ import annotations

import time

import pytest

from congress.services_runner import free_port, start_own_redis

pytestmark = pytest.mark.django_db


def test_healthy_without_redis_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "not configured"}
    assert "no-cache" in response["Cache-Control"]


def test_healthy_with_a_redis_that_answers(client, settings, tmp_path):
    own = start_own_redis(tmp_path / "redis")
    try:
        settings.REDIS_URL = own.url
        response = client.get("/healthz")
    finally:
        own.stop()
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}


def test_unavailable_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "failed"}


def test_unavailable_when_redis_port_is_closed(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "failed"


def test_unavailable_when_the_database_fails(client, settings, monkeypatch):
    from django.db import OperationalError, connection

    settings.REDIS_URL = ""

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "failed", "redis": "not configured"}


def test_production_does_not_redirect_the_probe_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/suggestions/").status_code == 301  # everything else is


def test_only_reads(client, settings):
    settings.REDIS_URL = ""
    assert client.post("/healthz").status_code == 405
