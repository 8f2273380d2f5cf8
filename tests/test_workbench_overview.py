"""The staff workbench overview and the leader page read little (README "Performance"): the
first ids and the capped count of every queue, and the failed reminders' count, come from one
query; the previewed rows are read by primary key; the navigation's roles are one query. The
page still shows what each queue holds when it is read alone, in its order, and each page's
number of queries is fixed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suggestions import access
from suggestions.models import Assignment, FollowUpReview, State, Suggestion, SupervisionPlan
from suggestions.progress import next_steps
from suggestions.reminders.models import (
    Reminder,
    ReminderKind,
    ReminderObject,
    ReminderStatus,
    ReminderStep,
)
from suggestions.reminders.selectors import failed_reminders_for
from suggestions.web import workbench
from suggestions.web.paging import capped_count
from suggestions.web.roles import roles_of
from suggestions.web.staff import with_list_rows
from tests.test_list_query_counts import grow
from tests.web_support import bulk_public_suggestions

CAP = 4
PREVIEW = 2


@pytest.fixture(autouse=True)
def response_cache_off(settings):
    settings.PUBLIC_CACHE_SECONDS = 0


@pytest.fixture
def busy(world):
    """Every queue holds more than the overview's cap: submitted (some returned once and
    resubmitted), registered, overdue, replied, key, closed with a B reply, in follow-up
    with a review due; and failed reminders."""
    made = grow(world, 30)  # six of them submitted
    resubmitted = Suggestion.objects.filter(state=State.SUBMITTED).order_by("pk")[:3]
    Suggestion.objects.filter(pk__in=[s.pk for s in resubmitted]).update(returned_at_version=1)
    closed = [s for s in made if s.state == State.CLOSED]
    Suggestion.objects.filter(pk__in=[s.pk for s in closed[:3]]).update(state=State.FOLLOW_UP)
    for i, s in enumerate(closed[:3]):
        FollowUpReview.objects.create(suggestion=s, due_on=dt.date(2024, 1, 10 - i))
    FollowUpReview.objects.create(suggestion=closed[0], due_on=dt.date(2099, 1, 1))
    for i in range(CAP + 2):
        Reminder.objects.create(
            kind=ReminderKind.EVALUATION,
            object_type=ReminderObject.SUGGESTION,
            object_id=made[i].pk,
            suggestion=made[i],
            recipient_key=f"email:{i}@example.org",
            due_on=dt.date(2025, 10, 15),
            step=ReminderStep.DAYS_7,
            email="unit@example.org",
            subject=f"提醒{i}",
            body="请按期办理。",
            status=ReminderStatus.FAILED if i != 1 else ReminderStatus.SENT,
            attempts=8,
        )
    return made


def each_queue_alone(user) -> dict[str, list[int]]:
    """The first CAP + 1 ids of every queue, each read by its own query (as the overview
    did before it read them all at once)."""
    mine = access.readable_suggestions(user, access.Audience.STAFF)
    today = timezone.localdate()
    queues = {q.key: q.queryset for q in workbench._suggestion_queues(mine)}
    queues["overdue"] = workbench._overdue(mine, today)
    queues["follow_up_due"] = workbench._follow_up_due(mine, today)
    return {key: list(qs.values_list("pk", flat=True)[: CAP + 1]) for key, qs in queues.items()}


def test_overview_shows_each_queue_as_read_alone(client, world, busy, monkeypatch):
    monkeypatch.setattr(workbench, "OVERVIEW_COUNT_CAP", CAP)
    monkeypatch.setattr(workbench, "QUEUE_PREVIEW", PREVIEW)
    expected = each_queue_alone(world.staff)
    assert all(len(ids) > PREVIEW for ids in expected.values())
    client.force_login(world.staff)
    response = client.get("/staff/")
    page = response.content.decode()

    sections = {q["key"]: q for q in response.context["queues"]}
    assert list(sections) == ["review", "register", "assign", "evaluation", "key", "follow_up"]
    for key, section in sections.items():
        assert section["count"] == len(expected[key]), key
        assert [s.pk for s, _steps in section["rows"]] == expected[key][:PREVIEW], key
        assert section["more"]
        assert f'href="?queue={key}"' in page
    assert [a.pk for a in response.context["overdue"]] == expected["overdue"][:PREVIEW]
    assert response.context["overdue_count"] == len(expected["overdue"])
    assert [r.pk for r in response.context["follow_up_due"]] == expected["follow_up_due"][:PREVIEW]
    assert response.context["follow_up_due_count"] == len(expected["follow_up_due"])
    failed = capped_count(failed_reminders_for(world.staff), CAP)
    assert failed == CAP + 1  # five failed of six: the count stops at the cap
    assert response.context["failed_reminder_count"] == failed
    assert f"发送失败的提醒（{CAP}+）" in page

    # Rows in each queue's order on the page, with what a row shows.
    shown = Suggestion.objects.in_bulk([pk for ids in expected.values() for pk in ids])
    for key in ("review", "assign", "evaluation", "key", "follow_up"):
        first, second = (shown[pk] for pk in expected[key][:PREVIEW])
        section = page[page.index(f'id="q-{key}"') :]
        assert section.index(first.title) < section.index(second.title), key
    key_row = shown[expected["key"][0]]
    assert '<span class="badge key">重点督办</span>' in page[page.index(key_row.title) :]
    overdue = Assignment.objects.select_related("unit", "suggestion").get(pk=expected["overdue"][0])
    assert f'<a href="?queue=overdue&amp;unit={overdue.unit_id}">{overdue.unit.name}</a>' in page


def test_an_empty_queue_and_no_failed_reminders(client, world):
    client.force_login(world.staff)
    response = client.get("/staff/")
    assert all(q["count"] == 0 and q["rows"] == [] for q in response.context["queues"])
    assert response.context["overdue"] == []
    assert response.context["failed_reminder_count"] == 0
    assert "没有逾期的交办。" in response.content.decode()


def test_heads_follow_each_querysets_order_count_to_the_cap_and_skip_empty_ones(world):
    made = bulk_public_suggestions(world, 7)
    newest = sorted(made, key=lambda s: -s.pk)
    plans = SupervisionPlan.objects.all()  # in its Meta.ordering
    heads = workbench._heads(
        [
            Suggestion.objects.order_by("-pk"),
            Suggestion.objects.none(),
            Suggestion.objects.order_by("pk"),
            plans,
            Suggestion.objects.filter(pk=made[0].pk),
        ],
        cap=5,
        first=2,
    )
    assert (
        heads
        == [
            ([s.pk for s in newest[:2]], 6),  # seven rows: counted to the cap + 1
            ([], 0),
            ([s.pk for s in made[:2]], 6),
            (list(plans.values_list("pk", flat=True)[:2]), plans.count()),
            ([made[0].pk], 1),
        ]
    )
    assert workbench._heads([Suggestion.objects.none()], cap=5, first=2) == [([], 0)]


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_pages_query_counts(client, world, busy):
    # session, user, roles (one query), the queues' heads (one), the previewed suggestions
    # with their assignments, replies and follow-up reviews (one), the overdue rows, the
    # follow-up rows and the years whose holiday schedule staff entered (the prompt to
    # enter this year's or next year's)
    client.force_login(world.staff)
    assert queries(client, "/staff/") == 8
    # session, user, roles, count, ids, rows, the entered years
    assert queries(client, "/staff/?queue=review") == 7
    assert queries(client, "/staff/?queue=overdue") == 7
    # session, user, roles, the plans, their activities, their suggestions with what the
    # rows show
    assert queries(client, "/leader/") == 6


def test_roles_are_one_query_and_their_rows_are_read_on_demand(world):
    with CaptureQueriesContext(connection) as captured:
        roles = roles_of(world.staff)
    assert len(captured.captured_queries) == 1
    assert (roles.is_staff, roles.is_unit, roles.is_deputy, roles.is_leader) == (
        True,
        False,
        False,
        False,
    )
    assert roles_of(world.staff) is roles
    with CaptureQueriesContext(connection) as captured:
        assert roles.units == [] and roles.deputies == []
    assert captured.captured_queries == []  # no role, nothing to read
    assert roles.staff_congresses == [world.congress]
    unit = roles_of(world.lead_unit_user)
    assert unit.is_unit and not unit.is_staff
    assert unit.units == [world.lead_unit]
    leader = roles_of(world.leader)
    assert leader.is_leader and leader.leader_congresses == [world.congress]
    deputy = roles_of(world.deputy.person.user)
    assert deputy.is_deputy and deputy.deputies == [world.deputy]


def test_row_relations_are_what_prefetches_gave(world):
    made = bulk_public_suggestions(world, 8)
    assigned = next(s for s in made if s.state == State.ASSIGNED)
    Assignment.objects.filter(suggestion=assigned, role="lead").update(
        rehandling_due_on=dt.date(2024, 9, 1), rehandling_explanation="重新办理期限"
    )
    FollowUpReview.objects.create(suggestion=made[3], due_on=dt.date(2024, 3, 1), is_done=True)
    FollowUpReview.objects.create(suggestion=made[3], due_on=dt.date(2024, 4, 1))
    fields = {
        "assignments": ("pk", "unit_id", "role", "status", "due_on", "rehandling_due_on"),
        "replies": ("pk", "assignment_id", "round", "carries_promise", "replied_at"),
        "follow_up_reviews": ("pk", "due_on", "is_done"),
    }
    with CaptureQueriesContext(connection) as captured:
        rows = with_list_rows(Suggestion.objects.select_related("lead_deputy__person"))
        loaded = {s.pk: s for s in rows}
        read = {
            pk: {
                name: [tuple(getattr(x, f) for f in names) for x in getattr(s, name).all()]
                for name, names in fields.items()
            }
            | {"units": [a.unit.name for a in s.assignments.all()], "steps": next_steps(s)}
            for pk, s in loaded.items()
        }
    assert len(captured.captured_queries) == 1
    prefetched = Suggestion.objects.select_related("lead_deputy__person")
    for s in prefetched.prefetch_related(*fields, "assignments__unit"):
        expected = {
            name: [tuple(getattr(x, f) for f in names) for x in getattr(s, name).all()]
            for name, names in fields.items()
        } | {"units": [a.unit.name for a in s.assignments.all()], "steps": next_steps(s)}
        assert read[s.pk] == expected, s.pk
    assert any(row["follow_up_reviews"] for row in read.values())
    assert any(a[5] for row in read.values() for a in row["assignments"])  # re-handling date
    # A field no row shows is read on access, never a wrong default.
    assignment = loaded[assigned.pk].assignments.all()[0]
    assert assignment.assigned_on == Assignment.objects.get(pk=assignment.pk).assigned_on


def test_row_labels_are_translated_once_per_language(client, world, busy):
    client.force_login(world.staff)
    chinese = client.get("/staff/").content.decode()
    english = client.get("/staff/", headers={"accept-language": "en"}).content.decode()
    assert '<span class="badge key">重点督办</span>' in chinese
    assert '<span class="badge key">重点督办</span>' not in english
    assert '<span class="badge key">Key supervision</span>' in english
    assert '<span class="badge key">重点督办</span>' in client.get("/staff/").content.decode()
