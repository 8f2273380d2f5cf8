"""Who the signed-in user is for the web pages: deputy, unit member, staff, leader.

A user may hold several roles (a staff member who is also a deputy); pages ask this module
once per request and the navigation shows every portal the user may open.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, QuerySet
from django.urls import reverse
from django.utils.functional import cached_property

from congress.models import Congress, Deputy, HandlingUnit, StaffRole
from suggestions import access


class Roles:
    """Which portals a user may open, read in one query of four EXISTS (four queries of
    model rows before, on every signed-in page, for a navigation that needs four booleans);
    the deputies, units and congresses behind a role are read when a page asks for them."""

    def __init__(
        self,
        user=None,
        *,
        deputy: bool = False,
        unit: bool = False,
        staff: bool = False,
        leader: bool = False,
    ) -> None:
        self.user = user
        self.is_superuser = bool(user is not None and user.is_superuser)
        self.is_deputy = deputy
        self.is_unit = unit
        self.is_staff = staff or self.is_superuser
        self.is_leader = leader

    @cached_property
    def deputies(self) -> list[Deputy]:
        if not self.is_deputy:
            return []
        return list(
            access.mandates_of(self.user).select_related("person", "term__congress", "delegation")
        )

    @cached_property
    def units(self) -> list[HandlingUnit]:
        if not self.is_unit:
            return []
        return list(access.units_of(self.user).select_related("congress"))

    @cached_property
    def staff_congresses(self) -> list[Congress]:
        if not self.is_staff:
            return []
        return list(access.staff_congresses(self.user))

    @cached_property
    def leader_congresses(self) -> list[Congress]:
        if not self.is_leader:
            return []
        return list(_leader_congresses(self.user))

    @property
    def staff_congress_ids(self) -> list[int]:
        return [c.pk for c in self.staff_congresses]


def _leader_congresses(user) -> QuerySet[Congress]:
    return Congress.objects.filter(staff__user=user, staff__role=StaffRole.LEADER)


def roles_of(user) -> Roles:
    """The user's roles, computed once per user object (one query)."""
    if user is None or not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_web_roles", None)
    if cached is not None:
        return cached
    flags = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            deputy=Exists(access.mandates_of(user)),
            unit=Exists(access.units_of(user)),
            staff=Exists(access.staff_congresses(user)),
            leader=Exists(_leader_congresses(user)),
        )
        .first()
    )
    roles = Roles(user, **(flags or {}))
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
