"""The admin works for staff from day one, and fires transitions through the services."""

import pytest
from django.contrib import admin
from django.urls import reverse

from congress.models import CongressStaff
from suggestions.models import Suggestion
from tests.conftest import drive
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, world):
    # A congress clerk with admin access: staff flag plus the model permissions.
    world.staff.is_staff = True
    world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    return client


def test_every_model_has_a_working_changelist_and_add_or_view_page(staff_client, world):
    drive(world, "completed")
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = staff_client.get(url)
        assert response.status_code == 200, url
        obj = model._default_manager.first()
        if obj is not None:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert staff_client.get(url).status_code == 200, url


def test_suggestion_list_filters_by_state_unit_and_session(staff_client, world):
    assigned = drive(world, "assigned")
    drive(world, "submitted")
    url = reverse("admin:suggestions_suggestion_changelist")
    for query in (
        {"state__exact": "assigned"},
        {"assignments__unit__id__exact": world.lead_unit.pk},
        {"session__id__exact": world.session.pk, "state__exact": "assigned"},
    ):
        response = staff_client.get(url, query)
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [assigned]


def test_change_page_offers_the_transitions_of_the_current_state(staff_client, world):
    s = drive(world, "submitted")
    response = staff_client.get(reverse("admin:suggestions_suggestion_change", args=[s.pk]))
    names = {t["name"] for t in response.context["transitions"]}
    assert names == {"return_for_revision", "register", "refuse", "merge", "withdraw"}


def test_transition_from_the_admin_goes_through_the_service(staff_client, world):
    s = drive(world, "submitted")
    url = reverse("admin:suggestions_suggestion_transition", args=[s.pk, "return_for_revision"])
    response = staff_client.post(url, {"comments": "请充分论证", "revision_days": "10"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.state == "returned"
    assert s.revision_due_on is not None
    assert s.events.get(action="return_for_revision").reason == "请充分论证"


def test_refused_transition_in_the_admin_shows_why_and_changes_nothing(staff_client, world):
    s = drive(world, "draft")
    url = reverse("admin:suggestions_suggestion_transition", args=[s.pk, "register"])
    response = staff_client.post(url, {}, follow=True)
    assert "只有「已提交」状态的建议才能立案" in response.content.decode()
    assert Suggestion.objects.get(pk=s.pk).state == "draft"


def test_admin_form_errors_keep_input(staff_client, world):
    s = drive(world, "submitted")
    url = reverse("admin:suggestions_suggestion_transition", args=[s.pk, "refuse"])
    response = staff_client.post(url, {"reason_code": "", "explanation": "保留的说明"})
    assert response.status_code == 200
    assert "保留的说明" in response.content.decode()
    assert Suggestion.objects.get(pk=s.pk).state == "submitted"


def test_bulk_register_action(staff_client, world):
    a, b = drive(world, "submitted"), drive(world, "draft")
    staff_client.post(
        reverse("admin:suggestions_suggestion_changelist"),
        {"action": "register_selected", "_selected_action": [a.pk, b.pk]},
    )
    assert Suggestion.objects.get(pk=a.pk).state == "registered"
    assert Suggestion.objects.get(pk=b.pk).state == "draft"


def test_events_are_read_only_in_the_admin(staff_client, world):
    s = drive(world, "registered")
    event = s.events.first()
    url = reverse("admin:suggestions_event_change", args=[event.pk])
    response = staff_client.post(url, {"reason": "rewritten"})
    assert response.status_code == 403
    assert staff_client.get(reverse("admin:suggestions_event_add")).status_code == 403


def test_non_staff_users_cannot_reach_the_admin(client, world):
    user = UserFactory(username="citizen")
    client.force_login(user)
    response = client.get(reverse("admin:suggestions_suggestion_changelist"))
    assert response.status_code == 302
    assert not CongressStaff.objects.filter(user=user).exists()


def test_a_clerk_without_superuser_sees_only_their_congress_and_can_act(client, world):
    from congress.services import congress_staff_grant
    from tests.conftest import World
    from tests.factories import (
        CongressFactory,
        DeputyFactory,
        SessionFactory,
        TermFactory,
    )

    clerk = UserFactory(username="clerk")
    congress_staff_grant(user=clerk, congress=world.congress)
    own = drive(world, "submitted")
    other_congress = CongressFactory(name="巍山彝族回族自治县人民代表大会")
    other_term = TermFactory(congress=other_congress, number=18, name="十八届")
    other_world = World(
        **{
            **world.__dict__,
            "congress": other_congress,
            "term": other_term,
            "session": SessionFactory(term=other_term, number=3, name="十八届人大三次会议"),
            "deputy": DeputyFactory(term=other_term, person__name="苏素馨"),
        }
    )
    foreign = drive(other_world, "draft")

    client.force_login(clerk)
    listing = client.get(reverse("admin:suggestions_suggestion_changelist"))
    assert list(listing.context["cl"].result_list) == [own]
    assert client.get(
        reverse("admin:suggestions_suggestion_change", args=[foreign.pk])
    ).status_code in (302, 404)
    response = client.post(
        reverse("admin:suggestions_suggestion_transition", args=[own.pk, "register"]), {}
    )
    assert response.status_code == 302
    assert Suggestion.objects.get(pk=own.pk).state == "registered"
    assert (
        client.get(
            reverse("admin:suggestions_suggestion_transition", args=[foreign.pk, "register"])
        ).status_code
        == 404
    )
