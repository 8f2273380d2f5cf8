"""The seed cases (DESIGN.md §7): faithful to the articles, idempotent, validated per file."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from congress.models import CongressStaff, Deputy, HandlingUnit, Person, StaffRole
from suggestions.models import (
    ActivityKind,
    Assignment,
    CitizenOpinion,
    DatePrecision,
    Evaluation,
    Event,
    FollowUpReview,
    LinkKind,
    Outcome,
    Reply,
    RevisedBy,
    State,
    Suggestion,
    SuggestionLink,
    SupervisionActivity,
    SupervisionPlan,
    UnitRole,
)
from suggestions.models.common import SourcedModel
from suggestions.seeding import SeedError, default_seed_files, load_seed_file
from suggestions.seeding.demo import ensure_demo_users

SEEDS = Path(settings.SEEDS_DIR)
ARTICLES = SEEDS / "articles"
MUNICIPAL, PROVINCIAL, WEISHAN = (
    "tang-battery-municipal",
    "tang-battery-provincial",
    "su-weishan-old-houses",
)


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_seeds", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(db) -> None:
    load("--no-demo-users")


# The statistics rollup's bookkeeping: every save marks its congress for a recount (a reload
# re-saves rows), so it is not seed data.
ROLLUP_MODELS = {"StatisticsChange", "StatisticsRefresh", "StatisticsSnapshot"}


def row_counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("congress").get_models(),
        *apps.get_app_config("suggestions").get_models(),
        get_user_model(),
    ]
    return {m._meta.label: m.objects.count() for m in models if m.__name__ not in ROLLUP_MODELS}


def sourced_models() -> list[type[SourcedModel]]:
    return [m for m in apps.get_models() if issubclass(m, SourcedModel)]


# ---- idempotence ----


@pytest.mark.django_db
def test_loading_twice_gives_the_same_rows():
    load()
    first = row_counts()
    first_keys = {
        m._meta.label: set(m.objects.values_list("seed_key", flat=True)) for m in sourced_models()
    }
    load()
    assert row_counts() == first
    assert {
        m._meta.label: set(m.objects.values_list("seed_key", flat=True)) for m in sourced_models()
    } == first_keys
    assert first["suggestions.Suggestion"] == 3
    assert first["suggestions.Version"] == 5
    assert first["congress.Deputy"] == 4
    assert first["suggestions.Event"] > 0


@pytest.mark.django_db
def test_reload_keeps_a_state_that_moved_on(seeded):
    """Seeds set the state at creation only: a reload never rewinds live handling."""
    suggestion = Suggestion.objects.get(seed_key=MUNICIPAL)
    Suggestion.objects.filter(pk=suggestion.pk).update(state=State.REPLIED)
    err = io.StringIO()
    call_command("load_seeds", "--no-demo-users", stdout=io.StringIO(), stderr=err)
    assert Suggestion.objects.get(pk=suggestion.pk).state == State.REPLIED
    assert MUNICIPAL in err.getvalue()


# ---- 汤欣平 ----


@pytest.mark.django_db
def test_municipal_suggestion_has_three_versions_in_order_with_their_revisers(seeded):
    suggestion = Suggestion.objects.get(seed_key=MUNICIPAL)
    versions = list(suggestion.versions.order_by("number"))
    assert [(v.number, v.title, v.revised_by_kind, v.revised_by_name) for v in versions] == [
        (1, "关于加快推进湘粤(临武)电池产业集聚区发展的建议", RevisedBy.DEPUTY, "汤欣平"),
        (2, "关于打造锂电之都的建议", RevisedBy.DELEGATION, "临武代表团"),
        (3, "关于把郴州打造成为“中国电池之都”的建议", RevisedBy.COMMITTEE, "郴州市人大财经委"),
    ]
    assert suggestion.title == versions[-1].title
    assert suggestion.current_version_number == 3
    assert "二步走" in suggestion.body and "一核多点" in suggestion.body
    assert "六个方面" in versions[0].body
    assert "主席团" in versions[2].reason
    assert suggestion.state == State.ASSIGNED
    assert suggestion.session.name == "六届人大一次会议"
    assert suggestion.session.opened_on == dt.date(2021, 12, 30)
    assert suggestion.lead_deputy.occupation == "湖南久森新能源有限公司董事长"
    assert suggestion.lead_deputy.delegation.name == "临武代表团"


@pytest.mark.django_db
def test_municipal_suggestion_is_handled_by_three_units_without_invented_dates(seeded):
    suggestion = Suggestion.objects.get(seed_key=MUNICIPAL)
    assignments = suggestion.assignments.active()
    assert {a.unit.name for a in assignments} == {"郴州市人民政府", "郴州高新区", "郴州经开区"}
    assert {a.role for a in assignments} == {UnitRole.SEPARATE}
    assert all(a.assigned_on is None and a.due_on is None for a in assignments)
    assert not suggestion.replies.exists()
    assert not suggestion.evaluations.exists()


@pytest.mark.django_db
def test_historical_steps_are_events_naming_the_acting_body(seeded):
    suggestion = Suggestion.objects.get(seed_key=MUNICIPAL)
    events = {e.action: e for e in suggestion.events.exclude(action="revised")}
    revisions = list(suggestion.events.filter(action="revised").order_by("pk"))
    assert [e.actor_name for e in revisions] == ["临武代表团", "郴州市人大财经委"]
    assert events["returned_by_presidium"].actor_name == "郴州市六届人大一次会议主席团"
    assert (events["filed"].date, events["filed"].date_precision) == (dt.date(2021, 12, 30), "day")
    assert events["assigned"].date is None
    imported = events["imported"]
    assert imported.to_state == State.ASSIGNED
    assert imported.source.title == "一件建议催生一座电池之都"
    # The development-zone article is cited, not presented as a reply.
    report = events["unit_report"]
    assert report.actor_name == "郴州经开区"
    assert report.source.key == "chenzhou-development-zone-lithium-2023-08"
    assert "并非对本建议的答复" in report.reason


@pytest.mark.django_db
def test_municipal_supervision_has_the_decision_and_the_dated_visits(seeded):
    suggestion = Suggestion.objects.get(seed_key=MUNICIPAL)
    plan = suggestion.supervision_plans.get()
    assert plan.supervising_body == "郴州市人大常委会"
    dated = {(a.kind, a.date, a.date_precision) for a in plan.activities.filter(date__isnull=False)}
    month = DatePrecision.MONTH
    assert {
        (ActivityKind.DECISION, dt.date(2022, 8, 1), month),
        (ActivityKind.RESEARCH, dt.date(2023, 6, 1), month),
        (ActivityKind.INSPECTION, dt.date(2023, 7, 1), month),
        (ActivityKind.RESEARCH, dt.date(2024, 9, 1), month),
        (ActivityKind.RESEARCH, dt.date(2025, 4, 1), month),
        (ActivityKind.INSPECTION, dt.date(2025, 5, 13), DatePrecision.DAY),
    } <= dated
    hearing = plan.activities.get(kind=ActivityKind.REPORT_HEARING, conducted_by="郴州市人大常委会")
    assert hearing.date is None
    decision = suggestion.outcomes.get(kind="decision")
    assert decision.title == "关于郴州市加快电池产业发展打造“电池之都”的决定"
    assert (decision.date, decision.date_precision) == (dt.date(2022, 8, 1), month)
    zone = suggestion.outcomes.filter(source__key="chenzhou-development-zone-lithium-2023-08")
    assert (
        zone.get(date=dt.date(2023, 1, 8)).title == "关于支持郴州经开区创建国家级经开区的十条措施"
    )
    measures = zone.get(kind="measure").description
    for fact in ("34.54亿元", "电池企业21家", "17个电池产业项目", "170亿元"):
        assert fact in measures


@pytest.mark.django_db
def test_escalation_to_the_provincial_congress_and_its_measures(seeded):
    municipal = Suggestion.objects.get(seed_key=MUNICIPAL)
    provincial = Suggestion.objects.get(seed_key=PROVINCIAL)
    link = SuggestionLink.objects.get(from_suggestion=municipal, to_suggestion=provincial)
    assert link.kind == LinkKind.ESCALATED
    assert provincial.title == "关于加快推进郴州打造中国电池之都的建议"
    assert provincial.congress.name == "湖南省人民代表大会"
    assert provincial.session.name == "十四届人大一次会议"
    assert provincial.session.opened_on is None  # the article gives only 2023年1月
    assert (provincial.filed_on, provincial.filed_precision) == (dt.date(2023, 1, 1), "month")
    # One person, two mandates.
    assert provincial.lead_deputy != municipal.lead_deputy
    assert provincial.lead_deputy.person == municipal.lead_deputy.person
    assignment = provincial.assignments.get()
    assert assignment.unit.name == "湖南省人民政府"
    assert assignment.assigned_on is None and assignment.due_on is None
    measures = provincial.outcomes.get(title="支持郴州市锂电新能源全产业链高质量发展的若干措施")
    assert (measures.date, measures.date_precision) == (dt.date(2024, 4, 17), DatePrecision.DAY)
    assert measures.issuing_body == "湖南省人民政府"
    assert measures.description.count("、") >= 9  # the ten measures, listed
    assert "统筹推进锂电新能源产业健康发展" in measures.description


# ---- 苏素馨 ----


@pytest.mark.django_db
def test_weishan_suggestion_is_under_key_supervision_with_activities_and_review(seeded):
    suggestion = Suggestion.objects.get(seed_key=WEISHAN)
    assert suggestion.title == "关于加强巍山县古民居出租管理的建议"
    assert (suggestion.filed_on, suggestion.filed_precision) == (dt.date(2024, 2, 1), "month")
    assert suggestion.session.name == "十八届人大三次会议"
    assert suggestion.state == State.FOLLOW_UP
    assert suggestion.is_key
    plan = suggestion.supervision_plans.get()
    assert plan.leader_title == "县人大常委会副主任"
    assert plan.leader is None and plan.deadline is None
    kinds = {(a.kind, a.date) for a in plan.activities.all()}
    assert {
        (ActivityKind.ON_SITE_SUPERVISION, None),
        (ActivityKind.FORUM, None),
        (ActivityKind.RESEARCH, dt.date(2024, 10, 1)),
        (ActivityKind.REPORT_HEARING, dt.date(2025, 4, 1)),
        (ActivityKind.LAW_ENFORCEMENT_INSPECTION, dt.date(2025, 4, 1)),
    } == kinds
    review = suggestion.follow_up_reviews.get()
    assert (review.date, review.date_precision, review.is_done) == (
        dt.date(2024, 10, 1),
        "month",
        True,
    )
    units = {a.unit.name for a in suggestion.assignments.active()}
    assert units == {"巍山县公安局", "巍山县人民政府"}
    # No reply category and no rating: the article gives none.
    assert not Reply.objects.filter(suggestion=suggestion).exists()
    assert not Evaluation.objects.filter(suggestion=suggestion).exists()


@pytest.mark.django_db
def test_weishan_outcomes_and_citizen_opinions(seeded):
    suggestion = Suggestion.objects.get(seed_key=WEISHAN)
    outcomes = {o.title: o for o in suggestion.outcomes.all()}
    police = outcomes["巍山彝族回族自治县公安局关于进一步规范出租房屋治安管理的通告"]
    assert (police.issuing_body, police.date, police.date_precision) == (
        "巍山县公安局",
        dt.date(2024, 1, 1),
        DatePrecision.YEAR,
    )
    assert "巍山彝族回族自治县历史文化名城(巍山古城)建筑消防安全技术导则" in outcomes
    recognition = next(o for o in outcomes.values() if o.kind == "recognition")
    assert recognition.issuing_body == "住房和城乡建设部" and recognition.date is None
    opinions = list(suggestion.citizen_opinions.order_by("pk"))
    at_station = [o for o in opinions if o.contact_station]
    assert len(at_station) == 3
    assert {o.contact_station.name for o in at_station} == {"北街社区人大代表联络室"}
    assert {(o.date, o.date_precision) for o in at_station} == {(dt.date(2023, 10, 1), "month")}
    assert all(o.deputy.person.name == "苏素馨" for o in opinions)
    collected = [o for o in opinions if not o.contact_station]
    assert len(collected) == 1 and "40余条" in collected[0].summary and collected[0].date is None


# ---- faithfulness ----


def _date_is_in_article(date: dt.date, precision: str, text: str) -> bool:
    """The date, at its precision, is written in the article (a day may name its year elsewhere
    in the article, e.g. '8月26日' in a story that says the year is 2023)."""
    year = f"{date.year}年"
    if precision == DatePrecision.YEAR:
        return year in text
    if precision == DatePrecision.MONTH:
        return f"{year}{date.month}月" in text
    day = f"{date.month}月{date.day}日"
    return f"{year}{day}" in text or (day in text and year in text)


@pytest.mark.django_db
def test_no_seeded_date_is_invented(seeded):
    texts = {p.name: p.read_text(encoding="utf-8") for p in ARTICLES.glob("*.txt")}
    checked = 0
    for model in (Event, SupervisionActivity, Outcome, CitizenOpinion, FollowUpReview):
        for row in model.objects.filter(date__isnull=False).select_related("source"):
            text = texts[row.source.file_name]
            assert _date_is_in_article(row.date, row.date_precision, text), (model, row.seed_key)
            if row.date_precision != DatePrecision.DAY:
                assert row.date.day == 1, row.seed_key
            if row.date_precision == DatePrecision.YEAR:
                assert row.date.month == 1, row.seed_key
            checked += 1
    for suggestion in Suggestion.objects.filter(filed_on__isnull=False):
        text = texts[suggestion.source.file_name]
        assert _date_is_in_article(suggestion.filed_on, suggestion.filed_precision, text)
    assert checked > 20
    # Dates the articles do not give stay empty.
    assert not Assignment.objects.filter(assigned_on__isnull=False).exists()
    assert not Assignment.objects.filter(due_on__isnull=False).exists()
    assert not SupervisionPlan.objects.filter(deadline__isnull=False).exists()


@pytest.mark.django_db
def test_every_seeded_record_cites_its_source(seeded):
    counted = 0
    for model in sourced_models():
        rows = model.objects.all()
        assert not rows.filter(seed_key__isnull=True).exists(), model
        assert not rows.filter(source__isnull=True).exists(), model
        counted += rows.count()
    assert counted > 80
    assert {s.source.key for s in Suggestion.objects.all()} == {
        "battery-capital-2025-05",
        "weishan-old-houses-2025-05",
    }


def test_article_files_ship_with_the_seeds():
    assert {p.name for p in ARTICLES.glob("*.txt")} == {
        "deputy-suggestion-cases-2025-05.txt",
        "chenzhou-development-zone-lithium-2023-08.txt",
    }
    assert default_seed_files()[0].name == "institutions.yaml"


# ---- broken files ----


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    for path in SEEDS.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BROKEN_ROWS = [
    pytest.param(
        "        revised_by_name: 苏素馨\n",
        "        revised_by_name: 苏素馨\n        colour: red\n",
        "suggestions[0].versions[0].colour",
        "未知字段",
        id="unknown-field",
    ),
    pytest.param(
        "      - unit: 巍山县公安局\n        role: separate\n",
        "      - unit: 巍山县公安局\n",
        "suggestions[0].assignments[0].role",
        "缺少必填项",
        id="missing-value",
    ),
    pytest.param(
        "      - date: 2024-10\n        conducted_by: 巍山县人大常委会\n        is_done: true",
        "      - date: 2024-13\n        conducted_by: 巍山县人大常委会\n        is_done: true",
        "suggestions[0].follow_up_reviews[0].date",
        "不是存在的日期",
        id="bad-date",
    ),
    pytest.param(
        "      - unit: 巍山县公安局\n",
        "      - unit: 巍山县交通运输局\n",
        "suggestions[0].assignments[0].unit",
        "没有名为「巍山县交通运输局」的承办单位",
        id="unknown-unit",
    ),
    pytest.param(
        "    suggestions:\n      - su-weishan-old-houses\n",
        "    suggestions:\n      - su-weishan-no-such-suggestion\n",
        "supervision_plans[0].suggestions[0]",
        "未知的建议",
        id="unknown-suggestion-after-rows-were-written",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new", "row", "message"), BROKEN_ROWS)
def test_a_broken_row_names_file_and_row_and_loads_nothing_of_that_file(
    seed_copy, old, new, row, message
):
    broken = seed_copy / "weishan-old-houses.yaml"
    _break(broken, old, new)
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "load_seeds",
            "--no-demo-users",
            *[str(p) for p in default_seed_files(seed_copy)],
            stdout=io.StringIO(),
            stderr=err,
        )
    assert excinfo.value.returncode == 1
    output = err.getvalue()
    assert "weishan-old-houses.yaml" in output and row in output and message in output
    assert re.search(r"第\d+行", output)
    # Nothing of the broken file; the other files loaded.
    assert not Suggestion.objects.filter(congress__name="巍山彝族回族自治县人民代表大会").exists()
    assert not CitizenOpinion.objects.exists()
    assert not Event.objects.filter(source__key="weishan-old-houses-2025-05").exists()
    assert not SupervisionPlan.objects.filter(seed_key="su-weishan-key-supervision").exists()
    assert Suggestion.objects.filter(seed_key=MUNICIPAL).exists()
    assert HandlingUnit.objects.filter(name="巍山县公安局").exists()


@pytest.mark.django_db
def test_the_error_points_at_the_line(seed_copy):
    load("--no-demo-users", str(seed_copy / "institutions.yaml"))
    broken = seed_copy / "weishan-old-houses.yaml"
    _break(broken, "    state: follow_up\n", "    state: finished\n")
    line = broken.read_text(encoding="utf-8").splitlines().index("    state: finished") + 1
    with pytest.raises(SeedError) as excinfo:
        load_seed_file(broken)
    error = excinfo.value
    assert (error.row, error.line) == ("suggestions[0].state", line)
    assert "finished" in error.message and "follow_up" in error.message
    assert str(broken) in str(error)


@pytest.mark.django_db
def test_yaml_syntax_error_is_reported_with_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("suggestions:\n  - key: [unclosed\n", encoding="utf-8")
    with pytest.raises(SeedError) as excinfo:
        load_seed_file(bad)
    assert "bad.yaml" in str(excinfo.value) and "YAML" in str(excinfo.value)


# ---- demo users ----


@pytest.mark.django_db
def test_demo_users_exist_for_every_role_and_can_log_in(client):
    output = load()
    logins = ensure_demo_users()  # idempotent: a second call changes nothing
    assert get_user_model().objects.count() == len(logins) == 8
    for login in logins:
        assert login.username in output and login.password in output
        # Through the login page (client.login() passes no request, which django-axes needs).
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        client.logout()
    users = get_user_model().objects
    tang = Person.objects.get(name="汤欣平")
    assert tang.user.username == "tangxinping"
    assert Deputy.objects.for_user(tang.user).count() == 2  # municipal and provincial
    assert Person.objects.get(name="苏素馨").user.username == "susuxin"
    roles = {
        (s.user.username, s.congress.name, s.role)
        for s in CongressStaff.objects.select_related("user", "congress")
    }
    assert roles == {
        ("chenzhou_staff", "郴州市人民代表大会", StaffRole.STAFF),
        ("weishan_staff", "巍山彝族回族自治县人民代表大会", StaffRole.STAFF),
        ("weishan_leader", "巍山彝族回族自治县人民代表大会", StaffRole.LEADER),
    }
    assert users.get(username="chenzhou_gov").handling_units.get().name == "郴州市人民政府"
    assert users.get(username="weishan_police").handling_units.get().name == "巍山县公安局"
    assert users.get(username="demo_admin").is_superuser
    plan = SupervisionPlan.objects.get(seed_key="su-weishan-key-supervision")
    assert plan.leader.username == "weishan_leader"
    # The linked accounts have the permissions their role needs on the seeded suggestions.
    municipal = Suggestion.objects.get(seed_key=MUNICIPAL)
    assert users.get(username="chenzhou_staff").has_perm("suggestions.review", municipal)
    assert users.get(username="chenzhou_gov").has_perm("suggestions.reply", municipal)
    assert users.get(username="tangxinping").has_perm("suggestions.act_as_lead_deputy", municipal)
    assert not users.get(username="weishan_staff").has_perm("suggestions.review", municipal)


def test_demo_clerk_uses_the_admin_for_their_own_congress_only(db, client):
    from django.urls import reverse

    load()
    client.post(
        "/accounts/login/", {"username": "chenzhou_staff", "password": "demo-cz-staff-2025"}
    )
    response = client.get(reverse("admin:suggestions_suggestion_changelist"))
    assert response.status_code == 200
    congresses = {s.congress.name for s in response.context["cl"].result_list}
    assert congresses == {"郴州市人民代表大会"}
