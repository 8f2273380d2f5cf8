"""Chinese substring search (suggestions/search.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core import checks
from django.db import connection

from suggestions import access, services
from suggestions.models import Suggestion
from suggestions.search import (
    MAX_TERMS,
    search_suggestions,
    search_terms,
    trigram_cjk_problem,
    trigram_cjk_support,
)
from suggestions.selectors import public_suggestions
from tests import lifecycle
from tests.factories import UserFactory

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")

BATTERY_TITLE = '关于把郴州打造成为"中国电池之都"的建议'
BATTERY_BODY = "依托湘粤（临武）电池产业集聚区，把郴州打造成为中国电池之都。"
HOUSES_TITLE = "关于加强巍山县古民居出租管理的建议"
HOUSES_BODY = "古城古民居出租后存在消防安全隐患，建议规范出租管理。"


@pytest.fixture
def cases(world):
    battery = lifecycle.assigned(world, title=BATTERY_TITLE, body=BATTERY_BODY)
    houses = lifecycle.replied(
        world,
        title=HOUSES_TITLE,
        body=HOUSES_BODY,
        reply_text="县公安局已印发出租房屋消防技术导则。",
        publish=True,
    )
    lithium = lifecycle.registered(world, title="关于扶持锂电池回收企业的建议", body="回收。")
    draft = lifecycle.draft(world, title="关于电池仓库消防检查的建议（草稿）", body="草稿。")
    return {"battery": battery, "houses": houses, "lithium": lithium, "draft": draft}


def found(query, *, queryset=None, **kwargs) -> set[str]:
    queryset = public_suggestions() if queryset is None else queryset
    return set(search_suggestions(queryset, query, **kwargs).values_list("title", flat=True))


def test_four_character_term_finds_the_battery_capital(cases):
    assert found("电池之都") == {BATTERY_TITLE}


def test_three_character_term_finds_the_old_houses(cases):
    assert found("古民居") == {HOUSES_TITLE}


def test_two_character_terms_find_their_suggestions(cases):
    assert found("电池") == {BATTERY_TITLE, "关于扶持锂电池回收企业的建议"}
    assert found("消防") == {HOUSES_TITLE}  # in the body and the published reply


def test_terms_are_anded_and_may_match_different_texts(cases):
    assert found("古民居 消防") == {HOUSES_TITLE}
    assert found("古民居\u3000导则") == {HOUSES_TITLE}  # full-width space; term in the reply
    assert found("电池 消防") == set()


def test_public_search_never_finds_drafts(cases):
    assert found("草稿") == set()
    everything = Suggestion.objects.all()
    assert found("草稿", queryset=everything) == {"关于电池仓库消防检查的建议（草稿）"}


def test_blank_query_returns_queryset_unchanged(cases):
    assert found("   ") == set(public_suggestions().values_list("title", flat=True))
    assert found(None) == found("")


def test_unpublished_reply_is_searchable_only_internally(world):
    suggestion = lifecycle.replied(world, title="关于道路照明的建议", reply_text="路灯已在安装。")
    assert suggestion.replies.get().published_at is None
    assert found("路灯") == set()
    assert found("路灯", scope=access.search_scope(world.staff)) == {"关于道路照明的建议"}


def test_redacted_passage_of_a_published_reply_is_not_searchable(world):
    suggestion = lifecycle.replied(
        world, title="关于公交线路的建议", reply_text="增开线路。\n联系电话13800000000。"
    )
    services.reply_publish(
        reply=suggestion.replies.get(), actor=world.staff, redactions="联系电话13800000000。"
    )
    assert found("增开线路") == {"关于公交线路的建议"}
    assert found("13800000000") == set()


def test_earlier_versions_are_searched_only_internally(world):
    suggestion = lifecycle.submitted(world, title="关于打造锂电之都的建议", body="初稿。")
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=world.staff, comments="请修改标题"
    )
    services.suggestion_update_draft(
        suggestion=suggestion,
        actor=world.deputy.person.user,
        title=BATTERY_TITLE,
        body=BATTERY_BODY,
    )
    services.suggestion_submit(suggestion=suggestion, actor=world.deputy.person.user)
    services.suggestion_register(suggestion=suggestion, actor=world.staff)
    assert found("锂电之都") == set()
    assert found("锂电之都", scope=access.search_scope(world.staff)) == {BATTERY_TITLE}


def test_latin_is_case_insensitive_and_wildcards_are_literal(world):
    lifecycle.registered(world, title="关于推广 NEV 充电桩的建议", body="覆盖率达100%。")
    lifecycle.registered(world, title="关于公园绿化的建议", body="绿化率达到90以上。")
    assert found("nev") == {"关于推广 NEV 充电桩的建议"}
    assert found("100%") == {"关于推广 NEV 充电桩的建议"}
    assert found("%") == {"关于推广 NEV 充电桩的建议"}
    assert found("_") == set()


def test_search_terms_are_split_deduplicated_and_bounded():
    assert search_terms(" 电池  消防 电池 ") == ["电池", "消防"]
    assert len(search_terms(" ".join(f"词{i}" for i in range(50)))) == MAX_TERMS
    assert search_terms("长" * 500) == ["长" * 100]


def test_search_keeps_the_queryset_ordering(cases):
    queryset = public_suggestions()
    assert search_suggestions(queryset, "电池").query.order_by == queryset.query.order_by


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite behaviour")
def test_trigram_check_does_not_apply_on_sqlite(db):
    assert trigram_cjk_support() is None
    assert trigram_cjk_problem() is None


@on_postgres
def test_pg_trgm_sees_chinese_and_the_check_is_quiet(db):
    assert trigram_cjk_support() is True
    assert trigram_cjk_problem() is None
    warnings = checks.run_checks(databases=["default"], tags=[checks.Tags.database])
    assert not [w for w in warnings if w.id == "suggestions.W001"]


@on_postgres
def test_trigram_indexes_serve_three_character_terms(cases):
    # Staff match the full reply texts (the public's search reads the search documents,
    # tests/test_search_documents.py).
    scope = access.search_scope(UserFactory(is_superuser=True))
    queryset = search_suggestions(Suggestion.objects.all(), "电池之都", scope=scope)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "suggestion_title_trgm" in plan
    assert "suggestion_body_trgm" in plan
    assert "reply_text_trgm" in plan


def test_two_character_terms_match_within_one_text_only(world):
    # The title ends with 锂 and the body starts with 电: 锂电 occurs in neither text.
    lifecycle.registered(world, title="关于回收废旧锂", body="电设备的建议。")
    lifecycle.registered(world, title="关于推广 AI 应用的建议", body="第12条。")
    assert found("锂电") == set()
    assert found("设备") == {"关于回收废旧锂"}
    assert found("ai") == {"关于推广 AI 应用的建议"}  # two letters: still case-insensitive
    assert found("12") == {"关于推广 AI 应用的建议"}
    assert found("于回 12") == set()


def test_two_character_terms_in_versions_and_replies(world):
    suggestion = lifecycle.replied(world, title="关于道路照明的建议", reply_text="路灯已在安装。")
    assert found("路灯", scope=access.search_scope(world.staff)) == {"关于道路照明的建议"}
    assert found("照明", scope=access.search_scope(world.staff)) == {"关于道路照明的建议"}
    assert found("安装") == set()  # the reply is not published
    services.reply_publish(reply=suggestion.replies.get(), actor=world.staff)
    assert found("安装") == {"关于道路照明的建议"}


@on_postgres
def test_suggestion_bigrams_lists_distinct_upper_case_pairs(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT suggestion_bigrams(%s), suggestion_bigrams(%s)", ["电池ab电池", "电"]
        )
        pairs, single = cursor.fetchone()
    assert sorted(pairs) == sorted(["电池", "池A", "AB", "B电"])
    assert single == []


@on_postgres
def test_bigram_indexes_serve_two_character_terms(cases):
    superuser = UserFactory(is_superuser=True)
    queryset = search_suggestions(
        Suggestion.objects.all(), "消防", scope=access.search_scope(superuser)
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "suggestion_text_bigrams" in plan
    assert "version_text_bigrams" in plan
    assert "reply_text_bigrams" in plan


@on_postgres
def test_matching_ids_are_looked_up_by_primary_key(cases):
    # The matches are collected from the text indexes first, then the suggestions fetched by
    # id: never a hash join against a scan of every suggestion (tests/benchmarks/, README
    # "Performance": 50 ms at 100,000 suggestions for a common four-character term).
    queryset = search_suggestions(Suggestion.objects.public(), "电池之都 电池")
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The first term's ids by primary key; the second term tested on those rows only (two
    # arrays on one index scan would cost time quadratic in their lengths).
    assert sql.count("= ANY((ARRAY(") == 1
    assert "InitPlan" in plan and "(id = ANY ($0))" in plan and "$1" not in plan
    assert found("电池之都 电池") == found("电池之都") != set()
