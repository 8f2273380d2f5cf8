"""Rule sets as data: each preset's clocks on real calendar dates, with the article they cite.

The expected dates are worked out by hand below from the 2025 State Council holiday notice
(国办发明电〔2024〕12号): 春节 01-28..02-04 off, 01-26 (Sun) and 02-08 (Sat) worked; 劳动节
05-01..05-05 off, 04-27 (Sun) worked; 国庆节/中秋节 10-01..10-08 off, 09-28 (Sun) and 10-11
(Sat) worked. A period in months or days ending on a day off rolls to the next working day; a
period in working days ends on the N-th working day after the start.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

from congress.models import RuleSetName
from suggestions import services
from suggestions.deadlines import WorkingCalendar
from suggestions.rulesets import PRESETS, Clock, preset_rules, rules_for
from suggestions.services.errors import ValidationError
from tests import lifecycle

NO_OVERRIDES = WorkingCalendar(overrides={})
D = dt.date.fromisoformat

SHANGHAI = "依据《上海市人民代表大会关于代表建议、批评和意见的规定》"
ZHEJIANG = "依据《浙江省人民代表大会代表建议、批评和意见办理的规定》（2016年修正）"
CHONGQING = "依据《重庆市人民代表大会代表建议批评和意见工作条例》"
QINGDAO = "依据《青岛市人民代表大会代表建议、批评和意见工作条例》（2021年修订）"
LAW = "依据《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》（2025年修正）"

# (preset, clock, start, expected due date, the citation the explanation must begin with)
CASES = [
    # 上海, assigned Monday 2025-09-15.
    # Reply 3 months: 2025-12-15, a Monday, a working day.
    (
        "shanghai",
        Clock.REPLY,
        "2025-09-15",
        "2025-12-15",
        SHANGHAI + "第十九条：交办之日起三个月内答复",
    ),
    # 会办 opinion 1 month: 2025-10-15, a Wednesday.
    ("shanghai", Clock.CO_OPINION, "2025-09-15", "2025-10-15", SHANGHAI + "第十七条"),
    # Return 7 working days: 09-16, 17, 18, 19, 22, 23, 24 → 09-24.
    ("shanghai", Clock.RETURN, "2025-09-15", "2025-09-24", SHANGHAI + "第十四条"),
    # Recess suggestion received Friday 2025-09-26, 7 working days: 09-28 (Sunday, worked),
    # 09-29, 09-30, [10-01..10-08 off], 10-09, 10-10, 10-11 (Saturday, worked), 10-13 → 10-13.
    ("shanghai", Clock.RECESS_ASSIGNMENT, "2025-09-26", "2025-10-13", SHANGHAI + "第十一条"),
    # New reply after 不满意 on 2025-08-29: 1 month → 2025-09-29, a Monday.
    ("shanghai", Clock.REHANDLING, "2025-08-29", "2025-09-29", SHANGHAI + "第二十一条"),
    # 浙江, assigned Monday 2025-09-22.
    # Return 10 (calendar) days: 2025-10-02 is in the National Day holiday → 10-09.
    ("zhejiang", Clock.RETURN, "2025-09-22", "2025-10-09", ZHEJIANG + "第十四条"),
    # 会办 opinion 2 months: 2025-11-22 is a Saturday → Monday 11-24.
    ("zhejiang", Clock.CO_OPINION, "2025-09-22", "2025-11-24", ZHEJIANG + "第十八条"),
    # Reply 3 months: 2025-12-22, a Monday.
    ("zhejiang", Clock.REPLY, "2025-09-22", "2025-12-22", ZHEJIANG + "第二十一条"),
    # New reply 1 month after 不满意 on Saturday 2025-08-30: 2025-09-30, a Tuesday.
    ("zhejiang", Clock.REHANDLING, "2025-08-30", "2025-09-30", ZHEJIANG + "第二十四条"),
    # 重庆, assigned Monday 2025-09-01.
    # Return 10 working days: 09-02, 03, 04, 05, 08, 09, 10, 11, 12, 15 → 09-15.
    ("chongqing", Clock.RETURN, "2025-09-01", "2025-09-15", CHONGQING + "第十六条"),
    # Contact 20 working days: the ten above, then 09-16, 17, 18, 19, 22, 23, 24, 25, 26 and
    # 09-28 (Sunday, worked) → 09-28.
    ("chongqing", Clock.CONTACT, "2025-09-01", "2025-09-28", CHONGQING + "第十八条"),
    # 协办 opinion 30 working days: the twenty above, then 09-29, 09-30, [off], 10-09, 10-10,
    # 10-11 (Saturday, worked), 10-13, 14, 15, 16, 17 → 10-17.
    ("chongqing", Clock.CO_OPINION, "2025-09-01", "2025-10-17", CHONGQING + "第二十条"),
    # Reply 3 months: 2025-12-01, a Monday.
    ("chongqing", Clock.REPLY, "2025-09-01", "2025-12-01", CHONGQING + "第二十一条"),
    # Recess suggestion received Friday 2025-09-26, 10 working days: 09-28, 09-29, 09-30,
    # 10-09, 10-10, 10-11, 10-13, 10-14, 10-15, 10-16 → 10-16.
    ("chongqing", Clock.RECESS_ASSIGNMENT, "2025-09-26", "2025-10-16", CHONGQING + "第十三条"),
    # The deputy rates within 20 working days of a reply on Monday 2025-09-15: 09-16..09-19
    # (4), 09-22..09-26 (9), 09-28 (10), 09-29, 09-30 (12), 10-09, 10-10, 10-11 (15),
    # 10-13..10-17 (20) → 10-17.
    ("chongqing", Clock.EVALUATION, "2025-09-15", "2025-10-17", CHONGQING + "第二十七条"),
    # New reply 2 months after 不满意 on 2025-08-01: 2025-10-01 (国庆节) → 10-09.
    ("chongqing", Clock.REHANDLING, "2025-08-01", "2025-10-09", CHONGQING + "第二十七条"),
    # 青岛, assigned Friday 2025-04-25.
    # Return 5 working days: 04-27 (Sunday, worked), 04-28, 04-29, 04-30, [05-01..05-05 off],
    # 05-06 → 05-06.
    ("qingdao", Clock.RETURN, "2025-04-25", "2025-05-06", QINGDAO + "第十九条"),
    # 协办 opinion 1 month: 2025-05-25 is a Sunday → Monday 05-26.
    ("qingdao", Clock.CO_OPINION, "2025-04-25", "2025-05-26", QINGDAO + "第二十四条"),
    # Reply 3 months: 2025-07-25, a Friday.
    ("qingdao", Clock.REPLY, "2025-04-25", "2025-07-25", QINGDAO + "第二十五条"),
    # Recess suggestion received Friday 2025-01-24, 5 working days: 01-26 (Sunday, worked),
    # 01-27, [01-28..02-04 off], 02-05, 02-06, 02-07 → 02-07.
    ("qingdao", Clock.RECESS_ASSIGNMENT, "2025-01-24", "2025-02-07", QINGDAO + "第十四条"),
    # National default, assigned Monday 2025-03-03: reply 3 months → 2025-06-03, a Tuesday.
    ("national", Clock.REPLY, "2025-03-03", "2025-06-03", LAW + "第五十一条"),
    # The national default keeps this system's former figure where the law sets none:
    # return 7 working days from 2025-07-01 → 07-02..07-04, 07-07..07-10 → 07-10.
    (
        "national",
        Clock.RETURN,
        "2025-07-01",
        "2025-07-10",
        "本系统默认期限（法规未规定）：7个工作日",
    ),
]


@pytest.mark.parametrize(("preset", "clock", "start", "expected", "citation"), CASES)
def test_each_preset_clock_on_the_real_calendar_cites_its_article(
    preset, clock, start, expected, citation
):
    deadline = preset_rules(preset).deadline(
        clock, D(start), start_label="交办", calendar_=NO_OVERRIDES
    )
    assert deadline.due == D(expected)
    assert deadline.explanation.startswith(citation)
    # The arithmetic follows the citation, as before rule sets.
    assert f"交办 {start} + " in deadline.explanation


ABSENT = [
    # Neither the national law nor these regulations set these periods.
    ("national", Clock.CONTACT),
    ("national", Clock.RECESS_ASSIGNMENT),
    ("shanghai", Clock.CONTACT),
    ("shanghai", Clock.EVALUATION),
    ("shanghai", Clock.REVISION),
    ("shanghai", Clock.PUBLICATION),
    ("zhejiang", Clock.RECESS_ASSIGNMENT),
    ("zhejiang", Clock.CONTACT),
    ("zhejiang", Clock.EVALUATION),
    ("chongqing", Clock.PUBLICATION),
    ("qingdao", Clock.CONTACT),
    ("qingdao", Clock.REHANDLING),
    ("qingdao", Clock.EVALUATION),
]


@pytest.mark.parametrize(("preset", "clock"), ABSENT)
def test_a_clock_the_regulation_does_not_set_is_absent(preset, clock):
    assert preset_rules(preset).deadline(clock, D("2025-07-01"), start_label="交办") is None


def test_every_preset_has_a_reply_clock_and_a_note_on_what_it_leaves_out():
    for name in RuleSetName.values:
        preset = PRESETS[name]
        assert preset.rule(Clock.REPLY) is not None
        assert preset.note


@pytest.mark.django_db
def test_assignment_stores_the_cited_due_dates_of_the_congress_preset(world):
    world.congress.rule_set = RuleSetName.CHONGQING
    world.congress.save()
    suggestion = lifecycle.assigned(world, assigned_on=D("2025-09-01"), co_unit=True)
    lead = suggestion.assignments.get(unit=world.lead_unit)
    co = suggestion.assignments.get(unit=world.co_unit)

    assert lead.due_on == D("2025-12-01")
    assert lead.due_explanation == (
        CHONGQING + "第二十一条：交办之日起三个月内答复；"
        "交办 2025-09-01 + 3个月 = 2025-12-01（星期一，工作日）"
    )
    assert (lead.return_due_on, lead.contact_due_on) == (D("2025-09-15"), D("2025-09-28"))
    assert lead.contact_explanation.startswith(CHONGQING + "第十八条")
    assert co.due_on == D("2025-10-17")
    assert co.due_explanation.startswith(CHONGQING + "第二十条")
    # Contact with the deputy is the replying unit's duty, not the co-unit's.
    assert co.contact_due_on is None


@pytest.mark.django_db
def test_an_override_replaces_the_preset_figure_and_says_so(world):
    world.congress.rule_set = RuleSetName.SHANGHAI
    world.congress.reply_period = "2m"
    world.congress.save()
    suggestion = lifecycle.assigned(world, assigned_on=D("2025-09-15"))
    lead = suggestion.assignments.get()

    # 2025-09-15 + 2 months = 2025-11-15, a Saturday → Monday 11-17.
    assert lead.due_on == D("2025-11-17")
    assert lead.due_explanation.startswith("本人大设定的期限：2个月；交办 2025-09-15 + 2个月")
    # The other clocks still follow the preset.
    assert lead.return_due_on == D("2025-09-24")


@pytest.mark.django_db
def test_an_invalid_override_is_a_form_error_naming_the_problem(world):
    world.congress.contact_period = "3y"
    with pytest.raises(Exception) as excinfo:
        world.congress.full_clean()
    assert "contact_period" in excinfo.value.message_dict
    assert "3y" in excinfo.value.message_dict["contact_period"][0]


@pytest.mark.django_db
def test_shanghai_extension_adds_to_the_reply_period(world):
    world.congress.rule_set = RuleSetName.SHANGHAI
    world.congress.save()
    suggestion = lifecycle.assigned(world, assigned_on=D("2025-09-15"))
    lead = suggestion.assignments.get()
    with pytest.raises(ValidationError):
        # Extending by more than 3 months on top of the 3 is refused.
        services.assignment_extend(
            assignment=lead, actor=world.staff, reason="需要调研", total_months=7
        )
    services.assignment_extend(assignment=lead, actor=world.staff, reason="需要调研")
    lead.refresh_from_db()
    # 3 + 3 months from 2025-09-15 = 2026-03-15, a Sunday → Monday 2026-03-16.
    assert lead.due_on == D("2026-03-16")
    assert lead.due_explanation.startswith(
        SHANGHAI + "第十九条：经同意可以适当延长，延长时间不得超过三个月；交办 2025-09-15 + 6个月"
    )


@pytest.mark.django_db
def test_national_extension_replaces_the_reply_period(world):
    suggestion = lifecycle.assigned(world, assigned_on=D("2025-03-03"))
    lead = suggestion.assignments.get()
    services.assignment_extend(assignment=lead, actor=world.staff, reason="涉及面广")
    lead.refresh_from_db()
    # 6 months from 2025-03-03 = 2025-09-03, a Wednesday.
    assert lead.due_on == D("2025-09-03")
    assert lead.due_explanation.startswith(LAW + "第五十一条：涉及面广、处理难度大的")


@pytest.mark.django_db
def test_the_data_migration_keeps_each_congress_figure():
    migration = importlib.import_module("congress.migrations.0002_rule_sets")
    national = SimpleNamespace(
        reply_months=3,
        extended_reply_months=6,
        co_handling_months=1,
        assignment_return_working_days=7,
        rehandling_months=1,
        evaluation_months=1,
        revision_days=10,
        publication_working_days=20,
        saved=None,
    )
    changed = SimpleNamespace(**{**vars(national), "reply_months": 2, "revision_days": 15})
    for row in (national, changed):
        for _old, (new, _unit, _default) in migration.OLD_FIELDS.items():
            setattr(row, new, "")
        row.save = lambda update_fields=None, row=row: setattr(row, "saved", update_fields)
    rows = [national, changed]
    apps = SimpleNamespace(
        get_model=lambda *a: SimpleNamespace(objects=SimpleNamespace(all=lambda: rows))
    )
    migration.keep_policies(apps, None)

    # A congress on the former defaults keeps the national preset as it is…
    assert national.saved is None
    # …one that changed a clock keeps its figure, with its unit, as an override.
    assert (changed.reply_period, changed.revision_period) == ("2m", "15d")
    assert changed.return_period == ""


@pytest.mark.django_db
def test_admin_shows_each_clock_as_it_applies_with_its_source(admin_client, world):
    world.congress.rule_set = RuleSetName.CHONGQING
    world.congress.save()
    response = admin_client.get(reverse("admin:congress_congress_change", args=[world.congress.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "第十八条：收到之日起二十个工作日内与代表沟通、联系" in body
    assert "第二十九条：超过评价期限仍不反馈回执的，不纳入满意情况的统计范围" in body
    assert "不设此期限" in body  # publication: the regulation sets no period


def run_deadline(tmp_path, *args) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    return subprocess.run(
        [sys.executable, "manage.py", "deadline", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )


def test_deadline_command_prints_the_due_date_alone_then_the_cited_rule(tmp_path):
    result = run_deadline(tmp_path, "2025-09-01", "contact", "--rules", "chongqing")
    assert result.returncode == 0
    first, second = result.stdout.splitlines()[:2]
    assert first == "2025-09-28"
    assert second.startswith(CHONGQING + "第十八条")


def test_deadline_command_refuses_a_clock_the_regulation_does_not_set(tmp_path):
    result = run_deadline(tmp_path, "2025-09-01", "contact", "--rules", "shanghai")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "与代表联系期限" in result.stderr


@pytest.mark.django_db
def test_rules_for_reads_the_congress(world):
    world.congress.rule_set = RuleSetName.QINGDAO
    world.congress.extension_mode = "add"
    assert rules_for(world.congress).extension_mode == "add"
    assert rules_for(world.congress).rule(Clock.REHANDLING) is None
