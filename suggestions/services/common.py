"""Small helpers shared by the service modules."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from suggestions import rules as predicates

from .errors import PermissionDenied, ValidationError


def today_for(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now) if now else timezone.localdate()


def require_text(value: str | None, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("%(label)s不能为空") % {"label": label}})
    return value


def require_staff(actor, suggestion) -> None:
    if not predicates.is_congress_staff(actor, suggestion):
        raise PermissionDenied(_("只有本级人大常委会代表工作机构的工作人员可以执行此操作。"))


def require_lead_deputy(actor, suggestion) -> None:
    if not predicates.is_lead_deputy(actor, suggestion):
        raise PermissionDenied(_("只有领衔代表本人可以执行此操作。"))
