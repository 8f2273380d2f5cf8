"""Small template helpers for the web pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def days_left(due_on: dt.date | None) -> int | None:
    if not due_on:
        return None
    return (due_on - timezone.localdate()).days


@register.filter
def due_text(due_on: dt.date | None) -> str:
    """'还剩 12 天' / '今天到期' / '已逾期 3 天'."""
    if not due_on:
        return ""
    left = (due_on - timezone.localdate()).days
    if left > 0:
        return _("还剩 %(n)d 天") % {"n": left}
    if left == 0:
        return _("今天到期")
    return _("已逾期 %(n)d 天") % {"n": -left}


@register.filter
def due_class(due_on: dt.date | None) -> str:
    if not due_on:
        return ""
    left = (due_on - timezone.localdate()).days
    if left < 0:
        return "due-overdue"
    if left <= 7:
        return "due-soon"
    return "due-ok"


@register.filter
def percent(value) -> str:
    """0.8734 → '87.3%'; None → '—'."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def bar_width(value) -> str:
    """A ratio (0..1) as a CSS width percentage, clamped."""
    if value is None:
        return "0"
    return f"{max(0.0, min(1.0, float(value))) * 100:.1f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def get_attr(obj, name: str):
    return getattr(obj, name, None)
