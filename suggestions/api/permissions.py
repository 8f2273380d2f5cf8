"""API permission classes. Object-level rules stay in the services and `suggestions.rules`;
these only gate whole endpoints."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from suggestions import access


class IsCongressStaffUser(BasePermission):
    """Logged in and staff of at least one congress; views check the congress in question."""

    message = _("只有人大常委会代表工作机构的工作人员可以导出台账。")

    def has_permission(self, request, view) -> bool:
        return access.staff_congresses(request.user).exists()
