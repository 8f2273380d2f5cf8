"""Staff see the failed reminders of their own congress (/staff/reminders/, linked from the
workbench) and resend one or all through the same exactly-once outbox; another congress's
staff never see them and get 404 for them."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from congress.services import congress_staff_grant
from suggestions.models import SupervisionPlan
from suggestions.reminders.delivery import deliver_all
from suggestions.reminders.models import (
    InboxMessage,
    Reminder,
    ReminderKind,
    ReminderObject,
    ReminderStatus,
    ReminderStep,
)
from suggestions.reminders.selectors import failed_reminders_for
from suggestions.reminders.services import reminder_resend, reminder_resend_all
from suggestions.services import TransitionRefused
from tests.factories import (
    CongressFactory,
    CongressStaffFactory,
    DeputyFactory,
    SuggestionFactory,
    TermFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAGE = "/staff/reminders/"
LOST_CONNECTION = "SMTPServerDisconnected: Connection unexpectedly closed"
_object_ids = iter(range(1, 10_000))


def reminder(*, subject: str, status=ReminderStatus.FAILED, suggestion=None, plan=None, **extra):
    about = (
        {"object_type": ReminderObject.SUPERVISION_PLAN, "object_id": plan.pk}
        if plan is not None
        else {"object_type": ReminderObject.SUGGESTION, "object_id": next(_object_ids)}
    )
    values = {
        "kind": ReminderKind.SUPERVISION if plan is not None else ReminderKind.EVALUATION,
        "recipient_key": f"email:{next(_object_ids)}@example.org",
        "due_on": dt.date(2025, 10, 15),
        "step": ReminderStep.DAYS_7,
        "email": "unit@example.org",
        "subject": subject,
        "body": "请按期办理。",
        "status": status,
        "attempts": 8 if status == ReminderStatus.FAILED else 1,
        "last_error": LOST_CONNECTION if status == ReminderStatus.FAILED else "",
        "suggestion": suggestion,
        **about,
        **extra,
    }
    return Reminder.objects.create(**values)


@pytest.fixture
def two_congresses(world):
    own_suggestion = SuggestionFactory(lead_deputy=world.deputy, title="关于城市更新的建议")
    own_plan = SupervisionPlan.objects.create(congress=world.congress, theme="优化营商环境")
    other_congress = CongressFactory(name="巍山彝族回族自治县人民代表大会", short_name="巍山县")
    other_deputy = DeputyFactory(term=TermFactory(congress=other_congress, number=18))
    other_suggestion = SuggestionFactory(lead_deputy=other_deputy, title="关于古城保护的建议")
    other_plan = SupervisionPlan.objects.create(congress=other_congress, theme="古城消防")
    other_staff = CongressStaffFactory(congress=other_congress, user__username="ws_staff").user
    return {
        "own_reply": reminder(
            subject="【答复期限】城市更新提醒",
            suggestion=own_suggestion,
            recipient_user=world.staff,
        ),
        "own_plan": reminder(subject="【重点督办】营商环境提醒", plan=own_plan),
        "own_sent": reminder(
            subject="【已发出】城市更新提醒",
            status=ReminderStatus.SENT,
            suggestion=own_suggestion,
        ),
        "other_reply": reminder(subject="【答复期限】古城保护提醒", suggestion=other_suggestion),
        "other_plan": reminder(subject="【重点督办】古城消防提醒", plan=other_plan),
        "other_staff": other_staff,
    }


def body_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_staff_see_the_failed_reminders_of_their_congress_only(client, world, two_congresses):
    client.force_login(world.staff)
    body = body_of(client.get(PAGE))
    assert "<td>【答复期限】城市更新提醒<br>" in body and "<td>【重点督办】营商环境提醒<br>" in body
    assert LOST_CONNECTION in body
    assert "<td>8</td>" in body  # attempts
    assert "【已发出】城市更新提醒" not in body
    assert "古城" not in body

    client.force_login(two_congresses["other_staff"])
    body = body_of(client.get(PAGE))
    assert "【答复期限】古城保护提醒" in body and "【重点督办】古城消防提醒" in body
    assert "城市更新" not in body and "营商环境" not in body


def test_the_workbench_links_to_the_page_with_the_count(client, world, two_congresses):
    client.force_login(world.staff)
    body = body_of(client.get("/staff/"))
    assert f'<a href="{PAGE}">发送失败的提醒（2）</a>' in body


def test_resend_one_goes_through_the_outbox_once(client, world, two_congresses, caplog):
    failed = two_congresses["own_reply"]
    InboxMessage.objects.create(
        user=world.staff, reminder=failed, subject=failed.subject, body=failed.body
    )
    client.force_login(world.staff)
    with caplog.at_level(logging.INFO, logger="suggestions.reminders.services"):
        response = client.post(reverse("web:staff-reminder-resend", args=[failed.pk]))
    assert response.status_code == 302
    followed = body_of(client.get(response["Location"]))
    assert "「【答复期限】城市更新提醒」已重新排入发送队列" in followed
    assert "<td>【答复期限】城市更新提醒<br>" not in followed  # no longer listed as failed
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.lease_token) == (ReminderStatus.PENDING, 0, None)
    assert f"reminder {failed.pk}" in caplog.text and "user " in caplog.text

    mail.outbox = []
    deliver_all()
    deliver_all()
    failed.refresh_from_db()
    assert failed.status == ReminderStatus.SENT
    assert [m.extra_headers["Message-ID"].split("@")[0] for m in mail.outbox] == [
        f"<reminder-{failed.pk}"
    ]
    assert InboxMessage.objects.filter(reminder=failed).count() == 1


def test_another_congress_gets_404_and_nothing_changes(client, world, two_congresses):
    client.force_login(two_congresses["other_staff"])
    for key in ("own_reply", "own_plan"):
        url = reverse("web:staff-reminder-resend", args=[two_congresses[key].pk])
        assert client.post(url).status_code == 404
    assert not Reminder.objects.filter(status=ReminderStatus.PENDING).exists()


def test_resend_all_resends_only_the_own_congress(client, world, two_congresses):
    client.force_login(world.staff)
    response = client.post(reverse("web:staff-reminders-resend-all"))
    assert "已将 2 条发送失败的提醒重新排入发送队列" in body_of(client.get(response["Location"]))
    pending = set(Reminder.objects.filter(status=ReminderStatus.PENDING))
    assert pending == {two_congresses["own_reply"], two_congresses["own_plan"]}
    still_failed = set(Reminder.objects.filter(status=ReminderStatus.FAILED))
    assert still_failed == {two_congresses["other_reply"], two_congresses["other_plan"]}
    assert "没有发送失败的提醒。" in body_of(client.get(PAGE))


def test_resending_what_is_not_failed_is_refused(world, two_congresses):
    with pytest.raises(TransitionRefused, match="没有这条发送失败的提醒"):
        reminder_resend(reminder=two_congresses["own_sent"], actor=world.staff)
    with pytest.raises(TransitionRefused):
        reminder_resend(reminder=two_congresses["other_reply"], actor=world.staff)
    assert Reminder.objects.get(pk=two_congresses["own_sent"].pk).status == ReminderStatus.SENT
    assert reminder_resend_all(actor=world.leader) == 0
    assert Reminder.objects.filter(status=ReminderStatus.FAILED).count() == 4


def test_only_staff_open_the_page(client, world, two_congresses):
    assert client.get(PAGE).status_code == 302  # to the login page
    for user in (world.leader, world.deputy.person.user, world.lead_unit_user):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        url = reverse("web:staff-reminder-resend", args=[two_congresses["own_reply"].pk])
        assert client.post(url).status_code == 403
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert failed_reminders_for(superuser).count() == 4


def test_the_page_is_paginated(client, world):
    suggestion = SuggestionFactory(lead_deputy=world.deputy)
    for i in range(55):
        reminder(subject=f"提醒第{i:02d}条", suggestion=suggestion)
    client.force_login(world.staff)
    first = body_of(client.get(PAGE))
    second = body_of(client.get(PAGE, {"page": 2}))
    assert first.count("提醒第") == 50 and second.count("提醒第") == 5
    assert "第 1 / 2 页" in first and "共 55 条发送失败的提醒" in first


def test_the_page_in_english(client, world, two_congresses):
    client.force_login(world.staff)
    body = body_of(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Failed reminders" in body and "Resend all" in body and "2 failed reminders" in body


def test_the_reminder_admin_is_scoped_the_same_way(client, world, two_congresses):
    clerk = UserFactory(username="clerk")
    congress_staff_grant(user=clerk, congress=world.congress)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_reminder", "view_inboxmessage"])
    )
    client.force_login(clerk)
    listing = client.get(reverse("admin:reminders_reminder_changelist"))
    assert set(listing.context["cl"].result_list) == {
        two_congresses["own_reply"],
        two_congresses["own_plan"],
    }
    foreign = reverse("admin:reminders_reminder_change", args=[two_congresses["other_reply"].pk])
    assert client.get(foreign).status_code in (302, 404)
