"""Admin for suggestions. The state is read-only here: every transition is fired through
`suggestions.forms.perform_transition`, i.e. the same forms and services as the pages and
the API, from the change page's buttons or from the bulk actions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suggestions import services
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

SERVICE_ERRORS = (services.TransitionRefused, services.PermissionDenied, services.ValidationError)


class VersionInline(admin.TabularInline):
    model = Version
    extra = 0
    can_delete = False
    fields = ["number", "title", "revised_by_kind", "revised_by_name", "reason", "submitted_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CoSignatureInline(admin.TabularInline):
    model = CoSignature
    extra = 0
    fields = ["deputy", "invited_at", "confirmed_at"]
    readonly_fields = ["invited_at", "confirmed_at"]
    autocomplete_fields = ["deputy"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    can_delete = False
    fields = ["unit", "role", "status", "assigned_on", "due_on", "due_explanation", "extended"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReplyInline(admin.StackedInline):
    model = Reply
    extra = 0
    can_delete = False
    fields = ["assignment", "round", "category", "text", "signer", "replied_at", "published_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EvaluationInline(admin.TabularInline):
    model = Evaluation
    extra = 0
    can_delete = False
    fields = ["round", "rating", "comment", "evaluated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
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

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["title", "number", "state", "lead_deputy", "session", "filed_on", "congress"]
    list_filter = ["state", "congress", "session", "assignments__unit", "topic"]
    search_fields = ["title", "body", "lead_deputy__person__name"]
    list_select_related = ["lead_deputy__person", "session__term__congress", "congress"]
    readonly_fields = [
        "state",
        "number",
        "handling_round",
        "current_version_number",
        "revision_due_on",
        "evaluation_due_on",
        "merged_into",
        "dissatisfied_final",
        "created_at",
        "updated_at",
        "source",
    ]
    autocomplete_fields = ["lead_deputy"]
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
        return scoped_to_staff_congresses(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.state not in ("draft", "returned"):
            # The text of a submitted suggestion lives in its versions; never rewrite it here.
            fields += ["title", "body", "lead_deputy", "congress", "term", "session"]
        return fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # History is never rewritten: suggestions end by withdrawal, refusal or merger.
        return False

    def get_urls(self):
        custom = [
            path(
                "<int:pk>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="suggestions_suggestion_transition",
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
            % {"action": transition_label(name), "title": suggestion.title},
            "form": form,
            "suggestion": suggestion,
            "opts": self.model._meta,
            "change_url": change_url,
            "refusal": "；".join(services.refusal_reasons(suggestion, name, request.user)),
        }
        return TemplateResponse(request, "admin/suggestions/transition_form.html", context)

    @admin.action(description=gettext_lazy("立案所选建议"))
    def register_selected(self, request, queryset):
        done = 0
        for suggestion in queryset:
            try:
                services.suggestion_register(suggestion=suggestion, actor=request.user)
                done += 1
            except SERVICE_ERRORS as exc:
                messages.error(request, f"《{suggestion.title}》：{services.error_message(exc)}")
        if done:
            messages.success(request, _("已立案 %(n)d 件建议") % {"n": done})


def scoped_to_staff_congresses(queryset, user, field: str = "congress"):
    """Staff see only their own congresses' rows; superusers see everything."""
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{field}__staff__user": user}).distinct()
