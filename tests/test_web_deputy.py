"""The deputy portal: own and co-signed suggestions only; draft, co-sign, submit, revise with a
diff, withdraw, read replies, rate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from suggestions import services
from suggestions.models import Rating, State, Suggestion
from tests import lifecycle
from tests.factories import DeputyFactory, UserFactory

pytestmark = [pytest.mark.django_db]


def page(suggestion) -> str:
    return reverse("web:deputy-suggestion", args=[suggestion.pk])


@pytest.fixture
def deputy_client(client, world):
    client.force_login(world.deputy.person.user)
    return client


def test_portal_requires_login(client, world):
    response = client.get("/deputy/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_portal_refuses_users_who_are_not_deputies(client, world):
    client.force_login(world.lead_unit_user)
    assert client.get("/deputy/").status_code == 403
    assert client.get("/deputy/new/").status_code == 403


def test_login_routes_each_role_to_its_home(client, world):
    expectations = {
        world.deputy.person.user: "/deputy/",
        world.staff: "/staff/",
        world.leader: "/leader/",
        world.lead_unit_user: "/unit/",
        world.outsider: "/",
    }
    for user, home in expectations.items():
        client.logout()
        response = client.post(
            "/accounts/login/", {"username": user.username, "password": "pw-test-123"}
        )
        assert response.status_code == 302, user
        assert client.get(response["Location"])["Location"] == home, user


def test_login_page_is_chinese_and_labelled(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html


def test_home_lists_own_and_cosigned_suggestions_only(deputy_client, world):
    mine = lifecycle.draft(world, title="我的草稿")
    other_deputy = DeputyFactory(term=world.term)
    cosigned = services.suggestion_create_draft(
        actor=other_deputy.person.user,
        lead_deputy=other_deputy,
        title="邀请我联名的草稿",
        cosigners=[world.deputy],
    )
    services.suggestion_create_draft(
        actor=other_deputy.person.user, lead_deputy=other_deputy, title="别人的草稿"
    )
    html = deputy_client.get("/deputy/").content.decode()
    assert mine.title in html
    assert cosigned.title in html
    assert "待确认的联名邀请" in html
    assert "别人的草稿" not in html


def test_other_deputies_draft_is_404(client, world):
    other = DeputyFactory(term=world.term)
    draft = services.suggestion_create_draft(
        actor=other.person.user, lead_deputy=other, title="别人的草稿"
    )
    client.force_login(world.deputy.person.user)
    assert client.get(page(draft)).status_code == 404
    assert client.post(page(draft), {"action": "submit"}).status_code == 404
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_create_draft_with_cosigner(deputy_client, world):
    response = deputy_client.post(
        "/deputy/new/",
        {
            "mandate": world.deputy.pk,
            "session": world.session.pk,
            "title": "关于打造锂电之都的建议",
            "topic": "经济",
            "body": "建议正文",
            "cosigners": [world.cosigner.pk],
        },
    )
    suggestion = Suggestion.objects.get(title="关于打造锂电之都的建议")
    assert response.status_code == 302
    assert response["Location"] == page(suggestion)
    assert suggestion.lead_deputy == world.deputy
    assert list(suggestion.cosignatures.values_list("deputy", flat=True)) == [world.cosigner.pk]


def test_create_draft_keeps_input_on_error(deputy_client, world):
    response = deputy_client.post(
        "/deputy/new/",
        {"mandate": world.deputy.pk, "title": "", "body": "我写了很长的正文"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "我写了很长的正文" in html
    # The wording of "required" comes from whichever installed catalog wins (Django's or
    # DRF's); what matters is that the title field carries an error.
    assert 'id="id_title_error"' in html
    assert "必填项" in html
    assert not Suggestion.objects.exists()


def test_submit_refused_until_cosigner_confirms(client, world):
    suggestion = services.suggestion_create_draft(
        actor=world.deputy.person.user,
        lead_deputy=world.deputy,
        title="联名建议",
        body="正文",
        cosigners=[world.cosigner],
    )
    client.force_login(world.deputy.person.user)
    html = client.get(page(suggestion)).content.decode()
    assert "所有联名代表都须确认联名" in html  # the disabled button says why
    response = client.post(page(suggestion), {"action": "submit"})
    assert response.status_code == 403 or response.status_code == 409
    assert "所有联名代表都须确认联名" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.state == State.DRAFT

    client.force_login(world.cosigner.person.user)
    response = client.post(page(suggestion), {"action": "confirm"})
    assert response.status_code == 302
    assert suggestion.cosignatures.get().confirmed_at is not None

    client.force_login(world.deputy.person.user)
    response = client.post(page(suggestion), {"action": "submit"}, follow=True)
    assert "建议已提交" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUBMITTED


def test_cosigner_cannot_submit_or_edit(client, world):
    suggestion = services.suggestion_create_draft(
        actor=world.deputy.person.user,
        lead_deputy=world.deputy,
        title="联名建议",
        body="正文",
        cosigners=[world.cosigner],
    )
    client.force_login(world.cosigner.person.user)
    response = client.post(page(suggestion), {"action": "edit", "edit-title": "篡改"})
    assert response.status_code == 403
    assert "只有领衔代表本人" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.title == "联名建议"


def test_invite_cosigner(deputy_client, world):
    suggestion = lifecycle.draft(world)
    response = deputy_client.post(
        page(suggestion), {"action": "invite", "invite-deputy": world.cosigner.pk}
    )
    assert response.status_code == 302
    assert suggestion.cosignatures.filter(deputy=world.cosigner).exists()


def test_review_comments_revision_and_diff(deputy_client, world):
    suggestion = lifecycle.submitted(
        world, title="关于加快推进电池产业集聚区发展的建议", body="旧正文"
    )
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=world.staff, comments="请聚焦电池之都定位"
    )
    html = deputy_client.get(page(suggestion)).content.decode()
    assert "请聚焦电池之都定位" in html
    assert "修改期限" in html

    response = deputy_client.post(
        page(suggestion),
        {
            "action": "edit",
            "edit-title": "关于把郴州打造成为中国电池之都的建议",
            "edit-body": "新正文",
            "edit-reason": "按审查意见修改",
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.current_version_number == 2
    html = deputy_client.get(page(suggestion)).content.decode()
    assert "第1稿与第2稿的差异" in html
    assert "<ins>新</ins>" in html and "<del>旧</del>" in html

    deputy_client.post(page(suggestion), {"action": "submit"})
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUBMITTED


def test_refused_transition_shows_reason_and_changes_nothing(deputy_client, world):
    suggestion = lifecycle.submitted(world)
    response = deputy_client.post(page(suggestion), {"action": "submit"})
    assert response.status_code == 409
    assert "不能提交" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUBMITTED
    assert suggestion.events.filter(action="submit").count() == 1


def test_withdraw_requires_reason_and_keeps_nothing_on_error(deputy_client, world):
    suggestion = lifecycle.submitted(world)
    response = deputy_client.post(page(suggestion), {"action": "withdraw", "withdraw-reason": ""})
    assert response.status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUBMITTED
    response = deputy_client.post(
        page(suggestion), {"action": "withdraw", "withdraw-reason": "已另行反映"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == State.WITHDRAWN


def test_read_reply_and_rate(deputy_client, world):
    suggestion = lifecycle.replied(world, reply_text="答复：已列入规划", category="B")
    html = deputy_client.get(page(suggestion)).content.decode()
    assert "答复：已列入规划" in html  # the deputy reads the reply before it is published
    assert "满意度测评" in html
    response = deputy_client.post(
        page(suggestion),
        {
            "action": "evaluate",
            "evaluate-rating": Rating.DISSATISFIED,
            "evaluate-comment": "不具体",
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == State.REHANDLING
    assert suggestion.evaluations.get().rating == Rating.DISSATISFIED


def test_evaluate_invalid_rating_keeps_comment(deputy_client, world):
    suggestion = lifecycle.replied(world)
    response = deputy_client.post(
        page(suggestion), {"action": "evaluate", "evaluate-comment": "我的意见"}
    )
    assert response.status_code == 400
    assert "我的意见" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.state == State.REPLIED


def test_unknown_action_is_bad_request(deputy_client, world):
    suggestion = lifecycle.draft(world)
    assert deputy_client.post(page(suggestion), {"action": "register"}).status_code == 400


def test_inbox_page(client, deputy_client, world):
    response = deputy_client.get("/inbox/")
    assert response.status_code == 200
    assert "我的提醒" in response.content.decode()
    deputy_client.logout()
    assert deputy_client.get("/inbox/").status_code == 302


def test_inbox_shows_the_sweeps_reminders_and_marks_them_read(deputy_client, world):
    import datetime as dt

    from django.core.management import call_command

    from suggestions.reminders.models import InboxMessage

    suggestion = lifecycle.draft(world)
    services.suggestion_submit(suggestion=suggestion, actor=world.deputy.person.user)
    services.suggestion_return_for_revision(
        suggestion=suggestion, actor=world.staff, comments="请补充措施"
    )
    due = suggestion.revision_due_on
    call_command("send_reminders", "--now", f"{due - dt.timedelta(days=1)}T09:00")
    own = InboxMessage.objects.filter(user=world.deputy.person.user)
    assert own.exists()
    html = deputy_client.get("/inbox/").content.decode()
    assert suggestion.title in html
    assert "未读" in html
    deputy_client.post("/inbox/")
    assert not own.filter(read_at__isnull=True).exists()


def test_user_with_two_mandates_chooses_one(client, world):
    user = UserFactory(username="two_mandates")
    municipal = DeputyFactory(person__user=user, term=world.term)
    from tests.factories import TermFactory

    provincial_term = TermFactory(number=14, name="十四届")
    DeputyFactory(person=municipal.person, term=provincial_term)
    client.force_login(user)
    html = client.get("/deputy/new/").content.decode()
    assert "代表身份" in html
    assert "十四届" in html
