"""Public pages: what a citizen sees without logging in, and what is never shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from congress.models import HandlingUnit, Person
from suggestions import services
from suggestions.models import LinkKind, SuggestionLink
from tests import lifecycle
from tests.web_support import bulk_public_suggestions, count_queries

pytestmark = [pytest.mark.django_db]

BATTERY_TITLE = "关于把郴州打造成为“中国电池之都”的建议"


def detail_url(suggestion) -> str:
    return reverse("web:suggestion-detail", args=[suggestion.pk])


def test_stable_public_addresses():
    assert reverse("web:home") == "/"
    assert reverse("web:suggestion-list") == "/suggestions/"
    assert reverse("web:suggestion-detail", args=[7]) == "/suggestions/7/"
    assert reverse("web:stats") == "/stats/"


def test_home_lists_public_suggestions_only(client, world):
    public = lifecycle.registered(world, title="关于公开建议的建议")
    lifecycle.draft(world, title="关于草稿建议的建议")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert public.title in html
    assert "关于草稿建议的建议" not in html
    assert 'href="#content"' in html  # skip link


def test_list_shows_only_public_states(client, world):
    shown = lifecycle.registered(world, title="关于已立案建议的建议")
    lifecycle.draft(world, title="关于草稿的建议")
    lifecycle.submitted(world, title="关于已提交的建议")
    returned = lifecycle.submitted(world, title="关于退回的建议")
    services.suggestion_return_for_revision(
        suggestion=returned, actor=world.staff, comments="请补充数据"
    )
    withdrawn = lifecycle.draft(world, title="关于撤回的建议")
    services.suggestion_withdraw(
        suggestion=withdrawn, actor=world.deputy.person.user, reason="重复"
    )
    refused = lifecycle.submitted(world, title="关于不予立案的建议")
    services.suggestion_refuse(suggestion=refused, actor=world.staff, reason_code="no_content")
    withheld = lifecycle.registered(world, title="关于涉密事项的建议")
    services.suggestion_withhold(suggestion=withheld, actor=world.staff, reason="涉密")

    html = client.get("/suggestions/").content.decode()
    assert shown.title in html
    for hidden in ("草稿", "已提交", "退回", "撤回", "不予立案", "涉密事项"):
        assert f"关于{hidden}的建议" not in html


def test_search_finds_battery_capital_suggestion(client, world):
    battery = lifecycle.registered(world, title=BATTERY_TITLE, body="推动锂电产业集聚发展。")
    other = lifecycle.registered(world, title="关于加强巍山县古民居出租管理的建议")
    html = client.get("/suggestions/", {"q": "电池之都"}).content.decode()
    assert battery.title in html
    assert other.title not in html
    assert "汤欣平" in html  # the lead deputy's name is public
    html = client.get("/suggestions/", {"q": "古民居"}).content.decode()
    assert other.title in html and battery.title not in html


def test_search_does_not_find_drafts(client, world):
    lifecycle.draft(world, title="关于电池之都草稿的建议")
    html = client.get("/suggestions/", {"q": "电池之都"}).content.decode()
    assert "关于电池之都草稿的建议" not in html
    assert "没有符合条件的建议" in html


def test_facets_filter_the_list(client, world):
    key = lifecycle.assigned(world, title="关于重点督办的建议")
    services.supervision_plan_create(
        actor=world.staff, congress=world.congress, theme="电池产业", suggestions=[key]
    )
    plain = lifecycle.registered(world, title="关于普通事项的建议")
    plain.topic = "交通"
    plain.save(update_fields=["topic"])

    def titles(**params):
        return client.get("/suggestions/", params).content.decode()

    html = titles(key="1")
    assert key.title in html and plain.title not in html
    html = titles(state="registered")
    assert plain.title in html and key.title not in html
    html = titles(unit=world.lead_unit.pk)
    assert key.title in html and plain.title not in html
    html = titles(category="交通")
    assert plain.title in html and key.title not in html
    html = titles(congress=world.congress.pk, session=world.session.pk)
    assert plain.title in html and key.title in html
    html = titles(congress=world.congress.pk + 999)
    assert plain.title not in html and key.title not in html


def test_list_paginates(client, world):
    bulk_public_suggestions(world, 25)
    first = client.get("/suggestions/")
    assert len(first.context["rows"]) == 20
    second = client.get("/suggestions/", {"page": 2})
    assert len(second.context["rows"]) == 5
    assert "第 2 / 2 页" in second.content.decode()


def test_draft_url_is_404_for_the_public(client, world):
    draft = lifecycle.draft(world, title="关于草稿的建议")
    assert client.get(detail_url(draft)).status_code == 404


@pytest.mark.parametrize("step", ["submitted", "returned", "withheld", "refused"])
def test_non_public_suggestion_url_is_404(client, world, step):
    suggestion = lifecycle.submitted(world)
    if step == "returned":
        services.suggestion_return_for_revision(
            suggestion=suggestion, actor=world.staff, comments="请修改"
        )
    elif step == "refused":
        services.suggestion_refuse(
            suggestion=suggestion, actor=world.staff, reason_code="personal_matter"
        )
    elif step == "withheld":
        services.suggestion_register(suggestion=suggestion, actor=world.staff)
        services.suggestion_withhold(suggestion=suggestion, actor=world.staff, reason="个人隐私")
    assert client.get(detail_url(suggestion)).status_code == 404


def test_missing_suggestion_is_404(client, db):
    assert client.get("/suggestions/999999/").status_code == 404


def test_detail_shows_public_record_and_hides_private_details(client, world):
    person = world.deputy.person
    Person.objects.filter(pk=person.pk).update(
        phone="13812345678", address="郴州市北湖区某街1号", email="tang@example.org"
    )
    suggestion = lifecycle.submitted(world, title=BATTERY_TITLE)
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=world.staff, comments="内部审查意见：请补充产业数据"
    )
    services.suggestion_update_draft(
        suggestion=suggestion,
        actor=person.user,
        title=BATTERY_TITLE,
        body="修改后的正文：打造电池之都。",
    )
    services.suggestion_submit(suggestion=suggestion, actor=person.user)
    services.suggestion_register(suggestion=suggestion, actor=world.staff)
    services.suggestion_assign(
        suggestion=suggestion,
        actor=world.staff,
        lead_unit=world.lead_unit,
        co_units=[world.co_unit],
    )
    lead = suggestion.assignments.get(unit=world.lead_unit)
    co = suggestion.assignments.get(unit=world.co_unit)
    services.co_opinion_submit(assignment=co, actor=world.co_unit_user, text="协办内部意见不公开")
    services.contact_record(
        assignment=lead, actor=world.lead_unit_user, method="phone", contacted_on=dt.date.today()
    )
    reply = services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category="B",
        text="正在推进锂电产业园建设。\n联系人电话：0735-2345678，手机13812345678。\n内部敏感段落。",
        signer="李四",
    )
    services.reply_publish(reply=reply, actor=world.staff, redactions="内部敏感段落。")
    services.outcome_record(
        suggestion=suggestion,
        actor=world.staff,
        kind="policy",
        title="支持郴州市锂电新能源全产业链高质量发展的若干措施",
        issuing_body="湖南省人民政府",
    )
    suggestion.refresh_from_db()

    response = client.get(detail_url(suggestion))
    assert response.status_code == 200
    html = response.content.decode()
    assert BATTERY_TITLE in html or "中国电池之都" in html
    assert "修改后的正文：打造电池之都。" in html
    assert "正在推进锂电产业园建设" in html
    assert "支持郴州市锂电新能源全产业链高质量发展的若干措施" in html
    assert "对答复进行满意度测评" in html  # who must act next
    assert "汤欣平" in html
    for secret in (
        "13812345678",
        "0735-2345678",
        "郴州市北湖区某街1号",
        "tang@example.org",
        "内部审查意见",
        "协办内部意见不公开",
        "内部敏感段落",
    ):
        assert secret not in html, secret


def test_unpublished_reply_is_not_shown(client, world):
    suggestion = lifecycle.replied(world, reply_text="尚未公开的答复文本")
    html = client.get(detail_url(suggestion)).content.decode()
    assert "尚未公开的答复文本" not in html
    assert "尚无公开的答复" in html


def test_detail_shows_who_acts_next_and_by_when(client, world):
    suggestion = lifecycle.assigned(world, assigned_on=dt.date(2025, 7, 1))
    html = client.get(detail_url(suggestion)).content.decode()
    assert world.lead_unit.name in html
    assert "办理并答复代表" in html
    assert "2025-10-09" in html  # 3 months → 2025-10-01 (National Day) rolls to 10-09


def test_detail_shows_public_links_only(client, world):
    municipal = lifecycle.registered(world, title="市级建议")
    provincial = lifecycle.registered(world, title="省级建议")
    hidden = lifecycle.draft(world, title="未公开的关联建议")
    SuggestionLink.objects.create(
        from_suggestion=municipal, to_suggestion=provincial, kind=LinkKind.ESCALATED
    )
    SuggestionLink.objects.create(
        from_suggestion=municipal, to_suggestion=hidden, kind=LinkKind.RELATED
    )
    html = client.get(detail_url(municipal)).content.decode()
    assert "省级建议" in html
    assert "未公开的关联建议" not in html
    assert "提交上级人大" in html


def test_public_timeline_excludes_internal_events(client, world):
    suggestion = lifecycle.submitted(world)
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=world.staff, comments="退回的内部意见"
    )
    services.suggestion_update_draft(
        suggestion=suggestion, actor=world.deputy.person.user, title=suggestion.title, body="新正文"
    )
    services.suggestion_submit(suggestion=suggestion, actor=world.deputy.person.user)
    services.suggestion_register(suggestion=suggestion, actor=world.staff)
    response = client.get(detail_url(suggestion))
    labels = [e.action_label for e in response.context["events"]]
    assert "立案" in labels
    assert "退回修改" not in labels
    assert "起草" not in labels


def test_list_runs_constant_number_of_queries(client, world):
    bulk_public_suggestions(world, 10)
    few = count_queries(client, "/suggestions/")
    few_search = count_queries(client, f"/suggestions/?q=批量&key=1&unit={world.lead_unit.pk}")
    bulk_public_suggestions(world, 190)
    HandlingUnit.objects.create(congress=world.congress, name="另一个单位")
    assert count_queries(client, "/suggestions/") == few
    assert (
        count_queries(client, f"/suggestions/?q=批量&key=1&unit={world.lead_unit.pk}") == few_search
    )


def test_detail_runs_constant_number_of_queries(client, world):
    made = bulk_public_suggestions(world, 10)
    target = made[2]  # a replied suggestion with units and a published reply
    few = count_queries(client, detail_url(target))
    bulk_public_suggestions(world, 190)
    assert count_queries(client, detail_url(target)) == few
    assert count_queries(client, "/") == count_queries(client, "/")


def test_home_runs_constant_number_of_queries(client, world):
    bulk_public_suggestions(world, 10)
    few = count_queries(client, "/")
    bulk_public_suggestions(world, 190)
    assert count_queries(client, "/") == few
