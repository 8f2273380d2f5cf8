"""Bad input gets a clear error that names the problem and changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.test import APIClient

from suggestions import services
from suggestions.forms import perform_transition
from suggestions.models import Suggestion
from tests.conftest import drive

pytestmark = pytest.mark.django_db


def snapshot(s: Suggestion):
    s = Suggestion.objects.get(pk=s.pk)
    return (s.state, s.events.count(), s.assignments.count(), s.replies.count(), s.number)


def test_unknown_state_value_is_rejected_by_validation(world):
    s = drive(world, "draft")
    s2 = Suggestion(
        congress=s.congress, term=s.term, lead_deputy=s.lead_deputy, title="x", state="bogus"
    )
    with pytest.raises(DjangoValidationError) as excinfo:
        s2.full_clean()
    assert "state" in excinfo.value.message_dict


def test_unknown_transition_name_is_refused(world):
    s = drive(world, "submitted")
    before = snapshot(s)
    with pytest.raises(services.TransitionRefused, match="没有名为「approve」的操作"):
        perform_transition(suggestion=s, actor=world.staff, name="approve")
    assert snapshot(s) == before


@pytest.mark.parametrize(
    ("state", "call", "field", "message"),
    [
        (
            "submitted",
            lambda w, s: services.suggestion_return_for_revision(
                suggestion=s, actor=w.staff, comments="  "
            ),
            "comments",
            "审查意见不能为空",
        ),
        (
            "submitted",
            lambda w, s: services.suggestion_withdraw(
                suggestion=s, actor=w.deputy.person.user, reason=""
            ),
            "reason",
            "撤回理由不能为空",
        ),
        (
            "submitted",
            lambda w, s: services.suggestion_refuse(
                suggestion=s, actor=w.staff, reason_code="because"
            ),
            "reason_code",
            "不予立案须选择理由",
        ),
        (
            "registered",
            lambda w, s: services.suggestion_assign(
                suggestion=s, actor=w.staff, co_units=[w.co_unit]
            ),
            "co_units",
            "协办单位须配合一个主办单位",
        ),
        (
            "registered",
            lambda w, s: services.suggestion_assign(suggestion=s, actor=w.staff),
            "lead_unit",
            "须指定一个主办单位",
        ),
        (
            "registered",
            lambda w, s: services.suggestion_assign(
                suggestion=s, actor=w.staff, lead_unit=w.lead_unit, co_units=[w.lead_unit]
            ),
            "co_units",
            "同一单位不能重复交办",
        ),
        (
            "assigned",
            lambda w, s: services.suggestion_reply(
                suggestion=s, actor=w.lead_unit_user, category="", text="答复", signer="张三"
            ),
            "category",
            "请选择答复类别",
        ),
        (
            "assigned",
            lambda w, s: services.suggestion_reply(
                suggestion=s, actor=w.lead_unit_user, category="E", text="答复", signer="张三"
            ),
            "category",
            "答复类别「E」无效，本级人大的答复类别为：A、B、C、D",
        ),
        (
            "assigned",
            lambda w, s: services.suggestion_reply(
                suggestion=s, actor=w.lead_unit_user, category="A", text="", signer="张三"
            ),
            "text",
            "答复内容不能为空",
        ),
        (
            "assigned",
            lambda w, s: services.suggestion_reassign(
                suggestion=s, actor=w.staff, assignment=s.assignments.get(), reason=""
            ),
            "reason",
            "退办理由不能为空",
        ),
        (
            "assigned",
            lambda w, s: services.assignment_extend(
                assignment=s.assignments.get(), actor=w.staff, reason="  "
            ),
            "reason",
            "延期理由不能为空",
        ),
        (
            "replied",
            lambda w, s: services.suggestion_evaluate(
                suggestion=s, actor=w.deputy.person.user, rating="no_feedback"
            ),
            "rating",
            "请选择测评结果",
        ),
        (
            "follow_up",
            lambda w, s: services.suggestion_complete(suggestion=s, actor=w.staff, findings=""),
            "findings",
            "落实情况不能为空",
        ),
    ],
)
def test_missing_or_invalid_input_names_the_field_and_changes_nothing(
    world, state, call, field, message
):
    s = drive(world, state)
    before = snapshot(s)
    with pytest.raises(services.ValidationError) as excinfo:
        call(world, s)
    assert field in excinfo.value.message_dict
    assert message in " ".join(excinfo.value.message_dict[field])
    assert snapshot(s) == before


def test_assigning_a_unit_of_another_congress_is_refused(world):
    from tests.factories import HandlingUnitFactory

    foreign_unit = HandlingUnitFactory(name="湖南省人民政府")
    s = drive(world, "registered")
    with pytest.raises(services.ValidationError, match="湖南省人民政府"):
        services.suggestion_assign(suggestion=s, actor=world.staff, lead_unit=foreign_unit)
    assert not s.assignments.exists()


def test_extension_is_once_and_at_most_six_months(world):
    s = drive(world, "assigned")  # assigned 2025-07-01
    assignment = s.assignments.get()
    with pytest.raises(services.ValidationError, match="最长6个月"):
        services.assignment_extend(
            assignment=assignment, actor=world.staff, reason="需要调研", total_months=7
        )
    services.assignment_extend(assignment=assignment, actor=world.staff, reason="需要调研")
    assignment.refresh_from_db()
    assert assignment.due_on == dt.date(
        2026, 1, 4
    )  # 2026-01-01 is New Year's Day; 01-04 is a make-up workday
    assert "交办 2025-07-01 + 6个月" in assignment.due_explanation
    with pytest.raises(services.TransitionRefused, match="只能延期一次"):
        services.assignment_extend(assignment=assignment, actor=world.staff, reason="再延期")
    assert s.events.filter(action="extend").count() == 1


def test_form_keeps_errors_per_field_without_calling_the_service(world):
    s = drive(world, "submitted")
    before = snapshot(s)
    form, result = perform_transition(
        suggestion=s, actor=world.staff, name="refuse", data={"reason_code": "nonsense"}
    )
    assert result is None
    assert "reason_code" in form.errors
    assert snapshot(s) == before


@pytest.mark.parametrize("value", ["-1.7976931348623157e+308", "1e30", "1.5", "x", "0"])
@pytest.mark.parametrize("name", ["congress", "term", "session", "unit"])
def test_api_id_filters_refuse_what_is_not_an_id(world, name, value):
    response = APIClient().get("/api/v1/suggestions/", {name: value})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert name in response.json()["fields"]
