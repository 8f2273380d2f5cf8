"""API permission classes. Object-level rules stay in the services and `suggestions.rules`;
these only gate whole endpoints."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from congress.models import Congress, StaffRole


def is_staff_of(user, congress: Congress) -> bool:
    """Staff of the congress's deputy-work office (or a superuser)."""
    if user is None or not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.congress_roles.filter(congress=congress, role=StaffRole.STAFF).exists()
    )


class IsCongressStaffUser(BasePermission):
    """Logged in and staff of at least one congress; views check the congress in question."""

    message = _("只有人大常委会代表工作机构的工作人员可以导出台账。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (user.is_superuser or user.congress_roles.filter(role=StaffRole.STAFF).exists())
        )
