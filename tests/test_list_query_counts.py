"""Every list and detail page runs the same number of queries at 10 and at 60 suggestions
(and assignments), and its pagination is bounded: a page number beyond the end or the cap
gives the last page, a malformed one a 400, never a 500 (issue 9: "No page's time may grow
with the number of suggestions"). The workbench and the unit inbox show the right rows and a
next page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suggestions import selectors
from suggestions.models import (
    Assignment,
    AssignmentStatus,
    CoSignature,
    Event,
    State,
    Suggestion,
)
from suggestions.web import deputy as deputy_pages
from suggestions.web import public as public_pages
from suggestions.web import staff as leader_pages
from suggestions.web import unit as unit_pages
from suggestions.web import workbench as staff_pages
from tests.factories import DeputyFactory, SuggestionFactory
from tests.web_support import bulk_public_suggestions


@pytest.fixture(autouse=True)
def response_cache_off(settings):
    settings.PUBLIC_CACHE_SECONDS = 0


def grow(world, n: int) -> list[Suggestion]:
    """`n` public suggestions (a quarter of them assigned and overdue for the lead unit, the
    others registered, replied or closed), n / 5 submitted ones awaiting review, and a
    timeline whose actors are a clerk, the lead unit's clerk and the deputy."""
    made = bulk_public_suggestions(world, n)
    for i in range(n // 5):
        SuggestionFactory(
            lead_deputy=world.deputy,
            session=world.session,
            state=State.SUBMITTED,
            title=f"待审查第{i}件",
            filed_on=dt.date(2024, 6, 1),
        )
    for s in made:
        for actor, action in (
            (world.staff, "assign"),
            (world.lead_unit_user, "reply"),
            (world.deputy.person.user, "evaluate"),
        ):
            Event.objects.create(
                suggestion=s, action=action, action_label=action, actor=actor,
                occurred_at=timezone.now(),
            )  # fmt: skip
    return made


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def public_urls(target: Suggestion, world) -> list[str]:
    return [
        "/",
        "/suggestions/",
        "/suggestions/?page=2",
        "/suggestions/?page=999999",
        "/suggestions/?q=批量",
        "/suggestions/?q=批量 测试",
        f"/suggestions/?category=&unit={world.lead_unit.pk}&key=1&state=assigned",
        f"/suggestions/{target.pk}/",
        "/api/v1/suggestions/",
        "/api/v1/suggestions/?page=2&page_size=5",
        "/api/v1/suggestions/?search=批量",
        f"/api/v1/suggestions/{target.pk}/",
        f"/api/v1/suggestions/{target.pk}/timeline/",
    ]


SIGNED_IN_URLS = {
    "staff": [
        "/staff/",
        "/staff/?queue=review",
        "/staff/?queue=overdue&page=2",
        "/staff/?queue=follow_up",
        "/staff/?queue=evaluation&page=999999",
    ],
    "lead_unit_user": [
        "/unit/",
        "/unit/?show=overdue",
        "/unit/?show=done&page=2",
        "/unit/?show=finished",
        "/unit/?show=returned",
    ],
    "deputy": ["/deputy/", "/deputy/?page=999999"],
}


def signed_in_counts(client, world) -> dict[str, int]:
    counts = {}
    for who, urls in SIGNED_IN_URLS.items():
        user = getattr(world, who)
        client.force_login(user if who != "deputy" else user.person.user)
        counts.update({url: queries(client, url) for url in urls})
    client.logout()
    return counts


def test_every_page_runs_the_same_queries_at_10_and_60(client, world, monkeypatch):
    # Pages of 5, so that ?page=2 is a page in range at both sizes: a page beyond the end
    # reads the count again (web/paging.py), whatever the size.
    monkeypatch.setattr(public_pages, "PAGE_SIZE", 5)
    made = grow(world, 10)
    target = made[2]  # replied: units, a published reply, a timeline with three actors
    # On PostgreSQL a connection's first public detail also prepares its statement
    # (public_projection/loading.py); the counts compared are those of every later request.
    client.get(f"/suggestions/{target.pk}/")
    few = {url: queries(client, url) for url in public_urls(target, world)}
    few_signed_in = signed_in_counts(client, world)
    grow(world, 50)
    many = {url: queries(client, url) for url in public_urls(target, world)}
    assert many == few
    assert signed_in_counts(client, world) == few_signed_in


def test_detail_timeline_queries_do_not_grow_with_events(client, world):
    made = grow(world, 4)
    target = made[2]
    urls = [f"/suggestions/{target.pk}/", f"/api/v1/suggestions/{target.pk}/"]
    before = {url: queries(client, url) for url in urls}
    for _ in range(10):
        Event.objects.create(
            suggestion=target, action="reply", action_label="答复", actor=world.lead_unit_user,
            occurred_at=timezone.now(),
        )  # fmt: skip
    assert {url: queries(client, url) for url in urls} == before
    page = client.get(f"/suggestions/{target.pk}/").content.decode()
    assert world.lead_unit.name in page  # the unit's clerk is named as the unit


@pytest.mark.parametrize("page", ["999999", "9223372036854775807"])
def test_a_page_beyond_the_end_gives_the_last_page(client, world, page):
    grow(world, 25)
    response = client.get(f"/suggestions/?page={page}")
    assert response.status_code == 200
    last = response.context["page"]
    assert last.number == last.paginator.num_pages == 2
    assert len(response.context["rows"]) == 5


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "9223372036854775808"])
def test_a_malformed_page_is_a_400(client, world, page):
    grow(world, 3)
    assert client.get(f"/suggestions/?page={page}").status_code == 400
    client.force_login(world.staff)
    assert client.get(f"/staff/?queue=review&page={page}").status_code == 400


