"""The staff workbench: a clerk's queues (to review, to register, to assign, awaiting
evaluation, key supervision, follow-up, overdue replies, follow-up reviews due), each with a
capped count and its first rows, and each queue's own bounded pages. Staff see only their
own congress's suggestions (`access.readable_suggestions(user, Audience.STAFF)`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from suggestions import access
from suggestions.access import Audience
from suggestions.annotations import key_supervised
from suggestions.models import (
    Assignment,
    FollowUpReview,
    Reply,
    State,
    Suggestion,
)
from suggestions.params import BadQueryParameter, int_param
from suggestions.progress import next_steps
from suggestions.reminders.selectors import failed_reminders_for

from .paging import bounded_page, capped_count, rows_for
from .roles import staff_required
from .staff import with_list_rows
from .staff_calendar import years_to_enter

# Rows of each queue on the overview; a queue's own page (`?queue=…`) pages through it.
QUEUE_PREVIEW = 5
PAGE_SIZE = 20
# Counting every overdue assignment of a large congress cost more than the rest of the page
# (README, "Performance"): the overview's counts stop at OVERVIEW_COUNT_CAP ("100+"), a
# queue's own pages count and reach QUEUE_COUNT_CAP rows. The overdue queue narrows to one
# unit with `?unit=`.
OVERVIEW_COUNT_CAP = 100
QUEUE_COUNT_CAP = 1000


def _staff_suggestions(user):
    return access.readable_suggestions(user, Audience.STAFF).select_related(
        "congress", "session", "lead_deputy__person"
    )


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    queryset: QuerySet
    help: str = ""


def _suggestion_queues(mine: QuerySet[Suggestion]) -> list[Queue]:
    submitted = mine.filter(state=State.SUBMITTED).order_by("filed_on", "pk")
    # `round <= handling_round` always holds (a reply belongs to a round already reached); it
    # makes the EXISTS a probe of `reply_to_follow_up` per row walked (0.6 ms at 100,000
    # suggestions) instead of a hash of every B/C reply built first (33,351 rows, 20-110 ms),
    # which PostgreSQL otherwise chooses for an EXISTS under OR.
    to_follow = Exists(
        Reply.objects.filter(
            suggestion=OuterRef("pk"),
            carries_promise=True,
            round__lte=OuterRef("handling_round"),
        )
    )
    return [
        Queue(
            "review",
            _("待审查"),
            submitted.filter(returned_at_version__isnull=True),
            _("新提交的建议：立案、退回修改、不予立案或并案"),
        ),
        Queue(
            "register",
            _("修改后待立案"),
            submitted.filter(returned_at_version__isnull=False),
            _("代表按审查意见修改后重新提交的建议"),
        ),
        Queue("assign", _("待交办"), mine.filter(state=State.REGISTERED).order_by("number", "pk")),
        Queue(
            "evaluation",
            _("待代表测评"),
            mine.filter(state=State.REPLIED).order_by("evaluation_due_on", "pk"),
        ),
        Queue(
            "key",
            _("重点督办"),
            mine.filter(key_supervised())
            .exclude(state__in=[State.COMPLETED, State.WITHDRAWN])
            .order_by("number", "pk"),
        ),
        Queue(
            "follow_up",
            _("跟踪落实"),
            mine.filter(state__in=[State.FOLLOW_UP, State.CLOSED])
            .filter(Q(state=State.FOLLOW_UP) | Q(to_follow))
            .order_by("pk"),
            _("答复为B、C类待跟踪的，以及正在回头看的建议"),
        ),
    ]


def _overdue(mine: QuerySet[Suggestion], today) -> QuerySet[Assignment]:
    """Responsible assignments past their binding deadline without this round's reply, the
    longest overdue first (the partial index `assignment_overdue_queue` serves this order)."""
    return (
        Assignment.objects.overdue(today)
        .responsible()
        .filter(suggestion__in=mine)
        .order_by("binding_due", "pk")
    )


def _follow_up_due(mine: QuerySet[Suggestion], today) -> QuerySet[FollowUpReview]:
    return FollowUpReview.objects.filter(
        suggestion__in=mine, is_done=False, due_on__isnull=False, due_on__lte=today
    ).order_by("due_on", "pk")


OTHER_QUEUES = ("overdue", "follow_up_due")


@staff_required
def workbench(request: HttpRequest) -> HttpResponse:
    """Every queue's capped count and first rows; with `?queue=KEY` one queue, paginated.
    Nothing here reads a whole queue: counts stop at COUNT_CAP, rows are one page."""
    mine = _staff_suggestions(request.user)
    today = timezone.localdate()
    queues = _suggestion_queues(mine)
    chosen = request.GET.get("queue", "")
    keys = [q.key for q in queues] + list(OTHER_QUEUES)
    if chosen and chosen not in keys:
        raise BadQueryParameter(
            "queue", _("参数 queue 须为 %(keys)s 之一") % {"keys": "、".join(keys)}
        )
    number = int_param(request.GET, "page") or 1
    context = {
        "chosen": chosen,
        "count_cap": QUEUE_COUNT_CAP if chosen else OVERVIEW_COUNT_CAP,
        "failed_reminder_count": capped_count(
            failed_reminders_for(request.user), OVERVIEW_COUNT_CAP
        ),
        "years_to_enter": years_to_enter(today),
    }
    overdue = _overdue(mine, today).select_related("unit", "suggestion").defer("suggestion__body")
    if (unit_id := int_param(request.GET, "unit")) is not None:
        overdue = overdue.filter(unit_id=unit_id)
        context["unit_id"] = unit_id
    follow_up_due = (
        _follow_up_due(mine, today).select_related("suggestion").defer("suggestion__body")
    )
    if chosen == "overdue":
        page = bounded_page(overdue, number, PAGE_SIZE, cap=QUEUE_COUNT_CAP)
        context.update(page=page, title=_("逾期未答复"), overdue=rows_for(page, overdue))
    elif chosen == "follow_up_due":
        page = bounded_page(follow_up_due, number, PAGE_SIZE, cap=QUEUE_COUNT_CAP)
        context.update(
            page=page, title=_("回头看到期"), follow_up_due=rows_for(page, follow_up_due)
        )
    elif chosen:
        queue = next(q for q in queues if q.key == chosen)
        page = bounded_page(queue.queryset, number, PAGE_SIZE, cap=QUEUE_COUNT_CAP)
        rows = rows_for(page, with_list_rows(mine))
        context.update(
            page=page,
            title=queue.title,
            queues=[_section(queue, page.paginator.count, rows)],
        )
    else:
        context.update(_overview(mine, queues, overdue, follow_up_due))
    return render(request, "web/staff/workbench.html", context)


def _section(queue: Queue, count: int, rows: list[Suggestion]) -> dict:
    return {
        "key": queue.key,
        "title": queue.title,
        "help": queue.help,
        "count": count,
        "more": count > len(rows),
        "rows": [(s, next_steps(s)) for s in rows],
    }


def _first_ids(queryset: QuerySet) -> list[int]:
    """The first OVERVIEW_COUNT_CAP + 1 primary keys of `queryset`, in its order: its first
    rows and its capped count in one query."""
    return list(queryset.values_list("pk", flat=True)[: OVERVIEW_COUNT_CAP + 1])


def _overview(mine, queues: list[Queue], overdue, follow_up_due) -> dict:
    """Each queue's capped count and first rows: one query of ids per queue, then the
    previewed suggestions all at once."""
    ids = {q.key: _first_ids(q.queryset) for q in queues}
    wanted = {pk for found in ids.values() for pk in found[:QUEUE_PREVIEW]}
    by_pk = {s.pk: s for s in with_list_rows(mine).filter(pk__in=wanted)}
    sections = [
        _section(q, len(ids[q.key]), [by_pk[pk] for pk in ids[q.key][:QUEUE_PREVIEW]])
        for q in queues
    ]
    overdue_ids = _first_ids(overdue)
    follow_up_ids = _first_ids(follow_up_due)
    overdue_rows = {a.pk: a for a in overdue.filter(pk__in=overdue_ids[:QUEUE_PREVIEW])}
    follow_up_rows = {r.pk: r for r in follow_up_due.filter(pk__in=follow_up_ids[:QUEUE_PREVIEW])}
    return {
        "queues": sections,
        "overdue": [overdue_rows[pk] for pk in overdue_ids[:QUEUE_PREVIEW] if pk in overdue_rows],
        "overdue_count": len(overdue_ids),
        "follow_up_due": [
            follow_up_rows[pk] for pk in follow_up_ids[:QUEUE_PREVIEW] if pk in follow_up_rows
        ],
        "follow_up_due_count": len(follow_up_ids),
    }
