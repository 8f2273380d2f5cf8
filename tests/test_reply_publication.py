"""A published reply reads the same on the public page and in the public API: marked
passages, phone numbers, addresses and the deputies' own contact details removed."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from suggestions import services
from tests import lifecycle

pytestmark = pytest.mark.django_db

DEPUTY_EMAIL = "tang-private@example.org"
REPLY = (
    "已与代表当面沟通（代表邮箱 tang-private@example.org）。"
    "经办人电话13812345678，座机0735-2345678。"
    "地址：郴州市北湖区某路8号。"
    "内部讨论情况不宜公开。"
    "已出台支持措施。"
)


@pytest.fixture
def published(world):
    person = world.deputy.person
    person.email = DEPUTY_EMAIL
    person.save()
    suggestion = lifecycle.replied(world, reply_text=REPLY)
    reply = suggestion.replies.get()
    services.reply_publish(reply=reply, actor=world.staff, redactions="内部讨论情况不宜公开。")
    return suggestion


HIDDEN = [DEPUTY_EMAIL, "13812345678", "0735-2345678", "郴州市北湖区某路8号", "内部讨论情况"]


def test_public_api_reply_hides_contact_details_and_marked_passages(published):
    data = APIClient().get(f"/api/v1/suggestions/{published.pk}/replies/").json()
    text = data[0]["text"]
    assert "已出台支持措施。" in text
    for value in HIDDEN:
        assert value not in text


def test_public_page_and_api_show_the_same_reply_text(client, published):
    api_text = APIClient().get(f"/api/v1/suggestions/{published.pk}/").json()["replies"][0]["text"]
    page = client.get(f"/suggestions/{published.pk}/").content.decode()
    for value in HIDDEN:
        assert value not in page
    assert api_text in page