def test_unknown_queue_or_view_is_a_400(client, world):
    client.force_login(world.staff)
    assert client.get("/staff/?queue=nothing").status_code == 400
    client.force_login(world.lead_unit_user)
    assert client.get("/unit/?show=nothing").status_code == 400


def test_list_count_stops_at_the_cap(client, world, monkeypatch):
    from suggestions.web import paging, public

    grow(world, 12)
    monkeypatch.setattr(public, "COUNT_CAP", 10)
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    monkeypatch.setattr(public, "bounded_page", _bounded_with_cap(paging.bounded_page, 10))
    response = client.get("/suggestions/?page=9")
    page = response.context["page"]
    assert page.paginator.capped
    assert page.paginator.num_pages == 1  # 10 rows of 20 a page: no page beyond the cap
    assert "超过 10 件建议" in response.content.decode()


def _bounded_with_cap(bounded_page, cap):
    def bounded(queryset, number, per_page, **kwargs):
        return bounded_page(queryset, number, per_page, cap=cap, **kwargs)

    return bounded


def test_workbench_shows_previews_and_a_page_per_queue(client, world, monkeypatch):
    grow(world, 28)  # 7 assigned and overdue, 7 replied, 5 submitted
    monkeypatch.setattr(staff_pages, "QUEUE_PREVIEW", 3)
    monkeypatch.setattr(staff_pages, "PAGE_SIZE", 4)
    client.force_login(world.staff)
    overview = client.get("/staff/")
    sections = {q["key"]: q for q in overview.context["queues"]}
    assert sections["review"]["count"] == 5
    assert len(sections["review"]["rows"]) == 3
    assert sections["review"]["more"]
    assert overview.context["overdue_count"] == 7
    assert len(overview.context["overdue"]) == 3
    assert 'href="?queue=overdue"' in overview.content.decode()

    overdue = Assignment.objects.filter(
        unit=world.lead_unit, suggestion__state=State.ASSIGNED
    ).order_by("due_on", "pk")
    first = client.get("/staff/?queue=overdue")
    assert [a.pk for a in first.context["overdue"]] == [a.pk for a in overdue[:4]]
    assert first.context["page"].has_next()
    assert 'rel="next"' in first.content.decode()
    second = client.get("/staff/?queue=overdue&page=2")
    assert [a.pk for a in second.context["overdue"]] == [a.pk for a in overdue[4:]]
    by_unit = client.get(f"/staff/?queue=overdue&unit={world.co_unit.pk}")
    assert by_unit.context["overdue"] == []  # co-units do not reply: never overdue

    review = client.get("/staff/?queue=review&page=2")
    titles = [s.title for s, _steps in review.context["queues"][0]["rows"]]
    assert titles == ["待审查第4件"]


def test_unit_inbox_views_and_pages(client, world, monkeypatch):
    made = grow(world, 24)  # lead unit: 6 assigned (overdue), 12 replied or closed
    monkeypatch.setattr(unit_pages, "PAGE_SIZE", 4)
    returned = made[1].assignments.get(unit=world.lead_unit)
    Assignment.objects.filter(pk=returned.pk).update(status=AssignmentStatus.RETURNED)
    Assignment.objects.filter(pk=returned.pk).refresh_open_work()  # written past the services
    client.force_login(world.lead_unit_user)

    todo = client.get("/unit/")
    assert todo.context["show"] == "todo"
    assert todo.context["page"].paginator.count == 5
    assert todo.context["page"].has_next()
    assert all(a.suggestion.state == State.ASSIGNED and not a.done for a in todo.context["rows"])
    assert [a.pk for a in client.get("/unit/?show=overdue&page=2").context["rows"]] == [
        a.pk for a in client.get("/unit/?page=2").context["rows"]
    ]
    assert [a.pk for a in client.get("/unit/?show=returned").context["rows"]] == [returned.pk]
    finished = client.get("/unit/?show=finished")
    assert finished.context["page"].paginator.count == 12
    assert {a.suggestion.state for a in finished.context["rows"]} <= {State.REPLIED, State.CLOSED}
    client.force_login(world.co_unit_user)
    co_todo = client.get("/unit/").context["page"].paginator.count
    assert co_todo == 6  # the co-unit's opinions on assigned suggestions are still due


