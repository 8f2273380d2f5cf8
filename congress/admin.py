"""Admin for the institutions. Every ModelAdmin keeps a clerk inside their own congresses
(`suggestions.admin.perimeter`); accounts, roles and the national calendar are superusers'."""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.models import (
    CalendarOverride,
    CalendarYear,
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
from suggestions import services
from suggestions.access import people_of, staff_congresses
from suggestions.admin.perimeter import (
    PerimeterAdmin,
    PerimeterMixin,
    SuperuserOnlyMixin,
    assignable_accounts,
)
from suggestions.admin.service_form import service_form_response
from suggestions.calendar_notice import parse_days
from suggestions.forms.fields import BoundedModelMultipleChoiceField
from suggestions.rulesets import CLOCK_LABELS, rules_for


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class TermInline(PerimeterMixin, admin.TabularInline):
    model = Term
    extra = 0


@admin.register(Congress)
class CongressAdmin(PerimeterAdmin):
    list_display = ["name", "level", "region", "parent", "rule_set"]
    list_filter = ["level", "rule_set"]
    search_fields = ["name", "short_name", "region"]
    inlines = [TermInline]
    readonly_fields = ["applied_rules"]
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
                    "rule_set",
                    "reply_period",
                    "extended_reply_period",
                    "extension_mode",
                    "co_opinion_period",
                    "return_period",
                    "contact_period",
                    "recess_assignment_period",
                    "session_assignment_period",
                    "rehandling_period",
                    "evaluation_period",
                    "revision_period",
                    "publication_period",
                    "applied_rules",
                ]
            },
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return _superuser(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _superuser(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = {f: getattr(obj, f) for f in form.changed_data if f in services.RULE_FIELDS}
        if change and changes:
            # The congress's open due dates follow its new rules, with an event for each.
            services.congress_rules_update(actor=request.user, congress=obj, changes=changes)

    @admin.display(description=gettext_lazy("现行各项期限"))
    def applied_rules(self, obj: Congress) -> str:
        """Each clock as it applies now, with its source, so staff see what they override."""
        if obj.pk is None:
            return "-"
        rules = rules_for(obj)
        rows = [
            format_html(
                "<li>{}：{}</li>",
                CLOCK_LABELS[clock],
                rule.citation() if rule else _("不设此期限"),
            )
            for clock in CLOCK_LABELS
            for rule in [rules.rule(clock)]
        ]
        notes = [_(text) for text in (rules.preset.note, rules.preset.statistics_source) if text]
        return format_html(
            "<ul>{}</ul>{}",
            format_html_join("", "{}", ((r,) for r in rows)),
            format_html_join("", "<p>{}</p>", ((n,) for n in notes)),
        )


class SessionInline(PerimeterMixin, admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Term)
class TermAdmin(PerimeterAdmin):
    list_display = ["__str__", "congress", "number", "started_on", "ended_on"]
    list_filter = ["congress"]
    search_fields = ["name", "congress__name"]
    inlines = [SessionInline]


@admin.register(Session)
class SessionAdmin(PerimeterAdmin):
    list_display = ["__str__", "term", "opened_on", "closed_on"]
    list_filter = ["term__congress"]


@admin.register(Delegation)
class DelegationAdmin(PerimeterAdmin):
    list_display = ["name", "congress"]
    list_filter = ["congress"]
    search_fields = ["name"]


class DeputyInline(PerimeterMixin, admin.TabularInline):
    model = Deputy
    extra = 0
    autocomplete_fields = ["term", "delegation"]


def _account_link_is_the_clerks(user, person: Person) -> bool:
    """A clerk may relink a person's account only if the person belongs to no congress but
    theirs and the current account is one they could have picked themselves."""
    others = Congress.objects.exclude(pk__in=staff_congresses(user).values("pk"))
    if people_of(others).filter(pk=person.pk).exists():
        return False
    return person.user_id is None or assignable_accounts(user).filter(pk=person.user_id).exists()


@admin.register(Person)
class PersonAdmin(PerimeterAdmin):
    """Persons (and so their phone, e-mail and address) only of the clerk's congresses."""

    list_display = ["name", "user", "email"]
    search_fields = ["name", "email"]
    inlines = [DeputyInline]

    def get_autocomplete_fields(self, request):
        # Searching all accounts is a superuser's tool; a clerk picks from their congress's.
        return ["user"] if _superuser(request) else []

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if (
            obj is not None
            and not _superuser(request)
            and not _account_link_is_the_clerks(request.user, obj)
        ):
            fields.append("user")
        return fields


@admin.register(Deputy)
class DeputyAdmin(PerimeterAdmin):
    list_display = ["person", "term", "delegation", "occupation"]
    list_filter = ["term__congress", "term", "delegation"]
    search_fields = ["person__name", "occupation"]
    list_select_related = ["person", "term__congress", "delegation"]
    autocomplete_fields = ["person"]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(PerimeterAdmin):
    list_display = ["name", "congress", "contact_person", "email"]
    list_filter = ["congress"]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Saving the member list drops members the clerk may not pick (themselves, a
        # superuser): leave such a list to a superuser.
        fields = list(super().get_readonly_fields(request, obj))
        if (
            obj is not None
            and not _superuser(request)
            and obj.members.exclude(pk__in=assignable_accounts(request.user).values("pk")).exists()
        ):
            fields.append("members")
        return fields


@admin.register(Committee)
class CommitteeAdmin(PerimeterAdmin):
    list_display = ["name", "short_name", "congress"]
    list_filter = ["congress"]
    search_fields = ["name", "short_name"]


@admin.register(ContactStation)
class ContactStationAdmin(PerimeterAdmin):
    list_display = ["name", "congress", "address"]
    list_filter = ["congress"]
    search_fields = ["name"]


class SuperuserWritesMixin:
    """Clerks read these rows; only a superuser adds, changes or deletes them."""

    def has_add_permission(self, request) -> bool:
        return _superuser(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _superuser(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _superuser(request)


@admin.register(CongressStaff)
class CongressStaffAdmin(SuperuserWritesMixin, PerimeterAdmin):
    """Clerks see who works for their congress; granting roles is a superuser's act."""

    list_display = ["user", "congress", "role", "title"]
    list_filter = ["congress", "role"]
    autocomplete_fields = ["user"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SuperuserWritesMixin, PerimeterAdmin):
    """One national calendar: clerks read it, superusers change it — through the calendar
    services, which move the stored deadlines the change affects."""

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

    def save_model(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            services.calendar_override_delete(
                actor=request.user, override=CalendarOverride.objects.get(pk=obj.pk)
            )
        override, _moved = services.calendar_override_set(
            actor=request.user, date=obj.date, is_working_day=obj.is_working_day, note=obj.note
        )
        obj.pk = override.pk

    def delete_model(self, request, obj):
        services.calendar_override_delete(actor=request.user, override=obj)

    def delete_queryset(self, request, queryset):
        for override in queryset:
            self.delete_model(request, override)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=1, max_value=9999)
    notice = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=CalendarYear._meta.get_field("notice").max_length,
        help_text=gettext_lazy(
            "例如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"
        ),
    )
    holidays = forms.CharField(
        label=gettext_lazy("放假"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "每行一项，照通知填写全部放假日期（含其中的周末）：「2027-02-06..2027-02-13 春节」"
            "或「2027-01-01 元旦」"
        ),
    )
    workdays = forms.CharField(
        label=gettext_lazy("调休上班"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一天：「2027-02-14 春节调休」"),
    )

    def _days(self, field: str) -> list:
        try:
            return parse_days(self.cleaned_data.get(field, "").splitlines())
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_holidays(self) -> list:
        return self._days("holidays")

    def clean_workdays(self) -> list:
        return self._days("workdays")


@admin.register(CalendarYear)
class CalendarYearAdmin(SuperuserWritesMixin, PerimeterAdmin):
    """Years whose schedule staff entered from the State Council's notice. Entering one (the
    add page) replaces that year's day corrections and counts every open due date again;
    entering it again with corrections does the same."""

    list_display = ["year", "notice", "entered_at", "entered_by"]
    readonly_fields = ["year", "notice", "entered_at", "entered_by"]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)
        form = CalendarYearForm(request.POST if request.method == "POST" else None)
        return service_form_response(
            self,
            request,
            form=form,
            target=_("年度放假安排"),
            change_url=reverse("admin:congress_calendaryear_changelist"),
            title=_("录入年度放假安排"),
            act=lambda data: services.calendar_year_enter(actor=request.user, **data),
            done=_("已录入放假安排，相关期限已重新计算"),
        )


# ---- accounts: superusers only (a clerk never sees or edits an account) ----

admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class AccountAdmin(SuperuserOnlyMixin, UserAdmin):
    pass


@admin.register(Group)
class AccountGroupAdmin(SuperuserOnlyMixin, GroupAdmin):
    pass
