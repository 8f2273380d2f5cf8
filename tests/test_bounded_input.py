"""Bounded input: every free text has a length limit and every user-entered date a sane range
(suggestions/limits.py). The services refuse what is out of bounds naming the field and the
limit and change nothing; the forms, the API and the schema state the same bounds."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import models
from django.forms import modelform_factory
from django.utils import timezone
from rest_framework.test import APIClient

from congress.models import CalendarOverride, HandlingUnit
from suggestions import limits, services
from suggestions.models import (
    CitizenOpinion,
    CoHandlingOpinion,
    ContactRecord,
    Evaluation,
    Event,
    FollowUpReview,
    Outcome,
    Reply,
    Suggestion,
    SuggestionLink,
    SupervisionActivity,
    SupervisionPlan,
    Version,
)
from tests import lifecycle
from tests.conftest import drive

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FAR_FUTURE = dt.date(9999, 12, 31)
ANTIQUITY = dt.date(1, 1, 1)


def too_long(limit: int) -> str:
    return "长" * (limit + 1)


def snapshot() -> tuple:
    """Everything a refused call could have written."""
    counted = (
        Suggestion,
        Version,
        Event,
        ContactRecord,
        CoHandlingOpinion,
        Reply,
        Evaluation,
        SupervisionPlan,
        SupervisionActivity,
        FollowUpReview,
        Outcome,
        CalendarOverride,
    )
    texts = list(
        Suggestion.objects.order_by("pk").values_list(
            "state", "title", "body", "topic", "withheld_reason"
        )
    )
    replies = list(Reply.objects.order_by("pk").values_list("redactions", "published_at"))
    return tuple(m.objects.count() for m in counted), texts, replies


def co_assignment(world):
    suggestion = lifecycle.assigned(world, co_unit=True, assigned_on=dt.date(2025, 7, 1))
    return suggestion.assignments.get(unit=world.co_unit)


def plan_of(world):
    suggestion = drive(world, "registered")
    return services.supervision_plan_create(
        actor=world.staff, congress=world.congress, theme="督办", suggestions=[suggestion]
    )


def lead(w):
    return w.deputy.person.user


def at(state: str):
    return lambda w: drive(w, state)


def nothing(w):
    return None


# (name, prepare(world) -> the object acted on, call(world, object, value), field, limit)
TEXT_CASES = [
    (
        "draft title",
        nothing,
        lambda w, s, v: services.suggestion_create_draft(
            actor=lead(w), lead_deputy=w.deputy, title=v
        ),
        "title",
        limits.TITLE,
    ),
    (
        "draft body",
        nothing,
        lambda w, s, v: services.suggestion_create_draft(
            actor=lead(w), lead_deputy=w.deputy, title="标题", body=v
        ),
        "body",
        limits.BODY,
    ),
    (
        "draft topic",
        nothing,
        lambda w, s, v: services.suggestion_create_draft(
            actor=lead(w), lead_deputy=w.deputy, title="标题", topic=v
        ),
        "topic",
        limits.TOPIC,
    ),
    (
        "edit body",
        at("draft"),
        lambda w, s, v: services.suggestion_update_draft(
            suggestion=s, actor=lead(w), title="标题", body=v
        ),
        "body",
        limits.BODY,
    ),
    (
        "edit reason",
        at("draft"),
        lambda w, s, v: services.suggestion_update_draft(
            suggestion=s, actor=lead(w), title="标题", body="正文", reason=v
        ),
        "reason",
        limits.REASON,
    ),
    (
        "withdraw reason",
        at("submitted"),
        lambda w, s, v: services.suggestion_withdraw(suggestion=s, actor=lead(w), reason=v),
        "reason",
        limits.REASON,
    ),
    (
        "review comments",
        at("submitted"),
        lambda w, s, v: services.suggestion_return_for_revision(
            suggestion=s, actor=w.staff, comments=v
        ),
        "comments",
        limits.NOTES,
    ),
    (
        "refusal explanation",
        at("submitted"),
        lambda w, s, v: services.suggestion_refuse(
            suggestion=s, actor=w.staff, reason_code="other", explanation=v
        ),
        "explanation",
        limits.REASON,
    ),
    (
        "merge note",
        lambda w: (drive(w, "submitted"), drive(w, "registered")),
        lambda w, pair, v: services.suggestion_merge(
            suggestion=pair[0], actor=w.staff, target=pair[1], reason=v
        ),
        "reason",
        limits.REASON,
    ),
    (
        "withhold reason",
        at("registered"),
        lambda w, s, v: services.suggestion_withhold(suggestion=s, actor=w.staff, reason=v),
        "reason",
        limits.WITHHELD_REASON,
    ),
    (
        "unit's return reason",
        at("assigned"),
        lambda w, s, v: services.suggestion_reassign(
            suggestion=s, actor=w.staff, assignment=s.assignments.get(), reason=v
        ),
        "reason",
        limits.REASON,
    ),
    (
        "extension reason",
        at("assigned"),
        lambda w, s, v: services.assignment_extend(
            assignment=s.assignments.get(), actor=w.staff, reason=v
        ),
        "reason",
        limits.REASON,
    ),
    (
        "contact notes",
        at("assigned"),
        lambda w, s, v: services.contact_record(
            assignment=s.assignments.get(),
            actor=w.lead_unit_user,
            method="meeting",
            contacted_on=TODAY,
            notes=v,
        ),
        "notes",
        limits.NOTES,
    ),
    (
        "co-handling opinion",
        co_assignment,
        lambda w, a, v: services.co_opinion_submit(assignment=a, actor=w.co_unit_user, text=v),
        "text",
        limits.CO_OPINION,
    ),
    (
        "reply text",
        at("assigned"),
        lambda w, s, v: services.suggestion_reply(
            suggestion=s, actor=w.lead_unit_user, category="A", text=v, signer="张三"
        ),
        "text",
        limits.REPLY_TEXT,
    ),
    (
        "reply signer",
        at("assigned"),
        lambda w, s, v: services.suggestion_reply(
            suggestion=s, actor=w.lead_unit_user, category="A", text="答复", signer=v
        ),
        "signer",
        limits.SIGNER,
    ),
    (
        "redactions",
        at("replied"),
        lambda w, s, v: services.reply_publish(reply=s.replies.get(), actor=w.staff, redactions=v),
        "redactions",
        limits.REDACTIONS,
    ),
    (
        "evaluation comment",
        at("replied"),
        lambda w, s, v: services.suggestion_evaluate(
            suggestion=s, actor=lead(w), rating="satisfied", comment=v
        ),
        "comment",
        limits.REASON,
    ),
    (
        "plan theme",
        at("registered"),
        lambda w, s, v: services.supervision_plan_create(
            actor=w.staff, congress=w.congress, theme=v, suggestions=[s]
        ),
        "theme",
        limits.THEME,
    ),
    (
        "plan leader title",
        at("registered"),
        lambda w, s, v: services.supervision_plan_create(
            actor=w.staff, congress=w.congress, theme="督办", suggestions=[s], leader_title=v
        ),
        "leader_title",
        limits.NAME,
    ),
    (
        "activity description",
        plan_of,
        lambda w, plan, v: services.supervision_activity_log(
            plan=plan,
            actor=w.staff,
            kind="research",
            title="调研",
            date=TODAY,
            description=v,
        ),
        "description",
        limits.NOTES,
    ),
    (
        "activity title",
        plan_of,
        lambda w, plan, v: services.supervision_activity_log(
            plan=plan, actor=w.staff, kind="research", title=v, date=TODAY
        ),
        "title",
        limits.THEME,
    ),
    (
        "follow-up reason",
        at("closed"),
        lambda w, s, v: services.suggestion_start_follow_up(suggestion=s, actor=w.staff, reason=v),
        "reason",
        limits.REASON,
    ),
    (
        "findings",
        at("follow_up"),
        lambda w, s, v: services.suggestion_complete(suggestion=s, actor=w.staff, findings=v),
        "findings",
        limits.NOTES,
    ),
    (
        "outcome description",
        at("closed"),
        lambda w, s, v: services.outcome_record(
            suggestion=s, actor=w.staff, kind="policy", title="办法", description=v
        ),
        "description",
        limits.NOTES,
    ),
    (
        "outcome issuing body",
        at("closed"),
        lambda w, s, v: services.outcome_record(
            suggestion=s, actor=w.staff, kind="policy", title="办法", issuing_body=v
        ),
        "issuing_body",
        limits.NAME,
    ),
    (
        "calendar note",
        nothing,
        lambda w, s, v: services.calendar_override_set(
            actor=w.staff, date=TODAY, is_working_day=True, note=v
        ),
        "note",
        CalendarOverride._meta.get_field("note").max_length,
    ),
]


@pytest.mark.parametrize(
    ("prepare", "call", "field", "limit"),
    [case[1:] for case in TEXT_CASES],
    ids=[case[0] for case in TEXT_CASES],
)
def test_a_too_long_text_is_refused_naming_field_and_limit_and_changes_nothing(
    world, prepare, call, field, limit
):
    target = prepare(world)
    before = snapshot()
    with pytest.raises(services.ValidationError) as excinfo:
        call(world, target, too_long(limit))
    message = excinfo.value.message_dict[field][0]
    assert f"不能超过 {limit} 个字符" in message
    assert f"现有 {limit + 1} 个" in message
    assert snapshot() == before


def test_a_text_of_exactly_the_limit_is_accepted(world):
    suggestion = drive(world, "registered")
    reason = "密" * limits.WITHHELD_REASON
    services.suggestion_withhold(suggestion=suggestion, actor=world.staff, reason=reason)
    assert Suggestion.objects.get(pk=suggestion.pk).withheld_reason == reason


def test_a_nul_character_in_a_text_is_refused(world):
    with pytest.raises(services.ValidationError) as excinfo:
        services.suggestion_create_draft(
            actor=lead(world), lead_deputy=world.deputy, title="标题", body="正\x00文"
        )
    assert "空字符" in excinfo.value.message_dict["body"][0]
    assert not Suggestion.objects.exists()


def test_a_32000_character_body_is_filed_and_submitted(world):
    body = ("建议加快电池回收体系建设，完善配套政策。" * 1700)[:32_000]
    suggestion = lifecycle.submitted(world, body=body)
    stored = Suggestion.objects.get(pk=suggestion.pk)
    assert stored.state == "submitted" and stored.body == body
    assert stored.versions.get().body == body


# ---- dates ----

DATE_CASES = [
    (
        "assigned on, far future",
        "registered",
        lambda w, s, d: services.suggestion_assign(
            suggestion=s, actor=w.staff, lead_unit=w.lead_unit, assigned_on=d
        ),
        "assigned_on",
        FAR_FUTURE,
        "不能晚于今天",
    ),
    (
        "assigned on, tomorrow",
        "registered",
        lambda w, s, d: services.suggestion_assign(
            suggestion=s, actor=w.staff, lead_unit=w.lead_unit, assigned_on=d
        ),
        "assigned_on",
        TODAY + dt.timedelta(days=1),
        "不能晚于今天",
    ),
    (
        "contacted on, antiquity",
        "assigned",
        lambda w, s, d: services.contact_record(
            assignment=s.assignments.get(), actor=w.lead_unit_user, method="phone", contacted_on=d
        ),
        "contacted_on",
        ANTIQUITY,
        "不能早于 1949-10-01",
    ),
    (
        "outcome date, far future",
        "closed",
        lambda w, s, d: services.outcome_record(
            suggestion=s, actor=w.staff, kind="policy", title="办法", date=d
        ),
        "date",
        FAR_FUTURE,
        "不能晚于今天",
    ),
    (
        "follow-up due, far future",
        "closed",
        lambda w, s, d: services.suggestion_start_follow_up(suggestion=s, actor=w.staff, due_on=d),
        "due_on",
        FAR_FUTURE,
        f"不能晚于 {TODAY.year + limits.PLANNING_YEARS}-12-31",
    ),
    (
        "follow-up due, antiquity",
        "closed",
        lambda w, s, d: services.suggestion_start_follow_up(suggestion=s, actor=w.staff, due_on=d),
        "due_on",
        ANTIQUITY,
        "不能早于 1949-10-01",
    ),
    (
        "review date, future",
        "follow_up",
        lambda w, s, d: services.suggestion_complete(
            suggestion=s, actor=w.staff, findings="已落实", date=d
        ),
        "date",
        TODAY + dt.timedelta(days=30),
        "不能晚于今天",
    ),
    (
        "supervision deadline, far future",
        "registered",
        lambda w, s, d: services.supervision_plan_create(
            actor=w.staff, congress=w.congress, theme="督办", suggestions=[s], deadline=d
        ),
        "deadline",
        FAR_FUTURE,
        "不能晚于",
    ),
    (
        "calendar override, far future",
        "draft",
        lambda w, s, d: services.calendar_override_set(
            actor=w.staff, date=d, is_working_day=False, note="放假"
        ),
        "date",
        FAR_FUTURE,
        "不能晚于",
    ),
]


@pytest.mark.parametrize(
    ("state", "call", "field", "value", "message"),
    [case[1:] for case in DATE_CASES],
    ids=[case[0] for case in DATE_CASES],
)
def test_a_date_out_of_range_is_refused_naming_the_field(world, state, call, field, value, message):
    suggestion = drive(world, state)
    before = snapshot()
    with pytest.raises(services.ValidationError) as excinfo:
        call(world, suggestion, value)
    assert message in excinfo.value.message_dict[field][0]
    assert value.isoformat() in excinfo.value.message_dict[field][0]
    assert snapshot() == before


def test_planned_dates_within_range_and_past_acts_up_to_today_are_accepted(world):
    suggestion = drive(world, "registered")
    services.suggestion_assign(
        suggestion=suggestion, actor=world.staff, lead_unit=world.lead_unit, assigned_on=TODAY
    )
    closed = drive(world, "closed")
    due = dt.date(TODAY.year + limits.PLANNING_YEARS, 12, 31)
    review = services.suggestion_start_follow_up(suggestion=closed, actor=world.staff, due_on=due)
    assert review.due_on == due


# ---- the same bounds in models, forms, the API and its schema ----


def test_every_free_text_model_field_has_a_length_limit():
    # Event.reason is written only by the services, from texts they have already bounded;
    # SearchDocument.text only by the database's triggers, from bounded titles, bodies and
    # reply texts.
    unbounded = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("suggestions").get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]
    assert unbounded == ["Event.reason", "SearchDocument.text"]


def test_model_forms_carry_the_limits_and_date_ranges():
    link_form = modelform_factory(SuggestionLink, fields=["note"])
    assert link_form().fields["note"].max_length == limits.NOTES
    opinion_form = modelform_factory(CitizenOpinion, fields=["summary", "date"])
    form = opinion_form({"summary": too_long(limits.NOTES), "date": "9999-12-31"})
    assert not form.is_valid()
    assert set(form.errors) == {"summary", "date"}
    assert "不能晚于今天" in form.errors["date"][0]


def test_the_draft_page_refuses_a_too_long_body_and_accepts_32000_characters(client, world):
    client.force_login(lead(world))
    form = {"mandate": world.deputy.pk, "session": world.session.pk, "title": "关于长文的建议"}
    response = client.post("/deputy/new/", {**form, "body": too_long(limits.BODY)})
    assert response.status_code == 400
    assert str(limits.BODY) in response.content.decode()
    assert not Suggestion.objects.exists()
    response = client.post("/deputy/new/", {**form, "body": "长" * 32_000})
    assert response.status_code == 302
    assert len(Suggestion.objects.get().body) == 32_000


def test_the_staff_page_refuses_a_withhold_reason_over_200_characters(client, world):
    suggestion = drive(world, "registered")
    client.force_login(world.staff)
    response = client.post(
        f"/staff/suggestions/{suggestion.pk}/",
        {"action": "withhold", "withhold-reason": too_long(limits.WITHHELD_REASON)},
    )
    assert response.status_code == 400
    assert str(limits.WITHHELD_REASON) in response.content.decode()
    assert Suggestion.objects.get(pk=suggestion.pk).withheld_reason == ""


def test_the_unit_page_refuses_a_contact_date_before_1949(client, world):
    suggestion = drive(world, "assigned")
    assignment = suggestion.assignments.get()
    client.force_login(world.lead_unit_user)
    response = client.post(
        f"/unit/assignments/{assignment.pk}/",
        {"action": "contact", "contact-method": "phone", "contact-contacted_on": "0001-01-01"},
    )
    assert response.status_code == 400
    assert "沟通日期不能早于 1949-10-01" in response.content.decode()
    assert not assignment.contacts.exists()


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_refuses_a_too_long_body_naming_the_field(world):
    response = api_as(lead(world)).post(
        "/api/v1/workspace/suggestions/",
        {"title": "标题", "body": too_long(limits.BODY)},
        format="json",
    )
    assert response.status_code == 400
    assert "body" in response.json()["fields"]
    assert str(limits.BODY) in response.json()["fields"]["body"][0]
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("state", "name", "data", "field"),
    [
        ("registered", "assign", {"assigned_on": "9999-12-31"}, "assigned_on"),
        ("closed", "start_follow_up", {"due_on": "0001-01-01"}, "due_on"),
        ("follow_up", "complete", {"findings": "已落实", "date": "9999-12-31"}, "date"),
        ("submitted", "withdraw", {"reason": too_long(limits.REASON)}, "reason"),
    ],
)
def test_the_api_refuses_out_of_range_input_of_transitions(world, state, name, data, field):
    suggestion = drive(world, state)
    if name == "assign":
        data = {**data, "lead_unit": world.lead_unit.pk}
    actor = lead(world) if name == "withdraw" else world.staff
    response = api_as(actor).post(
        f"/api/v1/suggestions/{suggestion.pk}/transitions/{name}/", data, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert Suggestion.objects.get(pk=suggestion.pk).state == state


def test_the_api_refuses_a_contact_date_out_of_range(world):
    suggestion = drive(world, "assigned")
    assignment = suggestion.assignments.get()
    response = api_as(world.lead_unit_user).post(
        f"/api/v1/assignments/{assignment.pk}/contacts/",
        {"method": "phone", "contacted_on": "0001-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "1949-10-01" in response.json()["fields"]["contacted_on"][0]
    assert not assignment.contacts.exists()


def test_the_openapi_schema_states_the_limits(client, db):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schemas["DraftCreateRequest"]["properties"]["body"]["maxLength"] == limits.BODY
    assert schemas["DraftUpdateRequest"]["properties"]["reason"]["maxLength"] == limits.REASON
    assert schemas["ContactInputRequest"]["properties"]["notes"]["maxLength"] == limits.NOTES
    assert schemas["CoOpinionInputRequest"]["properties"]["text"]["maxLength"] == (
        limits.CO_OPINION
    )
    assert schemas["PublishInputRequest"]["properties"]["redactions"]["maxLength"] == (
        limits.REDACTIONS
    )


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_an_oversized_api_body_gets_a_json_400_naming_the_limit(world, settings, encoding):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    data = {"title": "标题", "body": "长" * 60_000}
    api = api_as(lead(world))
    if encoding == "json":
        response = api.post(
            "/api/v1/workspace/suggestions/", json.dumps(data), content_type="application/json"
        )
    else:
        response = api.post("/api/v1/workspace/suggestions/", data, format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "request_too_large"
    assert "100000" in body["message"] and "DATA_UPLOAD_MAX_MEMORY_SIZE" in body["message"]
    assert not Suggestion.objects.exists()


# ---- ids too large for the database in submitted forms ----

TOO_BIG_ID = str(2**70)


def test_a_too_large_id_in_a_multiple_choice_is_an_invalid_choice(client, world):
    # Django looks multiple choices up with IN (…), where SQLite raised OverflowError.
    client.force_login(lead(world))
    response = client.post(
        "/deputy/new/",
        {"mandate": world.deputy.pk, "title": "标题", "cosigners": [TOO_BIG_ID]},
    )
    assert response.status_code == 400
    assert TOO_BIG_ID in response.content.decode()
    assert not Suggestion.objects.exists()


def test_the_admin_refuses_a_too_large_id_in_a_many_to_many_field(client, world):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.cn", "pw"))
    units_before = HandlingUnit.objects.count()
    response = client.post(
        "/admin/congress/handlingunit/add/",
        {"congress": world.congress.pk, "name": "新单位", "members": [TOO_BIG_ID]},
    )
    assert response.status_code == 200
    assert "members" in response.context["adminform"].form.errors
    assert HandlingUnit.objects.count() == units_before
