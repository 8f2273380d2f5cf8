"""Reply categories per congress: the national A/B/C/D by default, a congress's own set when it
has one, used by the reply form, the API, the follow-up rule, statistics, exports and the
public filter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from suggestions import services
from suggestions.models import Event, Reply, ReplyCategory, State, Suggestion
from suggestions.statistics import congress_statistics
from tests import lifecycle


def own_set(congress) -> None:
    """A local set that differs from the national one in codes, labels and promises."""
    for position, (code, label, promise) in enumerate(
        [
            ("甲", "甲 已经解决", False),
            ("乙", "乙 部分解决，列入计划", True),
            ("丙", "丙 暂不能解决，说明原因", False),
        ]
    ):
        ReplyCategory.objects.create(
            congress=congress,
            code=code,
            label=label,
            carries_promise=promise,
            position=position,
        )


def contacted(world):
    suggestion = lifecycle.assigned(world, assigned_on=dt.date(2025, 7, 1))
    assignment = suggestion.assignments.get(unit=world.lead_unit)
    services.contact_record(
        assignment=assignment,
        actor=world.lead_unit_user,
        method="meeting",
        contacted_on=timezone.localdate(),
    )
    return suggestion, assignment


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_national_default_keeps_b_and_c_as_promises(world):
    assert [(c.code, c.carries_promise) for c in ReplyCategory.of(world.congress)] == [
        ("A", False),
        ("B", True),
        ("C", True),
        ("D", False),
    ]
    closed_a = lifecycle.evaluated(world, category="A", title="甲建议")
    with pytest.raises(services.TransitionRefused, match="B 或 C"):
        services.suggestion_start_follow_up(suggestion=closed_a, actor=world.staff)
    closed_c = lifecycle.evaluated(world, category="C", title="乙建议")
    reply = closed_c.replies.get()
    assert (reply.category, reply.category_label, reply.carries_promise) == (
        "C",
        "C 因目前条件限制或者其他原因需待以后解决",
        True,
    )
    services.suggestion_start_follow_up(suggestion=closed_c, actor=world.staff)
    assert closed_c.state == State.FOLLOW_UP


def test_reply_form_offers_the_congress_set_and_the_follow_up_rule_follows_it(client, world):
    own_set(world.congress)
    suggestion, assignment = contacted(world)
    client.force_login(world.lead_unit_user)
    page = f"/unit/assignments/{assignment.pk}/"
    html = client.get(page).content.decode()
    assert "乙 部分解决，列入计划" in html and 'value="乙"' in html
    assert "B 正在解决或者列入规划逐步解决" not in html
    refused = client.post(
        page,
        {"action": "reply", "reply-category": "B", "reply-text": "答复", "reply-signer": "王五"},
    )
    assert refused.status_code == 400
    assert not Reply.objects.exists()
    response = client.post(
        page,
        {"action": "reply", "reply-category": "乙", "reply-text": "答复", "reply-signer": "王五"},
    )
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert (reply.category, reply.category_label, reply.carries_promise) == (
        "乙",
        "乙 部分解决，列入计划",
        True,
    )
    assert (
        Event.objects.filter(suggestion=suggestion, action="reply")
        .get()
        .reason.endswith("（乙类）")
    )
    suggestion.refresh_from_db()
    services.suggestion_evaluate(
        suggestion=suggestion, actor=world.deputy.person.user, rating="satisfied"
    )
    services.suggestion_start_follow_up(suggestion=suggestion, actor=world.staff)
    assert Suggestion.objects.get(pk=suggestion.pk).state == State.FOLLOW_UP


def test_api_names_the_valid_codes_of_the_congress(world):
    own_set(world.congress)
    described = APIClient().get(f"/api/v1/congresses/{world.congress.pk}/").json()
    assert described["reply_categories"] == [
        {"code": "甲", "label": "甲 已经解决", "carries_promise": False},
        {"code": "乙", "label": "乙 部分解决，列入计划", "carries_promise": True},
        {"code": "丙", "label": "丙 暂不能解决，说明原因", "carries_promise": False},
    ]
    suggestion, _assignment = contacted(world)
    url = f"/api/v1/suggestions/{suggestion.pk}/transitions/reply/"
    unit = as_user(world.lead_unit_user)
    response = unit.post(url, {"category": "A", "text": "答复", "signer": "王五"}, format="json")
    assert response.status_code == 400
    assert "答复类别「A」无效，本级人大的答复类别为：甲、乙、丙" in response.content.decode()
    assert not Reply.objects.exists()
    assert Suggestion.objects.get(pk=suggestion.pk).state == State.ASSIGNED
    response = unit.post(url, {"category": "丙", "text": "答复", "signer": "王五"}, format="json")
    assert response.status_code == 200, response.content
    assert Reply.objects.get().carries_promise is False


def test_schema_describes_category_as_the_congress_codes(world):
    schema = APIClient().get("/api/schema/?format=json").json()
    transition = schema["paths"]["/api/v1/suggestions/{id}/transitions/{name}/"]["post"]
    assert "category: a code of the congress's reply_categories" in transition["description"]
    congress = schema["components"]["schemas"]["Congress"]["properties"]
    assert congress["reply_categories"]["items"] == {"$ref": "#/components/schemas/ReplyCategory"}
    described = schema["components"]["schemas"]["ReplyCategory"]["properties"]
    assert set(described) == {"code", "label", "carries_promise"}


def test_statistics_count_the_congress_codes(world):
    own_set(world.congress)
    for title, code in (("一", "甲"), ("二", "乙"), ("三", "乙")):
        suggestion, _assignment = contacted_titled(world, title)
        services.suggestion_reply(
            suggestion=suggestion,
            actor=world.lead_unit_user,
            category=code,
            text="答复",
            signer="王五",
        )
    stats = congress_statistics(world.congress, today=timezone.localdate(), public_only=False)
    assert stats.categories == {"甲": 1, "乙": 2, "丙": 0}
    assert stats.category_labels["乙"] == "乙 部分解决，列入计划"
    assert stats.category_shares["乙"].numerator == 2


def contacted_titled(world, title: str):
    suggestion = lifecycle.assigned(world, title=title, assigned_on=dt.date(2025, 7, 1))
    assignment = suggestion.assignments.get(unit=world.lead_unit)
    services.contact_record(
        assignment=assignment,
        actor=world.lead_unit_user,
        method="meeting",
        contacted_on=timezone.localdate(),
    )
    return suggestion, assignment


def test_public_filter_offers_and_applies_the_congress_codes(client, world):
    own_set(world.congress)
    suggestion, _assignment = contacted(world)
    reply = services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category="乙",
        text="答复",
        signer="王五",
    )
    services.reply_publish(reply=reply, actor=world.staff)
    html = client.get(f"/suggestions/?congress={world.congress.pk}").content.decode()
    assert "乙 部分解决，列入计划" in html
    assert "B 正在解决或者列入规划逐步解决" not in html
    hit = client.get(f"/suggestions/?congress={world.congress.pk}&reply_category=乙")
    assert suggestion.title in hit.content.decode()
    miss = client.get(f"/suggestions/?congress={world.congress.pk}&reply_category=甲")
    assert suggestion.title not in miss.content.decode()
