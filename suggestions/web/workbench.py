"""The staff workbench: a clerk's queues (to review, to register, to assign, awaiting
evaluation, key supervision, follow-up, overdue replies, follow-up reviews due), each with a
capped count and its first rows, and each queue's own bounded pages. Staff see only their
own congress's suggestions (`access.readable_suggestions(user, Audience.STAFF)`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
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

from .paging import bounded_page, rows_for
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


# What a row of each queue shows, read by the primary keys of a page of the queue (taken
# from the staff's own suggestions above, so not filtered by them a second time).
_SUGGESTION_ROWS = with_list_rows(Suggestion.objects.all())
# A suggestion reads its state when it is built (django-fsm's concurrency check): it is
# loaded with the title the rows show.
_OVERDUE_ROWS = (
    Assignment.objects.with_binding_due()
    .select_related("unit", "suggestion")
    .only("unit__name", "suggestion__title", "suggestion__state")
    .order_by()
)
_FOLLOW_UP_ROWS = (
    FollowUpReview.objects.select_related("suggestion")
    .only("due_on", "suggestion__title", "suggestion__state")
    .order_by()
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
    mine = access.readable_suggestions(request.user, Audience.STAFF)
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
        "years_to_enter": years_to_enter(today),
    }
    overdue = _overdue(mine, today)
    if (unit_id := int_param(request.GET, "unit")) is not None:
        overdue = overdue.filter(unit_id=unit_id)
        context["unit_id"] = unit_id
    follow_up_due = _follow_up_due(mine, today)
    if chosen == "overdue":
        page = bounded_page(overdue, number, PAGE_SIZE, cap=QUEUE_COUNT_CAP)
        context.update(page=page, title=_("逾期未答复"), overdue=rows_for(page, _OVERDUE_ROWS))
    elif chosen == "follow_up_due":
        page = bounded_page(follow_up_due, number, PAGE_SIZE, cap=QUEUE_COUNT_CAP)
        context.update(
            page=page, title=_("回头看到期"), follow_up_due=rows_for(page, _FOLLOW_UP_ROWS)
        )
    elif chosen:
        queue = next(q for q in queues if q.key == chosen)
        page = bounded_page(queue.queryset, number, PAGE_SIZE, cap=QUEUE_COUNT_CAP)
        rows = rows_for(page, _SUGGESTION_ROWS)
        context.update(
            page=page,
            title=queue.title,
            queues=[_section(queue, page.paginator.count, rows)],
        )
    else:
        context.update(
            _overview(queues, overdue, follow_up_due, failed_reminders_for(request.user).order_by())
        )
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


def _heads(querysets: list[QuerySet], cap: int, first: int) -> list[tuple[list[int], int]]:
    """For each queryset, its first `first` primary keys in its order and its number of rows
    counted up to `cap` + 1, all from one query: a UNION ALL of one sub-select per queryset
    reading at most `cap` + 1 rows (eight queues and the failed reminders were nine round
    trips). A union keeps no order, so each sub-select numbers its rows."""
    parts, params = [], []
    for index, queryset in enumerate(querysets):
        query = queryset.query
        order = query.order_by or (queryset.model._meta.ordering if query.default_ordering else ())
        numbered = queryset.annotate(
            head_pk=F("pk"), position=Window(RowNumber(), order_by=list(order) or None)
        ).values_list("head_pk", "position")[: cap + 1]
        try:
            sql, sub_params = numbered.query.sql_with_params()
        except EmptyResultSet:  # a queryset that can hold nothing (`none()`)
            continue
        counted = (
            f"SELECT {index} AS queue, head_pk, position, COUNT(*) OVER () AS counted "
            f"FROM ({sql}) numbered{index}"
        )
        parts.append(f"SELECT * FROM ({counted}) head{index} WHERE position <= {int(first)}")
        params.extend(sub_params)
    heads: list[tuple[list[int], int]] = [([], 0) for _ in querysets]
    if not parts:
        return heads
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], row[2]))  # queue, position
    for index, pk, _position, counted in rows:
        heads[index] = (heads[index][0] + [pk], counted)
    return heads


def _overview(queues: list[Queue], overdue, follow_up_due, failed_reminders) -> dict:
    """Each queue's capped count and first rows: the first rows' ids and the count of every
    queue in one query, then the previewed rows of each kind all at once."""
    *heads, (overdue_ids, overdue_count), (follow_up_ids, follow_up_count), (_, failed) = _heads(
        [q.queryset for q in queues] + [overdue, follow_up_due, failed_reminders],
        OVERVIEW_COUNT_CAP,
        QUEUE_PREVIEW,
    )
    wanted = [pk for ids, _count in heads for pk in ids]
    by_pk = _by_pk(_SUGGESTION_ROWS, wanted)
    sections = [
        _section(q, count, [by_pk[pk] for pk in ids if pk in by_pk])
        for q, (ids, count) in zip(queues, heads, strict=True)
    ]
    overdue_rows = _by_pk(_OVERDUE_ROWS, overdue_ids)
    follow_up_rows = _by_pk(_FOLLOW_UP_ROWS, follow_up_ids)
    return {
        "queues": sections,
        "overdue": [overdue_rows[pk] for pk in overdue_ids if pk in overdue_rows],
        "overdue_count": overdue_count,
        "follow_up_due": [follow_up_rows[pk] for pk in follow_up_ids if pk in follow_up_rows],
        "follow_up_due_count": follow_up_count,
        "failed_reminder_count": failed,
    }


def _by_pk(queryset: QuerySet, ids: list[int]) -> dict:
    return {row.pk: row for row in queryset.filter(pk__in=ids)} if ids else {}
