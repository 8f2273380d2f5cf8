"""The public list and search read their rows in fewer queries and show the same thing
(README "Performance": cold latency of the public list and search).

- The HTML list's rows (web/public_rows.py) render exactly as the rows Django's
  prefetch_related built, next steps included, for every state a public row can be in; so
  do whole list pages (filters, searches, later pages, both languages), and each row links
  to its suggestion's page.
- The names rows show (congress, session, lead deputy) and the entered calendar years are
  kept under the data version: a rename or a newly entered year shows at once, names missing
  from the kept ones are read again, and a provisional due date costs no query.
- A list page counts in its own query (CountIn.SUBQUERY), with the same count, the same
  capped flag and the same last page as a separate capped count.
- The API list skips django-filter's form when no filter is named, and still refuses a bad
  filter with a 400.
- Each page runs a fixed, lower number of queries.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congress.models import CalendarYear
from suggestions import selectors
from suggestions.api import pagination
from suggestions.models import (
    Assignment,
    AssignmentStatus,
    FollowUpReview,
    Reply,
    State,
    Suggestion,
    UnitRole,
)
from suggestions.progress import next_steps
from suggestions.templatetags.list_rows import suggestion_rows
from suggestions.web import public as public_pages
from suggestions.web.facets import read_names
from suggestions.web.paging import bounded_page
from suggestions.web.public_rows import public_list_rows
from tests.factories import DeputyFactory, SuggestionFactory
from tests.web_support import bulk_public_suggestions


@pytest.fixture(autouse=True)
def response_cache_off(settings):
    settings.PUBLIC_CACHE_SECONDS = 0


def _every_public_state(world) -> None:
    """Rows in the states whose next steps read more than the row: re-handling with a
    re-handling deadline, follow-up with reviews (one done), closed with a B reply of a later
    round than an A reply, assigned with a unit that returned it and a unit that already replied."""
    made = bulk_public_suggestions(world, 12)
    rehandling, follow_up, closed, assigned = made[1], made[5], made[3], made[9]
    Suggestion.objects.filter(pk=rehandling.pk).update(state=State.REHANDLING, handling_round=2)
    Assignment.objects.filter(suggestion=rehandling, role=UnitRole.LEAD).update(
        rehandling_due_on=dt.date(2024, 8, 1), rehandling_explanation="重新办理三个月"
    )
    Suggestion.objects.filter(pk=follow_up.pk).update(state=State.FOLLOW_UP)
    FollowUpReview.objects.create(suggestion=follow_up, due_on=dt.date(2024, 9, 1))
    FollowUpReview.objects.create(suggestion=follow_up, due_on=dt.date(2024, 7, 1), is_done=True)
    lead = closed.assignments.get(role=UnitRole.LEAD)
    Reply.objects.filter(suggestion=closed).update(round=2)
    Reply.objects.create(
        suggestion=closed,
        assignment=lead,
        round=1,
        category="A",
        text="第一轮",
        public_text="第一轮",
        signer="李四",
        replied_at=dt.datetime(2024, 4, 1, tzinfo=dt.UTC),
    )
    Assignment.objects.filter(suggestion=assigned, role=UnitRole.CO).update(
        status=AssignmentStatus.RETURNED
    )
    Reply.objects.create(
        suggestion=assigned,
        assignment=assigned.assignments.get(role=UnitRole.LEAD),
        round=assigned.handling_round,
        category="A",
        text="已答复",
        public_text="已答复",
        signer="王五",
        replied_at=dt.datetime(2024, 4, 2, tzinfo=dt.UTC),
    )


def _prefetched_rows(ids: list[int], _names=None) -> list:
    """The rows as the list read them before: select_related and prefetch_related."""
    queryset = (
        selectors.public_suggestions()
        .defer("body")
        .annotate(listed_as_key=public_pages.key_supervised())
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(status=AssignmentStatus.ACTIVE)
                .select_related("unit")
                .order_by("role", "unit__name"),
            ),
            "replies",
            "follow_up_reviews",
        )
    )
    by_pk = {s.pk: s for s in queryset.filter(pk__in=ids)}
    return [(by_pk[pk], next_steps(by_pk[pk])) for pk in ids if pk in by_pk]


def test_rows_show_what_the_prefetched_rows_showed(world):
    _every_public_state(world)
    ids = list(
        Suggestion.objects.public().order_by("-filed_on", "-pk").values_list("pk", flat=True)
    )
    assert len(ids) == 12
    rows = public_list_rows(ids, read_names())
    expected = _prefetched_rows(ids)
    assert [s.pk for s, _steps in rows] == ids
    assert [steps for _s, steps in rows] == [steps for _s, steps in expected]
    assert suggestion_rows(rows, "web:suggestion-detail") == suggestion_rows(
        expected, "web:suggestion-detail"
    )
    by_state = {s.state: steps for s, steps in rows}
    assert by_state[State.REHANDLING][0].due_on == dt.date(2024, 8, 1)
    assert by_state[State.FOLLOW_UP][0].due_on == dt.date(2024, 9, 1)


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _body(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return CSRF_TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_list_pages_are_the_pages_the_prefetched_rows_made(client, world, monkeypatch, language):
    _every_public_state(world)
    bulk_public_suggestions(world, 18)
    urls = [
        "/suggestions/",
        "/suggestions/?page=2",
        "/suggestions/?page=99",
        "/suggestions/?state=assigned",
        f"/suggestions/?unit={world.lead_unit.pk}&key=1",
        "/suggestions/?reply_category=B&page=1",
        "/suggestions/?q=批量",
        "/suggestions/?q=没有这样的建议",
    ]
    pages = [_body(client, url, language) for url in urls]
    monkeypatch.setattr(public_pages, "public_list_rows", _prefetched_rows)
    assert pages == [_body(client, url, language) for url in urls]
    links = re.findall(r'<h3><a href="([^"]+)">', pages[0])
    ids = Suggestion.objects.public().order_by("-filed_on", "-pk").values_list("pk", flat=True)
    assert links == [reverse("web:suggestion-detail", args=[pk]) for pk in ids[:20]]


def test_renamed_reference_rows_show_at_once(client, world):
    made = bulk_public_suggestions(world, 2)
    client.get("/suggestions/")  # the names are read, then kept under the data version
    person = made[1].lead_deputy.person
    person.name = "改名后的代表"
    person.save()
    world.congress.short_name = "改名后的人大"
    world.congress.save()
    world.session.name = "改名后的会议"
    world.session.save()
    html = client.get("/suggestions/").content.decode()
    assert "领衔代表 改名后的代表" in html
    assert "改名后的人大 · 改名后的会议" in html


def test_provisional_due_dates_cost_no_query_and_follow_the_entered_years(client, world):
    made = bulk_public_suggestions(world, 2)
    assigned = next(s for s in made if s.state == State.ASSIGNED)
    # Every year up to the due date's entered but the due date's own: only it is a guess.
    for year in range(timezone.localdate().year, 2031):
        CalendarYear.objects.create(year=year, notice="国办发明电", entered_at=timezone.now())
    Assignment.objects.filter(suggestion=assigned, role=UnitRole.LEAD).update(
        due_on=dt.date(2031, 3, 3)
    )
    client.get("/suggestions/")  # the reference rows are read, then kept
    html = client.get("/suggestions/").content.decode()
    assert '<time datetime="2031-03-03">' in html and "2031年放假安排尚未录入" in html
    assert _queries(client, "/suggestions/") == 5
    CalendarYear.objects.create(year=2031, notice="国办发明电", entered_at=timezone.now())
    html = client.get("/suggestions/").content.decode()
    assert '<time datetime="2031-03-03">' in html and 'class="provisional"' not in html


def test_names_read_before_a_write_are_read_again(world):
    made = bulk_public_suggestions(world, 2)
    names = read_names()
    newcomer = SuggestionFactory(
        lead_deputy=DeputyFactory(term=world.term), session=world.session, state=State.ASSIGNED
    )
    rows = public_list_rows([newcomer.pk, made[0].pk], names)
    assert [s.lead_deputy.person.name for s, _ in rows] == [
        newcomer.lead_deputy.person.name,
        made[0].lead_deputy.person.name,
    ]


def test_a_row_no_longer_public_is_left_out(world):
    made = bulk_public_suggestions(world, 3)
    Suggestion.objects.filter(pk=made[1].pk).update(withheld_reason="依法不予公开")
    assert [s.pk for s, _ in public_list_rows([m.pk for m in made], read_names())] == [
        made[0].pk,
        made[2].pk,
    ]
    assert public_list_rows([], read_names()) == []


@pytest.mark.parametrize(
    ("cap", "number", "per_page", "rows", "count", "capped"),
    [
        (100, 1, 4, 4, 9, False),  # below the cap: the exact count
        (100, 3, 4, 1, 9, False),  # the last page
        (5, 1, 4, 4, 6, True),  # above the cap: cap + 1, "more than"
        (8, 2, 4, 4, 9, True),  # the last page within the cap
    ],
)
def test_count_in_the_page_query_is_the_capped_count(
    world, cap, number, per_page, rows, count, capped
):
    bulk_public_suggestions(world, 9)
    queryset = Suggestion.objects.public().order_by("-filed_on", "-pk")
    ordered = list(queryset.values_list("pk", flat=True))
    page = bounded_page(queryset, number, per_page, cap=cap, count_in=pagination.CountIn.SUBQUERY)
    separate = bounded_page(queryset, number, per_page, cap=cap)
    assert list(page.object_list) == list(separate.object_list)
    assert len(page.object_list) == rows
    assert page.object_list == ordered[(number - 1) * per_page :][:rows]
    assert page.paginator.count == separate.paginator.count == count
    assert page.paginator.capped is capped


def test_a_page_beyond_the_end_is_the_last_page(world):
    bulk_public_suggestions(world, 9)
    queryset = Suggestion.objects.public().order_by("-filed_on", "-pk")
    page = bounded_page(queryset, 7, 4, count_in=pagination.CountIn.SUBQUERY)
    assert page.number == 3 and len(page.object_list) == 1
    assert page.paginator.count == 9


def test_api_list_pages_end_at_the_cap(client, world, monkeypatch):
    bulk_public_suggestions(world, 9)
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    monkeypatch.setattr(pagination.IdPagePaginator, "cap", 5)
    body = client.get("/api/v1/suggestions/?page=2&page_size=4").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (5, True, 2)
    assert body["next"] is None
    assert client.get("/api/v1/suggestions/?page=3&page_size=4").status_code == 404


def test_api_list_filters_named_filters_only(client, world):
    made = bulk_public_suggestions(world, 8)
    assert client.get("/api/v1/suggestions/").json()["count"] == 8
    assert client.get("/api/v1/suggestions/?state=nope").status_code == 400
    assert client.get("/api/v1/suggestions/?congress=x").status_code == 400
    assigned = client.get("/api/v1/suggestions/?state=assigned").json()
    assert {row["id"] for row in assigned["results"]} == {
        s.pk for s in made if s.state == State.ASSIGNED
    }


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def test_list_and_search_query_counts(client, world):
    bulk_public_suggestions(world, 25)
    client.get("/suggestions/")  # the facets are read once, then kept (web/facets.py)
    # HTML: the page with its count, the rows, then units, replies and reviews (before: 6
    # for the list, with the count on its own; the search counted in its page already).
    assert _queries(client, "/suggestions/") == 5
    assert _queries(client, "/suggestions/?page=2") == 5
    assert _queries(client, "/suggestions/?q=批量") == 5
    # API: the page with its count, then the rows (before: 3 for the list).
    assert _queries(client, "/api/v1/suggestions/") == 2
    assert _queries(client, "/api/v1/suggestions/?search=批量") == 2
    assert _queries(client, "/api/v1/suggestions/?state=assigned") == 2
