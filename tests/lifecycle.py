"""Drive suggestions through the real services to a given point (for tests and benchmarks).

Each helper takes the `world` fixture (tests/conftest.py) and returns the suggestion, so a
test states what it needs in one line: `replied(world, title=..., category="B")`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from suggestions import services


def draft(world, *, title="关于加快推进电池产业发展的建议", body="建议正文。", deputy=None):
    deputy = deputy or world.deputy
    return services.suggestion_create_draft(
        actor=deputy.person.user,
        lead_deputy=deputy,
        title=title,
        body=body,
        session=world.session,
    )


def submitted(world, **kwargs):
    suggestion = draft(world, **kwargs)
    services.suggestion_submit(suggestion=suggestion, actor=suggestion.lead_deputy.person.user)
    return suggestion


def registered(world, **kwargs):
    suggestion = submitted(world, **kwargs)
    services.suggestion_register(suggestion=suggestion, actor=world.staff)
    return suggestion


def assigned(world, *, assigned_on: dt.date | None = None, co_unit=False, **kwargs):
    suggestion = registered(world, **kwargs)
    services.suggestion_assign(
        suggestion=suggestion,
        actor=world.staff,
        lead_unit=world.lead_unit,
        co_units=[world.co_unit] if co_unit else [],
        assigned_on=assigned_on,
    )
    return suggestion


def replied(
    world,
    *,
    category="A",
    reply_text="已经解决。",
    replied_at: dt.datetime | None = None,
    publish=False,
    **kwargs,
):
    suggestion = assigned(world, **kwargs)
    assignment = suggestion.assignments.get(unit=world.lead_unit)
    for co in suggestion.assignments.filter(role="co"):
        services.co_opinion_submit(assignment=co, actor=world.co_unit_user, text="协办意见。")
    services.contact_record(
        assignment=assignment,
        actor=world.lead_unit_user,
        method="meeting",
        contacted_on=timezone.localdate(),
    )
    reply = services.suggestion_reply(
        suggestion=suggestion,
        actor=world.lead_unit_user,
        category=category,
        text=reply_text,
        signer="张三",
        now=replied_at,
    )
    if publish:
        services.reply_publish(reply=reply, actor=world.staff)
    suggestion.refresh_from_db()
    return suggestion


def evaluated(world, *, rating="satisfied", **kwargs):
    suggestion = replied(world, **kwargs)
    services.suggestion_evaluate(
        suggestion=suggestion, actor=suggestion.lead_deputy.person.user, rating=rating
    )
    suggestion.refresh_from_db()
    return suggestion
