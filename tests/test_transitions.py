"""Every transition of DESIGN.md §3, legal and illegal, through the services."""

import datetime as dt

import pytest

from suggestions import services
from suggestions.models import Rating, State, Suggestion
from tests.conftest import drive

pytestmark = pytest.mark.django_db

# DESIGN.md §3: transition → the states it may start from → where it goes.
LEGAL = {
    "submit": ({"draft", "returned"}, "submitted"),
    "return_for_revision": ({"submitted"}, "returned"),
    "register": ({"submitted"}, "registered"),
    "refuse": ({"submitted"}, "refused"),
    "merge": ({"submitted", "registered"}, "merged"),
    "withdraw": ({"draft", "submitted", "returned", "registered", "assigned"}, "withdrawn"),
    "assign": ({"registered"}, "assigned"),
    "reassign": ({"assigned"}, "registered"),
    "reply": ({"assigned", "rehandling"}, "replied"),
    "evaluate": ({"replied"}, "closed"),
    "lapse_evaluation": ({"replied"}, "closed"),
    "start_follow_up": ({"closed"}, "follow_up"),
    "complete": ({"follow_up"}, "completed"),
}
ALL_STATES = [s.value for s in State]


def make(world, state: str) -> Suggestion:
    """A suggestion in `state`, reached through the services only."""
    deputy = world.deputy.person.user
    if state in ("returned",):
        s = drive(world, "submitted")
        services.suggestion_return_for_revision(suggestion=s, actor=world.staff, comments="请补充")
        return s
    if state == "refused":
        s = drive(world, "submitted")
        services.suggestion_refuse(suggestion=s, actor=world.staff, reason_code="no_content")
        return s
    if state == "withdrawn":
        s = drive(world, "draft")
        services.suggestion_withdraw(suggestion=s, actor=deputy, reason="不再需要")
        return s
    if state == "merged":
        target = drive(world, "registered")
        s = drive(world, "submitted")
        services.suggestion_merge(suggestion=s, actor=world.staff, target=target)
        return s
    if state == "rehandling":
        s = drive(world, "replied")
        services.suggestion_evaluate(suggestion=s, actor=deputy, rating=Rating.DISSATISFIED)
        return s
    return drive(world, state)


def fire_properly(world, name: str, s: Suggestion):
    """Fire `name` as the right actor with valid input."""
    deputy = world.deputy.person.user
    if name == "submit":
        if s.state == "returned":
            services.suggestion_update_draft(suggestion=s, actor=deputy, title=s.title, body="改")
        return services.suggestion_submit(suggestion=s, actor=deputy)
    if name == "return_for_revision":
        return services.suggestion_return_for_revision(
            suggestion=s, actor=world.staff, comments="请充分论证可操作性"
        )
    if name == "register":
        return services.suggestion_register(suggestion=s, actor=world.staff)
    if name == "refuse":
        return services.suggestion_refuse(
            suggestion=s, actor=world.staff, reason_code="personal_matter", explanation="个人事务"
        )
    if name == "merge":
        target = drive(world, "registered")
        return services.suggestion_merge(suggestion=s, actor=world.staff, target=target)
    if name == "withdraw":
        return services.suggestion_withdraw(suggestion=s, actor=deputy, reason="情况已变化")
    if name == "assign":
        return services.suggestion_assign(
            suggestion=s, actor=world.staff, lead_unit=world.lead_unit
        )
    if name == "reassign":
        return services.suggestion_reassign(
            suggestion=s,
            actor=world.staff,
            assignment=s.assignments.active().first(),
            reason="不属于本单位职责",
            requested_on=dt.date(2025, 7, 3),
        )
    if name == "reply":
        assignment = s.assignments.active().filter(unit=world.lead_unit).first()
        if assignment and not assignment.contacts.exists():
            services.contact_record(
                assignment=assignment,
                actor=world.lead_unit_user,
                method="phone",
                contacted_on=dt.date(2025, 7, 2),
            )
        return services.suggestion_reply(
            suggestion=s, actor=world.lead_unit_user, category="A", text="已解决", signer="李四"
        )
    if name == "evaluate":
        return services.suggestion_evaluate(suggestion=s, actor=deputy, rating=Rating.SATISFIED)
    if name == "lapse_evaluation":
        return services.suggestion_lapse_evaluation(
            suggestion=s, today=(s.evaluation_due_on or dt.date(2030, 1, 1)) + dt.timedelta(days=1)
        )
    if name == "start_follow_up":
        return services.suggestion_start_follow_up(suggestion=s, actor=world.staff)
    if name == "complete":
        return services.suggestion_complete(suggestion=s, actor=world.staff, findings="已落实")
    raise AssertionError(name)


LEGAL_CASES = [(name, src) for name, (sources, _) in LEGAL.items() for src in sorted(sources)]
ILLEGAL_CASES = [
    (name, state)
    for name, (sources, _) in LEGAL.items()
    for state in ALL_STATES
    if state not in sources
]


@pytest.mark.parametrize(("name", "source"), LEGAL_CASES)
def test_legal_transition_moves_state_and_writes_one_event(world, name, source):
    s = make(world, source)
    transitions_before = s.events.filter(action=name).count()
    fire_properly(world, name, s)
    s.refresh_from_db()
    assert s.state == LEGAL[name][1]
    assert s.events.filter(action=name).count() == transitions_before + 1
    event = s.events.filter(action=name).latest("pk")
    assert (event.from_state, event.to_state) == (source, LEGAL[name][1])
    assert event.occurred_at is not None


