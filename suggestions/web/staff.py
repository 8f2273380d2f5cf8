"""Staff pages: one suggestion with every staff action, and the leader's page of supervised
items (the workbench is suggestions/web/workbench.py). Staff see only their own congress's
suggestions."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from suggestions import access, services
from suggestions.access import Audience
from suggestions.annotations import key_supervised
from suggestions.deadlines import PeriodUnit, WorkingCalendar
from suggestions.models import (
    AssignmentStatus,
    Reply,
    State,
    Suggestion,
)
from suggestions.params import int_param
from suggestions.progress import next_steps
from suggestions.public_projection import deputy_contact_values, is_public, public_reply_text
from suggestions.rulesets import Clock, rules_for

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
from .list_row_relations import with_row_relations
from .paging import bounded_page, rows_for
from .roles import leader_required, staff_required

# What a suggestion row (`list_rows.suggestion_rows`) and its next steps
# (`progress.next_steps`) read of the suggestion and of what it is filed under; any other
# field would be read on access.
ROW_FIELDS = (
    "congress__name",
    "congress__short_name",
    "session__name",
    "lead_deputy__person__name",
    "number",
    "title",
    "topic",
    "state",
    "handling_round",
    "revision_due_on",
    "evaluation_due_on",
)


def with_list_rows(queryset):
    """What a suggestion row (and its next steps) shows, in the rows' own query, and only
    that (ROW_FIELDS; the body and the other columns were most of the bytes read and of the
    time spent building the rows); 重点督办 as an EXISTS (`listed_as_key`); the assignments,
    replies and follow-up reviews as JSON arrays turned into what three prefetches gave
    (`list_row_relations`)."""
    return with_row_relations(
        queryset.select_related("congress", "session", "lead_deputy__person")
        .only(*ROW_FIELDS)
        .annotate(listed_as_key=key_supervised())
    )


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
            rule = rules_for(self.object.congress).rule(Clock.REVISION)
            days = rule.period.amount if rule and rule.period.unit is PeriodUnit.DAYS else None
            return {"initial": {"revision_days": days}}
        return {}

    def success_url(self) -> str:
        return reverse("web:staff-suggestion", args=[self.object.pk])

    def success_message(self, action: str) -> str:
        return _("已完成：%(action)s") % {"action": ACTION_LABELS.get(action, action)}

    def get_context(self) -> dict:
        s = self.object
        congress = s.congress
        today = timezone.localdate()
        rules = rules_for(congress)
        calendar = WorkingCalendar()
        preview = []
        for label, clock in (
            (_("主办、分办单位答复期限"), Clock.REPLY),
            (_("协办单位协办意见期限"), Clock.CO_OPINION),
            (_("单位退办期限"), Clock.RETURN),
            (_("联系代表期限"), Clock.CONTACT),
        ):
            deadline = rules.deadline(clock, today, start_label=_("交办"), calendar_=calendar)
            if deadline is not None:
                preview.append((label, deadline))
        replies = list(s.replies.select_related("assignment__unit").order_by("round", "pk"))
        private = deputy_contact_values(s)
        projection = access.projection_for(self.request.user, s)
        title, body = access.readable_text(projection, s)
        return {
            "s": s,
            "title": title,
            "body": body,
            "deadline_preview": preview,
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


# The leader page lists each plan's first PLAN_PREVIEW suggestions and their number;
# `?plan=ID` pages through one plan's suggestions, PLAN_PAGE_SIZE at a time.
PLAN_PREVIEW = 10
PLAN_PAGE_SIZE = 20


@leader_required
def leader_home(request: HttpRequest) -> HttpResponse:
    plans = (
        access.readable_supervision_plans(request.user)
        .select_related("congress", "committee", "lead_unit")
        .annotate(suggestion_count=Count("suggestions", distinct=True))
        .order_by("deadline", "pk")
    )
    rows_of = with_list_rows(Suggestion.objects.order_by("-created_at", "-pk"))
    context = {}
    if (plan_id := int_param(request.GET, "plan")) is not None:
        plan = plans.prefetch_related("activities").filter(pk=plan_id).first()
        if plan is None:
            raise Http404(_("没有这个督办事项。"))
        page = bounded_page(
            plan.suggestions.order_by("-created_at", "-pk"),
            int_param(request.GET, "page") or 1,
            PLAN_PAGE_SIZE,
        )
        suggestions = rows_for(page, rows_of)
        plans_with_rows = [(plan, suggestions)]
        context["page"] = page
    else:
        plans = plans.prefetch_related(
            "activities",
            Prefetch("suggestions", queryset=rows_of[:PLAN_PREVIEW], to_attr="previewed"),
        )
        plans_with_rows = [(plan, plan.previewed) for plan in plans]
    context["rows"] = [
        (plan, [(s, next_steps(s)) for s in suggestions], plan.leader_id == request.user.pk)
        for plan, suggestions in plans_with_rows
    ]
    return render(request, "web/leader/home.html", context)
