"""The deputy portal: my suggestions, drafting with co-signers, submit, revise after a return
(with the difference between versions), withdraw, read replies, rate them, my inbox."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from suggestions import access, services
from suggestions.access import Audience
from suggestions.models import Assignment, CoSignature, State, Suggestion
from suggestions.params import int_param
from suggestions.progress import next_steps
from suggestions.public_projection import deputy_contact_values, public_reply_text
from suggestions.services.drafting import EDITABLE_STATES

from . import inbox
from .actions import ActionPage, run_service
from .forms import DraftForm, EditForm, EmptyForm, EvaluateForm, InviteForm, WithdrawForm
from .paging import bounded_page, rows_for
from .presenters import inline_diff
from .roles import deputy_required, roles_of

# The order in which the portal lists states: what needs the deputy first.
STATE_ORDER = [
    State.RETURNED,
    State.DRAFT,
    State.REPLIED,
    State.SUBMITTED,
    State.REGISTERED,
    State.ASSIGNED,
    State.REHANDLING,
    State.CLOSED,
    State.FOLLOW_UP,
    State.COMPLETED,
    State.MERGED,
    State.REFUSED,
    State.WITHDRAWN,
]


# Suggestions per page of the portal, and how far its pages reach ("1000+").
PAGE_SIZE = 50
HOME_COUNT_CAP = 1000


def _my_suggestions(user):
    """The suggestions the deputy leads or co-signs (access: the two deputy audiences)."""
    # One `pk IN (… UNION …)`: each audience is answered from its own index; an OR of the
    # two conditions made PostgreSQL read every suggestion.
    led = access.readable_suggestions(user, Audience.LEAD_DEPUTY).values("pk").order_by()
    cosigned = access.readable_suggestions(user, Audience.COSIGNER).values("pk").order_by()
    return Suggestion.objects.filter(pk__in=led.union(cosigned)).order_by("-updated_at", "-pk")


def _with_rows(suggestions):
    return suggestions.select_related(
        "congress", "session", "lead_deputy__person"
    ).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
        "replies",
        "follow_up_reviews",
        "supervision_plans",
    )


@deputy_required
def deputy_home(request: HttpRequest) -> HttpResponse:
    """One page of the deputy's suggestions (latest changes first), grouped by state."""
    mine = _my_suggestions(request.user)
    page = bounded_page(mine, int_param(request.GET, "page") or 1, PAGE_SIZE, cap=HOME_COUNT_CAP)
    suggestions = rows_for(page, _with_rows(mine))
    groups = []
    for state in STATE_ORDER:
        rows = [(s, next_steps(s)) for s in suggestions if s.state == state]
        if rows:
            groups.append((state.label, state.value, rows))
    invitations = (
        CoSignature.objects.filter(
            deputy__person__user=request.user,
            confirmed_at__isnull=True,
            suggestion__state__in=EDITABLE_STATES,
        )
        .select_related("suggestion__lead_deputy__person")
        .order_by("-invited_at")
    )
    context = {
        "groups": groups,
        "page": page,
        "count_cap": HOME_COUNT_CAP,
        "invitations": invitations,
        "unread_count": inbox.unread_count(request.user),
    }
    return render(request, "web/deputy/home.html", context)


@deputy_required
def deputy_new(request: HttpRequest) -> HttpResponse:
    deputies = roles_of(request.user).deputies
    form = DraftForm(request.POST or None, deputies=deputies)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            created = {}

            def create():
                created["s"] = services.suggestion_create_draft(
                    actor=request.user,
                    lead_deputy=data["mandate"],
                    title=data["title"],
                    body=data["body"],
                    topic=data["topic"],
                    session=data["session"],
                    cosigners=list(data["cosigners"]),
                )

            ok, status = run_service(form, create)
            if ok:
                messages.success(request, _("草稿已保存。联名代表确认后即可提交。"))
                return redirect("web:deputy-suggestion", pk=created["s"].pk)
        else:
            status = 400
    return render(request, "web/deputy/new.html", {"form": form}, status=status)


