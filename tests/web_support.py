"""Helpers shared by the web page tests."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suggestions.models import (
    Assignment,
    Event,
    Reply,
    State,
    SupervisionPlan,
    UnitRole,
)
from tests.factories import DeputyFactory, SuggestionFactory


def login(client, user) -> None:
    client.force_login(user)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


_numbers = itertools.count(1000)


def bulk_public_suggestions(world, n: int) -> list:
    """`n` public suggestions with what list rows show: units, replies, a plan, events."""
    plan = SupervisionPlan.objects.create(congress=world.congress, theme="重点督办主题")
    made = []
    deputies = [world.deputy] + [DeputyFactory(term=world.term) for _ in range(3)]
    for i in range(n):
        state = (State.REGISTERED, State.ASSIGNED, State.REPLIED, State.CLOSED)[i % 4]
        s = SuggestionFactory(
            lead_deputy=deputies[i % len(deputies)],
            session=world.session,
            state=state,
            number=next(_numbers),
            title=f"关于批量测试第{i}件事的建议",
            filed_on=dt.date(2024, 1, 1) + dt.timedelta(days=i % 300),
        )
        if state != State.REGISTERED:
            lead = Assignment.objects.create(
                suggestion=s,
                unit=world.lead_unit,
                role=UnitRole.LEAD,
                assigned_on=dt.date(2024, 2, 1),
                due_on=dt.date(2024, 5, 6),
            )
            Assignment.objects.create(
                suggestion=s,
                unit=world.co_unit,
                role=UnitRole.CO,
                assigned_on=dt.date(2024, 2, 1),
                due_on=dt.date(2024, 3, 1),
            )
            if state in (State.REPLIED, State.CLOSED):
                Reply.objects.create(
                    suggestion=s,
                    assignment=lead,
                    category="B",
                    category_label="B 正在解决或者列入规划逐步解决",
                    carries_promise=True,
                    text="答复内容",
                    public_text="答复内容",  # nothing to remove; what reply_publish stores
                    signer="张三",
                    replied_at=timezone.now(),
                    published_at=timezone.now(),
                )
        if i % 3 == 0:
            plan.suggestions.add(s)
        Event.objects.create(
            suggestion=s, action="register", action_label="立案", occurred_at=timezone.now()
        )
        made.append(s)
    # Rows written past the services: compute their open work as the services would.
    Assignment.objects.filter(suggestion__in=made).refresh_open_work()
    return made
