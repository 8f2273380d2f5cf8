"""Authenticated API: drafts, transitions through the services, handling actions, errors."""

from __future__ import annotations

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from suggestions.models import Event, State, Suggestion
from tests import lifecycle


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def fire(user, suggestion, name, **data):
    return as_user(user).post(
        f"/api/v1/suggestions/{suggestion.pk}/transitions/{name}/", data, format="json"
    )


def state_of(suggestion) -> str:
    return Suggestion.objects.get(pk=suggestion.pk).state


def test_deputy_creates_and_edits_a_draft(world):
    deputy = as_user(world.deputy.person.user)
    response = deputy.post(
        "/api/v1/workspace/suggestions/",
        {
            "title": "关于电池回收的建议",
            "body": "正文",
            "session": world.session.pk,
            "cosigners": [world.cosigner.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft" and data["cosignatures"][0]["name"] == "刘杨"
    pk = data["id"]
    response = deputy.patch(
        f"/api/v1/workspace/suggestions/{pk}/", {"body": "修改后的正文"}, format="json"
    )
    assert response.status_code == 200 and response.json()["body"] == "修改后的正文"
    assert [v["number"] for v in response.json()["versions"]] == [1]


def test_draft_creation_errors(world):
    no_mandate = as_user(world.outsider).post(
        "/api/v1/workspace/suggestions/", {"title": "标题"}, format="json"
    )
    assert no_mandate.status_code == 400 and "lead_deputy" in no_mandate.json()["fields"]
    someone_else = as_user(world.outsider).post(
        "/api/v1/workspace/suggestions/",
        {"title": "标题", "lead_deputy": world.deputy.pk},
        format="json",
    )
    assert someone_else.status_code == 403
    assert someone_else.json()["code"] == "permission_denied"
    blank = as_user(world.deputy.person.user).post(
        "/api/v1/workspace/suggestions/", {"title": " "}, format="json"
    )
    assert blank.status_code == 400 and set(blank.json()["fields"]) == {"title"}
    assert not Suggestion.objects.exists()
    anonymous = APIClient().post("/api/v1/workspace/suggestions/", {"title": "x"}, format="json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"


def test_editing_a_submitted_suggestion_is_a_conflict(world):
    suggestion = lifecycle.submitted(world)
    response = as_user(world.deputy.person.user).patch(
        f"/api/v1/workspace/suggestions/{suggestion.pk}/", {"title": "新标题"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "illegal_state"


def test_full_lifecycle_through_the_api(world):
    deputy, staff = world.deputy.person.user, world.staff
    suggestion = lifecycle.draft(world, title="关于古民居出租管理的建议")
    assert fire(deputy, suggestion, "submit").status_code == 200
    response = fire(staff, suggestion, "return_for_revision", comments="请补充", revision_days=5)
    assert response.status_code == 200 and response.json()["state"] == "returned"
    as_user(deputy).patch(
        f"/api/v1/workspace/suggestions/{suggestion.pk}/", {"body": "补充后"}, format="json"
    )
    assert fire(deputy, suggestion, "submit").json()["state"] == "submitted"
    assert fire(staff, suggestion, "register").json()["number"] == 1
    response = fire(
        staff, suggestion, "assign", lead_unit=world.lead_unit.pk, co_units=[world.co_unit.pk]
    )
    assert response.json()["state"] == "assigned"
    assignments = {a["unit"]["name"]: a["id"] for a in response.json()["all_assignments"]}

    unit = as_user(world.lead_unit_user)
    refused = fire(world.lead_unit_user, suggestion, "reply", category="A", text="t", signer="s")
    assert refused.status_code == 409 and refused.json()["code"] == "condition_failed"
    assert "沟通联系" in refused.json()["message"]
    contact = unit.post(
        f"/api/v1/assignments/{assignments['郴州市人民政府']}/contacts/",
        {"method": "meeting", "contacted_on": "2024-01-01"},
        format="json",
    )
    assert contact.status_code == 200, contact.json()
    co = as_user(world.co_unit_user).post(
        f"/api/v1/assignments/{assignments['郴州高新区']}/co-opinions/",
        {"text": "同意"},
        format="json",
    )
    assert co.status_code == 200
    response = fire(
        world.lead_unit_user, suggestion, "reply", category="B", text="列入规划", signer="县长"
    )
    assert response.status_code == 200 and response.json()["state"] == "replied"
    reply_id = response.json()["all_replies"][0]["id"]
    published = as_user(staff).post(f"/api/v1/replies/{reply_id}/publish/", {}, format="json")
    assert published.status_code == 200 and published.json()["replies"][0]["text"] == "列入规划"
    assert fire(deputy, suggestion, "evaluate", rating="satisfied").json()["state"] == "closed"
    assert fire(staff, suggestion, "start_follow_up").json()["state"] == "follow_up"
    response = fire(staff, suggestion, "complete", findings="已落实")
    assert response.json()["state"] == "completed"
    assert Event.objects.filter(suggestion=suggestion, action="complete").count() == 1


def test_transition_errors_have_stable_codes(world):
    suggestion = lifecycle.draft(world)
    assert fire(world.staff, suggestion, "register").status_code == 404  # staff see no drafts
    register_draft = fire(world.deputy.person.user, suggestion, "register")
    assert register_draft.status_code == 409
    assert register_draft.json()["code"] == "illegal_state"
    assert "草稿" in register_draft.json()["message"]
    fire(world.deputy.person.user, suggestion, "submit")
    by_deputy = fire(world.deputy.person.user, suggestion, "register")
    assert by_deputy.status_code == 403 and by_deputy.json()["code"] == "permission_denied"
    no_comments = fire(world.staff, suggestion, "return_for_revision")
    assert no_comments.status_code == 400 and "comments" in no_comments.json()["fields"]
    bad_reason = fire(world.staff, suggestion, "refuse", reason_code="nonsense")
    assert bad_reason.status_code == 400 and "reason_code" in bad_reason.json()["fields"]
    too_early = fire(world.staff, suggestion, "assign", lead_unit=world.lead_unit.pk)
    assert too_early.status_code == 409  # the suggestion is not registered yet
    assert too_early.json()["code"] == "illegal_state"
    unknown = fire(world.staff, suggestion, "teleport")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert state_of(suggestion) == State.SUBMITTED
    anonymous = APIClient().post(f"/api/v1/suggestions/{suggestion.pk}/transitions/register/")
    assert anonymous.status_code == 401


def test_service_validation_names_the_field(world):
    suggestion = lifecycle.registered(world)
    response = fire(world.staff, suggestion, "assign")
    assert response.status_code == 400 and "lead_unit" in response.json()["fields"]
    missing_unit = fire(world.staff, suggestion, "assign", lead_unit=999999)
    assert missing_unit.status_code == 400 and "lead_unit" in missing_unit.json()["fields"]
    assert state_of(suggestion) == State.REGISTERED


def test_someone_elses_draft_is_not_found(world):
    suggestion = lifecycle.draft(world)
    response = fire(world.outsider, suggestion, "submit")
    assert response.status_code == 404
    detail = as_user(world.outsider).get(f"/api/v1/workspace/suggestions/{suggestion.pk}/")
    assert detail.status_code == 404


def test_refuse_merge_withdraw_and_reassign(world):
    staff, deputy = world.staff, world.deputy.person.user
    refused = lifecycle.submitted(world, title="个人事务")
    response = fire(staff, refused, "refuse", reason_code="personal_matter", explanation="私事")
    assert response.json()["state"] == "refused"
    target = lifecycle.registered(world, title="目标建议")
    duplicate = lifecycle.submitted(world, title="重复建议")
    assert fire(staff, duplicate, "merge", target=target.pk).json()["state"] == "merged"
    withdrawn = lifecycle.submitted(world, title="撤回的建议")
    assert fire(deputy, withdrawn, "withdraw").status_code == 400
    assert fire(deputy, withdrawn, "withdraw", reason="已解决").json()["state"] == "withdrawn"
    assigned = lifecycle.assigned(world, title="交错单位")
    assignment = assigned.assignments.get()
    response = fire(staff, assigned, "reassign", assignment=assignment.pk, reason="不属本单位职责")
    assert response.json()["state"] == "registered"


def test_dissatisfied_evaluation_starts_rehandling(world):
    suggestion = lifecycle.replied(world)
    response = fire(world.deputy.person.user, suggestion, "evaluate", rating="dissatisfied")
    assert response.json()["state"] == "rehandling" and response.json()["handling_round"] == 2
    invalid = fire(world.deputy.person.user, suggestion, "evaluate", rating="no_feedback")
    assert invalid.status_code == 400 and "rating" in invalid.json()["fields"]


def test_workspace_lists_what_each_role_may_see(world):
    draft = lifecycle.draft(world, title="我的草稿")
    assigned = lifecycle.assigned(world, title="已交办")

    def titles(user):
        response = as_user(user).get("/api/v1/workspace/suggestions/")
        return {row["title"] for row in response.json()["results"]}

    assert titles(world.deputy.person.user) == {"我的草稿", "已交办"}
    assert titles(world.staff) == {"已交办"}  # staff do not see drafts
    assert titles(world.lead_unit_user) == {"已交办"}
    assert titles(world.other_unit_user) == set()
    assert titles(world.outsider) == set()
    detail = as_user(world.staff).get(f"/api/v1/workspace/suggestions/{assigned.pk}/").json()
    options = {t["name"]: t for t in detail["transitions"]}
    assert options["reassign"]["allowed"] and not options["submit"]["allowed"]
    assert any("return" in e["action"] or e["action"] == "assign" for e in detail["events"])
    assert draft.pk not in {row["id"] for row in detail.get("results", [])}


def test_cosigner_confirms_through_the_api(world):
    deputy = world.deputy
    suggestion = lifecycle.draft(world)
    from suggestions import services

    services.cosigner_invite(suggestion=suggestion, actor=deputy.person.user, deputy=world.cosigner)
    blocked = fire(deputy.person.user, suggestion, "submit")
    assert blocked.status_code == 409 and "联名" in blocked.json()["message"]
    response = as_user(world.cosigner.person.user).post(
        f"/api/v1/suggestions/{suggestion.pk}/cosignature/confirm/"
    )
    assert response.status_code == 200
    assert fire(deputy.person.user, suggestion, "submit").json()["state"] == "submitted"


def test_token_authentication(world):
    user = world.staff
    user.set_password("pw-test-123")
    user.save()
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "staff", "password": "pw-test-123"}, format="json"
    )
    assert token.status_code == 200
    assert AuthToken.objects.filter(user=user).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    suggestion = lifecycle.submitted(world)
    response = client.post(f"/api/v1/suggestions/{suggestion.pk}/transitions/register/")
    assert response.status_code == 200 and response.json()["state"] == "registered"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get("/api/v1/workspace/suggestions/").status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_public_endpoints_are_read_only(world, method):
    suggestion = lifecycle.registered(world)
    response = getattr(as_user(world.staff), method)(f"/api/v1/suggestions/{suggestion.pk}/")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
