"""Admin for the records around a suggestion, all inside the clerk's perimeter.

Every one of them is written by a service that leaves an Event, so the admin shows them and
changes none (the simplest option that cannot bypass a service): outcomes, supervision plans
and activities, follow-up reviews are recorded on the staff pages (工作台), which each record
links to; replies are published or withheld here, through `reply_publish`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suggestions import services
from suggestions.access import with_submitted_text
from suggestions.admin.perimeter import (
    PerimeterAdmin,
    PerimeterMixin,
    ReadOnlyAdmin,
    ReadOnlyMixin,
    staff_page_links,
)
from suggestions.admin.service_form import service_form_response
from suggestions.forms.fields import BoundedModelMultipleChoiceField
from suggestions.models import (
    Assignment,
    CitizenOpinion,
    CoHandlingOpinion,
    ContactRecord,
    Evaluation,
    Event,
    FollowUpReview,
    Outcome,
    Reply,
    ReplyCategory,
    SourceArticle,
    Suggestion,
    SuggestionLink,
    SupervisionActivity,
    SupervisionPlan,
    Version,
)


def _submitted_title_of_suggestion():
    return Subquery(
        with_submitted_text(Suggestion.objects.filter(pk=OuterRef("suggestion"))).values(
            "submitted_title"
        )[:1]
    )


class SuggestionTitleMixin:
    """Names the suggestion by the title the congress received: while a returned suggestion
    is being revised, its own title is the deputy's unsubmitted draft. (Events and versions
    are the records a suggestion has before it is registered and its text frozen.)"""

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(suggestion_title=_submitted_title_of_suggestion())
        )

    @admin.display(description=gettext_lazy("建议"), ordering="suggestion_title")
    def suggestion_title(self, obj) -> str:
        return obj.suggestion_title

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "suggestion_title"]

    def get_fields(self, request, obj=None):
        named = ("suggestion", "suggestion_title")
        return [
            "suggestion_title",
            *(f for f in super().get_fields(request, obj) if f not in named),
        ]


@admin.register(Event)
class EventAdmin(SuggestionTitleMixin, ReadOnlyAdmin):
    list_display = [
        "suggestion_title",
        "action_label",
        "from_state",
        "to_state",
        "actor_name",
        "when_display",
        "is_public",
    ]
    list_filter = ["action", "to_state", "is_public", "suggestion__congress"]
    search_fields = ["suggestion_title", "reason", "actor_name"]


@admin.register(Version)
class VersionAdmin(SuggestionTitleMixin, ReadOnlyAdmin):
    list_display = ["suggestion_title", "number", "title", "revised_by_kind", "revised_by_name"]
    list_filter = ["revised_by_kind"]
    search_fields = ["title", "suggestion_title"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["suggestion", "unit", "role", "status", "assigned_on", "due_on", "extended"]
    list_filter = ["status", "role", "unit", "suggestion__session", "suggestion__state"]
    search_fields = ["suggestion__title", "unit__name"]
    list_select_related = ["suggestion", "unit"]


@admin.register(ContactRecord)
class ContactRecordAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "method", "contacted_on"]
    list_filter = ["method", "assignment__unit"]


@admin.register(CoHandlingOpinion)
class CoHandlingOpinionAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "round", "submitted_at"]
    list_filter = ["assignment__unit"]


class ReplyPublishForm(forms.Form):
    redactions = forms.CharField(
        label=gettext_lazy("公开时删除的段落"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一段；电话号码和地址会自动隐去"),
    )
    withheld = forms.BooleanField(
        label=gettext_lazy("不予公开"),
        required=False,
        help_text=gettext_lazy("勾选：答复不在公开页面显示（例如涉密）"),
    )


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    """Replies are the units' words: read-only here. The congress's publication decision
    (redactions, or withholding) is made through `reply_publish`, from the change page."""

    list_display = [
        "suggestion",
        "assignment",
        "round",
        "category",
        "replied_at",
        "publish_due_on",
        "published_at",
        "withheld",
    ]
    list_filter = ["category", "round", "assignment__unit", "withheld"]
    search_fields = ["suggestion__title", "text"]
    fields = [
        "suggestion",
        "assignment",
        "round",
        "category",
        "text",
        "signer",
        "replied_at",
        "replied_by",
        "publish_due_on",
        "published_at",
        "redactions",
        "withheld",
        "attachment",
    ]
    change_form_template = "admin/suggestions/reply/change_form.html"

    def get_urls(self):
        publish = path(
            "<int:pk>/publish/",
            self.admin_site.admin_view(self.publish_view),
            name="suggestions_reply_publish",
        )
        return [publish, *super().get_urls()]

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        reply = get_object_or_404(self.get_queryset(request).select_related("suggestion"), pk=pk)
        if not self.has_view_permission(request, reply):
            raise PermissionDenied
        form = ReplyPublishForm(
            request.POST if request.method == "POST" else None,
            initial={"redactions": reply.redactions, "withheld": reply.withheld},
        )
        return service_form_response(
            self,
            request,
            form=form,
            target=reply.suggestion,
            change_url=reverse("admin:suggestions_reply_change", args=[pk]),
            title=_("公开或不予公开答复"),
            act=lambda data: services.reply_publish(reply=reply, actor=request.user, **data),
            done=_("已记录答复的公开决定"),
        )


@admin.register(ReplyCategory)
class ReplyCategoryAdmin(PerimeterAdmin):
    """A congress's own reply categories; a congress with none uses the national A/B/C/D.
    A reply keeps the code, label and promise it was given, so a change here applies to
    replies given afterwards."""

    list_display = ["congress", "code", "label", "carries_promise", "position"]
    list_filter = ["congress", "carries_promise"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["suggestion", "round", "rating", "evaluated_at"]
    list_filter = ["rating", "round"]


class StaffPageMixin:
    """Points from a read-only record to the staff pages where such records are made."""

    @admin.display(description=gettext_lazy("在工作台办理"))
    def staff_page(self, obj) -> str:
        return staff_page_links(self.suggestions_of(obj))

    def suggestions_of(self, obj):
        return [obj.suggestion]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "staff_page"]


class SupervisionActivityInline(ReadOnlyMixin, PerimeterMixin, admin.TabularInline):
    model = SupervisionActivity
    extra = 0
    fields = ["kind", "title", "date", "date_precision", "conducted_by", "is_public", "source"]


@admin.register(SupervisionPlan)
class SupervisionPlanAdmin(StaffPageMixin, ReadOnlyAdmin):
    list_display = ["theme", "congress", "leader_title", "committee", "deadline"]
    list_filter = ["congress", "committee"]
    search_fields = ["theme"]
    inlines = [SupervisionActivityInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def suggestions_of(self, obj):
        return obj.suggestions.all()


@admin.register(SupervisionActivity)
class SupervisionActivityAdmin(StaffPageMixin, ReadOnlyAdmin):
    list_display = ["title", "plan", "kind", "date_display", "conducted_by"]
    list_filter = ["kind", "plan__congress"]
    search_fields = ["title", "description"]

    def suggestions_of(self, obj):
        return obj.plan.suggestions.all()


@admin.register(FollowUpReview)
class FollowUpReviewAdmin(StaffPageMixin, ReadOnlyAdmin):
    list_display = ["suggestion", "date_display", "due_on", "conducted_by", "is_done"]
    list_filter = ["is_done"]


@admin.register(Outcome)
class OutcomeAdmin(StaffPageMixin, ReadOnlyAdmin):
    list_display = ["title", "kind", "issuing_body", "date_display", "suggestion"]
    list_filter = ["kind"]
    search_fields = ["title", "description", "issuing_body"]


@admin.register(CitizenOpinion)
class CitizenOpinionAdmin(ReadOnlyAdmin):
    list_display = ["summary", "contact_station", "deputy", "date_display", "suggestion"]
    list_filter = ["contact_station"]


@admin.register(SuggestionLink)
class SuggestionLinkAdmin(ReadOnlyAdmin):
    list_display = ["from_suggestion", "kind", "to_suggestion"]
    list_filter = ["kind"]


@admin.register(SourceArticle)
class SourceArticleAdmin(PerimeterAdmin):
    list_display = ["title", "publication", "published_on", "file_name"]
