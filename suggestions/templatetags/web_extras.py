"""Small template helpers for the web pages."""

from __future__ import annotations

import datetime as dt
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from suggestions.deadlines import stored_due_reason

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


def provisional_html(due_on: dt.date | None) -> str:
    reason = stored_due_reason(due_on)
    if not reason:
        return ""
    note = _("（暂定：%(reason)s）") % {"reason": reason}
    return f'<span class="provisional" title="{escape(reason)}">{escape(note)}</span>'


@register.filter
def provisional(due_on: dt.date | None) -> str:
    """'（暂定：2027年放假安排尚未录入，按规则推算）' after a due date counted over a year whose
    schedule is a guess; nothing otherwise."""
    return mark_safe(provisional_html(due_on))


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
    as much per row (plain string formats: format_html's per-argument checks cost as much as
    the rest)."""
    caption, css = escape(str(caption)), escape(str(css))
    items = []
    for row in rows:
        rate = getattr(row, field)
        name, percent = escape(row.scope_name), escape(rate.percent)
        items.append(
            f'<li><span>{name}</span><span class="bar-track" role="img" '
            f'aria-label="{name} {caption} {percent}"><span class="bar-fill {css}" '
            f'style="width: {bar_width(rate.value)}%"></span></span><span>{percent}</span></li>'
        )
    return mark_safe("\n".join(items))


def _category_bar(row, caption: str) -> str:
    shares = row.category_shares
    label = escape("，".join(f"{code} {share.percent}" for code, share in shares.items()))
    # Colours by position: a congress's codes need not be A–D.
    spans = "".join(
        f'<span class="cat-{i}" style="width: {bar_width(share.value)}%"></span>'
        for i, share in enumerate(shares.values())
    )
    return f'<div class="stack" role="img" aria-label="{caption}：{label}">{spans}</div>'


@register.simple_tag
def category_share(row, code: str) -> str:
    """'25.0%（3）': the share and count of one reply category in a statistics row."""
    return f"{row.category_shares[code].percent}（{row.categories[code]}）"


@register.simple_tag
def category_bar(row) -> str:
    """The stacked bar of a statistics row's reply categories (drawn for every unit and session)."""
    return mark_safe(_category_bar(row, escape(_("答复类别占比"))))


@register.simple_tag
def unit_table_rows(rows) -> str:
    """The <tr>s of the per-unit table: name, assigned, replied, overdue now, category bar."""
    caption = escape(_("答复类别占比"))
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{escape(r.scope_name)}</th><td>{r.assigned}</td>'
            f"<td>{r.replied}</td><td>{r.overdue_now}</td>"
            f'<td style="min-width:8rem">{_category_bar(r, caption)}</td></tr>'
            for r in rows
        )
    )


@register.filter
def capped(count: int, cap: int) -> str:
    """A count that stopped at `cap` (`paging.capped_count`): "100+" beyond it. The same as
    web/includes/capped_count.html, without an include per count (twelve on the workbench)."""
    return f"{cap}+" if count > cap else str(count)
