"""The handling unit's inbox: only its own assignments; contact, co-handling opinion, reply."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from suggestions import services
from suggestions.models import CoHandlingOpinion, ContactRecord, State
from tests import lifecycle

pytestmark = [pytest.mark.django_db]


def page(assignment) -> str:
    return reverse("web:unit-assignment", args=[assignment.pk])


@pytest.fixture
def with_co_unit(world):
    suggestion = lifecycle.assigned(world, co_unit=True, title="关于电池产业的建议")
    return (
        suggestion,
        suggestion.assignments.get(unit=world.lead_unit),
        suggestion.assignments.get(unit=world.co_unit),
    )


def test_inbox_requires_unit_membership(client, world):
    assert client.get("/unit/").status_code == 302
    client.force_login(world.deputy.person.user)
    assert client.get("/unit/").status_code == 403


def test_inbox_lists_own_assignments_with_days_left(client, world, with_co_unit):
    suggestion, _lead, _co = with_co_unit
    client.force_login(world.lead_unit_user)
    response = client.get("/unit/")
    html = response.content.decode()
    assert suggestion.title in html
    assert "还剩" in html
    client.force_login(world.other_unit_user)
    assert suggestion.title not in client.get("/unit/").content.decode()


def test_other_unit_cannot_open_assignment(client, world, with_co_unit):
    _s, lead, _co = with_co_unit
    client.force_login(world.other_unit_user)
    assert client.get(page(lead)).status_code == 404
    response = client.post(
        page(lead),
        {"action": "contact", "contact-method": "phone", "contact-contacted_on": "2024-01-01"},
    )
    assert response.status_code == 404
    assert not ContactRecord.objects.exists()


def test_co_unit_submits_opinion_and_lead_sees_it(client, world, with_co_unit):
    _s, lead, co = with_co_unit
    client.force_login(world.co_unit_user)
    html = client.get(page(co)).content.decode()
    assert "提交协办意见" in html
    assert "提交答复" not in html
    response = client.post(page(co), {"action": "co_opinion", "co_opinion-text": "高新区意见"})
    assert response.status_code == 302
    assert CoHandlingOpinion.objects.get().text == "高新区意见"
    client.force_login(world.lead_unit_user)
    assert "高新区意见" in client.get(page(lead)).content.decode()


def test_reply_refused_without_contact_and_co_opinion(client, world, with_co_unit):
    suggestion, lead, _co = with_co_unit
    client.force_login(world.lead_unit_user)
    html = client.get(page(lead)).content.decode()
    assert "答复前须记录与代表的沟通联系" in html
    response = client.post(
        page(lead),
        {
            "action": "reply",
            "reply-category": "A",
            "reply-text": "我们的答复正文",
            "reply-signer": "王五",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "答复前须记录与代表的沟通联系" in html
    assert "尚未收到协办单位的协办意见" in html
    assert "我们的答复正文" in html  # what was typed is kept
    suggestion.refresh_from_db()
    assert suggestion.state == State.ASSIGNED
    assert not suggestion.replies.exists()


def test_contact_then_reply_with_attachment(client, world, settings, tmp_path, with_co_unit):
    settings.MEDIA_ROOT = tmp_path
    suggestion, lead, co = with_co_unit
    services.co_opinion_submit(assignment=co, actor=world.co_unit_user, text="意见")
    client.force_login(world.lead_unit_user)
    response = client.post(
        page(lead),
        {
            "action": "contact",
            "contact-method": "meeting",
            "contact-contacted_on": dt.date.today().isoformat(),
            "contact-notes": "当面听取意见",
        },
    )
    assert response.status_code == 302
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        page(lead),
        {"action": "contact", "contact-method": "meeting", "contact-contacted_on": future},
    )
    assert response.status_code == 400
    assert "沟通日期不能晚于今天" in response.content.decode()

    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 reply", content_type="application/pdf")
    response = client.post(
        page(lead),
        {
            "action": "reply",
            "reply-category": "B",
            "reply-text": "正在推进",
            "reply-signer": "王五",
            "reply-attachment": letter,
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == State.REPLIED
    reply = suggestion.replies.get()
    assert reply.attachment.name.endswith(".pdf")

    # The deputy may download the letter; the public and other units may not.
    url = reverse("web:reply-attachment", args=[reply.pk])
    client.force_login(world.deputy.person.user)
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 reply"
    client.force_login(world.other_unit_user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_unit_sees_deputy_contact_details(client, world, with_co_unit):
    _s, lead, _co = with_co_unit
    person = world.deputy.person
    person.phone = "13900001111"
    person.save()
    client.force_login(world.lead_unit_user)
    assert "13900001111" in client.get(page(lead)).content.decode()
