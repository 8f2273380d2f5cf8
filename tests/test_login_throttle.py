"""Password guessing is stopped: after AXES_FAILURE_LIMIT wrong passwords for one username from
one address, that pair is locked out for AXES_COOLOFF_TIME, even with the right password, on
the login page, the admin login and the API token endpoint alike (django-axes); the token
endpoint also limits requests per address whatever the username (DRF's ScopedRateThrottle)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import UserFactory

PASSWORD = "pw-test-123"  # tests/factories.py
LOCKOUT = "登录失败次数过多，已暂停从此地址登录该账号。请 15 分钟后再试。"


@pytest.fixture
def user(db):
    return UserFactory(username="clerk", is_staff=True, is_superuser=True)


def log_in(client, password: str, *, path: str = "/accounts/login/", address="10.0.0.1"):
    return client.post(path, {"username": "clerk", "password": password}, REMOTE_ADDR=address)


def obtain_token(password: str, *, address="10.0.0.1", username="clerk"):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_the_limits_are_the_documented_ones():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_fifty_wrong_passwords_then_the_right_one_does_not_log_in(client, user):
    for _attempt in range(50):
        log_in(client, "wrong-password")
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    html = response.content.decode()
    assert LOCKOUT in html
    assert "<h1>暂时无法登录</h1>" in html
    assert response["Retry-After"] == "900"


def test_lockout_starts_at_the_limit_and_says_so_in_english(client, user):
    for _attempt in range(4):
        response = log_in(client, "wrong-password")
        assert response.status_code == 200  # the form again, with its error
        assert "用户名或密码不正确" in response.content.decode()
    response = client.post(
        "/accounts/login/",
        {"username": "clerk", "password": "wrong-password"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "try again in 15 minutes" in response.content.decode()


def test_the_admin_login_is_locked_out_too(client, user):
    for _attempt in range(5):
        log_in(client, "wrong-password", path="/admin/login/")
    response = log_in(client, PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert LOCKOUT in response.content.decode()
    assert not logged_in(client)
    # One count for every door: the site's login page is locked for this user as well.
    assert log_in(client, PASSWORD).status_code == 429


def test_lockout_ends_after_the_cool_off(client, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _attempt in range(5):
            log_in(client, "wrong-password")
        assert log_in(client, PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=16))
        response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_only_that_username_from_that_address_is_locked(client, user):
    for _attempt in range(5):
        log_in(client, "wrong-password", address="10.0.0.1")
    # The same user from their office's address is not locked out by someone else's guessing.
    assert log_in(client, PASSWORD, address="10.0.0.2").status_code == 302
    assert logged_in(client)


def test_a_successful_login_resets_the_count(client, user):
    for _attempt in range(4):
        log_in(client, "wrong-password")
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        log_in(client, "wrong-password")
    assert log_in(client, PASSWORD).status_code == 302


def test_fifty_wrong_passwords_then_the_right_one_gets_no_token(user):
    statuses = {obtain_token("wrong-password").status_code for _attempt in range(50)}
    assert statuses == {400, 429}
    response = obtain_token(PASSWORD)
    assert response.status_code == 429
    assert not AuthToken.objects.exists()


def test_token_endpoint_answers_a_locked_out_user_with_429_and_the_reason(user):
    for _attempt in range(4):
        response = obtain_token("wrong-password")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
    response = obtain_token("wrong-password")
    assert response.status_code == 429
    assert response.json() == {"code": "locked_out", "message": LOCKOUT}
    assert response["Retry-After"] == "900"
    response = obtain_token(PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert not AuthToken.objects.exists()
    # Locked for the pages too: the count is shared.
    assert log_in(APIClient(), PASSWORD).status_code == 429


def test_token_endpoint_limits_requests_per_address_whatever_the_username(user, monkeypatch):
    # DRF reads the rates once, at import; the configured rate is checked in the next test.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"api-token": "3/minute"})
    for number in range(3):
        assert obtain_token("wrong-password", username=f"guess{number}").status_code == 400
    response = obtain_token(PASSWORD)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response
    assert obtain_token(PASSWORD, address="10.0.0.9").status_code == 200


def test_token_endpoint_rate_is_configured():
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"api-token": "20/minute"}
    assert ScopedRateThrottle.THROTTLE_RATES == {"api-token": "20/minute"}
