"""Admin for suggestions, inside the clerk's perimeter (their congresses' suggestions from
submission on; superusers see all). Nothing of a suggestion is edited here: the text is the
deputy's, the state the state machine's. Transitions are fired through
`suggestions.forms.perform_transition` — the same forms and services as the pages and the
API — from the change page's buttons or the bulk actions; withholding from and releasing to
the public pages go through `suggestion_withhold` / `suggestion_release`."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suggestions import services
from suggestions.access import with_submitted_text
from suggestions.admin.perimeter import PerimeterAdmin, PerimeterMixin, ReadOnlyMixin
from suggestions.admin.service_form import SERVICE_ERRORS, service_form_response
from suggestions.forms import TRANSITION_FORMS, perform_transition, transition_form
from suggestions.models import (
    Assignment,
    CoSignature,
    Evaluation,
    Event,
    Reply,
    Suggestion,
    Version,
)
from suggestions.services.transitions import source_states, transition_label
from suggestions.web.forms import WithholdForm


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("恢复公开的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# Withholding from and releasing to the public pages: (form, service, label).
PUBLICITY = {
    "withhold": (WithholdForm, services.suggestion_withhold, gettext_lazy("不予公开")),
    "release": (ReleaseForm, services.suggestion_release, gettext_lazy("恢复公开")),
}


class VersionInline(ReadOnlyMixin, PerimeterMixin, admin.TabularInline):
    model = Version
    extra = 0
    fields = ["number", "title", "revised_by_kind", "revised_by_name", "reason", "submitted_at"]
    readonly_fields = fields


class CoSignatureInline(ReadOnlyMixin, PerimeterMixin, admin.TabularInline):
    model = CoSignature
    extra = 0
    fields = ["deputy", "invited_at", "confirmed_at"]
    readonly_fields = fields


class AssignmentInline(ReadOnlyMixin, PerimeterMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["unit", "role", "status", "assigned_on", "due_on", "due_explanation", "extended"]
    readonly_fields = fields


class ReplyInline(ReadOnlyMixin, PerimeterMixin, admin.StackedInline):
    model = Reply
    extra = 0
    fields = ["assignment", "round", "category", "text", "signer", "replied_at", "published_at"]
    readonly_fields = fields


class EvaluationInline(ReadOnlyMixin, PerimeterMixin, admin.TabularInline):
    model = Evaluation
    extra = 0
    fields = ["round", "rating", "comment", "evaluated_at"]
    readonly_fields = fields


class EventInline(ReadOnlyMixin, PerimeterMixin, admin.TabularInline):
    model = Event
    extra = 0
    fields = [
        "when_display",
        "action_label",
        "from_state",
        "to_state",
        "actor_name",
        "reason",
        "is_public",
        "source",
    ]
    readonly_fields = fields
    ordering = ["date", "occurred_at", "pk"]

    @admin.display(description=gettext_lazy("时间"))
    def when_display(self, obj: Event) -> str:
        return obj.when_display


def _as_submitted(suggestion: Suggestion | None) -> Suggestion | None:
    """`suggestion` (annotated by `with_submitted_text`) showing the text the congress has."""
    if suggestion is not None:
        suggestion.title, suggestion.body = suggestion.submitted_title, suggestion.submitted_body
    return suggestion


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyMixin, PerimeterAdmin):
    """Read-only: the text is the deputy's (a clerk reads it as submitted, never a revision
    still being written), every other field moves only through a service."""

    list_display = [
        "submitted_title",
        "number",
        "state",
        "lead_deputy",
        "session",
        "filed_on",
        "congress",
    ]
    list_filter = ["state", "congress", "session", "assignments__unit", "topic"]
    search_fields = ["submitted_title", "submitted_body", "lead_deputy__person__name"]
    list_select_related = ["lead_deputy__person", "session__term__congress", "congress"]
    fields = [
        "congress",
        "term",
        "session",
        "number",
        "submitted_title",
        "submitted_body",
        "topic",
        "lead_deputy",
        "state",
        "filed_on",
        "handling_round",
        "current_version_number",
        "revision_due_on",
        "evaluation_due_on",
        "refusal_reason",
        "merged_into",
        "dissatisfied_final",
        "withheld_reason",
        "created_at",
        "updated_at",
        "source",
    ]
    readonly_fields = fields
    inlines = [
        CoSignatureInline,
        VersionInline,
        AssignmentInline,
        ReplyInline,
        EvaluationInline,
        EventInline,
    ]
    actions = ["register_selected"]
    change_form_template = "admin/suggestions/suggestion/change_form.html"

    def get_queryset(self, request):
        return with_submitted_text(super().get_queryset(request))

    # The change page and the list only show suggestions (they are never saved here), so the
    # instances they show carry the submitted text in their own fields: str(), the page
    # title, the breadcrumbs and the row labels then name it too. The transition views fetch
    # their own instances for the services.

    def get_object(self, request, object_id, from_field=None):
        return _as_submitted(super().get_object(request, object_id, from_field))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.result_list = [_as_submitted(s) for s in changelist.result_list]
        return changelist

    @admin.display(description=gettext_lazy("标题"), ordering="submitted_title")
    def submitted_title(self, obj: Suggestion) -> str:
        return obj.submitted_title

    @admin.display(description=gettext_lazy("正文"))
    def submitted_body(self, obj: Suggestion) -> str:
        return obj.submitted_body

    def get_urls(self):
        custom = [
            path(
                "<int:pk>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="suggestions_suggestion_transition",
            ),
            path(
                "<int:pk>/publicity/<str:name>/",
                self.admin_site.admin_view(self.publicity_view),
                name="suggestions_suggestion_publicity",
            ),
        ]
        return custom + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        suggestion = self.get_object(request, object_id)
        if suggestion is not None:
            extra_context["transitions"] = [
                {
                    "name": name,
                    "label": transition_label(name),
                    "url": reverse(
                        "admin:suggestions_suggestion_transition", args=[suggestion.pk, name]
                    ),
                    "refusal": "；".join(services.refusal_reasons(suggestion, name, request.user)),
                }
                for name in TRANSITION_FORMS
                if suggestion.state in source_states(name)
            ]
            name = "release" if suggestion.withheld_reason else "withhold"
            extra_context["publicity"] = [
                {
                    "label": PUBLICITY[name][2],
                    "url": reverse(
                        "admin:suggestions_suggestion_publicity", args=[suggestion.pk, name]
                    ),
                }
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        suggestion = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, suggestion):
            raise DjangoPermissionDenied
        if name not in TRANSITION_FORMS:
            raise Http404
        change_url = reverse("admin:suggestions_suggestion_change", args=[pk])
        form = transition_form(name, suggestion=suggestion)
        if request.method == "POST":
            try:
                form, _result = perform_transition(
                    suggestion=suggestion,
                    actor=request.user,
                    name=name,
                    data=request.POST,
                    files=request.FILES,
                )
            except SERVICE_ERRORS as exc:
                messages.error(request, services.error_message(exc))
                form = transition_form(name, request.POST, suggestion=suggestion)
            else:
                if form.is_valid():
                    messages.success(
                        request,
                        _("已执行「%(action)s」，当前状态：%(state)s")
                        % {
                            "action": transition_label(name),
                            "state": suggestion.get_state_display(),
                        },
                    )
                    return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(action)s：%(title)s")
            % {"action": transition_label(name), "title": suggestion.submitted_title},
            "form": form,
            "suggestion": suggestion,
            "object_label": suggestion.submitted_title,
            "opts": self.model._meta,
            "change_url": change_url,
            "refusal": "；".join(services.refusal_reasons(suggestion, name, request.user)),
        }
        return TemplateResponse(request, "admin/suggestions/transition_form.html", context)

    def publicity_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        """Withhold from, or release to, the public pages — each through its service."""
        suggestion = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, suggestion):
            raise DjangoPermissionDenied
        if name not in PUBLICITY:
            raise Http404
        form_class, service, label = PUBLICITY[name]
        form = form_class(request.POST if request.method == "POST" else None)
        return service_form_response(
            self,
            request,
            form=form,
            target=suggestion.submitted_title,
            change_url=reverse("admin:suggestions_suggestion_change", args=[pk]),
            title=_("%(action)s：%(title)s")
            % {"action": label, "title": suggestion.submitted_title},
            act=lambda data: service(suggestion=suggestion, actor=request.user, **data),
            done=_("已执行「%(action)s」") % {"action": label},
            extra_context={"suggestion": suggestion},
        )

    @admin.action(description=gettext_lazy("立案所选建议"))
    def register_selected(self, request, queryset):
        done = 0
        for suggestion in queryset:
            try:
                services.suggestion_register(suggestion=suggestion, actor=request.user)
                done += 1
            except SERVICE_ERRORS as exc:
                messages.error(
                    request, f"《{suggestion.submitted_title}》：{services.error_message(exc)}"
                )
        if done:
            messages.success(request, _("已立案 %(n)d 件建议") % {"n": done})
