from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpResponseRedirect

from congress.models import (
    CalendarOverride,
    Committee,
    Congress,
    CongressStaff,
    ContactStation,
    Delegation,
    Deputy,
    HandlingUnit,
    Person,
    Session,
    Term,
)
from suggestions.forms.fields import BoundedModelMultipleChoiceField


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


@admin.register(Congress)
class CongressAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "region", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "short_name", "region"]
    inlines = [TermInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "short_name",
                    "level",
                    "region",
                    "parent",
                    "standing_committee_name",
                ]
            },
        ),
        (
            "期限规则",
            {
                "fields": [
                    "reply_months",
                    "extended_reply_months",
                    "co_handling_months",
                    "assignment_return_working_days",
                    "rehandling_months",
                    "evaluation_months",
                    "revision_days",
                    "publication_working_days",
                ]
            },
        ),
    ]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["__str__", "congress", "number", "started_on", "ended_on"]
    list_filter = ["congress"]
    search_fields = ["name", "congress__name"]
    inlines = [SessionInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "term", "opened_on", "closed_on"]
    list_filter = ["term__congress"]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["name", "congress"]
    list_filter = ["congress"]
    search_fields = ["name"]


class DeputyInline(admin.TabularInline):
    model = Deputy
    extra = 0
    autocomplete_fields = ["term", "delegation"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "email"]
    search_fields = ["name", "email"]
    inlines = [DeputyInline]
    autocomplete_fields = ["user"]


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin):
    list_display = ["person", "term", "delegation", "occupation"]
    list_filter = ["term__congress", "term", "delegation"]
    search_fields = ["person__name", "occupation"]
    list_select_related = ["person", "term__congress", "delegation"]
    autocomplete_fields = ["person"]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "congress", "contact_person", "email"]
    list_filter = ["congress"]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "congress"]
    list_filter = ["congress"]
    search_fields = ["name", "short_name"]


@admin.register(ContactStation)
class ContactStationAdmin(admin.ModelAdmin):
    list_display = ["name", "congress", "address"]
    list_filter = ["congress"]
    search_fields = ["name"]


@admin.register(CongressStaff)
class CongressStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "congress", "role", "title"]
    list_filter = ["congress", "role"]
    autocomplete_fields = ["user"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"

    def changelist_view(self, request, extra_context=None):
        # Django's date hierarchy raises OverflowError (a 500) on ?date__year=<huge>; answer
        # it as the admin answers any unusable filter: the list with its error flag.
        for part, largest in (("year", 9999), ("month", 12), ("day", 31)):
            raw = request.GET.get(f"date__{part}", "")
            if raw and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= largest):
                return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)
