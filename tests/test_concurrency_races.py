"""Races on one suggestion: several units replying, two clerks assigning, a double reply or
evaluation. The last reply in always moves the suggestion on; a lost race is refused (409 with
a clerk's message on pages, in the API and in the admin), never a 500, and writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition
from rest_framework.test import APIClient

from suggestions import services
from suggestions.models import Assignment, Evaluation, Event, Reply, State, Suggestion
from tests import lifecycle
from tests.test_concurrency import run_at_once

LOST_RACE = "已被他人处理"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_fire(user, pk: int, name: str, **data):
    return as_user(user).post(f"/api/v1/suggestions/{pk}/transitions/{name}/", data, format="json")


def assert_one_ok_one_refused(responses) -> None:
    """One 200; the other a 409 JSON body saying why: that someone else just acted, or (when
    its request read the suggestion after the winner had committed) the state now."""
    assert sorted(r.status_code for r in responses) == [200, 409], responses
    body = next(r for r in responses if r.status_code == 409).json()
    assert body["code"] in ("concurrent_change", "illegal_state"), body
    assert LOST_RACE in body["message"] or "该建议当前状态为" in body["message"], body


def contacted(world, assignment) -> None:
    services.contact_record(
        assignment=assignment,
        actor=assignment.unit.members.get(),
        method="meeting",
        contacted_on=timezone.localdate(),
    )


def separately_assigned(world) -> Suggestion:
    """分办 to two units, each of which has met the deputy and may reply."""
    suggestion = lifecycle.registered(world, title="关于电池回收利用的建议")
    services.suggestion_assign(
        suggestion=suggestion,
        actor=world.staff,
        separate_units=[world.lead_unit, world.other_unit],
    )
    for assignment in suggestion.assignments.all():
        contacted(world, assignment)
    return suggestion


def lead_unit_ready_to_reply(world) -> Suggestion:
    suggestion = lifecycle.assigned(world, title="关于电池回收利用的建议")
    contacted(world, suggestion.assignments.get())
    return suggestion


def reply_as(user, pk: int, text: str):
    return lambda: services.suggestion_reply(
        suggestion=Suggestion.objects.get(pk=pk),
        actor=user,
        category="B",
        text=text,
        signer="张三",
    )


def skip_unless_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL; SQLite serialises the database")


# ---- real threads on PostgreSQL ----


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_separate_units_replying_at_once_always_end_replied(world):
    skip_unless_postgres()
    for _ in range(20):
        s = separately_assigned(world)
        results = run_at_once(
            reply_as(world.lead_unit_user, s.pk, "市政府答复"),
            reply_as(world.other_unit_user, s.pk, "经开区答复"),
        )
        assert all(isinstance(r, Reply) for r in results), results
        fresh = Suggestion.objects.get(pk=s.pk)
        assert fresh.state == State.REPLIED
        assert fresh.evaluation_due_on is not None
        assert fresh.replies.count() == 2
        assert fresh.events.filter(action="partial_reply").count() == 1
        reply_event = fresh.events.get(action="reply")
        assert (reply_event.from_state, reply_event.to_state) == (State.ASSIGNED, State.REPLIED)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_assigning_at_once_one_wins(world):
    skip_unless_postgres()
    for _ in range(5):
        s = lifecycle.registered(world, title="关于电池回收利用的建议")
        # Both clerks opened the page before either pressed the button.
        pages = [Suggestion.objects.get(pk=s.pk) for _ in range(2)]
        results = run_at_once(
            *[
                lambda page=page: services.suggestion_assign(
                    suggestion=page, actor=world.staff, lead_unit=world.lead_unit
                )
                for page in pages
            ]
        )
        failures = [r for r in results if isinstance(r, Exception)]
        assert len(failures) == 1, results
        assert isinstance(failures[0], services.TransitionRefused), repr(failures[0])
        assert LOST_RACE in str(failures[0])
        fresh = Suggestion.objects.get(pk=s.pk)
        assert fresh.state == State.ASSIGNED
        assert fresh.assignments.count() == 1
        assert fresh.events.filter(action="assign").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_assigning_at_once_through_the_api_get_200_and_409(world):
    skip_unless_postgres()
    for _ in range(5):
        s = lifecycle.registered(world, title="关于电池回收利用的建议")
        responses = run_at_once(
            *[lambda pk=s.pk: api_fire(world.staff, pk, "assign", lead_unit=world.lead_unit.pk)] * 2
        )
        assert_one_ok_one_refused(responses)
        assert Assignment.objects.filter(suggestion=s).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_reply_of_one_unit_at_once_gives_one_reply_and_one_409(world):
    skip_unless_postgres()
    for _ in range(5):
        s = lead_unit_ready_to_reply(world)
        responses = run_at_once(
            *[
                lambda pk=s.pk: api_fire(
                    world.lead_unit_user, pk, "reply", category="B", text="答复", signer="张三"
                )
            ]
            * 2
        )
        assert_one_ok_one_refused(responses)
        fresh = Suggestion.objects.get(pk=s.pk)
        assert fresh.state == State.REPLIED
        assert fresh.replies.count() == 1
        assert fresh.events.filter(action="reply").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_reply_of_one_separate_unit_at_once_gives_one_reply(world):
    # The state does not change on the first of two separate replies, so the second is
    # refused by the re-read "already replied" check rather than by the state.
    skip_unless_postgres()
    for _ in range(5):
        s = separately_assigned(world)
        results = run_at_once(*[reply_as(world.lead_unit_user, s.pk, "市政府答复")] * 2)
        failures = [r for r in results if isinstance(r, Exception)]
        assert len(failures) == 1, results
        assert isinstance(failures[0], services.TransitionRefused), repr(failures[0])
        fresh = Suggestion.objects.get(pk=s.pk)
        assert fresh.state == State.ASSIGNED
        assert fresh.replies.count() == 1
        assert fresh.events.filter(action="partial_reply").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_evaluations_record_one(world):
    skip_unless_postgres()
    deputy = world.deputy.person.user
    for _ in range(5):
        s = lifecycle.replied(world, title="关于电池回收利用的建议")
        results = run_at_once(
            *[
                lambda pk=s.pk, rating=rating: services.suggestion_evaluate(
                    suggestion=Suggestion.objects.get(pk=pk), actor=deputy, rating=rating
                )
                for rating in ("satisfied", "dissatisfied")
            ]
        )
        failures = [r for r in results if isinstance(r, Exception)]
        assert len(failures) == 1, results
        assert isinstance(failures[0], services.TransitionRefused), repr(failures[0])
        fresh = Suggestion.objects.get(pk=s.pk)
        assert fresh.evaluations.count() == 1
        assert fresh.events.filter(action="evaluate").count() == 1
        expected = State.CLOSED if fresh.evaluations.get().rating == "satisfied" else "rehandling"
        assert fresh.state == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_extending_one_assignment_at_once_extend_it_once(world):
    skip_unless_postgres()
    for _ in range(5):
        s = lifecycle.assigned(world, title="关于电池回收利用的建议")
        pages = [Assignment.objects.get(suggestion=s) for _ in range(2)]
        results = run_at_once(
            *[
                lambda page=page: services.assignment_extend(
                    assignment=page, actor=world.staff, reason="需要调研"
                )
                for page in pages
            ]
        )
        failures = [r for r in results if isinstance(r, Exception)]
        assert len(failures) == 1, results
        assert "只能延期一次" in str(failures[0])
        assert s.events.filter(action="extend").count() == 1


@pytest.mark.django_db
def test_extension_from_a_stale_page_reads_the_earlier_extension(world):
    s = lifecycle.assigned(world, title="关于电池回收利用的建议")
    clerk_a, clerk_b = (Assignment.objects.get(suggestion=s) for _ in range(2))
    services.assignment_extend(assignment=clerk_a, actor=world.staff, reason="需要调研")
    with pytest.raises(services.TransitionRefused, match="只能延期一次"):
        services.assignment_extend(assignment=clerk_b, actor=world.staff, reason="再调研")
    assert s.events.filter(action="extend").count() == 1
    assert Assignment.objects.get(suggestion=s).extension_reason == "需要调研"


# ---- a lost race simulated inside one transition (both databases) ----


@pytest.fixture
def rival_reply_first(monkeypatch):
    """Another request inserts the same unit's reply just before ours: a real unique-constraint
    violation on either database."""
    real_create = Reply.objects.create

    def create_after_rival(**fields):
        real_create(**fields)
        return real_create(**fields)

    monkeypatch.setattr(Reply.objects, "create", create_after_rival)


@pytest.fixture
def state_changed_under_evaluation(monkeypatch):
    def lost(**fields):
        raise ConcurrentTransition("The state has been changed since fetched from the database!")

    monkeypatch.setattr(Evaluation.objects, "create", lost)


def assert_nothing_replied(suggestion, events_before: int) -> None:
    fresh = Suggestion.objects.get(pk=suggestion.pk)
    assert fresh.state == State.ASSIGNED
    assert not fresh.replies.exists()
    assert Event.objects.filter(suggestion=fresh).count() == events_before


@pytest.mark.django_db
def test_unique_violation_in_a_reply_is_409_in_the_api(world, rival_reply_first):
    s = lead_unit_ready_to_reply(world)
    events_before = s.events.count()
    response = api_fire(
        world.lead_unit_user, s.pk, "reply", category="B", text="答复", signer="张三"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_change"
    assert LOST_RACE in response.json()["message"]
    assert_nothing_replied(s, events_before)


@pytest.mark.django_db
def test_unique_violation_in_a_reply_is_409_on_the_unit_page(client, world, rival_reply_first):
    s = lead_unit_ready_to_reply(world)
    events_before = s.events.count()
    client.force_login(world.lead_unit_user)
    response = client.post(
        reverse("web:unit-assignment", args=[s.assignments.get().pk]),
        {"action": "reply", "reply-category": "B", "reply-text": "答复", "reply-signer": "张三"},
    )
    assert response.status_code == 409
    assert LOST_RACE in response.context["forms"]["reply"].non_field_errors()[0]
    assert_nothing_replied(s, events_before)


@pytest.mark.django_db
def test_concurrent_transition_in_an_evaluation_is_409_in_the_api(
    world, state_changed_under_evaluation
):
    s = lifecycle.replied(world, title="关于电池回收利用的建议")
    response = api_fire(world.deputy.person.user, s.pk, "evaluate", rating="satisfied")
    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_change"
    assert LOST_RACE in response.json()["message"]
    fresh = Suggestion.objects.get(pk=s.pk)
    assert fresh.state == State.REPLIED
    assert fresh.evaluation_due_on is not None
    assert not fresh.events.filter(action="evaluate").exists()


@pytest.mark.django_db
def test_concurrent_transition_in_an_evaluation_is_409_on_the_deputy_page(
    client, world, state_changed_under_evaluation
):
    s = lifecycle.replied(world, title="关于电池回收利用的建议")
    client.force_login(world.deputy.person.user)
    response = client.post(
        reverse("web:deputy-suggestion", args=[s.pk]),
        {"action": "evaluate", "evaluate-rating": "satisfied", "evaluate-comment": "很好"},
    )
    assert response.status_code == 409
    assert LOST_RACE in response.content.decode()
    assert Suggestion.objects.get(pk=s.pk).state == State.REPLIED


@pytest.mark.django_db
def test_unique_violation_in_an_assignment_is_reported_in_the_admin(client, world, monkeypatch):
    real_create = Assignment.objects.create

    def create_after_rival(**fields):
        real_create(**fields)
        return real_create(**fields)

    monkeypatch.setattr(Assignment.objects, "create", create_after_rival)
    world.staff.is_staff = world.staff.is_superuser = True
    world.staff.save()
    client.force_login(world.staff)
    s = lifecycle.registered(world, title="关于电池回收利用的建议")
    response = client.post(
        reverse("admin:suggestions_suggestion_transition", args=[s.pk, "assign"]),
        {"lead_unit": world.lead_unit.pk},
    )
    assert response.status_code == 200
    assert LOST_RACE in response.content.decode()
    fresh = Suggestion.objects.get(pk=s.pk)
    assert fresh.state == State.REGISTERED
    assert not fresh.assignments.exists()
