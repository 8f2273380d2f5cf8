"""The handling unit's inbox: its assignments with days left; on one assignment, record contact
with the deputy, submit the co-handling opinion, or submit the reply. A unit sees only its own
assignments."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from suggestions import access, services
from suggestions.models import Assignment, AssignmentStatus, State, Suggestion, UnitRole
from suggestions.models.handling import done_this_round
from suggestions.params import BadQueryParameter, int_param

from .actions import ActionPage
from .forms import ContactForm, CoOpinionForm, ReplyForm
from .paging import bounded_page, rows_for
from .roles import roles_of, unit_required

OPEN_STATES = (State.ASSIGNED, State.REHANDLING)
PAGE_SIZE = 20
# A unit's inbox counts and pages through at most this many rows per view ("1000+").
INBOX_COUNT_CAP = 1000


def _views(mine: QuerySet[Assignment], today) -> dict[str, tuple[str, QuerySet[Assignment]]]:
    """The inbox's views: key → (label, assignments in their order). To-do and overdue read
    the stored open work (`has_open_work`, indexed by unit and deadline)."""
    active = mine.filter(status=AssignmentStatus.ACTIVE, suggestion__state__in=OPEN_STATES)
    by_due = ("binding_due", "pk")
    return {
        "todo": (_("待办"), mine.open_work().with_binding_due().order_by(*by_due)),
        "overdue": (_("已逾期"), mine.overdue(today).order_by(*by_due)),
        "done": (
            _("本轮已办"),
            active.filter(has_open_work=False).with_binding_due().order_by(*by_due),
        ),
        "returned": (
            _("已退办"),
            mine.filter(status=AssignmentStatus.RETURNED).order_by("-assigned_on", "-pk"),
        ),
        "finished": (
            _("已办结或已结束"),
            mine.exclude(pk__in=active.values("pk"))
            .exclude(status=AssignmentStatus.RETURNED)
            .order_by("-assigned_on", "-pk"),
        ),
    }


@unit_required
def unit_inbox(request: HttpRequest) -> HttpResponse:
    """One view of the unit's assignments (`?show=todo|overdue|done|returned|finished`),
    paginated: a unit with thousands of assignments reads one page of one view."""
    units = roles_of(request.user).units
    mine = access.own_unit_assignments(request.user)
    views = _views(mine, timezone.localdate())
    show = request.GET.get("show") or "todo"
    if show not in views:
        raise BadQueryParameter(
            "show", _("参数 show 须为 %(keys)s 之一") % {"keys": "、".join(views)}
        )
    label, assignments = views[show]
    page = bounded_page(
        assignments, int_param(request.GET, "page") or 1, PAGE_SIZE, cap=INBOX_COUNT_CAP
    )
    rows = rows_for(
        page,
        assignments.select_related(
            "unit", "suggestion__congress", "suggestion__lead_deputy__person"
        )
        .defer("suggestion__body")
        .annotate(done=ExpressionWrapper(done_this_round(), output_field=BooleanField())),
    )
    return render(
        request,
        "web/unit/inbox.html",
        {
            "units": units,
            "views": [(key, view_label) for key, (view_label, _qs) in views.items()],
            "show": show,
            "label": label,
            "page": page,
            "rows": rows,
            "count_cap": INBOX_COUNT_CAP,
        },
    )


@method_decorator(unit_required, name="dispatch")
class AssignmentPage(ActionPage):
    template_name = "web/unit/assignment.html"
    actions = {"contact": ContactForm, "co_opinion": CoOpinionForm, "reply": ReplyForm}
    transitions = ("reply",)

    def get_object(self) -> Assignment:
        return access.assignment_for(
            self.request.user,
            self.kwargs["pk"],
            queryset=access.own_unit_assignments(self.request.user).select_related(
                "unit",
                "suggestion__congress",
                "suggestion__session",
                "suggestion__lead_deputy__person",
            ),
        )

    def transition_target(self) -> Suggestion:
        return self.object.suggestion

    def success_url(self) -> str:
        return reverse("web:unit-assignment", args=[self.object.pk])

    def success_message(self, action: str) -> str:
        return {
            "contact": _("沟通联系已记录。"),
            "co_opinion": _("协办意见已提交。"),
            "reply": _("答复已提交。"),
        }[action]

    def form_kwargs(self, action: str) -> dict:
        if action == "reply":
            return {"initial": {"signer": ""}, "suggestion": self.object.suggestion}
        return {}

    def get_context(self) -> dict:
        assignment = self.object
        suggestion = assignment.suggestion
        round_ = suggestion.handling_round
        others = (
            suggestion.assignments.exclude(pk=assignment.pk)
            .select_related("unit")
            .prefetch_related("co_opinions")
        )
        is_responsible = assignment.role in (UnitRole.LEAD, UnitRole.SEPARATE)
        is_active = assignment.status == AssignmentStatus.ACTIVE and suggestion.state in OPEN_STATES
        hints = []
        if is_responsible and is_active:
            if not assignment.contacts.exists():
                hints.append(_("答复前须记录与代表的沟通联系。"))
            if assignment.role == UnitRole.LEAD:
                waiting = [
                    a.unit.name
                    for a in others
                    if a.role == UnitRole.CO
                    and a.status == AssignmentStatus.ACTIVE
                    and not a.co_opinions.all()
                ]
                if waiting:
                    hints.append(
                        _("尚未收到协办单位的协办意见：%(units)s。") % {"units": "、".join(waiting)}
                    )
            if assignment.replies.filter(round=round_).exists():
                hints.append(_("本单位本轮已经答复。"))
        return {
            "a": assignment,
            "s": suggestion,
            "deputy": suggestion.lead_deputy.person,
            "contacts": assignment.contacts.order_by("contacted_on", "pk"),
            "my_opinions": assignment.co_opinions.order_by("round"),
            # The lead unit reads its co-units' opinions; co-units do not read each other's.
            "co_assignments": [a for a in others if a.role == UnitRole.CO]
            if assignment.role == UnitRole.LEAD
            else [],
            "my_replies": assignment.replies.order_by("round"),
            "evaluations": suggestion.evaluations.order_by("round"),
            "is_responsible": is_responsible,
            "is_co": assignment.role == UnitRole.CO,
            "is_active": is_active,
            "reply_hints": hints,
            "binding_due": assignment.current_due_on,
            "binding_explanation": assignment.rehandling_explanation
            if assignment.rehandling_due_on
            else assignment.due_explanation,
        }

    def do_contact(self, form):
        data = form.cleaned_data
        services.contact_record(
            assignment=self.object,
            actor=self.request.user,
            method=data["method"],
            contacted_on=data["contacted_on"],
            notes=data["notes"],
        )

    def do_co_opinion(self, form):
        services.co_opinion_submit(
            assignment=self.object, actor=self.request.user, text=form.cleaned_data["text"]
        )

    def do_reply(self, form):
        data = form.cleaned_data
        services.suggestion_reply(
            suggestion=self.object.suggestion,
            actor=self.request.user,
            assignment=self.object,
            category=data["category"],
            text=data["text"],
            signer=data["signer"],
            attachment=data["attachment"],
        )


def reply_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply letter file, for those who may read the suggestion's internal pages."""
    reply = access.reply_for(request.user, pk)
    if not reply.attachment:
        raise Http404(_("没有这个附件。"))
    return FileResponse(reply.attachment.open("rb"), as_attachment=True)
