"""The public list's lean rows and id pagination agree with the documented serializer."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from suggestions.annotations import key_supervised
from suggestions.api.serializers.public import PublicSuggestionListSerializer
from suggestions.models import Suggestion
from tests import lifecycle

LIST = "/api/v1/suggestions/"


def serializer_queryset():
    """The instances PublicSuggestionListSerializer (the documented schema) reads."""
    return (
        Suggestion.objects.public()
        .select_related("congress", "session", "lead_deputy__person")
        .annotate(key_supervised=key_supervised())
        .order_by("-filed_on", "-pk")
    )


@pytest.fixture
def client(settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    return APIClient()


def test_rows_equal_the_serializer_output(client, world):
    lifecycle.registered(world, title="关于公共交通的建议")
    lifecycle.replied(world, title="关于古民居消防的建议", publish=True)
    lifecycle.draft(world, title="草稿建议")
    rows = client.get(LIST).json()["results"]
    expected = PublicSuggestionListSerializer(serializer_queryset(), many=True).data
    assert rows == [dict(row) for row in expected]
    assert {row["title"] for row in rows} == {"关于公共交通的建议", "关于古民居消防的建议"}


def test_search_pages_count_matches_and_refuse_pages_past_the_end(client, world):
    for i in range(5):
        lifecycle.registered(world, title=f"关于消防站{i}的建议")
    lifecycle.registered(world, title="关于公共交通的建议")
    first = client.get(LIST, {"search": "消防站", "page_size": 2}).json()
    assert first["count"] == 5 and first["count_capped"] is False
    assert first["next"] and first["previous"] is None
    pages = [first["results"]]
    for page in (2, 3):
        data = client.get(LIST, {"search": "消防站", "page_size": 2, "page": page}).json()
        assert data["count"] == 5
        pages.append(data["results"])
    assert data["next"] is None
    titles = [row["title"] for page in pages for row in page]
    assert sorted(titles) == sorted(f"关于消防站{i}的建议" for i in range(5))
    assert len(set(titles)) == 5
    assert client.get(LIST, {"search": "消防站", "page_size": 2, "page": 4}).status_code == 404
    malformed = client.get(LIST, {"search": "消防站", "page": "x"})
    assert malformed.status_code == 400 and "page" in malformed.json()["fields"]
    empty = client.get(LIST, {"search": "没有这个词"}).json()
    assert empty["count"] == 0 and empty["results"] == []
    assert client.get(LIST, {"search": "没有这个词", "page": 2}).status_code == 404
