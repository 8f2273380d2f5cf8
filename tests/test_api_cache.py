"""The anonymous public API response cache: fast when warm, never stale, never private."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from knox.models import AuthToken
from rest_framework.test import APIClient

from suggestions import services
from suggestions.api import public_cache
from tests import lifecycle
from tests.test_api_public import assert_nothing_hidden, public_case  # noqa: F401

LIST = "/api/v1/suggestions/"


@pytest.fixture
def client():
    return APIClient()


def queries_for(client, url, **extra) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    return response, len(captured)


def titles(response) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


def test_second_anonymous_request_is_answered_without_the_database(client, world):
    lifecycle.registered(world, title="关于公共交通的建议")
    first, first_queries = queries_for(client, LIST)
    again, again_queries = queries_for(client, LIST)
    assert first_queries > 0
    assert again_queries == 0
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]


def test_key_includes_query_and_language(client, world):
    lifecycle.registered(world, title="关于公共交通的建议")
    lifecycle.registered(world, title="关于古民居保护的建议")
    assert titles(client.get(LIST, {"search": "古民居"})) == {"关于古民居保护的建议"}
    assert titles(client.get(LIST, {"search": "公共交通"})) == {"关于公共交通的建议"}
    chinese = client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    assert chinese["state_label"] == "已立案"
    request = RequestFactory().get(LIST)
    with translation.override("zh-hans"):
        chinese_key = public_cache.response_key(request)
    with translation.override("en"):
        english_key = public_cache.response_key(request)
    assert chinese_key != english_key


def test_a_transition_shows_in_the_next_request(client, world):
    submitted = lifecycle.submitted(world, title="关于城市更新的建议")
    lifecycle.registered(world, title="关于公共交通的建议")
    assert titles(client.get(LIST)) == {"关于公共交通的建议"}
    services.suggestion_register(suggestion=submitted, actor=world.staff)
    assert titles(client.get(LIST)) == {"关于公共交通的建议", "关于城市更新的建议"}
    detail = client.get(f"{LIST}{submitted.pk}/").json()
    assert detail["state"] == "registered"
    services.suggestion_assign(suggestion=submitted, actor=world.staff, lead_unit=world.lead_unit)
    assert client.get(f"{LIST}{submitted.pk}/").json()["state"] == "assigned"


def test_publishing_a_reply_shows_in_the_next_request(client, world):
    suggestion = lifecycle.replied(world, reply_text="已列入年度计划。")
    replies_url = f"{LIST}{suggestion.pk}/replies/"
    assert client.get(replies_url).json() == []
    assert client.get(f"{LIST}{suggestion.pk}/").json()["replies"] == []
    assert titles(client.get(LIST, {"search": "年度计划"})) == set()
    services.reply_publish(reply=suggestion.replies.get(), actor=world.staff)
    assert [r["text"] for r in client.get(replies_url).json()] == ["已列入年度计划。"]
    assert len(client.get(f"{LIST}{suggestion.pk}/").json()["replies"]) == 1
    assert titles(client.get(LIST, {"search": "年度计划"})) == {suggestion.title}


def test_withholding_removes_the_suggestion_from_the_next_request(client, world):
    secret = lifecycle.registered(world, title="关于机密事项的建议")
    assert titles(client.get(LIST)) == {"关于机密事项的建议"}
    assert client.get(f"{LIST}{secret.pk}/").status_code == 200
    assert titles(client.get(LIST, {"search": "机密"})) == {"关于机密事项的建议"}
    services.suggestion_withhold(suggestion=secret, actor=world.staff, reason="涉密")
    assert titles(client.get(LIST)) == set()
    assert client.get(f"{LIST}{secret.pk}/").status_code == 404
    assert titles(client.get(LIST, {"search": "机密"})) == set()


def test_recording_an_outcome_shows_in_the_next_request(client, world):
    suggestion = lifecycle.registered(world)
    url = f"{LIST}{suggestion.pk}/outcomes/"
    assert client.get(url).json() == []
    services.outcome_record(
        suggestion=suggestion,
        actor=world.staff,
        kind="policy",
        title="若干措施",
        issuing_body="省政府",
    )
    assert [o["title"] for o in client.get(url).json()] == ["若干措施"]


def test_a_response_computed_before_a_commit_is_not_served_after_it(
    client, world, django_capture_on_commit_callbacks
):
    submitted = lifecycle.submitted(world, title="关于城市更新的建议")
    with django_capture_on_commit_callbacks(execute=True):
        services.suggestion_register(suggestion=submitted, actor=world.staff)
        # Another request, racing the write, stores what it saw before the commit...
        version = public_cache.data_version()
        client.get(LIST)
    # ...under a version that the commit has left behind.
    assert public_cache.data_version() != version
    assert titles(client.get(LIST)) == {"关于城市更新的建议"}


def test_authenticated_requests_neither_read_nor_fill_the_cache(client, world):
    lifecycle.registered(world, title="关于公共交通的建议")
    client.get(LIST)  # anonymous: cached
    client.force_login(world.staff)
    _response, queries = queries_for(client, LIST)
    assert queries > 0
    client.logout()
    _instance, token = AuthToken.objects.create(user=world.staff)
    cache.clear()
    _response, queries = queries_for(client, LIST, HTTP_AUTHORIZATION=f"Token {token}")
    assert queries > 0
    _response, queries = queries_for(client, LIST, HTTP_AUTHORIZATION=f"Token {token}")
    assert queries > 0, "an authenticated response was cached"
    # and the anonymous visitor after them still goes to the database first
    _response, queries = queries_for(client, LIST)
    assert queries > 0


def test_what_is_cached_holds_no_private_data(client, public_case, monkeypatch):  # noqa: F811
    stored: list[bytes] = []
    real_set = public_cache.cache.set

    def recording_set(key, value, *args, **kwargs):
        if key.startswith(public_cache.KEY_PREFIX):
            stored.append(value[1])
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(public_cache.cache, "set", recording_set)
    suggestion, other = public_case["suggestion"], public_case["other"]
    hidden = public_case["hidden"]
    urls = [LIST, f"{LIST}?search=建议", f"{LIST}?search=秘密"]
    for pk in (suggestion.pk, other.pk):
        urls += [f"{LIST}{pk}/", f"{LIST}{pk}/timeline/", f"{LIST}{pk}/replies/"]
    urls += [f"{LIST}{s.pk}/" for s in hidden.values()]
    for url in urls:
        client.get(url)
    assert len(stored) == len(urls) - len(hidden)  # the hidden ones were 404s: not stored
    for content in stored:
        assert_nothing_hidden(content.decode())


def test_cache_can_be_switched_off(client, world, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    lifecycle.registered(world)
    client.get(LIST)
    _response, queries = queries_for(client, LIST)
    assert queries > 0
