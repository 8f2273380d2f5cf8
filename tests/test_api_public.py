"""Public API endpoints: what citizens may read, and that nothing hidden leaks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from suggestions import services
from suggestions.deadlines import stored_due_reason
from suggestions.statistics import congress_statistics
from tests import lifecycle

SECRET_PHONE = "13900001111"
SECRET_EMAIL = "deputy-secret@example.org"
SECRET_ADDRESS = "临武县秘密街1号"
REVIEW_COMMENT = "审查意见：请补充数据XYZ"
CO_OPINION = "协办意见：高新区内部意见QQQ"
UNPUBLISHED_REPLY = "未公开答复内容WWW"
REDACTED = "联系电话13812345678"


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def public_case(world):
    """A public suggestion with everything hidden attached, and non-public ones."""
    person = world.deputy.person
    person.phone, person.email, person.address = SECRET_PHONE, SECRET_EMAIL, SECRET_ADDRESS
    person.save()
    suggestion = lifecycle.submitted(world, title="关于打造中国电池之都的建议", body="正文一")
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=world.staff, comments=REVIEW_COMMENT
    )
    services.suggestion_update_draft(
        suggestion=suggestion, actor=person.user, title="关于打造中国电池之都的建议", body="正文二"
    )
    services.suggestion_submit(suggestion=suggestion, actor=person.user)
    services.suggestion_register(suggestion=suggestion, actor=world.staff)
    services.suggestion_assign(
        suggestion=suggestion,
        actor=world.staff,
        lead_unit=world.lead_unit,
        co_units=[world.co_unit],
    )
    lead, co = (
        suggestion.assignments.get(unit=world.lead_unit),
        suggestion.assignments.get(unit=world.co_unit),
    )
    services.co_opinion_submit(assignment=co, actor=world.co_unit_user, text=CO_OPINION)
    services.contact_record(
        assignment=lead, actor=world.lead_unit_user, method="phone", contacted_on=lead.assigned_on
    )
    reply = services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category="B",
        text=f"正在推进电池产业园建设。{REDACTED}",
        signer="市长",
    )
    services.reply_publish(reply=reply, actor=world.staff, redactions=REDACTED)
    services.outcome_record(
        suggestion=suggestion,
        actor=world.staff,
        kind="policy",
        title="支持郴州市锂电新能源全产业链高质量发展的若干措施",
        issuing_body="湖南省人民政府",
    )
    # an unpublished reply on another public suggestion
    other = lifecycle.replied(world, title="关于古民居消防的建议", reply_text=UNPUBLISHED_REPLY)
    hidden = {
        "draft": lifecycle.draft(world, title="草稿建议"),
        "submitted": lifecycle.submitted(world, title="已提交建议"),
    }
    withheld = lifecycle.registered(world, title="涉密建议")
    services.suggestion_withhold(suggestion=withheld, actor=world.staff, reason="涉密")
    hidden["withheld"] = withheld
    suggestion.refresh_from_db()
    return {"suggestion": suggestion, "other": other, "hidden": hidden}


def text_of(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def assert_nothing_hidden(text: str) -> None:
    for secret in (
        SECRET_PHONE,
        SECRET_EMAIL,
        SECRET_ADDRESS,
        REVIEW_COMMENT,
        CO_OPINION,
        UNPUBLISHED_REPLY,
        REDACTED,
        "正文一",  # the returned draft's text
        "草稿建议",
        "已提交建议",
        "涉密",
    ):
        assert secret not in text, secret


def test_list_shows_only_public_suggestions(client, public_case):
    response = client.get("/api/v1/suggestions/")
    assert response.status_code == 200
    titles = {row["title"] for row in response.json()["results"]}
    assert titles == {"关于打造中国电池之都的建议", "关于古民居消防的建议"}
    assert response.json()["count"] == 2
    assert_nothing_hidden(text_of(response))


def test_list_row_has_exactly_the_public_keys(client, public_case):
    row = client.get("/api/v1/suggestions/").json()["results"][0]
    assert set(row) == {
        "id",
        "congress",
        "session",
        "number",
        "number_display",
        "title",
        "topic",
        "lead_deputy",
        "state",
        "state_label",
        "filed_on",
        "filed_precision",
        "filed_display",
        "is_key",
    }


def test_detail_shows_public_record_without_hidden_parts(client, public_case):
    suggestion = public_case["suggestion"]
    response = client.get(f"/api/v1/suggestions/{suggestion.pk}/")
    assert response.status_code == 200
    data = response.json()
    for key in (
        "versions",
        "events",
        "evaluations",
        "withheld_reason",
        "all_replies",
        "all_assignments",
        "transitions",
        "cosignatures",
        "refusal_reason",
    ):
        assert key not in data
    assert data["body"] == "正文二"
    assert [r["category"] for r in data["replies"]] == ["B"]
    assert data["replies"][0]["text"] == "正在推进电池产业园建设。［已删除］"
    assert {a["unit"]["name"] for a in data["assignments"]} == {"郴州市人民政府", "郴州高新区"}
    assert data["outcomes"][0]["issuing_body"] == "湖南省人民政府"
    actions = [event["action"] for event in data["timeline"]]
    assert "return_for_revision" not in actions and "co_opinion" not in actions
    assert "register" in actions and "assign" in actions
    # The same step the public page shows (suggestions.progress); provisional when the due
    # date (a month from today) falls in a year whose holiday schedule is not yet official.
    due_on = data["next_steps"][0]["due_on"]
    reason = stored_due_reason(dt.date.fromisoformat(due_on))
    assert data["next_steps"] == [
        {
            "actor": "汤欣平",
            "action": "对答复进行满意度测评",
            "due_on": due_on,
            "explanation": "",
            "provisional": bool(reason),
            "provisional_reason": reason,
        }
    ]
    assert data["next_steps"][0]["due_on"] is not None
    assert_nothing_hidden(text_of(response))


def test_sub_resources(client, public_case):
    pk = public_case["suggestion"].pk
    timeline = client.get(f"/api/v1/suggestions/{pk}/timeline/")
    replies = client.get(f"/api/v1/suggestions/{pk}/replies/")
    outcomes = client.get(f"/api/v1/suggestions/{pk}/outcomes/")
    assert [r.status_code for r in (timeline, replies, outcomes)] == [200, 200, 200]
    assert all(event["action"] != "return_for_revision" for event in timeline.json())
    assert [r["signer"] for r in replies.json()] == ["市长"]
    assert outcomes.json()[0]["kind"] == "policy"
    for response in (timeline, replies, outcomes):
        assert_nothing_hidden(text_of(response))
    other = public_case["other"].pk
    assert client.get(f"/api/v1/suggestions/{other}/replies/").json() == []


@pytest.mark.parametrize("which", ["draft", "submitted", "withheld"])
def test_hidden_suggestions_are_not_found(client, public_case, which):
    pk = public_case["hidden"][which].pk
    for suffix in ("", "timeline/", "replies/", "outcomes/"):
        response = client.get(f"/api/v1/suggestions/{pk}/{suffix}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_search_filters_ordering_and_pagination(client, public_case, world):
    get = lambda **params: client.get("/api/v1/suggestions/", params).json()  # noqa: E731
    assert [r["title"] for r in get(search="电池之都")["results"]] == ["关于打造中国电池之都的建议"]
    assert [r["title"] for r in get(search="消防")["results"]] == ["关于古民居消防的建议"]
    assert get(search="草稿")["count"] == 0
    assert get(state="replied")["count"] == 2
    assert get(state="draft").get("code") == "invalid"  # not a public state
    assert get(session=world.session.pk)["count"] == 2
    assert get(unit=world.co_unit.pk)["count"] == 1
    assert get(is_key="true")["count"] == 0
    titles = [r["title"] for r in get(ordering="title")["results"]]
    assert titles == sorted(titles)
    page = get(page_size=1)
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]


def test_reference_endpoints(client, world):
    congresses = client.get("/api/v1/congresses/").json()["results"]
    assert congresses[0]["terms"][0]["sessions"][0]["name"] == "六届人大一次会议"
    units = client.get("/api/v1/units/", {"congress": world.congress.pk}).json()["results"]
    assert {u["name"] for u in units} == {"郴州市人民政府", "郴州高新区", "郴州经开区"}
    assert set(units[0]) == {"id", "name", "congress"}  # no unit phone or e-mail


def test_statistics_endpoints(client, public_case, world):
    response = client.get(f"/api/v1/statistics/congresses/{world.congress.pk}/")
    assert response.status_code == 200
    data = response.json()
    expected = congress_statistics(world.congress)
    assert data["assigned"] == expected.assigned == 2
    assert data["reply_rate"] == {"numerator": 2, "denominator": 2, "value": 1.0}
    assert data["categories"]["B"] == 1
    sessions = client.get(f"/api/v1/statistics/congresses/{world.congress.pk}/sessions/").json()
    assert [row["scope_id"] for row in sessions] == [world.session.pk]
    units = client.get(
        f"/api/v1/statistics/congresses/{world.congress.pk}/units/",
        {"session": world.session.pk},
    ).json()
    assert {row["scope_name"]: row["assigned"] for row in units}["郴州市人民政府"] == 2
    one = client.get(f"/api/v1/statistics/units/{world.lead_unit.pk}/").json()
    assert one["scope"] == "unit" and one["registered"] is None
    session = client.get(f"/api/v1/statistics/sessions/{world.session.pk}/").json()
    assert session["registered"] == 2  # the two public ones, not the withheld one
    bad = client.get(f"/api/v1/statistics/units/{world.lead_unit.pk}/", {"session": "x"})
    assert bad.status_code == 400 and "session" in bad.json()["fields"]
    assert client.get("/api/v1/statistics/congresses/999999/").status_code == 404


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/suggestions/{id}/transitions/{name}/" in paths
    assert "/api/v1/statistics/congresses/{id}/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_count_stops_at_the_cap(client, public_case, monkeypatch):
    from suggestions.api import pagination

    assert client.get("/api/v1/suggestions/").json()["count_capped"] is False
    monkeypatch.setattr(pagination, "COUNT_CAP", 1)
    cache.clear()  # a code constant changed, not the data: drop the cached first answer
    data = client.get("/api/v1/suggestions/").json()
    assert (data["count"], data["count_capped"]) == (1, True)