@method_decorator(deputy_required, name="dispatch")
class DeputySuggestionPage(ActionPage):
    template_name = "web/deputy/detail.html"
    actions = {
        "edit": EditForm,
        "invite": InviteForm,
        "confirm": EmptyForm,
        "submit": EmptyForm,
        "withdraw": WithdrawForm,
        "evaluate": EvaluateForm,
    }
    transitions = ("submit", "withdraw", "evaluate")

    def get_object(self) -> Suggestion:
        return access.suggestion_for(
            self.request.user,
            self.kwargs["pk"],
            queryset=access.readable_suggestions(self.request.user, Audience.LEAD_DEPUTY)
            | access.readable_suggestions(self.request.user, Audience.COSIGNER),
        )

    def form_kwargs(self, action: str) -> dict:
        s = self.object
        if action == "edit":
            return {"initial": {"title": s.title, "body": s.body, "topic": s.topic}}
        if action == "invite":
            return {"suggestion": s}
        return {}

    def success_message(self, action: str) -> str:
        return {
            "edit": _("修改已保存。"),
            "invite": _("已邀请联名代表。"),
            "confirm": _("您已确认联名。"),
            "submit": _("建议已提交。"),
            "withdraw": _("建议已撤回。"),
            "evaluate": _("测评结果已提交。"),
        }[action]

    def get_context(self) -> dict:
        s = self.object
        user = self.request.user
        projection = access.projection_for(user, s)
        versions = list(access.readable_versions(projection, s))
        compare = self._compare(versions)
        my_cosignature = next(
            (c for c in s.cosignatures.all() if c.deputy.person.user_id == user.pk), None
        )
        private = deputy_contact_values(s)
        replies = access.readable_replies(projection, s).select_related("assignment__unit")
        return {
            "s": s,
            "is_lead": s.lead_deputy.person.user_id == user.pk,
            "editable": s.state in EDITABLE_STATES,
            "cosignatures": s.cosignatures.select_related("deputy__person"),
            "my_cosignature": my_cosignature,
            "versions": versions,
            "compare": compare,
            "review_comments": access.readable_events(projection, s).filter(
                action="return_for_revision"
            ),
            "replies": [
                (r, r.text if projection.unpublished_replies else public_reply_text(r, private))
                for r in replies.order_by("round", "pk")
            ],
            "evaluations": s.evaluations.order_by("round"),
            "show_evaluation_comments": projection.evaluation_comments,
            "assignments": s.assignments.select_related("unit").order_by("role", "unit__name"),
            "events": access.present_events(
                projection,
                s,
                access.readable_events(projection, s).select_related("source", "actor__person"),
            ),
            "next_steps": next_steps(s),
        }

    def _compare(self, versions):
        """The diff between two versions (?from=&to=; default: the last two)."""
        to_number = int_param(self.request.GET, "to")
        from_number = int_param(self.request.GET, "from")
        if len(versions) < 2:
            return None
        by_number = {v.number: v for v in versions}
        to_number = to_number or versions[-1].number
        try:
            new = by_number[to_number]
            old = by_number[from_number or new.number - 1]
        except KeyError:
            new, old = versions[-1], versions[-2]
        return {
            "old": old,
            "new": new,
            "title": inline_diff(old.title, new.title),
            "body": inline_diff(old.body, new.body),
        }

    def success_url(self) -> str:
        return reverse("web:deputy-suggestion", args=[self.object.pk])

    # ---- actions ----

    def do_edit(self, form):
        data = form.cleaned_data
        services.suggestion_update_draft(
            suggestion=self.object,
            actor=self.request.user,
            title=data["title"],
            body=data["body"],
            topic=data["topic"],
            reason=data["reason"],
        )

    def do_invite(self, form):
        services.cosigner_invite(
            suggestion=self.object, actor=self.request.user, deputy=form.cleaned_data["deputy"]
        )

    def do_confirm(self, form):
        services.cosigner_confirm(suggestion=self.object, actor=self.request.user)

    def do_submit(self, form):
        services.suggestion_submit(suggestion=self.object, actor=self.request.user)

    def do_withdraw(self, form):
        services.suggestion_withdraw(
            suggestion=self.object, actor=self.request.user, reason=form.cleaned_data["reason"]
        )

    def do_evaluate(self, form):
        services.suggestion_evaluate(
            suggestion=self.object,
            actor=self.request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