@pytest.mark.parametrize(("name", "state"), ILLEGAL_CASES)
def test_illegal_transition_is_refused_naming_the_state_and_changes_nothing(world, name, state):
    s = make(world, state)
    before = (s.state, s.events.count(), s.assignments.count())
    with pytest.raises((services.TransitionRefused, services.PermissionDenied)) as excinfo:
        fire_properly(world, name, s)
    if isinstance(excinfo.value, services.TransitionRefused):
        message = str(excinfo.value)
        assert str(State(state).label) in message, message
    s.refresh_from_db()
    assert (s.state, s.events.count(), s.assignments.count()) == before


def test_illegal_state_message_names_what_is_required(world):
    s = make(world, "draft")
    with pytest.raises(services.TransitionRefused) as excinfo:
        services.suggestion_register(suggestion=s, actor=world.staff)
    assert str(excinfo.value) == (
        "不能立案：该建议当前状态为「草稿」，只有「已提交」状态的建议才能立案。"
    )
    assert excinfo.value.code == "illegal_state"


def test_dissatisfied_in_round_one_starts_rehandling_with_its_own_deadline(world):
    s = make(world, "replied")
    services.suggestion_evaluate(
        suggestion=s,
        actor=world.deputy.person.user,
        rating=Rating.DISSATISFIED,
        now=dt.datetime(2025, 9, 1, 10, tzinfo=dt.UTC),
    )
    assert s.state == "rehandling" and s.handling_round == 2
    lead = s.assignments.get(unit=world.lead_unit)
    assert lead.rehandling_due_on == dt.date(2025, 10, 9)  # 10-01 falls in National Day
    assert "不满意测评 2025-09-01 + 1个月" in lead.rehandling_explanation


def test_dissatisfied_in_round_two_closes_flagged(world):
    s = make(world, "rehandling")
    fire_properly(world, "reply", s)
    services.suggestion_evaluate(
        suggestion=s, actor=world.deputy.person.user, rating=Rating.DISSATISFIED
    )
    s.refresh_from_db()
    assert s.state == "closed"
    assert s.dissatisfied_final is True
    assert list(s.evaluations.values_list("round", "rating")) == [
        (1, "dissatisfied"),
        (2, "dissatisfied"),
    ]


def test_lapse_is_refused_while_the_window_is_open(world):
    s = make(world, "replied")
    with pytest.raises(services.TransitionRefused, match="测评期限尚未届满"):
        services.suggestion_lapse_evaluation(suggestion=s, today=s.evaluation_due_on)
    services.suggestion_lapse_evaluation(
        suggestion=s, today=s.evaluation_due_on + dt.timedelta(days=1)
    )
    assert s.evaluations.get().rating == "no_feedback"


def test_follow_up_needs_a_b_or_c_promise(world):
    s = drive(world, "closed", category="A")
    with pytest.raises(services.TransitionRefused, match="B 或 C"):
        services.suggestion_start_follow_up(suggestion=s, actor=world.staff)


def test_submit_needs_confirmed_cosigners(world):
    s = make(world, "draft")
    services.cosigner_invite(suggestion=s, actor=world.deputy.person.user, deputy=world.cosigner)
    with pytest.raises(services.TransitionRefused, match="所有联名代表都须确认联名"):
        services.suggestion_submit(suggestion=s, actor=world.deputy.person.user)
    services.cosigner_confirm(suggestion=s, actor=world.cosigner.person.user)
    services.suggestion_submit(suggestion=s, actor=world.deputy.person.user)
    assert s.state == "submitted"


def test_resubmission_after_a_return_needs_a_new_version(world):
    s = make(world, "returned")
    assert s.revision_due_on is not None
    with pytest.raises(services.TransitionRefused, match="新的版本"):
        services.suggestion_submit(suggestion=s, actor=world.deputy.person.user)
    services.suggestion_update_draft(
        suggestion=s,
        actor=world.deputy.person.user,
        title="新标题",
        body="新正文",
        reason="按意见修改",
    )
    services.suggestion_submit(suggestion=s, actor=world.deputy.person.user)
    assert list(s.versions.values_list("number", "title")) == [
        (1, "关于把郴州打造成为“中国电池之都”的建议"),
        (2, "新标题"),
    ]
    assert all(s.versions.values_list("submitted_at", flat=True))


def test_registration_numbers_are_sequential_per_session(world):
    first = make(world, "registered")
    second = make(world, "registered")
    assert (first.number, second.number) == (1, 2)


def test_reassign_after_the_seven_working_day_window_is_refused(world):
    s = make(world, "assigned")  # assigned 2025-07-01 → window ends 2025-07-10
    assignment = s.assignments.get()
    with pytest.raises(services.TransitionRefused, match="7个工作日"):
        services.suggestion_reassign(
            suggestion=s,
            actor=world.staff,
            assignment=assignment,
            reason="不属于本单位",
            requested_on=dt.date(2025, 7, 11),
        )
    s.refresh_from_db()
    assert s.state == "assigned"


def test_withdrawal_stops_handling(world):
    s = make(world, "assigned")
    services.suggestion_withdraw(suggestion=s, actor=world.deputy.person.user, reason="已解决")
    assert not s.assignments.active().exists()


def test_merged_suggestion_points_at_its_target(world):
    s = make(world, "merged")
    assert s.merged_into is not None
    assert s.links_out.get().kind == "merged"
    assert s.merged_into.events.filter(action="merge_in").exists()


def test_reply_to_a_merge_target_reaches_the_merged_suggestions_deputy(world):
    target = make(world, "assigned")
    merged = drive(world, "submitted")
    services.suggestion_merge(suggestion=merged, actor=world.staff, target=target)
    fire_properly(world, "reply", target)
    event = merged.events.get(action="merged_reply")
    assert "郴州市人民政府答复（A类）" in event.reason
    assert event.is_public