def test_deputy_home_pages(client, world, monkeypatch):
    grow(world, 16)  # the world's deputy leads 4 public ones and 3 submitted ones
    monkeypatch.setattr(deputy_pages, "PAGE_SIZE", 5)
    client.force_login(world.deputy.person.user)
    first = client.get("/deputy/")
    assert first.context["page"].paginator.count == 7
    second = client.get("/deputy/?page=2")
    shown = [s.pk for page in (first, second) for _l, _v, rows in page.context["groups"]
             for s, _steps in rows]  # fmt: skip
    mine = Suggestion.objects.filter(lead_deputy=world.deputy).values_list("pk", flat=True)
    assert sorted(shown) == sorted(mine)


def test_topics_facet_lists_public_topics_only(world):
    public = SuggestionFactory(
        lead_deputy=world.deputy, state=State.REGISTERED, topic="交通", number=1
    )
    SuggestionFactory(lead_deputy=world.deputy, state=State.REGISTERED, topic="教育", number=2)
    SuggestionFactory(lead_deputy=world.deputy, state=State.DRAFT, topic="草稿类别")
    SuggestionFactory(
        lead_deputy=world.deputy, state=State.REGISTERED, topic="涉密", number=3,
        withheld_reason="涉密",
    )  # fmt: skip
    assert public.topic in selectors.public_topics()
    expected = list(
        Suggestion.objects.public().exclude(topic="").order_by("topic")
        .values_list("topic", flat=True).distinct()
    )  # fmt: skip
    assert selectors.public_topics() == expected == sorted(["交通", "教育"])


def test_detail_queries_do_not_depend_on_cosigners_or_an_empty_merge(client, world):
    # Co-signers come with their deputy and person in one query (three before); a suggestion
    # merged into none and without a source article costs no query for them.
    made = grow(world, 4)
    target = made[2]
    urls = [f"/suggestions/{target.pk}/", f"/api/v1/suggestions/{target.pk}/"]
    alone = {url: queries(client, url) for url in urls}
    for deputy in (world.cosigner, DeputyFactory(term=world.term)):
        CoSignature.objects.create(suggestion=target, deputy=deputy, confirmed_at=timezone.now())
    assert {url: queries(client, url) for url in urls} == alone
    # PostgreSQL: the whole record in one query (suggestions/public_projection/loading.py;
    # ten before). Elsewhere the prefetches, links of both directions in one query.
    expected = 1 if connection.vendor == "postgresql" else 10
    assert alone == {url: expected for url in urls}
    cosigners = client.get(f"/api/v1/suggestions/{target.pk}/").json()["cosigners"]
    assert sorted(cosigners) == sorted(c.deputy.person.name for c in target.cosignatures.all())
    assert len(cosigners) == 2


def test_leader_page_lists_each_plan_bounded_and_pages_one_plan(client, world, monkeypatch):
    monkeypatch.setattr(leader_pages, "PLAN_PREVIEW", 3)
    monkeypatch.setattr(leader_pages, "PLAN_PAGE_SIZE", 2)
    made = bulk_public_suggestions(world, 12)  # the plan holds every third: 4 suggestions
    client.force_login(world.staff)
    overview = client.get("/leader/")
    ((plan, rows, _mine),) = overview.context["rows"]
    newest_first = sorted(made[::3], key=lambda s: (s.created_at, s.pk), reverse=True)
    assert plan.suggestion_count == 4
    assert [s for s, _steps in rows] == newest_first[:3]
    assert f"?plan={plan.pk}" in overview.content.decode()

    second = client.get(f"/leader/?plan={plan.pk}&page=2")
    assert [s for s, _steps in second.context["rows"][0][1]] == newest_first[2:]
    assert client.get("/leader/?plan=999999").status_code == 404
    assert client.get("/leader/?plan=x").status_code == 400

    small = [queries(client, url) for url in ("/leader/", f"/leader/?plan={plan.pk}")]
    bulk_public_suggestions(world, 30)  # a second plan, and 10 more in it
    assert [queries(client, url) for url in ("/leader/", f"/leader/?plan={plan.pk}")] == small
