"""An honest calendar: a due date counted over a year whose holiday schedule is still the
`holidays` package's guess is provisional, saying why, in its explanation, on the pages, in
the API and in `manage.py deadline`; entering that year's schedule from the State Council's
notice counts every open due date that depends on it again — all clocks — once, with an
event for each that moved, and the reminders follow.

The 2027 schedule below is made up for these tests (the notice is not published as they are
written): Spring Festival 2027-02-05..2027-02-12 off, Saturday 2027-02-13 a make-up working
day. The package guesses 2027-02-05..2027-02-10 off and the weekend after it."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from congress.models import CalendarOverride, CalendarYear
from suggestions import deadlines, services
from suggestions.deadlines import WorkingCalendar, compute_deadline
from suggestions.models import Assignment, DeadlineClock, Event, Reply, Suggestion, UnitRole
from suggestions.reminders.models import Reminder, ReminderStatus
from suggestions.reminders.sweep import run_sweep
from tests import lifecycle
from tests.factories import CongressStaffFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2027, 1, 15, 9, 0, tzinfo=SHANGHAI)
REASON = "2027年放假安排尚未录入，按规则推算"
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（测试用）"
SPRING_FESTIVAL = [(dt.date(2027, 2, 5) + dt.timedelta(days=i), "春节") for i in range(8)]
NEW_YEAR = [(dt.date(2027, 1, 1), "元旦")]
MAKE_UP = [(dt.date(2027, 2, 13), "春节调休")]


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def in_january_2027(monkeypatch):
    # Whatever the installed package learns later, 2027 is a guess in these tests.
    monkeypatch.setattr(
        deadlines, "PACKAGE_OFFICIAL_YEARS", deadlines.PACKAGE_OFFICIAL_YEARS - {2027, 2028}
    )
    with time_machine.travel(TODAY, tick=False):
        yield


def enter_2027(world) -> int:
    _year, moved = services.calendar_year_enter(
        actor=world.staff,
        year=2027,
        notice=NOTICE,
        holidays=NEW_YEAR + SPRING_FESTIVAL,
        workdays=MAKE_UP,
    )
    return moved


def contacted_reply(world, suggestion, replied_at: dt.datetime):
    assignment = suggestion.assignments.get(unit=world.lead_unit)
    services.contact_record(
        assignment=assignment,
        actor=world.lead_unit_user,
        method="meeting",
        contacted_on=replied_at.date(),
    )
    services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category="A",
        text="答复。",
        signer="张三",
        now=replied_at,
    )
    suggestion.refresh_from_db()
    return suggestion


@pytest.fixture
def open_work(world):
    """One suggestion for each kind of open due date, counted over Spring Festival 2027."""
    # 交办 2026-11-05: reply 3 months → 2027-02-05 (除夕) → 2027-02-11 by the guess.
    # Its co-unit's opinion (1 month → 2026-12-07) does not reach 2027.
    handled = lifecycle.assigned(
        world, title="交办建议", assigned_on=dt.date(2026, 11, 5), co_unit=True
    )
    # 退回修改 2027-01-26 + 10 days → 2027-02-05 → 2027-02-11.
    returned = lifecycle.submitted(world, title="退回建议")
    services.suggestion_return_for_revision(
        suggestion=returned,
        actor=world.staff,
        comments="请补充数据。",
        revision_days=10,
        now=at("2027-01-26"),
    )
    # 答复 2027-01-07: evaluation 1 month → 2027-02-07 (Sunday) → 2027-02-11; publication
    # 20 working days → 2027-02-04, before the holiday either way.
    replied = contacted_reply(
        world,
        lifecycle.assigned(world, title="答复建议", assigned_on=dt.date(2026, 12, 1)),
        at("2027-01-07"),
    )
    # 不满意 2027-01-05: re-handling 1 month → 2027-02-05 → 2027-02-11.
    rehandled = contacted_reply(
        world,
        lifecycle.assigned(world, title="重新办理建议", assigned_on=dt.date(2026, 9, 1)),
        at("2026-10-10"),
    )
    services.suggestion_evaluate(
        suggestion=rehandled,
        actor=world.deputy.person.user,
        rating="dissatisfied",
        now=at("2027-01-05"),
    )
    return {
        "handled": handled,
        "returned": Suggestion.objects.get(pk=returned.pk),
        "replied": replied,
        "rehandled": Suggestion.objects.get(pk=rehandled.pk),
    }


def due_dates(work) -> dict[str, dt.date]:
    lead = Assignment.objects.get(suggestion=work["handled"], role=UnitRole.LEAD)
    co = Assignment.objects.get(suggestion=work["handled"], role=UnitRole.CO)
    rehandling = Assignment.objects.get(suggestion=work["rehandled"], role=UnitRole.LEAD)
    reply = Reply.objects.get(suggestion=work["replied"])
    return {
        "reply": lead.due_on,
        "co_opinion": co.due_on,
        "revision": Suggestion.objects.get(pk=work["returned"].pk).revision_due_on,
        "evaluation": Suggestion.objects.get(pk=work["replied"].pk).evaluation_due_on,
        "publication": reply.publish_due_on,
        "rehandling": rehandling.rehandling_due_on,
    }


def pending(suggestion) -> set[tuple[str, dt.date]]:
    return set(
        Reminder.objects.filter(suggestion=suggestion, status=ReminderStatus.PENDING)
        .values_list("kind", "due_on")
        .distinct()
    )


def test_the_package_knows_2026_and_guesses_2027():
    cal = WorkingCalendar(overrides={})
    assert cal.is_official(2026) and not cal.is_official(2027)
    official = compute_deadline(dt.date(2025, 7, 1), "3m", calendar_=cal)
    assert not official.provisional and "暂定" not in official.explanation
    guessed = compute_deadline(dt.date(2026, 12, 8), "2m", start_label="交办", calendar_=cal)
    assert guessed.due == dt.date(2027, 2, 11)
    assert guessed.provisional_years == (2027,)
    assert guessed.explanation == (
        "交办 2026-12-08 + 2个月 = 2027-02-08（春节），顺延 → 2027-02-11；暂定：" + REASON
    )
    # Working days look at every day after the start: 2026-12-31 + 1wd already asks 2027.
    assert compute_deadline(dt.date(2026, 12, 30), "1wd", calendar_=cal).provisional is False
    assert compute_deadline(dt.date(2026, 12, 31), "1wd", calendar_=cal).provisional is True


def test_entering_the_year_moves_every_dependent_due_date_once(world, open_work):
    before = due_dates(open_work)
    assert before == {
        "reply": dt.date(2027, 2, 11),
        "co_opinion": dt.date(2026, 12, 7),
        "revision": dt.date(2027, 2, 11),
        "evaluation": dt.date(2027, 2, 11),
        "publication": dt.date(2027, 2, 4),
        "rehandling": dt.date(2027, 2, 11),
    }
    run_sweep(now=TODAY)
    reminded = {name: pending(s) for name, s in open_work.items()}
    assert ("reply", dt.date(2027, 2, 11)) in reminded["handled"]
    assert ("co_opinion", dt.date(2026, 12, 7)) in reminded["handled"]  # overdue, stays
    events_before = Event.objects.filter(action="deadline_recomputed").count()

    assert enter_2027(world) == 4

    after = due_dates(open_work)
    assert after == {
        **before,
        # 2027-02-05..12 off, Saturday the 13th a working day.
        "reply": dt.date(2027, 2, 13),
        "revision": dt.date(2027, 2, 13),
        "evaluation": dt.date(2027, 2, 13),
        "rehandling": dt.date(2027, 2, 13),
    }
    moved_events = Event.objects.filter(action="deadline_recomputed").order_by("pk")
    assert moved_events.count() - events_before == 4
    reasons = {e.suggestion_id: e.reason for e in moved_events}
    # The recounted explanation keeps the rule it applied, then the arithmetic.
    assert reasons[open_work["handled"].pk] == (
        "郴州市人民政府办理期限由 2027-02-11 调整为 2027-02-13（依据《中华人民共和国全国人民代表大会"
        "和地方各级人民代表大会代表法》（2025年修正）第五十一条：交办之日起三个月内答复；"
        "交办 2026-11-05 + 3个月 = 2027-02-05（春节），顺延 → 2027-02-13）"
    )
    lead = Assignment.objects.get(suggestion=open_work["handled"], role=UnitRole.LEAD)
    assert lead.due_explanation.startswith("依据《中华人民共和国全国人民代表大会")
    assert reasons[open_work["returned"].pk].startswith(
        "修改期限由 2027-02-11 调整为 2027-02-13（本系统默认期限（法规未规定）：10天；"
    )
    assert reasons[open_work["replied"].pk].startswith("满意度测评期限由 2027-02-11 调整为")
    assert reasons[open_work["rehandled"].pk].startswith(
        "郴州市人民政府重新办理期限由 2027-02-11 调整为 2027-02-13"
    )
    assert all(not e.is_public for e in moved_events)

    # The reminders follow: the old date's are cancelled, the new date's claimed, once.
    run_sweep(now=TODAY)
    for name, suggestion in open_work.items():
        moved = {kind for kind, due in reminded[name] if due == dt.date(2027, 2, 11)}
        kept = {(kind, due) for kind, due in reminded[name] if due != dt.date(2027, 2, 11)}
        assert pending(suggestion) == kept | {(kind, dt.date(2027, 2, 13)) for kind in moved}
        old = Reminder.objects.filter(suggestion=suggestion, due_on=dt.date(2027, 2, 11))
        assert set(old.values_list("status", flat=True)) <= {ReminderStatus.CANCELLED}
    rows = Reminder.objects.count()
    run_sweep(now=TODAY)
    assert Reminder.objects.count() == rows

    # Entering the same schedule again moves nothing and records nothing.
    assert enter_2027(world) == 0
    assert Event.objects.filter(action="deadline_recomputed").count() - events_before == 4


def test_a_2027_due_date_is_provisional_before_and_official_after(client, world, open_work):
    lead = Assignment.objects.get(suggestion=open_work["handled"], role=UnitRole.LEAD)
    assert lead.due_explanation.endswith("；暂定：" + REASON)

    out = io.StringIO()
    call_command("deadline", "2026-11-05", "3m", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2027-02-11"
    assert lines[1].endswith("顺延 → 2027-02-11；暂定：" + REASON)
    assert lines[2] == f"注意：此期限为暂定（{REASON}），录入该年放假安排后可能变化。"

    api = APIClient()
    api.force_authenticate(world.staff)
    record = api.get(f"/api/v1/workspace/suggestions/{open_work['handled'].pk}/").json()
    assignments = {a["id"]: a for a in record["all_assignments"]}
    assert assignments[lead.pk]["provisional_due_dates"] == {"due_on": REASON}
    public = APIClient().get(f"/api/v1/suggestions/{open_work['handled'].pk}/").json()
    steps = public["next_steps"]
    assert steps and all(s["provisional"] and s["provisional_reason"] == REASON for s in steps)

    client.force_login(world.staff)
    workbench = client.get("/staff/").content.decode()
    assert "2027年放假安排尚未录入" in workbench and "查看暂定期限" in workbench
    listing = client.get("/staff/provisional-deadlines/").content.decode()
    # The four that will move, and the publication date that will not but rests on 2027 too.
    assert "共 5 个暂定期限" in listing
    for what in ("郴州市人民政府办理期限", "修改期限", "满意度测评期限", "答复公开期限"):
        assert f"<td>{what}</td>" in listing
    assert "<td>郴州市人民政府重新办理期限</td>" in listing
    assert "交办 2026-11-05 + 3个月 = 2027-02-05（农历除夕），顺延 → 2027-02-11；暂定：" in listing
    detail = client.get(f"/staff/suggestions/{open_work['handled'].pk}/").content.decode()
    assert f"（暂定：{REASON}）" in detail

    enter_2027(world)

    lead.refresh_from_db()
    assert lead.due_explanation.endswith(
        "第五十一条：交办之日起三个月内答复；交办 2026-11-05 + 3个月 = 2027-02-05（春节），顺延 → 2027-02-13"
    )
    # The publication date did not move, but its counting is official now too.
    out = io.StringIO()
    call_command("deadline", "2026-11-05", "3m", stdout=out)
    assert out.getvalue().splitlines() == [
        "2027-02-13",
        "2026-11-05 + 3个月 = 2027-02-05（春节），顺延 → 2027-02-13",
    ]
    record = api.get(f"/api/v1/workspace/suggestions/{open_work['handled'].pk}/").json()
    assert all(a["provisional_due_dates"] == {} for a in record["all_assignments"])
    public = APIClient().get(f"/api/v1/suggestions/{open_work['handled'].pk}/").json()
    assert not any(s["provisional"] for s in public["next_steps"])
    workbench = client.get("/staff/").content.decode()
    assert "2027年放假安排尚未录入" not in workbench
    listing = client.get("/staff/provisional-deadlines/").content.decode()
    assert "没有暂定期限" in listing
    detail = client.get(f"/staff/suggestions/{open_work['handled'].pk}/").content.decode()
    # (The history keeps what the assignment said then, 暂定 included: events do not change.)
    assert f"（暂定：{REASON}）" not in detail
    assert "2027-02-13" in detail


def test_every_clock_is_recorded_with_its_start_and_period(world, open_work):
    clocks = {
        (c.suggestion.title, c.field, c.start.isoformat(), c.period)
        for c in DeadlineClock.objects.select_related("suggestion")
    }
    assert {
        ("交办建议", "assignment.due_on", "2026-11-05", "3m"),
        ("交办建议", "assignment.return_due_on", "2026-11-05", "7wd"),
        ("退回建议", "suggestion.revision_due_on", "2027-01-26", "10d"),
        ("答复建议", "suggestion.evaluation_due_on", "2027-01-07", "1m"),
        ("答复建议", "reply.publish_due_on", "2027-01-07", "20wd"),
        ("重新办理建议", "assignment.rehandling_due_on", "2027-01-05", "1m"),
    } <= clocks


def test_the_command_enters_the_notice(world, open_work):
    out = io.StringIO()
    call_command(
        "calendar_year",
        "2027",
        "--notice",
        NOTICE,
        "--holiday",
        "2027-01-01 元旦",
        "--holiday",
        "2027-02-05..2027-02-12 春节",
        "--workday",
        "2027-02-13 春节调休",
        "--by",
        "staff",
        stdout=out,
    )
    assert out.getvalue().strip() == (
        "已录入2027年放假安排（放假9天，调休上班1天）；4个期限已调整。"
    )
    assert CalendarYear.objects.get().notice == NOTICE
    assert CalendarOverride.objects.filter(date__year=2027, is_working_day=False).count() == 9
    assert due_dates(open_work)["reply"] == dt.date(2027, 2, 13)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--holiday", "2027-02-05..2027-02-01 春节"], "日期范围无效"),
        (["--holiday", "2027-02-05"], "缺少名称"),
        (["--holiday", "2028-01-01 元旦"], "2028-01-01 不在2027年内"),
        (["--holiday", "2027-02-30 春节"], "日期「2027-02-30」无效"),
        (["--holiday", "2027-02-05 春节", "--workday", "2027-02-05 调休"], "重复填写"),
    ],
)
def test_the_command_refuses_bad_input_and_changes_nothing(world, open_work, args, message):
    before = due_dates(open_work)
    with pytest.raises(CommandError, match=message) as excinfo:
        call_command("calendar_year", "2027", "--notice", NOTICE, "--by", "staff", *args)
    assert excinfo.value.returncode == 2
    assert not CalendarYear.objects.exists() and not CalendarOverride.objects.exists()
    assert due_dates(open_work) == before


def test_only_staff_may_enter_a_year(world):
    with pytest.raises(CommandError, match="只有人大工作人员可以调整工作日"):
        call_command(
            "calendar_year",
            "2027",
            "--notice",
            NOTICE,
            "--holiday",
            "2027-01-01 元旦",
            "--by",
            "unit_lead",
        )
    assert not CalendarYear.objects.exists()


def test_the_admin_form_enters_the_notice(client, world, open_work, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin_user)
    url = "/admin/congress/calendaryear/add/"
    bad = client.post(
        url,
        {"year": 2027, "notice": NOTICE, "holidays": "2027-02-05 春节\n2027-02-06", "workdays": ""},
    )
    assert bad.status_code == 200
    assert "「2027-02-06」缺少名称" in bad.content.decode()
    assert not CalendarYear.objects.exists()
    response = client.post(
        url,
        {
            "year": 2027,
            "notice": NOTICE,
            "holidays": "2027-01-01 元旦\n2027-02-05..2027-02-12 春节",
            "workdays": "2027-02-13 春节调休",
        },
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get().entered_by == admin_user
    assert due_dates(open_work)["revision"] == dt.date(2027, 2, 13)
    listing = client.get("/admin/congress/calendaryear/").content.decode()
    assert NOTICE in listing


def test_migration_gives_open_work_of_before_its_clocks(world, open_work):
    from importlib import import_module

    from django.apps import apps

    written = {
        (c.suggestion_id, c.assignment_id, c.reply_id, c.field): (c.start, c.period, c.granted)
        for c in DeadlineClock.objects.all()
    }
    DeadlineClock.objects.all().delete()
    import_module("suggestions.migrations.0015_deadline_clocks").backfill(apps, None)
    backfilled = {
        (c.suggestion_id, c.assignment_id, c.reply_id, c.field): (c.start, c.period, c.granted)
        for c in DeadlineClock.objects.all()
    }
    open_keys = {
        (c.suggestion_id, c.assignment_id, c.reply_id, c.field)
        for c in DeadlineClock.objects.open()
    }
    assert set(backfilled) == open_keys
    # Each comes back as the services wrote it: the congress's rule for that clock counts to
    # the stored date (the reviewer's 10 days are the national default's).
    assert backfilled == {key: written[key] for key in open_keys}
    # Every open due date counts again to what is stored: nothing moves.
    assert services.deadlines_recompute() == 0


def test_provisional_list_runs_a_constant_number_of_queries(client, world, open_work):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/provisional-deadlines/").status_code == 200
        return len(captured)

    few = queries()
    for i in range(5):
        lifecycle.assigned(world, title=f"更多建议{i}", assigned_on=dt.date(2026, 11, 5))
    many = queries()
    assert many == few
    listing = client.get("/staff/provisional-deadlines/").content.decode()
    assert "共 10 个暂定期限" in listing
    # Another congress's staff see none of them.
    other = CongressStaffFactory(user__username="other_staff").user
    client.force_login(other)
    assert "没有暂定期限" in client.get("/staff/provisional-deadlines/").content.decode()
