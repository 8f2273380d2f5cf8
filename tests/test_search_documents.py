"""The public search reads the search documents (PostgreSQL): same suggestions, same order, same
count as matching the suggestions' and replies' own texts, and current after every write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from suggestions import services
from suggestions.models import Reply, SearchDocument, Suggestion
from suggestions.search import (
    _matching_ids,
    public_search_newest_first,
    search_suggestions,
    search_terms,
)
from tests import lifecycle

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")

TERMS = [
    "电",  # one character: no index, same result
    "池",
    "电池",
    "消防",
    "导则",  # only in a published reply
    "路灯",  # only in an unpublished reply
    "机密",  # only in a withheld suggestion
    "遮挡",  # only in a reply published as withheld
    "古民居",
    "电池之都",
    "中国电池之都",
    "nev",  # Latin, case-insensitive
    "NEV",
    "ai",
    "100%",
    "%",
    "_",
    "古民居 消防",  # terms in different texts
    "古民居\u3000导则",
    "电池 消防",
    "电池 回收 企业",
    "草稿",  # only in a draft
    "锂电",  # across the end of a title and the start of a body
    "不存在的词",
]


@pytest.fixture
def varied(world):
    made = [
        lifecycle.assigned(
            world, title='关于把郴州打造成为"中国电池之都"的建议', body="电池产业。"
        ),
        lifecycle.replied(
            world,
            title="关于加强古民居出租管理的建议",
            body="古民居存在消防隐患。",
            reply_text="县公安局已印发出租房屋消防技术导则。",
            publish=True,
        ),
        lifecycle.registered(world, title="关于扶持锂电池回收企业的建议", body="回收企业。"),
        lifecycle.registered(world, title="关于回收废旧锂", body="电设备的建议。"),
        lifecycle.registered(world, title="关于推广 NEV 充电桩的建议", body="覆盖率达100%。"),
        lifecycle.registered(world, title="关于推广 AI 应用的建议", body="消防_电池。"),
        lifecycle.replied(world, title="关于道路照明的建议", reply_text="路灯已在安装，电池更换。"),
        lifecycle.replied(world, title="关于电池安全的建议", reply_text="树木遮挡已清理。"),
        lifecycle.registered(world, title="关于电池机密的建议", body="机密。"),
    ]
    lifecycle.draft(world, title="关于电池仓库消防检查的建议（草稿）", body="草稿。")
    reply = made[7].replies.get()
    services.reply_publish(reply=reply, actor=world.staff, withheld=True)
    services.suggestion_withhold(suggestion=made[8], actor=world.staff, reason="涉密")
    # Ties on the date, and dates out of the order of creation.
    for days, suggestion in zip([3, 1, 1, 5, 2, 2, 0, 4, 1], made, strict=True):
        Suggestion.objects.filter(pk=suggestion.pk).update(
            filed_on=dt.date(2025, 3, 1) + dt.timedelta(days=days)
        )
    return made


def reference_ids(query: str) -> list[int]:
    """The public search as it matched before the documents: each term against the
    suggestions' titles and bodies and the published replies' published texts."""
    queryset = Suggestion.objects.public().order_by("-filed_on", "-id")
    for term in search_terms(query):
        matching = _matching_ids(term, scope=None, use_bigrams=connection.vendor == "postgresql")
        queryset = queryset.filter(pk__in=matching)
    return list(queryset.values_list("pk", flat=True))


def api_page(client, query: str, extra: str = "") -> tuple[int, list[int]]:
    body = client.get("/api/v1/suggestions/", {"search": query, "page_size": 100}).json()
    if extra:
        params = {"search": query, "page_size": 100, "ordering": extra}
        body = client.get("/api/v1/suggestions/", params).json()
    return body["count"], [row["id"] for row in body["results"]]


@on_postgres
@pytest.mark.parametrize("query", TERMS)
def test_documents_find_what_the_texts_find_in_the_same_order(varied, query):
    expected = reference_ids(query)
    assert list(public_search_newest_first(query).values_list("pk", flat=True)) == expected
    searched = search_suggestions(Suggestion.objects.public().order_by("-filed_on", "-id"), query)
    assert list(searched.values_list("pk", flat=True)) == expected


@pytest.mark.parametrize("query", TERMS)
def test_api_and_pages_show_the_same_matches_and_count(client, varied, query):
    expected = reference_ids(query)
    # The plain search (the documents on PostgreSQL) and the same search with an explicit
    # ordering (the general path: the suggestions filtered by the matching ids).
    assert api_page(client, query) == (len(expected), expected)
    assert api_page(client, query, extra="-filed_on,-id") == (len(expected), expected)
    response = client.get("/suggestions/", {"q": query})
    assert response.context["page"].paginator.count == len(expected)
    assert list(response.context["page"].object_list) == expected[:20]


def test_unknown_term_matches_nothing_anywhere(client, varied):
    assert reference_ids("不存在的词") == []
    assert "没有" in client.get("/suggestions/", {"q": "不存在的词"}).content.decode()


def titles(query: str) -> set[str]:
    documents = public_search_newest_first(query)
    if documents is not None:
        ids = list(documents.values_list("pk", flat=True))
        return set(Suggestion.objects.filter(pk__in=ids).values_list("title", flat=True))
    found = search_suggestions(Suggestion.objects.public(), query)
    return set(found.values_list("title", flat=True))


def test_each_write_is_found_by_the_very_next_search(world):
    assert titles("照明") == set()
    suggestion = lifecycle.registered(world, title="关于道路照明的建议", body="增设路灯。")
    assert titles("照明") == {"关于道路照明的建议"}

    Suggestion.objects.filter(pk=suggestion.pk).update(title="关于夜间照明的建议")
    assert titles("道路照明") == set()
    assert titles("夜间照明") == {"关于夜间照明的建议"}

    services.suggestion_assign(suggestion=suggestion, actor=world.staff, lead_unit=world.lead_unit)
    suggestion = lifecycle.replied(world, title="关于公交线路的建议", reply_text="增开夜班线路。")
    reply = suggestion.replies.get()
    assert titles("夜班") == set()  # not published yet
    services.reply_publish(reply=reply, actor=world.staff)
    assert titles("夜班") == {"关于公交线路的建议"}
    services.reply_publish(reply=Reply.objects.get(pk=reply.pk), actor=world.staff, withheld=True)
    assert titles("夜班") == set()
    services.reply_publish(reply=Reply.objects.get(pk=reply.pk), actor=world.staff)
    assert titles("夜班") == {"关于公交线路的建议"}
    Reply.objects.filter(pk=reply.pk).update(published_at=None)
    assert titles("夜班") == set()

    services.suggestion_withhold(suggestion=suggestion, actor=world.staff, reason="涉密")
    assert titles("公交线路") == set()


def expected_document(suggestion: Suggestion) -> tuple:
    replies = Reply.objects.published().filter(suggestion=suggestion).order_by("pk")
    texts = [suggestion.title, suggestion.body]
    if replies:
        texts.append(" ".join(replies.values_list("public_text", flat=True)))
    state, reason, filed_on = suggestion.state, suggestion.withheld_reason, suggestion.filed_on
    return suggestion.pk, state, reason, filed_on, " ".join(texts)


def documents() -> list[tuple]:
    fields = ("pk", "state", "withheld_reason", "filed_on", "text")
    return list(SearchDocument.objects.order_by("pk").values_list(*fields))


@on_postgres
def test_every_suggestion_has_its_document_as_the_orm_defines_it(varied):
    expected = [expected_document(s) for s in Suggestion.objects.order_by("pk")]
    assert documents() == expected
    public = SearchDocument.objects.public().values_list("pk", flat=True)
    assert set(public) == set(Suggestion.objects.public().values_list("pk", flat=True))


@on_postgres
def test_rebuild_writes_the_same_documents(varied):
    before = documents()
    SearchDocument.objects.update(text="")
    call_command("rebuild_search_documents", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert documents() == before


@on_postgres
@pytest.mark.parametrize("query, index", [("消防", "bigrams"), ("电池之都", "trgm")])
def test_a_plain_public_search_reads_one_table_from_its_index(varied, query, index):
    with CaptureQueriesContext(connection) as captured:
        list(public_search_newest_first(query).values_list("pk", flat=True))
    (sql,) = [q["sql"] for q in captured.captured_queries]
    assert "suggestions_suggestion" not in sql and "suggestions_reply" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"search_document_{index}" in plan


def test_filters_and_orderings_still_search_the_same_texts(client, varied):
    published = Q(state__in=["registered"])
    expected = list(
        Suggestion.objects.public()
        .filter(published, pk__in=reference_ids("电池"))
        .order_by("title", "id")
        .values_list("pk", flat=True)
    )
    body = client.get(
        "/api/v1/suggestions/", {"search": "电池", "state": "registered", "ordering": "title,id"}
    ).json()
    assert [row["id"] for row in body["results"]] == expected
