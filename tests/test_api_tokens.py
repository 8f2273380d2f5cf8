"""API tokens (django-rest-knox): stored hashed, expire after REST_KNOX["TOKEN_TTL"], revocable
one by one or all at once, and all revoked whenever the user's password changes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "pw-test-123"  # tests/factories.py
WORKSPACE = "/api/v1/workspace/suggestions/"
BAD_TOKEN = "令牌无效、已过期或已撤销，请重新获取令牌。"


@pytest.fixture
def user(db):
    return UserFactory(username="clerk")


def obtain(username: str = "clerk", password: str = PASSWORD) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    response = with_token(token).get(WORKSPACE)
    if response.status_code == 401:
        assert response.json() == {"code": "authentication_failed", "message": BAD_TOKEN}
        return False
    assert response.status_code == 200
    return True


def test_token_is_returned_with_its_expiry_and_stored_only_hashed(user):
    before = timezone.now()
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "clerk", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    expiry = dt.datetime.fromisoformat(body["expiry"])
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert before + ttl <= expiry <= timezone.now() + ttl
    stored = AuthToken.objects.get(user=user)
    assert body["token"] not in {stored.digest, stored.token_key}
    assert works(body["token"])


def test_wrong_password_gets_no_token(user):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "clerk", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not AuthToken.objects.exists()


def test_token_expires_after_its_lifetime(user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        token = obtain()
        clock.shift(settings.REST_KNOX["TOKEN_TTL"] - dt.timedelta(minutes=1))
        assert works(token)
        clock.shift(dt.timedelta(minutes=2))
        assert not works(token)
    assert not AuthToken.objects.filter(user=user).exists()  # deleted once seen expired


def test_revoke_ends_only_the_token_sent(user):
    first, second = obtain(), obtain()
    response = with_token(first).post("/api/v1/auth/token/revoke/")
    assert response.status_code == 204
    assert not works(first)
    assert works(second)


def test_revoke_all_ends_every_token_of_the_user_only(user):
    first, second = obtain(), obtain()
    UserFactory(username="other")
    other = obtain("other")
    assert with_token(first).post("/api/v1/auth/token/revoke-all/").status_code == 204
    assert not works(first)
    assert not works(second)
    assert works(other)


def test_revoke_all_from_a_logged_in_session(user):
    token = obtain()
    client = APIClient()
    client.force_login(user)
    assert client.post("/api/v1/auth/token/revoke-all/").status_code == 204
    assert not works(token)


def test_revoking_needs_a_token(user):
    response = APIClient().post("/api/v1/auth/token/revoke/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_password_change_by_set_password_revokes_every_token(user):
    tokens = [obtain(), obtain()]
    user.set_password("a-new-long-passphrase")
    user.save()
    assert not any(works(token) for token in tokens)
    assert works(obtain(password="a-new-long-passphrase"))


def test_unusable_password_revokes_every_token(user):
    token = obtain()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    assert not works(token)


def test_password_change_in_the_admin_revokes_the_users_tokens(user):
    token = obtain()
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_login(admin)
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302, response.content.decode()
    assert not works(token)


def test_own_password_change_revokes_own_tokens(user):
    user.is_staff = True
    user.save()
    token = obtain()
    client = APIClient()
    client.force_login(user)
    response = client.post(
        "/admin/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert not works(token)


def test_other_saves_of_the_user_keep_the_tokens(user):
    token = obtain()
    user.first_name = "新名字"
    user.save()
    user.save(update_fields=["last_login"])
    obtain()  # logging in again (updates last_login) keeps the other tokens too
    assert works(token)
