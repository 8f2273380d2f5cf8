"""The staff workbench: queues, one suggestion with every staff action, the dashboard; and the
leader's page of supervised items. Staff see only their own congress's suggestions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from suggestions import access, services
from suggestions.access import Audience
from suggestions.annotations import key_supervised
from suggestions.deadlines import compute_deadline
from suggestions.models import (
    Assignment,
    AssignmentStatus,
    FollowUpReview,
    Reply,
    ReplyCategory,
    State,
    Suggestion,
)
from suggestions.params import BadQueryParameter, int_param
from suggestions.progress import next_steps
from suggestions.public_projection import deputy_contact_values, is_public, public_reply_text
from suggestions.reminders.selectors import failed_reminders_for

from .actions import ActionPage
from .forms import (
    ActivityForm,
    AssignForm,
    CompleteForm,
    EmptyForm,
    ExtendForm,
    FollowUpForm,
    MergeForm,
    OutcomeForm,
    PublishReplyForm,
    ReassignForm,
    RefuseForm,
    ReturnForm,
    SupervisionPlanForm,
    WithholdForm,
)
from .paging import bounded_page, capped_count, rows_for
from .roles import leader_required, staff_required

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


def _with_rows(queryset):
    return queryset.prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
        "replies",
        "follow_up_reviews",
        "supervision_plans",
    )


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    queryset: QuerySet
    help: str = ""


def _suggestion_queues(mine: QuerySet[Suggestion]) -> list[Queue]:
    submitted = mine.filter(state=State.SUBMITTED).order_by("filed_on", "pk")
    to_follow = Exists(
        Reply.objects.filter(
            suggestion=OuterRef("pk"), category__in=[ReplyCategory.B, ReplyCategory.C]
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
            mine.filter(Q(state=State.FOLLOW_UP) | Q(to_follow, state=State.CLOSED)).order_by("pk"),
            _("答复为B、C类待跟踪的，以及正在回头看的建议"),
        ),
    ]


def _overdue(mine: QuerySet[Suggestion], today) -> QuerySet[Assignment]:
    """Responsible assignments past their binding deadline without this round's reply, the
    longest overdue first (the partial index `assignment_open_due` serves this order)."""
    return (
        Assignment.objects.active()
        .responsible()
        .filter(suggestion__in=mine.filter(state__in=[State.ASSIGNED, State.REHANDLING]))
        .annotate(binding_due=Coalesce("rehandling_due_on", "due_on"))
        .filter(binding_due__lt=today)
        .exclude(replies__round=F("suggestion__handling_round"))
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
    }
    overdue = _overdue(mine, today).select_related("unit", "suggestion")
    if (unit_id := int_param(request.GET, "unit")) is not None:
        overdue = overdue.filter(unit_id=unit_id)
        context["unit_id"] = unit_id
    follow_up_due = _follow_up_due(mine, today).select_related("suggestion")
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
        rows = rows_for(page, _with_rows(mine))
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
    by_pk = {s.pk: s for s in _with_rows(mine).filter(pk__in=wanted)}
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


@method_decorator(staff_required, name="dispatch")
class StaffSuggestionPage(ActionPage):
    template_name = "web/staff/detail.html"
    actions = {
        "return_for_revision": ReturnForm,
        "register": EmptyForm,
        "refuse": RefuseForm,
        "merge": MergeForm,
        "assign": AssignForm,
        "extend": ExtendForm,
        "reassign": ReassignForm,
        "publish": PublishReplyForm,
        "withhold": WithholdForm,
        "plan": SupervisionPlanForm,
        "activity": ActivityForm,
        "start_follow_up": FollowUpForm,
        "complete": CompleteForm,
        "outcome": OutcomeForm,
    }
    transitions = (
        "return_for_revision",
        "register",
        "refuse",
        "merge",
        "assign",
        "reassign",
        "start_follow_up",
        "complete",
    )
    conditions_from_form = frozenset({"assign"})

    def get_object(self) -> Suggestion:
        return access.suggestion_for(
            self.request.user,
            self.kwargs["pk"],
            Audience.STAFF,
            queryset=Suggestion.objects.select_related(
                "congress", "term", "session", "lead_deputy__person", "merged_into"
            ),
        )

    def form_kwargs(self, action: str) -> dict:
        if action in ("merge", "assign", "extend", "reassign", "plan", "activity"):
            return {"suggestion": self.object}
        if action == "return_for_revision":
            return {"initial": {"revision_days": self.object.congress.revision_days}}
        return {}

    def success_url(self) -> str:
        return reverse("web:staff-suggestion", args=[self.object.pk])

    def success_message(self, action: str) -> str:
        return _("已完成：%(action)s") % {"action": ACTION_LABELS.get(action, action)}

    def get_context(self) -> dict:
        s = self.object
        congress = s.congress
        today = timezone.localdate()
        preview = [
            compute_deadline(today, f"{congress.reply_months}m", start_label=_("交办")),
            compute_deadline(today, f"{congress.co_handling_months}m", start_label=_("交办")),
            compute_deadline(
                today, f"{congress.assignment_return_working_days}wd", start_label=_("交办")
            ),
        ]
        replies = list(s.replies.select_related("assignment__unit").order_by("round", "pk"))
        private = deputy_contact_values(s)
        projection = access.projection_for(self.request.user, s)
        title, body = access.readable_text(projection, s)
        return {
            "s": s,
            "title": title,
            "body": body,
            "deadline_preview": {
                "reply": preview[0],
                "co": preview[1],
                "return": preview[2],
            },
            "versions": access.readable_versions(projection, s),
            "cosignatures": s.cosignatures.select_related("deputy__person"),
            "assignments": s.assignments.select_related("unit").prefetch_related(
                "contacts", "co_opinions"
            ),
            "replies": [(r, public_reply_text(r, private)) for r in replies],
            "evaluations": s.evaluations.order_by("round"),
            "plans": s.supervision_plans.prefetch_related("activities").select_related(
                "committee", "lead_unit"
            ),
            "outcomes": s.outcomes.all(),
            "follow_ups": s.follow_up_reviews.all(),
            "events": access.present_events(
                projection,
                s,
                access.readable_events(projection, s).select_related("source", "actor__person"),
            ),
            "next_steps": next_steps(s),
            "public": is_public(s),
            "can_extend": s.state in (State.ASSIGNED, State.REHANDLING)
            and s.assignments.filter(status=AssignmentStatus.ACTIVE).exists(),
        }

    # ---- actions, each one service call ----

    def do_return_for_revision(self, form):
        services.suggestion_return_for_revision(
            suggestion=self.object,
            actor=self.request.user,
            comments=form.cleaned_data["comments"],
            revision_days=form.cleaned_data["revision_days"],
        )

    def do_register(self, form):
        services.suggestion_register(suggestion=self.object, actor=self.request.user)

    def do_refuse(self, form):
        services.suggestion_refuse(
            suggestion=self.object,
            actor=self.request.user,
            reason_code=form.cleaned_data["reason_code"],
            explanation=form.cleaned_data["explanation"],
        )

    def do_merge(self, form):
        services.suggestion_merge(
            suggestion=self.object,
            actor=self.request.user,
            target=form.cleaned_data["target"],
            reason=form.cleaned_data["reason"],
        )

    def do_assign(self, form):
        data = form.cleaned_data
        services.suggestion_assign(
            suggestion=self.object,
            actor=self.request.user,
            lead_unit=data["lead_unit"],
            co_units=list(data["co_units"]),
            separate_units=list(data["separate_units"]),
            assigned_on=data["assigned_on"],
        )

    def do_extend(self, form):
        services.assignment_extend(
            assignment=form.cleaned_data["assignment"],
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
            total_months=form.cleaned_data["total_months"],
        )

    def do_reassign(self, form):
        services.suggestion_reassign(
            suggestion=self.object,
            actor=self.request.user,
            assignment=form.cleaned_data["assignment"],
            reason=form.cleaned_data["reason"],
        )

    def do_publish(self, form):
        reply = Reply.objects.filter(pk=form.cleaned_data["reply"], suggestion=self.object).first()
        if reply is None:
            raise services.ValidationError({"reply": _("没有这份答复")})
        services.reply_publish(
            reply=reply, actor=self.request.user, redactions=form.cleaned_data["redactions"]
        )

    def do_withhold(self, form):
        services.suggestion_withhold(
            suggestion=self.object, actor=self.request.user, reason=form.cleaned_data["reason"]
        )

    def do_plan(self, form):
        data = form.cleaned_data
        services.supervision_plan_create(
            actor=self.request.user,
            congress=self.object.congress,
            theme=data["theme"],
            suggestions=[self.object],
            leader=data["leader"],
            leader_title=data["leader_title"],
            committee=data["committee"],
            lead_unit=data["lead_unit"],
            deadline=data["deadline"],
            decided_by=data["decided_by"],
        )

    def do_activity(self, form):
        data = form.cleaned_data
        services.supervision_activity_log(
            plan=data["plan"],
            actor=self.request.user,
            kind=data["kind"],
            title=data["title"],
            date=data["date"],
            conducted_by=data["conducted_by"],
            description=data["description"],
            is_public=data["is_public"],
        )

    def do_start_follow_up(self, form):
        services.suggestion_start_follow_up(
            suggestion=self.object,
            actor=self.request.user,
            due_on=form.cleaned_data["due_on"],
            reason=form.cleaned_data["reason"],
        )

    def do_complete(self, form):
        data = form.cleaned_data
        services.suggestion_complete(
            suggestion=self.object,
            actor=self.request.user,
            findings=data["findings"],
            date=data["date"],
            conducted_by=data["conducted_by"],
        )

    def do_outcome(self, form):
        data = form.cleaned_data
        services.outcome_record(
            suggestion=self.object,
            actor=self.request.user,
            kind=data["kind"],
            title=data["title"],
            issuing_body=data["issuing_body"],
            date=data["date"],
            description=data["description"],
        )


def _action_labels() -> dict[str, str]:
    return {
        "return_for_revision": _("退回修改"),
        "register": _("立案"),
        "refuse": _("不予立案"),
        "merge": _("并案"),
        "assign": _("交办"),
        "extend": _("延期"),
        "reassign": _("退办重新交办"),
        "publish": _("公开答复"),
        "withhold": _("不予公开"),
        "plan": _("列为重点督办"),
        "activity": _("记录督办活动"),
        "start_follow_up": _("跟踪落实"),
        "complete": _("落实完毕"),
        "outcome": _("记录办理成果"),
    }


class _LazyLabels:
    """Labels translated in the language of the request that reads them."""

    def get(self, key, default=None):
        return _action_labels().get(key, default)


ACTION_LABELS = _LazyLabels()


@leader_required
def leader_home(request: HttpRequest) -> HttpResponse:
    plans = (
        access.readable_supervision_plans(request.user)
        .distinct()
        .select_related("congress", "committee", "lead_unit")
        .prefetch_related(
            "activities",
            Prefetch(
                "suggestions",
                queryset=_with_rows(
                    Suggestion.objects.select_related("congress", "session", "lead_deputy__person")
                ),
            ),
        )
        .order_by("deadline", "pk")
    )
    rows = [
        (
            plan,
            [(s, next_steps(s)) for s in plan.suggestions.all()],
            plan.leader_id == request.user.pk,
        )
        for plan in plans
    ]
    return render(request, "web/leader/home.html", {"rows": rows})
