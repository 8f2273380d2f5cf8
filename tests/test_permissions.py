"""Each role may fire exactly its own transitions."""

import pytest

from suggestions import services
from suggestions.models import Rating
from tests.conftest import drive

pytestmark = pytest.mark.django_db


def roles(world):
    return {
        "lead deputy": world.deputy.person.user,
        "co-signer": world.cosigner.person.user,
        "staff": world.staff,
        "leader": world.leader,
        "lead unit": world.lead_unit_user,
        "other unit": world.other_unit_user,
        "outsider": world.outsider,
    }


CASES = [
    # (transition, state to start from, the roles allowed, how to call it)
    (
        "submit",
        "draft",
        {"lead deputy"},
        lambda s, a: services.suggestion_submit(suggestion=s, actor=a),
    ),
    (
        "withdraw",
        "submitted",
        {"lead deputy"},
        lambda s, a: services.suggestion_withdraw(suggestion=s, actor=a, reason="撤回"),
    ),
    (
        "return_for_revision",
        "submitted",
        {"staff"},
        lambda s, a: services.suggestion_return_for_revision(suggestion=s, actor=a, comments="改"),
    ),
    (
        "register",
        "submitted",
        {"staff"},
        lambda s, a: services.suggestion_register(suggestion=s, actor=a),
    ),
    (
        "refuse",
        "submitted",
        {"staff"},
        lambda s, a: services.suggestion_refuse(suggestion=s, actor=a, reason_code="no_content"),
    ),
    (
        "evaluate",
        "replied",
        {"lead deputy"},
        lambda s, a: services.suggestion_evaluate(suggestion=s, actor=a, rating=Rating.SATISFIED),
    ),
    (
        "start_follow_up",
        "closed",
        {"staff"},
        lambda s, a: services.suggestion_start_follow_up(suggestion=s, actor=a),
    ),
    (
        "complete",
        "follow_up",
        {"staff"},
        lambda s, a: services.suggestion_complete(suggestion=s, actor=a, findings="已落实"),
    ),
]


@pytest.mark.parametrize(("name", "state", "allowed", "call"), CASES, ids=[c[0] for c in CASES])
def test_only_the_right_role_may_fire(world, name, state, allowed, call):
    for role, user in roles(world).items():
        s = drive(world, state)
        if role in allowed:
            call(s, user)
            assert s.state != state, role
        else:
            with pytest.raises(services.PermissionDenied):
                call(s, user)
            s.refresh_from_db()
            assert s.state == state, role


def test_assign_is_staff_only(world):
    for role, user in roles(world).items():
        s = drive(world, "registered")
        if role == "staff":
            services.suggestion_assign(suggestion=s, actor=user, lead_unit=world.lead_unit)
            assert s.state == "assigned"
        else:
            with pytest.raises(services.PermissionDenied):
                services.suggestion_assign(suggestion=s, actor=user, lead_unit=world.lead_unit)
            assert not s.assignments.exists()


def test_only_the_assigned_units_member_may_reply(world):
    s = drive(world, "assigned")
    for user in (world.other_unit_user, world.staff, world.deputy.person.user, world.outsider):
        with pytest.raises(services.PermissionDenied):
            services.suggestion_reply(
                suggestion=s, actor=user, category="A", text="答复", signer="王五"
            )
    assert not s.replies.exists()


def test_staff_of_another_congress_may_not_act(world):
    from tests.factories import CongressStaffFactory

    foreign = CongressStaffFactory(user__username="foreign_staff").user
    s = drive(world, "submitted")
    with pytest.raises(services.PermissionDenied):
        services.suggestion_register(suggestion=s, actor=foreign)


def test_the_system_may_only_lapse_and_people_may_not(world):
    s = drive(world, "replied")
    with pytest.raises(services.PermissionDenied):
        services.suggestion_evaluate(suggestion=s, actor=None, rating=Rating.SATISFIED)
    # lapse_evaluation is a system transition: no user can trigger it through the services,
    # whose signature has no actor, and the state machine refuses a user.
    from suggestions.services.transitions import check_transition

    with pytest.raises(services.PermissionDenied):
        check_transition(s, "lapse_evaluation", world.staff, conditions=False)


def test_drafts_are_created_only_by_the_deputy_themself(world):
    with pytest.raises(services.PermissionDenied):
        services.suggestion_create_draft(actor=world.staff, lead_deputy=world.deputy, title="标题")


def test_rules_permissions_are_available_to_views(world):
    s = drive(world, "assigned")
    assert world.staff.has_perm("suggestions.review", s)
    assert not world.deputy.person.user.has_perm("suggestions.review", s)
    assert world.lead_unit_user.has_perm("suggestions.reply", s)
    assert not world.other_unit_user.has_perm("suggestions.reply", s)
    # Reading is not a permission to act: suggestions.access decides it (tests/test_access.py).
    assert not world.outsider.has_perm("suggestions.review", s)
