"""Admin for the records around a suggestion. Events are read-only (append-only history)."""

from __future__ import annotations

from django.contrib import admin

from suggestions import services
from suggestions.admin.suggestion import scoped_to_staff_congresses
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
    SourceArticle,
    SuggestionLink,
    SupervisionActivity,
    SupervisionPlan,
    Version,
)


class CongressScopedAdmin(admin.ModelAdmin):
    """Rows limited to the clerk's own congresses (through `congress_field`)."""

    congress_field = "suggestion__congress"

    def get_queryset(self, request):
        return scoped_to_staff_congresses(
            super().get_queryset(request), request.user, self.congress_field
        )


class ReadOnlyAdmin(CongressScopedAdmin):
    """Records written only by the services: visible, never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = [
        "suggestion",
        "action_label",
        "from_state",
        "to_state",
        "actor_name",
        "when_display",
        "is_public",
    ]
    list_filter = ["action", "to_state", "is_public", "suggestion__congress"]
    search_fields = ["suggestion__title", "reason", "actor_name"]
    list_select_related = ["suggestion"]


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["suggestion", "number", "title", "revised_by_kind", "revised_by_name"]
    list_filter = ["revised_by_kind"]
    search_fields = ["title", "suggestion__title"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["suggestion", "unit", "role", "status", "assigned_on", "due_on", "extended"]
    list_filter = ["status", "role", "unit", "suggestion__session", "suggestion__state"]
    search_fields = ["suggestion__title", "unit__name"]
    list_select_related = ["suggestion", "unit"]


@admin.register(ContactRecord)
class ContactRecordAdmin(ReadOnlyAdmin):
    congress_field = "assignment__suggestion__congress"
    list_display = ["assignment", "method", "contacted_on"]
    list_filter = ["method", "assignment__unit"]


@admin.register(CoHandlingOpinion)
class CoHandlingOpinionAdmin(ReadOnlyAdmin):
    congress_field = "assignment__suggestion__congress"
    list_display = ["assignment", "round", "submitted_at"]
    list_filter = ["assignment__unit"]


@admin.register(Reply)
class ReplyAdmin(CongressScopedAdmin):
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
    readonly_fields = [
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
    ]
    fields = [*readonly_fields, "redactions", "withheld", "attachment"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Edited redactions or withheld flag: public search must match the new public text.
        services.reply_refresh_public_text(reply=obj)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["suggestion", "round", "rating", "evaluated_at"]
    list_filter = ["rating", "round"]


class SupervisionActivityInline(admin.TabularInline):
    model = SupervisionActivity
    extra = 0
    fields = ["kind", "title", "date", "date_precision", "conducted_by", "is_public", "source"]


@admin.register(SupervisionPlan)
class SupervisionPlanAdmin(CongressScopedAdmin):
    congress_field = "congress"
    list_display = ["theme", "congress", "leader_title", "committee", "deadline"]
    list_filter = ["congress", "committee"]
    search_fields = ["theme"]
    filter_horizontal = ["suggestions"]
    inlines = [SupervisionActivityInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(SupervisionActivity)
class SupervisionActivityAdmin(CongressScopedAdmin):
    congress_field = "plan__congress"
    list_display = ["title", "plan", "kind", "date_display", "conducted_by"]
    list_filter = ["kind", "plan__congress"]
    search_fields = ["title", "description"]


@admin.register(FollowUpReview)
class FollowUpReviewAdmin(CongressScopedAdmin):
    list_display = ["suggestion", "date_display", "due_on", "conducted_by", "is_done"]
    list_filter = ["is_done"]


@admin.register(Outcome)
class OutcomeAdmin(CongressScopedAdmin):
    list_display = ["title", "kind", "issuing_body", "date_display", "suggestion"]
    list_filter = ["kind"]
    search_fields = ["title", "description", "issuing_body"]


@admin.register(CitizenOpinion)
class CitizenOpinionAdmin(CongressScopedAdmin):
    congress_field = "contact_station__congress"
    list_display = ["summary", "contact_station", "deputy", "date_display", "suggestion"]
    list_filter = ["contact_station"]


@admin.register(SuggestionLink)
class SuggestionLinkAdmin(CongressScopedAdmin):
    congress_field = "from_suggestion__congress"
    list_display = ["from_suggestion", "kind", "to_suggestion"]
    list_filter = ["kind"]


@admin.register(SourceArticle)
class SourceArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "publication", "published_on", "file_name"]
