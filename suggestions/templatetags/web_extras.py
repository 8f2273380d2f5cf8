"""Small template helpers for the web pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
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


@register.simple_tag
def rate_bar_items(rows, field: str, caption: str, css: str) -> str:
    """The <li> bars of one rate for statistics rows: built in Python because a statistics page
    draws three of these for every handling unit, and a template loop costs several times
    as much per row."""
    rates = [(row.scope_name, getattr(row, field)) for row in rows]
    return format_html_join(
        "\n",
        '<li><span>{0}</span><span class="bar-track" role="img" aria-label="{0} {1} {2}">'
        '<span class="bar-fill {3}" style="width: {4}%"></span></span><span>{2}</span></li>',
        ((name, caption, rate.percent, css, bar_width(rate.value)) for name, rate in rates),
    )


@register.simple_tag
def category_bar(row) -> str:
    """The stacked A/B/C/D bar of a statistics row (drawn for every unit and session)."""
    shares = row.category_shares
    label = "，".join(f"{c} {shares[c].percent}" for c in "ABCD")
    spans = format_html_join(
        "",
        '<span class="cat-{0}" style="width: {1}%"></span>',
        ((c, bar_width(shares[c].value)) for c in "ABCD"),
    )
    return format_html(
        '<div class="stack" role="img" aria-label="{0}：{1}">{2}</div>',
        _("答复类别占比"),
        label,
        spans,
    )
