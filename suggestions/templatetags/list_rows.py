"""The markup repeated for every row of a list page, built in Python.

A list page draws 20 suggestion rows (with their next steps) and a facet form of some 60
options. As template includes and loops this cost about 0.5 ms per row and 6 ms for the
facets at 100,000 suggestions (README "Performance": most of the public list's time): every
variable is a chain of lookups, every `{% translate %}` a catalogue look-up, and
`get_state_display` translates every label of the field's choices to find one. Here each
row is a few string formats, and each label is translated once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from enum import Enum
from html import escape

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from suggestions.models import Assignment, AssignmentStatus, State, Suggestion, UnitRole
from suggestions.progress import NextStep
from suggestions.templatetags.web_extras import due_class, due_text, provisional_html

register = template.Library()
META_SEPARATOR = "\n    "
# A primary key no row has, whose digits occur nowhere else in a URL.
URL_STAND_IN = 9_876_543_210_123_456_789


def choice_label(choices: type[Enum], value: str) -> str:
    """The label of `value` in a TextChoices class, translated (the value itself if unknown,
    as `get_FOO_display` does)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class _Labels:
    """The fixed words of a row, translated and escaped once per list rather than per row."""

    def __init__(self) -> None:
        self.states = {value: escape(str(label)) for value, label in State.choices}
        self.roles = {value: escape(str(label)) for value, label in UnitRole.choices}
        self.key = escape(_("重点督办"))
        self.recess = escape(_("闭会期间"))
        self.number = _("第%(n)d号")  # as Suggestion.number_display
        self.lead_deputy = escape(_("领衔代表"))
        self.units = escape(_("承办单位"))
        self.due = escape(_("期限"))
        self.nothing_pending = escape(_("目前没有待办事项。"))
        self.statuses = {value: escape(str(label)) for value, label in AssignmentStatus.choices}
        self.rehandling = escape(_("重新办理"))
        self.co_opinion_given = escape(_("已提交协办意见"))
        self.replied = escape(_("已答复"))
        self.to_do = escape(_("待办"))


@functools.cache
def _labels_in(language: str | None) -> _Labels:
    with translation.override(language):
        return _Labels()


def _labels() -> _Labels:
    """The row's fixed words in the active language, translated once per language and
    process rather than once per list (six lists on the workbench, ten on the leader page)."""
    return _labels_in(translation.get_language())


@register.simple_tag
def state_badge(suggestion: Suggestion) -> SafeString:
    return format_html(
        '<span class="badge state-{}">{}</span>',
        suggestion.state,
        choice_label(State, suggestion.state),
    )


def _next_steps(steps: list[NextStep] | None, labels: _Labels) -> str:
    if not steps:
        return f'<p class="muted">{labels.nothing_pending}</p>'
    items = []
    for step in steps:
        due = ""
        if step.due_on:
            iso = step.due_on.isoformat()
            due = (
                f'，{labels.due} <time datetime="{iso}">{iso}</time> '
                f'<span class="{due_class(step.due_on)}">（{escape(due_text(step.due_on))}）</span>'
                f"{provisional_html(step.due_on)}"
            )
        explanation = (
            f'<div class="muted small">{escape(step.explanation)}</div>' if step.explanation else ""
        )
        items.append(
            f"<li><strong>{escape(step.actor)}</strong>：{escape(step.action)}{due}\n"
            f"{explanation}</li>"
        )
    return '<ul class="next-step">\n' + "".join(items) + "\n</ul>"


@register.simple_tag
def next_steps_list(steps: list[NextStep] | None) -> SafeString:
    """Who must act next, what, and by when; or that nothing is pending."""
    return mark_safe(_next_steps(steps, _labels()))


def _units(suggestion: Suggestion, labels: _Labels) -> str:
    assignments = suggestion.assignments.all()
    if not assignments:
        return ""
    units = "、".join(
        f"{escape(a.unit.name)}（{labels.roles.get(a.role) or escape(a.role)}）"
        for a in assignments
    )
    return f'\n  <p class="meta">{labels.units}：{units}</p>'


def _is_key(s: Suggestion) -> bool:
    """重点督办: the list's EXISTS annotation when the rows were read with it (the public
    pages), else the prefetched supervision plans (the staff, deputy and leader lists)."""
    listed = getattr(s, "listed_as_key", None)
    return bool(s.supervision_plans.all()) if listed is None else listed


