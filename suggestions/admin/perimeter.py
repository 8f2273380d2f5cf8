"""The admin's perimeter: a clerk (staff of a congress, not a superuser) sees, is offered and
may save only rows of their own congresses; superusers cross congresses, nobody else does.

Who belongs to which congress is `suggestions.access`'s to say; this module only states, model
by model, how a row reaches its congress. Every ModelAdmin and inline of the site mixes in
`PerimeterMixin`, so its rows, its foreign-key and many-to-many choices (which also validate
a forged POST), its autocomplete answers and its list-filter choices stay inside.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html, format_html_join

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
from suggestions.access import (
    Audience,
    accounts_of,
    people_of,
    readable_suggestions,
    unsubmitted_revisions,
)
from suggestions.access import staff_congresses as _staff_congresses
from suggestions.models import (
    Assignment,
    CitizenOpinion,
    CoHandlingOpinion,
    ContactRecord,
    CoSignature,
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


def _is_superuser(user) -> bool:
    return user.is_active and user.is_superuser


def admin_suggestions(user) -> QuerySet[Suggestion]:
    """Suggestions in the admin: a clerk's staff audience (never a draft, whoever wrote it);
    all of them for a superuser."""
    audience = Audience.SUPERUSER if _is_superuser(user) else Audience.STAFF
    return readable_suggestions(user, audience)


def assignable_accounts(user) -> QuerySet:
    """Accounts a clerk may link to a person or add to a unit: already tied to one of their
    congresses, never their own, never a superuser's."""
    accounts = get_user_model().objects.all()
    if _is_superuser(user):
        return accounts
    return (
        accounts.filter(pk__in=accounts_of(_staff_congresses(user)).values("pk"))
        .exclude(pk=user.pk)
        .exclude(is_superuser=True)
    )


def _congresses(user) -> QuerySet:
    return _staff_congresses(user).values("pk")


def _of_congress(path: str) -> Callable[[object], Q]:
    return lambda user: Q(**{f"{path}__in": _congresses(user)})


def _of_suggestion(path: str) -> Callable[[object], Q]:
    return lambda user: Q(**{f"{path}__in": admin_suggestions(user).values("pk")})


def _citizen_opinions(user) -> Q:
    # Tied to a suggestion, the opinion goes with it; otherwise with its station or deputy.
    congresses = _congresses(user)
    return _of_suggestion("suggestion")(user) | Q(suggestion__isnull=True) & (
        Q(contact_station__congress__in=congresses) | Q(deputy__term__congress__in=congresses)
    )


# How a row of each model reaches the clerk's congresses. A model missing here is shown to
# superusers only.
RULES: dict[type[Model], Callable[[object], Q]] = {
    Congress: _of_congress("pk"),
    Term: _of_congress("congress"),
    Session: _of_congress("term__congress"),
    Delegation: _of_congress("congress"),
    Deputy: _of_congress("term__congress"),
    Person: lambda user: Q(pk__in=people_of(_staff_congresses(user)).values("pk")),
    get_user_model(): lambda user: Q(pk__in=assignable_accounts(user).values("pk")),
    HandlingUnit: _of_congress("congress"),
    Committee: _of_congress("congress"),
    ContactStation: _of_congress("congress"),
    CongressStaff: _of_congress("congress"),
    CalendarOverride: lambda user: Q(),  # one national calendar
    CalendarYear: lambda user: Q(),
    SourceArticle: lambda user: Q(),  # published articles
    Suggestion: _of_suggestion("pk"),
    Version: lambda user: _of_suggestion("suggestion")(user) & ~unsubmitted_revisions(),
    CoSignature: _of_suggestion("suggestion"),
    Assignment: _of_suggestion("suggestion"),
    ContactRecord: _of_suggestion("assignment__suggestion"),
    CoHandlingOpinion: _of_suggestion("assignment__suggestion"),
    Reply: _of_suggestion("suggestion"),
    ReplyCategory: _of_congress("congress"),
    Evaluation: _of_suggestion("suggestion"),
    Event: _of_suggestion("suggestion"),
    FollowUpReview: _of_suggestion("suggestion"),
    Outcome: _of_suggestion("suggestion"),
    CitizenOpinion: _citizen_opinions,
    SuggestionLink: lambda user: (
        _of_suggestion("from_suggestion")(user) & _of_suggestion("to_suggestion")(user)
    ),
    SupervisionPlan: _of_congress("congress"),
    SupervisionActivity: _of_congress("plan__congress"),
}


def within_perimeter(queryset: QuerySet, user) -> QuerySet:
    """The rows of `queryset` that `user` may see or pick in the admin."""
    if _is_superuser(user):
        return queryset
    rule = RULES.get(queryset.model)
    if rule is None or not user.is_active:
        return queryset.none()
    return queryset.filter(rule(user))


class PerimeterRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter on a relation offers the related rows inside the perimeter, not every
    row of the related table (which would name other congresses' units and sessions)."""

    def field_choices(self, field, request, model_admin):
        queryset = within_perimeter(field.related_model._default_manager.all(), request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(row.pk, str(row)) for row in queryset]


def _filter_within_perimeter(model: type[Model], entry):
    if isinstance(entry, str) and get_fields_from_path(model, entry)[-1].is_relation:
        return (entry, PerimeterRelatedFilter)
    return entry


class PerimeterMixin:
    """Rows, choices and filter values of a ModelAdmin or inline, inside the perimeter."""

    def get_queryset(self, request):
        return within_perimeter(super().get_queryset(request), request.user)

    def get_field_queryset(self, db, db_field, request):
        # Used for foreign-key and many-to-many choices alike; the same queryset validates
        # the submitted value, so a forged id outside it is a form error.
        queryset = super().get_field_queryset(db, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        return within_perimeter(queryset, request.user)

    def get_list_filter(self, request):
        return [_filter_within_perimeter(self.model, e) for e in super().get_list_filter(request)]


class PerimeterAdmin(PerimeterMixin, admin.ModelAdmin):
    pass


class SuperuserOnlyMixin:
    """Administered by superusers only: clerks do not even see the module."""

    def has_module_permission(self, request) -> bool:
        return _is_superuser(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_superuser(request.user)

    def has_add_permission(self, request, *args) -> bool:
        return _is_superuser(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_superuser(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_superuser(request.user)


class ReadOnlyMixin:
    """Written only by the services (each write leaves an Event or a Version): the admin
    shows these rows and changes none. Staff act on the staff pages (工作台)."""

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, PerimeterAdmin):
    pass


def staff_page_links(suggestions) -> str:
    """Links to the staff pages where these suggestions' records are added and changed."""
    return format_html_join(
        "<br>",
        '<a href="{}">{}</a>',
        ((reverse("web:staff-suggestion", args=[s.pk]), s.title) for s in suggestions),
    ) or format_html("{}", "—")
