"""The deadline calculator on real calendar dates, its explanations and its command."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from congress.models import CalendarOverride
from suggestions.deadlines import (
    Period,
    WorkingCalendar,
    add_months,
    compute_deadline,
    parse_date,
)

NO_OVERRIDES = WorkingCalendar(overrides={})


def due(start: str, period: str) -> dt.date:
    return compute_deadline(dt.date.fromisoformat(start), period, calendar_=NO_OVERRIDES).due


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        # National Day 2025: 10-01..10-08 off, so 3 months from 07-01 lands on 10-09.
        ("2025-07-01", "3m", "2025-10-09"),
        # DESIGN.md's example: a Sunday rolls to Monday.
        ("2022-01-10", "3m", "2022-04-11"),
        # A plain working day stays.
        ("2025-03-03", "3m", "2025-06-03"),
        # Month ends clamp to the shorter month.
        ("2025-01-31", "1m", "2025-02-28"),
        ("2024-01-31", "1m", "2024-02-29"),
        # Spring Festival 2025: 01-28..02-04 off (02-08 is a make-up Saturday).
        ("2025-01-18", "10d", "2025-02-05"),
        # Calendar days landing on a make-up Saturday stay there: it is a working day.
        ("2025-09-18", "10d", "2025-09-28"),
        # Working days: 09-28 (Sunday) and 10-11 (Saturday) are make-up workdays.
        ("2025-09-26", "1wd", "2025-09-28"),
        ("2025-09-26", "7wd", "2025-10-13"),
        ("2025-07-01", "7wd", "2025-07-10"),
        ("2025-07-01", "20wd", "2025-07-29"),
    ],
)
def test_due_dates_on_the_real_calendar(start, period, expected):
    assert due(start, period) == dt.date.fromisoformat(expected)


def test_explanation_names_start_nominal_reason_and_result():
    deadline = compute_deadline(
        dt.date(2025, 7, 1), "3m", start_label="交办", calendar_=NO_OVERRIDES
    )
    assert deadline.nominal == dt.date(2025, 10, 1)
    assert (
        deadline.explanation == "交办 2025-07-01 + 3个月 = 2025-10-01（国庆节），顺延 → 2025-10-09"
    )


def test_explanation_for_a_weekend_names_the_weekday():
    deadline = compute_deadline(dt.date(2022, 1, 10), "3m", calendar_=NO_OVERRIDES)
    assert deadline.explanation == "2022-01-10 + 3个月 = 2022-04-10（星期日），顺延 → 2022-04-11"


def test_explanation_when_no_roll_is_needed():
    deadline = compute_deadline(dt.date(2025, 3, 3), "3m", calendar_=NO_OVERRIDES)
    assert deadline.explanation == "2025-03-03 + 3个月 = 2025-06-03（星期二，工作日）"


@pytest.mark.django_db
def test_override_table_wins_over_the_package():
    # Say staff learn of an extra day off on 2025-10-09 (fictional, for the test only).
    CalendarOverride.objects.create(
        date=dt.date(2025, 10, 9), is_working_day=False, note="测试放假"
    )
    deadline = compute_deadline(dt.date(2025, 7, 1), "3m")
    assert deadline.due == dt.date(2025, 10, 10)
    # And a make-up workday the package does not know moves a roll-forward back.
    CalendarOverride.objects.create(date=dt.date(2022, 4, 10), is_working_day=True, note="测试调休")
    assert compute_deadline(dt.date(2022, 1, 10), "3m").due == dt.date(2022, 4, 10)


@pytest.mark.parametrize("text", ["3y", "", "m", "-3m", "3 months", "0d", "3wdd"])
def test_bad_periods_are_refused_with_the_problem_named(text):
    with pytest.raises(ValueError, match="期限"):
        Period.parse(text)


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13-01", "yesterday", ""])
def test_bad_dates_are_refused(text):
    with pytest.raises(ValueError, match="日期"):
        parse_date(text)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2027, 12, 31)),
    amount=st.integers(min_value=1, max_value=24),
    unit=st.sampled_from(["m", "d", "wd"]),
)
def test_due_is_always_a_working_day_on_or_after_the_nominal_date(start, amount, unit):
    deadline = compute_deadline(start, f"{amount}{unit}", calendar_=NO_OVERRIDES)
    assert NO_OVERRIDES.is_working_day(deadline.due)
    assert deadline.due >= deadline.nominal > start
    if unit != "wd":
        # Rolling forward never skips a working day.
        day = deadline.nominal
        while day < deadline.due:
            assert not NO_OVERRIDES.is_working_day(day)
            day += dt.timedelta(days=1)
    assert deadline.due.isoformat() in deadline.explanation


@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
    months=st.integers(min_value=0, max_value=120),
)
def test_add_months_keeps_the_day_or_clamps_to_month_end(start, months):
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day == start.day or result.day < start.day


@pytest.mark.django_db
def test_command_prints_due_date_first_then_explanation(capsys):
    call_command("deadline", "2025-07-01", "3m")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2025-10-09"
    assert "2025-07-01 + 3个月 = 2025-10-01" in lines[1]
    assert lines[1].endswith("→ 2025-10-09")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "period", "message"),
    [
        ("2025-02-30", "3m", "日期「2025-02-30」无效"),
        ("2025-07-01", "3y", "无法识别的期限「3y」"),
    ],
)
def test_command_bad_input_exits_2_naming_the_problem(start, period, message):
    with pytest.raises(CommandError, match=message) as excinfo:
        call_command("deadline", start, period)
    assert excinfo.value.returncode == 2


def test_command_exit_status_is_2_from_the_shell(tmp_path):
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}

    def run(*args):
        return subprocess.run(
            [sys.executable, "manage.py", "deadline", *args],
            cwd=root,
            capture_output=True,
            text=True,
            env=env,
        )

    proc = run("2025-02-30", "3m")
    assert proc.returncode == 2
    assert "2025-02-30" in proc.stderr
    ok = run("2025-07-01", "7wd")
    assert ok.returncode == 0
    assert ok.stdout.splitlines()[0] == "2025-07-10"
