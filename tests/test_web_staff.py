"""The staff workbench, the staff page of one suggestion, the dashboard and the leader page:
staff see only their own congress; every action goes through the services."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from suggestions import services
from suggestions.models import State, Suggestion
from tests import lifecycle
from tests.factories import (
    CongressFactory,
    DeputyFactory,
    SessionFactory,
    TermFactory,
)

pytestmark = [pytest.mark.django_db]


def page(suggestion) -> str:
    return reverse("web:staff-suggestion", args=[suggestion.pk])


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def other_congress_suggestion():
    congress = CongressFactory(name="湖南省人民代表大会")
    term = TermFactory(congress=congress, number=14, name="十四届")
    session = SessionFactory(term=term)
    deputy = DeputyFactory(term=term)
    suggestion = services.suggestion_create_draft(
        actor=deputy.person.user, lead_deputy=deputy, title="省级建议", body="正文", session=session
    )
    services.suggestion_submit(suggestion=suggestion, actor=deputy.person.user)
    return suggestion


def test_workbench_requires_staff(client, world):
    assert client.get("/staff/").status_code == 302
    client.force_login(world.deputy.person.user)
    assert client.get("/staff/").status_code == 403
    client.force_login(world.lead_unit_user)
    assert client.get("/staff/dashboard/").status_code == 403


def test_workbench_queues(staff_client, world):
    fresh = lifecycle.submitted(world, title="新提交的建议")
    resubmitted = lifecycle.submitted(world, title="修改后重新提交的建议")
    services.suggestion_return_for_revision(
        suggestion=resubmitted, actor=world.staff, comments="请修改"
    )
    services.suggestion_update_draft(
        suggestion=resubmitted,
        actor=world.deputy.person.user,
        title="修改后重新提交的建议",
        body="新",
    )
    services.suggestion_submit(suggestion=resubmitted, actor=world.deputy.person.user)
    to_assign = lifecycle.registered(world, title="待交办的建议")
    awaiting = lifecycle.replied(world, title="待测评的建议")
    overdue = lifecycle.assigned(world, title="逾期的建议", assigned_on=dt.date(2020, 1, 6))
    other_congress_suggestion()

    response = staff_client.get("/staff/")
    assert response.status_code == 200
    queues = {queue["key"]: queue for queue in response.context["queues"]}

    def titles(key):
        return [s.title for s, _steps in queues[key]["rows"]]

    assert titles("review") == [fresh.title]
    assert titles("register") == [resubmitted.title]
    assert titles("assign") == [to_assign.title]
    assert titles("evaluation") == [awaiting.title]
    assert [(a.suggestion.title, a.unit) for a in response.context["overdue"]] == [
        (overdue.title, world.lead_unit)
    ]
    assert "省级建议" not in response.content.decode()  # another congress's suggestion


def test_staff_of_another_congress_gets_404(client, world):
    suggestion = other_congress_suggestion()
    client.force_login(world.staff)
    assert client.get(page(suggestion)).status_code == 404
    assert client.post(page(suggestion), {"action": "register"}).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUBMITTED


def test_deputy_cannot_open_staff_page(client, world):
    suggestion = lifecycle.submitted(world)
    client.force_login(world.deputy.person.user)
    assert client.get(page(suggestion)).status_code == 403


def test_return_register_and_refuse(staff_client, world):
    suggestion = lifecycle.submitted(world)
    response = staff_client.post(
        page(suggestion), {"action": "return_for_revision", "return_for_revision-comments": ""}
    )
    assert response.status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.state == State.SUBMITTED

    response = staff_client.post(
        page(suggestion),
        {
            "action": "return_for_revision",
            "return_for_revision-comments": "请补充数据",
            "return_for_revision-revision_days": 10,
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == State.RETURNED
    assert suggestion.revision_due_on is not None

    other = lifecycle.submitted(world, title="另一件")
    staff_client.post(page(other), {"action": "register"})
    other.refresh_from_db()
    assert other.state == State.REGISTERED and other.number == 1

    third = lifecycle.submitted(world, title="第三件")
    staff_client.post(page(third), {"action": "refuse", "refuse-reason_code": "personal_matter"})
    third.refresh_from_db()
    assert third.state == State.REFUSED


def test_refused_action_shows_reason_and_changes_nothing(staff_client, world):
    suggestion = lifecycle.registered(world)
    response = staff_client.post(page(suggestion), {"action": "register"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "不能立案" in html and "已立案" in html
    suggestion.refresh_from_db()
    assert suggestion.state == State.REGISTERED
    assert suggestion.events.filter(action="register").count() == 1


def test_merge(staff_client, world):
    target = lifecycle.registered(world, title="主建议")
    duplicate = lifecycle.submitted(world, title="重复建议")
    response = staff_client.post(
        page(duplicate), {"action": "merge", "merge-target": target.pk, "merge-reason": ""}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED and duplicate.merged_into == target


def test_assign_shows_computed_due_dates_and_assigns(staff_client, world):
    suggestion = lifecycle.registered(world)
    with time_machine.travel(dt.datetime(2025, 7, 1, 10, 0), tick=False):
        html = staff_client.get(page(suggestion)).content.decode()
        assert "交办 2025-07-01 + 3个月 = 2025-10-01（国庆节），顺延 → 2025-10-09" in html
        response = staff_client.post(
            page(suggestion),
            {
                "action": "assign",
                "assign-lead_unit": world.lead_unit.pk,
                "assign-co_units": [world.co_unit.pk],
            },
        )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == State.ASSIGNED
    lead = suggestion.assignments.get(unit=world.lead_unit)
    assert lead.due_on == dt.date(2025, 10, 9)
    html = staff_client.get(page(suggestion)).content.decode()
    assert lead.due_explanation in html


def test_assign_without_unit_keeps_form_and_reports(staff_client, world):
    suggestion = lifecycle.registered(world)
    response = staff_client.post(
        page(suggestion), {"action": "assign", "assign-assigned_on": "2025-07-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "交办须指定一个主办单位" in html
    assert 'value="2025-07-01"' in html
    suggestion.refresh_from_db()
    assert suggestion.state == State.REGISTERED


def test_extend_and_publish_reply(staff_client, world):
    suggestion = lifecycle.assigned(world)
    lead = suggestion.assignments.get(unit=world.lead_unit)
    response = staff_client.post(
        page(suggestion),
        {
            "action": "extend",
            "extend-assignment": lead.pk,
            "extend-total_months": 6,
            "extend-reason": "涉及规划调整",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.extended
    response = staff_client.post(
        page(suggestion),
        {"action": "extend", "extend-assignment": lead.pk, "extend-reason": "再延一次"},
    )
    assert response.status_code == 409
    assert "只能延期一次" in response.content.decode()

    replied = lifecycle.replied(world, title="已答复")
    reply = replied.replies.get()
    response = staff_client.post(
        page(replied), {"action": "publish", "publish-reply": reply.pk, "publish-redactions": ""}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.published_at is not None


def test_supervision_activity_follow_up_and_outcome(staff_client, world):
    suggestion = lifecycle.evaluated(world, category="B")
    response = staff_client.post(
        page(suggestion),
        {
            "action": "plan",
            "plan-theme": "打造电池之都",
            "plan-leader": world.leader.pk,
            "plan-leader_title": "市人大常委会副主任",
        },
    )
    assert response.status_code == 302
    plan = suggestion.supervision_plans.get()
    response = staff_client.post(
        page(suggestion),
        {
            "action": "activity",
            "activity-plan": plan.pk,
            "activity-kind": "inspection",
            "activity-title": "视察锂电产业园",
            "activity-date": "2024-09-10",
            "activity-is_public": "on",
        },
    )
    assert response.status_code == 302
    assert plan.activities.get().title == "视察锂电产业园"

    staff_client.post(
        page(suggestion),
        {"action": "start_follow_up", "start_follow_up-due_on": "2020-01-01"},
    )
    suggestion.refresh_from_db()
    assert suggestion.state == State.FOLLOW_UP
    workbench = staff_client.get("/staff/")
    assert [r.suggestion for r in workbench.context["follow_up_due"]] == [suggestion]

    staff_client.post(
        page(suggestion),
        {"action": "outcome", "outcome-kind": "policy", "outcome-title": "若干措施"},
    )
    assert suggestion.outcomes.get().title == "若干措施"
    staff_client.post(page(suggestion), {"action": "complete", "complete-findings": "已全部落实"})
    suggestion.refresh_from_db()
    assert suggestion.state == State.COMPLETED

    client = staff_client
    client.force_login(world.leader)
    html = client.get("/leader/").content.decode()
    assert "打造电池之都" in html and "由我牵头" in html and "视察锂电产业园" in html


def test_withhold_takes_suggestion_off_public_pages(staff_client, world):
    suggestion = lifecycle.registered(world)
    staff_client.post(page(suggestion), {"action": "withhold", "withhold-reason": "涉密"})
    suggestion.refresh_from_db()
    assert suggestion.withheld_reason == "涉密"
    staff_client.logout()
    assert staff_client.get(f"/suggestions/{suggestion.pk}/").status_code == 404


def test_leader_page_requires_leader_or_staff(client, world):
    client.force_login(world.deputy.person.user)
    assert client.get("/leader/").status_code == 403
    client.force_login(world.leader)
    assert client.get("/leader/").status_code == 200


def test_dashboard_and_public_stats_show_rates_per_unit_and_session(client, world):
    lifecycle.evaluated(world, category="A", rating="satisfied")
    lifecycle.evaluated(world, category="B", rating="basically_satisfied", title="第二件")
    lifecycle.assigned(world, title="第三件")
    client.force_login(world.staff)
    response = client.get("/staff/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    block = response.context["blocks"][0]
    assert block["overall"].assigned == 3
    assert block["overall"].reply_rate.percent == "66.7%"
    assert world.lead_unit.name in html
    assert "66.7%" in html and "100.0%" in html  # reply rate, satisfaction rate
    assert "50.0%" in html  # A and B shares
    assert world.session.name in html
    client.logout()
    public = client.get("/stats/")
    assert public.status_code == 200
    assert "66.7%" in public.content.decode()
    assert client.get("/stats/", {"session": world.session.pk}).status_code == 200


def test_superuser_sees_all_congresses(client, world):
    from tests.factories import UserFactory

    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    other = other_congress_suggestion()
    client.force_login(admin)
    assert client.get(page(other)).status_code == 200


def test_staff_workbench_only_staff_role_not_leader(client, world):
    # a leader is not staff: they see the leader page, not the workbench
    client.force_login(world.leader)
    assert client.get("/staff/").status_code == 403
    assert Suggestion.objects.count() == 0
