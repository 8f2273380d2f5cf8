"""The list rows and facets built in Python (suggestions/templatetags/list_rows.py,
suggestions/web/facets.py): what they show, that they escape what people typed, and that
cached facets follow every write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from congress.models import HandlingUnit
from suggestions.api import public_cache
from suggestions.models import Assignment, State, SupervisionPlan, UnitRole
from suggestions.progress import NextStep
from suggestions.templatetags.list_rows import facet_options, next_steps_list
from tests.factories import SuggestionFactory
from tests.web_support import count_queries

pytestmark = [pytest.mark.django_db]


def test_a_row_escapes_what_people_typed(client, world):
    world.lead_unit.name = "<b>单位</b>"
    world.lead_unit.save()
    s = SuggestionFactory(
        lead_deputy=world.deputy,
        session=world.session,
        state=State.ASSIGNED,
        number=3,
        title='<script>alert("x")</script>关于标题',
        topic="交通&安全",
        filed_on=dt.date(2024, 1, 2),
    )
    Assignment.objects.create(
        suggestion=s,
        unit=world.lead_unit,
        role=UnitRole.LEAD,
        assigned_on=dt.date(2024, 2, 1),
        due_on=timezone.localdate() + dt.timedelta(days=10),
        due_explanation="<i>三个月</i>",
    )
    html = client.get("/suggestions/").content.decode()
    assert "<script>" not in html and "<b>单位</b>" not in html and "<i>三个月</i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;关于标题" in html
    assert "交通&amp;安全" in html
    assert "&lt;b&gt;单位&lt;/b&gt;（主办）" in html
    assert '<span class="badge state-assigned">办理中</span>' in html
    assert "第3号" in html and "领衔代表 汤欣平" in html
    assert "（还剩 10 天）" in html and "&lt;i&gt;三个月&lt;/i&gt;" in html


def test_next_steps_markup():
    due = timezone.localdate() - dt.timedelta(days=2)
    html = next_steps_list([NextStep("单位<甲>", "办理并答复代表", due, "")])
    assert html == (
        '<ul class="next-step">\n<li><strong>单位&lt;甲&gt;</strong>：办理并答复代表，期限 '
        f'<time datetime="{due.isoformat()}">{due.isoformat()}</time> '
        '<span class="due-overdue">（已逾期 2 天）</span>\n</li>\n</ul>'
    )
    assert next_steps_list([]) == '<p class="muted">目前没有待办事项。</p>'


def test_facet_options_select_the_chosen_value():
    html = facet_options([(1, "甲"), (12, "乙&丙")], "12")
    assert html == '<option value="1">甲</option><option value="12" selected>乙&amp;丙</option>'


def test_cached_facets_show_a_new_unit_and_topic_at_once(client, world):
    public_cache.outage.reset()  # an earlier test's simulated Redis outage leaves the cache alone
    SuggestionFactory(
        lead_deputy=world.deputy, session=world.session, state=State.REGISTERED, topic="交通"
    )
    first = count_queries(client, "/suggestions/")
    second = count_queries(client, "/suggestions/")
    # congresses, sessions, units, topics and the congresses' own reply categories come from
    # the cache, and the names rows show (congresses, sessions, deputies) and the entered
    # calendar years are kept with them
    assert second == first - 9
    HandlingUnit.objects.create(congress=world.congress, name="新设的单位")
    SuggestionFactory(
        lead_deputy=world.deputy, session=world.session, state=State.REGISTERED, topic="教育"
    )
    html = client.get("/suggestions/").content.decode()
    assert "新设的单位</option>" in html
    assert '<option value="教育">教育</option>' in html
    assert '<option value="交通">交通</option>' in html


def test_the_key_badge_marks_only_suggestions_under_a_supervision_plan(client, world):
    plan = SupervisionPlan.objects.create(congress=world.congress, theme="重点督办主题")
    for title in ("受督办的建议", "普通的建议"):
        s = SuggestionFactory(
            lead_deputy=world.deputy, session=world.session, state=State.REGISTERED, title=title
        )
        if title == "受督办的建议":
            plan.suggestions.add(s)
    for url in ("/", "/suggestions/"):
        rows = client.get(url).content.decode().split("<li>\n  <h3>")[1:]
        marked = {row.split("</a>")[0].split(">")[-1]: 'class="badge key"' in row for row in rows}
        assert marked == {"受督办的建议": True, "普通的建议": False}, url
