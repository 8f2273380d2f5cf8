"""Who the signed-in user is for the web pages: deputy, unit member, staff, leader.

A user may hold several roles (a staff member who is also a deputy); pages ask this module
once per request and the navigation shows every portal the user may open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from congress.models import Congress, Deputy, HandlingUnit, StaffRole
from suggestions import access


@dataclass
class Roles:
    deputies: list[Deputy] = field(default_factory=list)
    units: list[HandlingUnit] = field(default_factory=list)
    staff_congresses: list[Congress] = field(default_factory=list)
    leader_congresses: list[Congress] = field(default_factory=list)
    is_superuser: bool = False

    @property
    def is_deputy(self) -> bool:
        return bool(self.deputies)

    @property
    def is_unit(self) -> bool:
        return bool(self.units)

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_congresses) or self.is_superuser

    @property
    def is_leader(self) -> bool:
        return bool(self.leader_congresses)

    @property
    def staff_congress_ids(self) -> list[int]:
        return [c.pk for c in self.staff_congresses]


def roles_of(user) -> Roles:
    """The user's roles, computed once per user object (a handful of queries)."""
    if user is None or not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_web_roles", None)
    if cached is not None:
        return cached
    roles = Roles(
        deputies=list(
            access.mandates_of(user).select_related("person", "term__congress", "delegation")
        ),
        units=list(access.units_of(user).select_related("congress")),
        staff_congresses=list(access.staff_congresses(user)),
        leader_congresses=list(
            Congress.objects.filter(staff__user=user, staff__role=StaffRole.LEADER)
        ),
        is_superuser=user.is_superuser,
    )
    user._web_roles = roles
    return roles


def home_url_for(user) -> str:
    """Where a user lands after signing in."""
    roles = roles_of(user)
    if roles.is_staff:
        return reverse("web:staff-workbench")
    if roles.is_leader:
        return reverse("web:leader-home")
    if roles.is_unit:
        return reverse("web:unit-inbox")
    if roles.is_deputy:
        return reverse("web:deputy-home")
    return reverse("web:home")


def role_required(check):
    """Decorator for views only one group may open: anonymous → login, wrong role → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(roles_of(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


deputy_required = role_required(lambda roles: roles.is_deputy)
staff_required = role_required(lambda roles: roles.is_staff)
unit_required = role_required(lambda roles: roles.is_unit)
leader_required = role_required(lambda roles: roles.is_leader or roles.is_staff)


def navigation(request) -> dict:
    """Context processor: which portals the navigation offers."""
    return {"web_roles": roles_of(getattr(request, "user", None))}
