"""Small helpers shared by the service modules."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from suggestions import limits
from suggestions import rules as predicates

from .errors import PermissionDenied, ValidationError


def today_for(now: dt.datetime | None) -> dt.date:
    return timezone.localdate(now) if now else timezone.localdate()


def bounded_text(value: str | None, field: str, label: str, max_length: int) -> str:
    """`value` ('' for None) unchanged, if it fits in `max_length` characters and holds no NUL
    character (which PostgreSQL cannot store); otherwise a ValidationError naming the field."""
    value = value or ""
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("%(label)s不能超过 %(limit)d 个字符（现有 %(length)d 个）")
                % {"label": label, "limit": max_length, "length": len(value)}
            }
        )
    if "\x00" in value:
        raise ValidationError(
            {field: _("%(label)s含有空字符（NUL），请删除后重试") % {"label": label}}
        )
    return value


def require_text(value: str | None, field: str, label: str, max_length: int) -> str:
    """`value` stripped, not empty, and bounded as `bounded_text` bounds it."""
    value = bounded_text((value or "").strip(), field, label, max_length)
    if not value:
        raise ValidationError({field: _("%(label)s不能为空") % {"label": label}})
    return value


def check_date(
    value: dt.date | None, field: str, label: str, *, past_act: bool, today: dt.date | None = None
) -> None:
    """A ValidationError naming the field when `value` lies outside the sane range
    (suggestions/limits.py); None passes."""
    if value is None:
        return
    problem = limits.date_problem(value, past_act=past_act, label=label, today=today)
    if problem:
        raise ValidationError({field: problem})


def require_staff(actor, suggestion) -> None:
    if not predicates.is_congress_staff(actor, suggestion):
        raise PermissionDenied(_("只有本级人大常委会代表工作机构的工作人员可以执行此操作。"))


def require_lead_deputy(actor, suggestion) -> None:
    if not predicates.is_lead_deputy(actor, suggestion):
        raise PermissionDenied(_("只有领衔代表本人可以执行此操作。"))
