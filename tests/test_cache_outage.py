"""Fault: the Redis behind the public response cache is down. Writes (API and pages) still
succeed, public reads answer 200 from the database with fresh data, each failure is logged
once, and the bumps missed during the outage are made once the cache answers again."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from suggestions import services
from suggestions.api import public_cache
from suggestions.models import State
from tests import lifecycle

pytestmark = pytest.mark.django_db

LIST = "/api/v1/suggestions/"
CLOSED_PORT_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture(autouse=True)
def fresh_outage_memory():
    public_cache.outage.reset()
    yield
    public_cache.outage.reset()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = CLOSED_PORT_REDIS
    settings.PUBLIC_CACHE_SECONDS = 300
    # Try the cache on every call, so that every call is a failure to survive and log.
    settings.PUBLIC_CACHE_RETRY_SECONDS = 0


def cache_warnings(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == public_cache.__name__ and r.levelno == logging.WARNING
    ]


def titles(response) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


def test_api_transition_and_public_reads_while_redis_is_down(redis_down, world, caplog):
    submitted = lifecycle.submitted(world, title="关于城市更新的建议")
    lifecycle.registered(world, title="关于公共交通的建议")
    public = APIClient()
    assert titles(public.get(LIST)) == {"关于公共交通的建议"}

    staff = APIClient()
    staff.force_authenticate(world.staff)
    response = staff.post(f"{LIST}{submitted.pk}/transitions/register/", {}, format="json")
    assert response.status_code == 200, response.content
    submitted.refresh_from_db()
    assert submitted.state == State.REGISTERED

    listed = public.get(LIST)
    assert listed.status_code == 200
    assert titles(listed) == {"关于公共交通的建议", "关于城市更新的建议"}
    detail = public.get(f"{LIST}{submitted.pk}/")
    assert detail.status_code == 200 and detail.json()["state"] == "registered"
    warnings = cache_warnings(caplog)
    assert warnings and all("ConnectionError" in r.getMessage() for r in warnings)


def test_page_transition_while_redis_is_down(redis_down, client, world):
    suggestion = lifecycle.submitted(world, title="关于城市更新的建议")
    client.force_login(world.staff)
    page = reverse("web:staff-suggestion", args=[suggestion.pk])
    response = client.post(page, {"action": "register"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == State.REGISTERED and suggestion.number == 1
    public_page = client.get(reverse("web:suggestion-detail", args=[suggestion.pk]))
    assert public_page.status_code == 200
    assert "关于城市更新的建议" in public_page.content.decode()


def test_each_failure_is_logged_once_and_nothing_is_stored(redis_down, world, caplog):
    lifecycle.registered(world, title="关于公共交通的建议")
    caplog.clear()
    assert APIClient().get(LIST).status_code == 200
    # Reading the version failed: the request was computed uncached, nothing else tried.
    [warning] = cache_warnings(caplog)
    assert "reading the data version" in warning.getMessage()


def test_cache_is_left_alone_for_the_retry_interval(settings, world, caplog):
    settings.CACHES = CLOSED_PORT_REDIS
    settings.PUBLIC_CACHE_RETRY_SECONDS = 60
    lifecycle.registered(world, title="关于公共交通的建议")
    for _ in range(3):
        assert titles(APIClient().get(LIST)) == {"关于公共交通的建议"}
    assert len(cache_warnings(caplog)) == 1


def test_bump_missed_during_an_outage_is_made_when_the_cache_is_back(settings, world, monkeypatch):
    settings.PUBLIC_CACHE_RETRY_SECONDS = 0
    submitted = lifecycle.submitted(world, title="关于城市更新的建议")
    lifecycle.registered(world, title="关于公共交通的建议")
    public = APIClient()
    assert titles(public.get(LIST)) == {"关于公共交通的建议"}  # stored in the cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as outage:
        for name in ("get", "set", "add", "incr"):
            outage.setattr(cache, name, unreachable)
        services.suggestion_register(suggestion=submitted, actor=world.staff)
        assert public_cache.outage.bump_owed
    # The cache is back with the entry stored before the write: it must not be served.
    assert titles(public.get(LIST)) == {"关于公共交通的建议", "关于城市更新的建议"}
    assert not public_cache.outage.bump_owed
