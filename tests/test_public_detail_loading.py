"""The public detail page and API read a suggestion in one query on PostgreSQL
(suggestions/public_projection/loading.py) and show exactly what the prefetching
`detail_queryset()` shows: the whole response bodies are compared, for every public
suggestion of the seeds (history from source articles: links, merges, outcomes, supervision,
follow-up reviews) and for one driven through its whole lifecycle with secrets in every field
(tests/test_public_projection.py), in both languages. A missing, withheld or malformed id
is the same 404 as before."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from suggestions import public_projection
from suggestions.models import Suggestion
from suggestions.public_projection import loading
from tests.test_list_query_counts import grow
from tests.test_public_projection import case, site_language  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def response_cache_off(settings):
    settings.PUBLIC_CACHE_SECONDS = 0


def prefetched(pk):
    """The reading the one-query loader replaces: the page's own query with the id its URL
    converted; the API's `get_object()` (a str id)."""
    return (
        public_projection.detail_queryset().filter(pk=pk).first() if isinstance(pk, int) else None
    )


# The language form's CSRF token differs on every response.
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def bodies(urls: list[str], language: str) -> dict[str, tuple[int, bytes]]:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    return {
        url: (r.status_code, CSRF_TOKEN.sub(b"", r.content))
        for url in urls
        for r in [client.get(url)]
    }


def detail_urls(pks) -> list[str]:
    return [url for pk in pks for url in (f"/suggestions/{pk}/", f"/api/v1/suggestions/{pk}/")]


def assert_same_as_prefetched(urls: list[str], monkeypatch) -> None:
    for language in ("zh-hans", "en"):
        loaded = bodies(urls, language)
        with monkeypatch.context() as patched:
            patched.setattr(public_projection, "public_detail", prefetched)
            expected = bodies(urls, language)
        assert loaded == expected


def test_every_seeded_public_suggestion_reads_as_before(db, monkeypatch):
    call_command("load_seeds", "--no-demo-users", stdout=io.StringIO(), stderr=io.StringIO())
    public = list(Suggestion.objects.public().values_list("pk", flat=True))
    seeded = Suggestion.objects.public()
    # The seeds' history: steps and outcomes from source articles, supervision, links.
    for related in ("source", "events", "outcomes", "supervision_plans"):
        assert seeded.filter(**{f"{related}__isnull": False}).exists(), related
    urls = detail_urls(public)
    assert_same_as_prefetched(urls, monkeypatch)
    assert {status for status, _body in bodies(urls, "zh-hans").values()} == {200}


def test_suggestions_in_each_public_state_read_as_before(world, monkeypatch):
    made = grow(world, 8)
    withheld = made[0]
    withheld.withheld_reason = "涉密"
    withheld.save(update_fields=["withheld_reason"])
    assert len({s.state for s in made}) >= 4
    urls = detail_urls(s.pk for s in made)
    assert_same_as_prefetched(urls, monkeypatch)
    statuses = bodies(urls, "zh-hans")
    assert {statuses[url][0] for url in detail_urls([withheld.pk])} == {404}
    assert {statuses[url][0] for url in detail_urls(s.pk for s in made[1:])} == {200}


def test_a_suggestion_through_its_lifecycle_reads_as_before(case, world, monkeypatch):  # noqa: F811
    merged = list(Suggestion.objects.filter(merged_into=case).values_list("pk", flat=True))
    assert_same_as_prefetched(detail_urls([case.pk, *merged]), monkeypatch)


@pytest.mark.parametrize("pk", ["0", "999999", "9223372036854775807", "9223372036854775808"])
def test_a_missing_id_is_the_same_404(db, pk, monkeypatch):
    urls = [f"/suggestions/{pk}/", f"/api/v1/suggestions/{pk}/", f"/api/v1/suggestions/{pk}x/"]
    assert_same_as_prefetched(urls, monkeypatch)
    assert {status for status, _body in bodies(urls, "zh-hans").values()} == {404}


def test_the_detail_is_one_query_on_postgresql(case):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("other databases read detail_queryset() (tests/test_list_query_counts.py)")
    client = APIClient()
    for url in (f"/suggestions/{case.pk}/", f"/api/v1/suggestions/{case.pk}/"):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert [q["sql"] for q in captured.captured_queries] == [
            f"EXECUTE public_suggestion_detail({case.pk})"
        ]


def test_a_statement_prepared_but_never_recorded_is_reused(case):  # noqa: F811
    """A request that prepared the statement and then failed (a statement timeout) left it
    on the connection unrecorded; the next request on that connection must still answer."""
    if connection.vendor != "postgresql":
        pytest.skip("the prepared statement is PostgreSQL's")
    client = APIClient()
    url = f"/api/v1/suggestions/{case.pk}/"
    assert client.get(url).status_code == 200
    loading.prepared_on.clear()
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["id"] == case.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [loading.STATEMENT]
        )
        assert cursor.fetchone() == (1,)
