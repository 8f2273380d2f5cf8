"""Handling statistics (suggestions/statistics.py): definitions and bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suggestions.statistics import (
    Rate,
    congress_statistics,
    refresh,
    session_statistics,
    session_table,
    unit_statistics,
    unit_table,
)
from tests import lifecycle
from tests.factories import HandlingUnitFactory

LONG_AGO = dt.date(2024, 1, 10)  # reply due 2024-04-10


@pytest.fixture
def handled(world):
    """Six registered suggestions in different stages, plus a draft and a submitted one."""
    lifecycle.evaluated(world, title="一：满意", category="A")
    lifecycle.replied(world, title="二：逾期答复", category="B", assigned_on=LONG_AGO)
    lifecycle.assigned(world, title="三：超期未复", assigned_on=LONG_AGO)
    lifecycle.assigned(world, title="四：未到期", co_unit=True)
    lifecycle.registered(world, title="五：已立案")
    lifecycle.evaluated(world, title="六：不满意", rating="dissatisfied", category="C")
    lifecycle.draft(world, title="七：草稿")
    lifecycle.submitted(world, title="八：已提交")
    return world


def assert_handling_figures(stats):
    assert stats.assigned == 5
    assert stats.replied == 3  # 一 closed, 二 replied, 六 rehandling
    assert stats.reply_rate == Rate(3, 5)
    # due by now: 一, 二, 六 replied + 三 overdue; on time: 一 and 六
    assert stats.on_time_rate == Rate(2, 4)
    assert stats.satisfaction_first_round == Rate(1, 2)
    assert stats.satisfaction_final == Rate(1, 1)  # 六 is still being re-handled
    assert stats.categories == {"A": 1, "B": 1, "C": 1, "D": 0}
    assert stats.category_shares["A"] == Rate(1, 3)
    assert stats.overdue_now == 1


def test_congress_statistics(handled):
    stats = congress_statistics(handled.congress)
    assert (stats.scope, stats.scope_id, stats.scope_name) == (
        "congress",
        handled.congress.pk,
        "郴州市人民代表大会",
    )
    assert stats.registered == 6
    assert_handling_figures(stats)


def test_session_statistics_match_and_table_lists_every_session(handled):
    stats = session_statistics(handled.session)
    assert stats.scope == "session" and stats.registered == 6
    assert_handling_figures(stats)
    table = session_table(handled.congress)
    assert [row.scope_id for row in table] == [handled.session.pk]


def test_unit_statistics_count_responsible_assignments_only(handled):
    lead = unit_statistics(handled.lead_unit)
    assert lead.registered is None
    assert_handling_figures(lead)
    co = unit_statistics(handled.co_unit)  # co-handling unit of 四: does not reply
    assert (co.assigned, co.replied, co.overdue_now) == (0, 0, 0)
    assert co.reply_rate.value is None and co.reply_rate.percent == "—"


def test_unit_table_has_a_row_per_unit(handled):
    rows = {row.scope_name: row for row in unit_table(handled.congress)}
    assert set(rows) == {"郴州市人民政府", "郴州高新区", "郴州经开区"}
    assert rows["郴州市人民政府"].assigned == 5
    assert rows["郴州经开区"].assigned == 0


def test_overdue_depends_on_today(handled):
    assert congress_statistics(handled.congress, today=LONG_AGO).overdue_now == 0
    later = timezone.localdate() + dt.timedelta(days=400)
    # then 四 (assigned today) is overdue too; 六's re-handling due date has passed as well
    assert congress_statistics(handled.congress, today=later).overdue_now == 3


def test_rate_value_and_percent():
    assert Rate(1, 8).value == 0.125 and Rate(1, 8).percent == "12.5%"
    assert Rate(0, 0).value is None


def test_queries_are_bounded_whatever_the_number_of_units(handled):
    # The counting runs in the rollup's refresh; readers read what it stored.
    def queries(call) -> int:
        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured.captured_queries)

    refresh(handled.congress)  # the first one also creates the congress's lock row
    few_refresh = queries(lambda: refresh(handled.congress))
    few = queries(lambda: unit_table(handled.congress))
    for i in range(10):
        HandlingUnitFactory(congress=handled.congress, name=f"新增单位{i}")
    assert queries(lambda: refresh(handled.congress)) == few_refresh
    many = queries(lambda: unit_table(handled.congress))
    rows = unit_table(handled.congress)
    assert len(rows) == 13
    assert many == few <= 3  # snapshot, groups, the congress's reply categories
