"""The one read policy (suggestions/access.py) as every channel applies it: each test is a
finding of the perimeter review that leaked before the pages, the API, exports and search
read through the policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from suggestions import access, services
from suggestions.access import Audience
from suggestions.models import State
from tests import lifecycle
from tests.factories import CongressStaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_REPLY = "答复草稿内部措辞甲乙丙"
WITHHELD = "涉及个人隐私丁戊己"
REVISION = "尚未提交的修改稿庚辛壬"


def work_api(pk: int) -> str:
    return f"/api/v1/workspace/suggestions/{pk}/"


def cosigned_and_replied(world):
    """A co-signed suggestion with an unpublished reply."""
    suggestion = lifecycle.draft(world, title="关于改善城区照明的建议")
    services.cosigner_invite(
        suggestion=suggestion, actor=world.deputy.person.user, deputy=world.cosigner
    )
    services.cosigner_confirm(suggestion=suggestion, actor=world.cosigner.person.user)
    services.suggestion_submit(suggestion=suggestion, actor=world.deputy.person.user)
    services.suggestion_register(suggestion=suggestion, actor=world.staff)
    services.suggestion_assign(suggestion=suggestion, actor=world.staff, lead_unit=world.lead_unit)
    assignment = suggestion.assignments.get()
    services.contact_record(
        assignment=assignment,
        actor=world.lead_unit_user,
        method="meeting",
        contacted_on=assignment.assigned_on,
    )
    services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category="A",
        text=SECRET_REPLY,
        signer="张三",
    )
    suggestion.refresh_from_db()
    return suggestion


def test_cosigner_reads_the_suggestion_but_not_its_unpublished_reply(client, world):
    suggestion = cosigned_and_replied(world)
    client.force_login(world.cosigner.person.user)
    page = client.get(reverse("web:deputy-suggestion", args=[suggestion.pk]))
    assert page.status_code == 200
    assert "关于改善城区照明的建议" in page.content.decode()
    assert SECRET_REPLY not in page.content.decode()
    api = client.get(work_api(suggestion.pk))
    assert api.status_code == 200
    assert SECRET_REPLY not in api.content.decode()
    assert api.json()["all_replies"] == []
    # …while the lead deputy, to whom the reply is addressed, reads it.
    client.force_login(world.deputy.person.user)
    assert SECRET_REPLY in client.get(work_api(suggestion.pk)).content.decode()


def test_cosigner_search_does_not_match_the_unpublished_reply(client, world):
    cosigned_and_replied(world)
    client.force_login(world.cosigner.person.user)
    response = client.get("/api/v1/workspace/suggestions/", {"search": "内部措辞"})
    assert response.json()["count"] == 0
    client.force_login(world.deputy.person.user)
    response = client.get("/api/v1/workspace/suggestions/", {"search": "内部措辞"})
    assert response.json()["count"] == 1


def test_deputy_does_not_read_the_withheld_reason(client, world):
    suggestion = lifecycle.registered(world)
    services.suggestion_withhold(suggestion=suggestion, actor=world.staff, reason=WITHHELD)
    client.force_login(world.deputy.person.user)
    body = client.get(work_api(suggestion.pk)).content.decode()
    assert WITHHELD not in body
    client.force_login(world.staff)
    assert WITHHELD in client.get(work_api(suggestion.pk)).content.decode()


def test_staff_never_open_a_draft_on_any_channel(client, world):
    draft = lifecycle.draft(world, title="尚未提交的草稿标题")
    client.force_login(world.staff)
    assert client.get(reverse("web:staff-suggestion", args=[draft.pk])).status_code == 404
    assert client.get(work_api(draft.pk)).status_code == 404
    listing = client.get("/api/v1/workspace/suggestions/").content.decode()
    assert "尚未提交的草稿标题" not in listing


def test_staff_do_not_see_a_draft_withdrawn_before_it_was_submitted(client, world):
    draft = lifecycle.draft(world, title="撤回的草稿标题")
    services.suggestion_withdraw(suggestion=draft, actor=world.deputy.person.user, reason="不提了")
    assert draft.state == State.WITHDRAWN
    client.force_login(world.staff)
    assert client.get(reverse("web:staff-suggestion", args=[draft.pk])).status_code == 404
    ledger = client.get(f"/api/v1/exports/sessions/{world.session.pk}/ledger.csv")
    assert ledger.status_code == 200
    assert "撤回的草稿标题" not in b"".join(ledger.streaming_content).decode()


def test_staff_read_the_submitted_text_not_the_revision_in_progress(client, world):
    suggestion = lifecycle.submitted(world, body="提交的正文。")
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=world.staff, comments="请补充数据"
    )
    services.suggestion_update_draft(
        suggestion=suggestion, actor=world.deputy.person.user, title=suggestion.title, body=REVISION
    )
    client.force_login(world.staff)
    page = client.get(reverse("web:staff-suggestion", args=[suggestion.pk])).content.decode()
    assert "提交的正文。" in page
    assert REVISION not in page
    api = client.get(work_api(suggestion.pk))
    assert api.json()["body"] == "提交的正文。"
    assert REVISION not in api.content.decode()
    found = client.get("/api/v1/workspace/suggestions/", {"search": "庚辛壬"})
    assert found.json()["count"] == 0
    client.force_login(world.deputy.person.user)
    assert REVISION in client.get(work_api(suggestion.pk)).content.decode()


def test_a_leader_reads_through_the_api_only_what_they_supervise(client, world):
    supervised = lifecycle.registered(world, title="督办的建议")
    other = lifecycle.registered(world, title="未督办的建议")
    services.supervision_plan_create(
        actor=world.staff,
        congress=world.congress,
        theme="重点督办",
        suggestions=[supervised],
        leader=world.leader,
    )
    client.force_login(world.leader)
    listing = client.get("/api/v1/workspace/suggestions/").content.decode()
    assert "督办的建议" in listing
    assert "未督办的建议" not in listing
    assert client.get(work_api(supervised.pk)).status_code == 200
    assert client.get(work_api(other.pk)).status_code == 404


def test_forbidden_and_missing_answer_the_same_404(client, world):
    draft = lifecycle.draft(world)
    client.force_login(world.outsider)
    missing = client.get(work_api(draft.pk + 1000))
    forbidden = client.get(work_api(draft.pk))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    client.force_login(world.deputy.person.user)
    page = client.get(reverse("web:staff-suggestion", args=[draft.pk]))
    assert page.status_code in (403, 404)


def test_a_unit_keeps_read_only_access_after_returning_its_assignment(client, world):
    suggestion = lifecycle.assigned(world)
    assignment = suggestion.assignments.get()
    services.suggestion_reassign(
        suggestion=suggestion,
        actor=world.staff,
        assignment=assignment,
        reason="不属于本单位职责",
    )
    client.force_login(world.lead_unit_user)
    url = reverse("web:unit-assignment", args=[assignment.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "contact",
            "contact-method": "phone",
            "contact-contacted_on": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 409
    assert assignment.contacts.count() == 0
    assert not suggestion.events.filter(action="contact").exists()


def test_staff_of_another_congress_see_nothing(client, world):
    suggestion = lifecycle.assigned(world, title="郴州的建议")
    stranger = CongressStaffFactory(user__username="weishan_clerk").user
    client.force_login(stranger)
    assert client.get(reverse("web:staff-suggestion", args=[suggestion.pk])).status_code == 404
    assert client.get(work_api(suggestion.pk)).status_code == 404
    assert "郴州的建议" not in client.get("/api/v1/workspace/suggestions/").content.decode()
    assert access.readable_suggestions(stranger, Audience.STAFF).count() == 0
    # What they read of it is what anyone reads: the public projection.
    assert access.projection_for(stranger, suggestion) == access.PUBLIC


def test_superuser_reads_everything(world):
    draft = lifecycle.draft(world)
    root = UserFactory(is_superuser=True)
    assert access.suggestion_for(root, draft.pk) == draft
    assert access.projection_for(root, draft) == access.EVERYTHING
