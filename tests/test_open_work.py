"""`Assignment.has_open_work` is a stored fact: after every kind of step the services take, it
must equal its definition, computed here the way the pages computed it before it was stored
(an active assignment of a suggestion in handling whose unit has not yet given this round's
reply or co-handling opinion), and "overdue" read from it must equal the old overdue query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from suggestions import services
from suggestions.models import (
    Assignment,
    AssignmentStatus,
    CoHandlingOpinion,
    Reply,
    State,
    UnitRole,
)
from tests import lifecycle

pytestmark = pytest.mark.django_db

FAR_FUTURE = dt.date(2100, 1, 1)  # every open assignment is overdue by then


def _open_by_definition() -> set[int]:
    this_round = {"assignment": OuterRef("pk"), "round": OuterRef("suggestion__handling_round")}
    opinion = Exists(CoHandlingOpinion.objects.filter(**this_round))
    reply = Exists(Reply.objects.filter(**this_round))
    done = Q(opinion, role=UnitRole.CO) | (~Q(role=UnitRole.CO) & Q(reply))
    return set(
        Assignment.objects.filter(
            status=AssignmentStatus.ACTIVE,
            suggestion__state__in=[State.ASSIGNED, State.REHANDLING],
        )
        .exclude(done)
        .values_list("pk", flat=True)
    )


def _overdue_by_old_query(today: dt.date) -> list[int]:
    return list(
        Assignment.objects.active()
        .responsible()
        .filter(suggestion__state__in=[State.ASSIGNED, State.REHANDLING])
        .annotate(binding_due=Coalesce("rehandling_due_on", "due_on"))
        .filter(binding_due__lt=today)
        .exclude(replies__round=F("suggestion__handling_round"))
        .order_by("binding_due", "pk")
        .values_list("pk", flat=True)
    )


def assert_open_work_is_current() -> set[int]:
    stored = set(Assignment.objects.open_work().values_list("pk", flat=True))
    assert stored == _open_by_definition()
    for today in (timezone.localdate(), FAR_FUTURE):
        overdue = (
            Assignment.objects.overdue(today).responsible().order_by("binding_due", "pk")
        ).values_list("pk", flat=True)
        assert list(overdue) == _overdue_by_old_query(today)
    return stored


def _reply(world, suggestion, *, rating: str | None = None):
    lead = suggestion.assignments.active().get(role=UnitRole.LEAD)
    services.contact_record(
        assignment=lead,
        actor=world.lead_unit_user,
        method="meeting",
        contacted_on=timezone.localdate(),
    )
    services.suggestion_reply(
        suggestion=suggestion, actor=world.lead_unit_user, category="A", text="答复", signer="张三"
    )
    suggestion.refresh_from_db()
    if rating:
        services.suggestion_evaluate(
            suggestion=suggestion, actor=suggestion.lead_deputy.person.user, rating=rating
        )
        suggestion.refresh_from_db()


def test_open_work_follows_a_full_lifecycle_with_rehandling(world):
    suggestion = lifecycle.assigned(world, co_unit=True, assigned_on=dt.date(2024, 1, 8))
    lead = suggestion.assignments.get(role=UnitRole.LEAD)
    co = suggestion.assignments.get(role=UnitRole.CO)
    assert assert_open_work_is_current() == {lead.pk, co.pk}

    services.co_opinion_submit(assignment=co, actor=world.co_unit_user, text="协办意见。")
    assert assert_open_work_is_current() == {lead.pk}

    services.assignment_extend(assignment=lead, actor=world.staff, reason="情况复杂")
    assert assert_open_work_is_current() == {lead.pk}

    _reply(world, suggestion)
    assert suggestion.state == State.REPLIED
    assert assert_open_work_is_current() == set()

    services.suggestion_evaluate(
        suggestion=suggestion, actor=suggestion.lead_deputy.person.user, rating="dissatisfied"
    )
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.handling_round) == (State.REHANDLING, 2)
    # round 2: the lead unit owes a new reply, the co-unit a new opinion
    assert assert_open_work_is_current() == {lead.pk, co.pk}

    services.co_opinion_submit(assignment=co, actor=world.co_unit_user, text="第二轮意见。")
    _reply(world, suggestion, rating="satisfied")
    assert suggestion.state == State.CLOSED
    assert assert_open_work_is_current() == set()


def test_open_work_ends_on_return_withdrawal_and_with_the_last_separate_reply(world):
    returned = lifecycle.assigned(world, title="退办的建议")
    withdrawn = lifecycle.assigned(world, title="撤回的建议")
    separate = lifecycle.registered(world, title="分办的建议")
    services.suggestion_assign(
        suggestion=separate,
        actor=world.staff,
        separate_units=[world.lead_unit, world.other_unit],
        assigned_on=dt.date(2024, 1, 8),
    )
    first, second = separate.assignments.order_by("pk")
    assert len(assert_open_work_is_current()) == 4

    services.suggestion_reassign(
        suggestion=returned,
        actor=world.staff,
        assignment=returned.assignments.get(),
        reason="不属于本单位职责",
        requested_on=returned.assignments.get().assigned_on,
    )
    services.suggestion_withdraw(
        suggestion=withdrawn, actor=withdrawn.lead_deputy.person.user, reason="已解决"
    )
    assert assert_open_work_is_current() == {first.pk, second.pk}

    services.contact_record(
        assignment=first,
        actor=world.lead_unit_user,
        method="meeting",
        contacted_on=timezone.localdate(),
    )
    services.suggestion_reply(
        suggestion=separate, actor=world.lead_unit_user, category="B", text="答复", signer="张三"
    )
    separate.refresh_from_db()
    assert separate.state == State.ASSIGNED  # the other separate unit has not replied yet
    assert assert_open_work_is_current() == {second.pk}

    returned.refresh_from_db()
    services.suggestion_assign(suggestion=returned, actor=world.staff, lead_unit=world.co_unit)
    new = returned.assignments.get(status=AssignmentStatus.ACTIVE)
    assert assert_open_work_is_current() == {second.pk, new.pk}
