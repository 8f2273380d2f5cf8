"""History is append-only and every transition leaves an event."""

import pytest

from suggestions.models import AppendOnlyError, Event
from tests.conftest import drive

pytestmark = pytest.mark.django_db


def test_events_cannot_be_changed_or_deleted(world):
    s = drive(world, "registered")
    event = s.events.filter(action="register").get()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get(pk=event.pk).reason == "编号：第1号"


def test_full_path_leaves_a_timeline_with_actors(world):
    s = drive(world, "completed")
    transitions = list(
        s.events.exclude(from_state="")
        .exclude(action__in=["create", "contact"])
        .order_by("pk")
        .values_list("action", "from_state", "to_state", "actor_name")
    )
    assert transitions == [
        ("submit", "draft", "submitted", "汤欣平"),
        ("register", "submitted", "registered", "staff"),
        ("assign", "registered", "assigned", "staff"),
        ("reply", "assigned", "replied", "unit_lead"),
        ("evaluate", "replied", "closed", "汤欣平"),
        ("start_follow_up", "closed", "follow_up", "staff"),
        ("complete", "follow_up", "completed", "staff"),
    ]


def test_state_cannot_be_set_directly(world):
    s = drive(world, "draft")
    with pytest.raises(AttributeError):
        s.state = "closed"


def test_review_comments_are_internal(world):
    from suggestions import services

    s = drive(world, "submitted")
    services.suggestion_return_for_revision(suggestion=s, actor=world.staff, comments="内部意见")
    event = s.events.get(action="return_for_revision")
    assert event.is_public is False
    assert not s.events.public().filter(reason__contains="内部意见").exists()