def _row(s: Suggestion, steps: list[NextStep] | None, url: str, labels: _Labels) -> str:
    state = escape(s.state)
    meta = [f'<span class="badge state-{state}">{labels.states.get(s.state) or state}</span>']
    if _is_key(s):
        meta.append(f'<span class="badge key">{labels.key}</span>')
    session = escape(s.session.name) if s.session else labels.recess
    meta.append(f"{escape(s.congress.short_name or s.congress.name)} · {session}")
    if s.number:
        meta.append(f"· {escape(labels.number % {'n': s.number})}")
    meta.append(f"· {labels.lead_deputy} {escape(s.lead_deputy.person.name)}")
    if s.topic:
        meta.append(f"· {escape(s.topic)}")
    steps_html = f'\n  <div class="small">{_next_steps(steps, labels)}</div>' if steps else ""
    return (
        f'<li>\n  <h3><a href="{escape(url)}">{escape(s.title)}</a></h3>\n'
        f'  <p class="meta">\n    {META_SEPARATOR.join(meta)}\n  </p>'
        f"{_units(s, labels)}{steps_html}\n</li>"
    )


@register.simple_tag
def suggestion_row(suggestion: Suggestion, steps: list[NextStep] | None, url: str) -> SafeString:
    """One <li> of a suggestion list: title, state, 重点督办, where it was filed, number, lead
    deputy, topic, the units handling it and (when given) the next steps."""
    return mark_safe(_row(suggestion, steps, url, _labels()))


@register.simple_tag
def suggestion_rows(
    rows: Iterable[tuple[Suggestion, list[NextStep] | None]], url_name: str
) -> SafeString:
    """The <li>s of a whole list of (suggestion, next steps or None), one per line, each
    linking to the page `url_name` names for it."""
    labels = _labels()
    # One reverse() for the whole list (a twentieth of a page's time when done per row): the
    # URL of a stand-in key, split where the key goes.
    before, _key, after = reverse(url_name, args=[URL_STAND_IN]).partition(str(URL_STAND_IN))
    return mark_safe(
        META_SEPARATOR.join(_row(s, steps, f"{before}{s.pk}{after}", labels) for s, steps in rows)
    )


def _assignment_row(a: Assignment, show: str, labels: _Labels) -> str:
    s = a.suggestion
    url = escape(reverse("web:unit-assignment", args=[a.pk]))
    rehandling = f" · <strong>{labels.rehandling}</strong>" if s.state == State.REHANDLING else ""
    due_on = a.current_due_on
    if show in ("todo", "overdue"):
        left = f'<td class="{due_class(due_on)}">{escape(due_text(due_on))}</td>'
    else:
        left = f"<td>{labels.statuses.get(a.status) or escape(a.status)}</td>"
    if show in ("returned", "finished"):
        this_round = labels.states.get(s.state) or escape(s.state)
    elif a.done:
        this_round = labels.co_opinion_given if a.role == UnitRole.CO else labels.replied
    else:
        this_round = labels.to_do
    return (
        f'  <tr>\n    <td><a href="{url}">{escape(s.title)}</a><br><span class="muted small">'
        f"{escape(s.number_display)} · {labels.lead_deputy} {escape(s.lead_deputy.person.name)}"
        f"{rehandling}</span></td>\n"
        f"    <td>{labels.roles.get(a.role) or escape(a.role)}</td>\n"
        f"    <td>{due_on.isoformat() if due_on else ''}</td>\n"
        f"    {left}\n    <td>{this_round}</td>\n  </tr>"
    )


@register.simple_tag
def assignment_rows(rows: Iterable[Assignment], show: str) -> SafeString:
    """The <tr>s of a unit's inbox view `show`: the suggestion (number, lead deputy, whether
    re-handled), the unit's role, the binding deadline, days left or the assignment's
    status, and where this round stands (or the suggestion's state once it is over)."""
    labels = _labels()
    return mark_safe("\n".join(_assignment_row(a, show, labels) for a in rows))


@register.simple_tag
def facet_options(choices: Iterable[tuple[object, str]], chosen: str | None) -> SafeString:
    """The <option>s of one facet: (value, label) pairs, the chosen value selected."""
    chosen = "" if chosen is None else str(chosen)
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )
