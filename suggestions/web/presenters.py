"""What the pages show about a suggestion that is derived, not stored: whether it is public,
the difference between two versions, who acted on the public timeline. (Who must act next is
`suggestions.progress`; the public text of a reply is `suggestions.publication`.)

These functions work on prefetched data only (no queries), so list and detail pages keep a
constant number of queries.
"""

from __future__ import annotations

import difflib

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from suggestions.models import (
    PUBLIC_STATES,
    Suggestion,
)


def is_public(suggestion: Suggestion) -> bool:
    return suggestion.state in PUBLIC_STATES and not suggestion.withheld_reason


# ---- Versions ----


def inline_diff(old: str, new: str) -> SafeString:
    """Character-level difference (Chinese text has no word boundaries), as <del>/<ins>."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    parts = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(old[a0:a1]))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(old[a0:a1])}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(new[b0:b1])}</ins>")
    return mark_safe("".join(parts))


# ---- Public timeline ----

UNIT_ACTIONS = frozenset({"contact", "reply", "partial_reply", "co_opinion"})


def public_actor(event) -> str:
    """Who acted, as the public reads it: the acting body, or the deputy by name. Staff and
    unit clerks' own accounts are not shown (the reason names the unit where it matters)."""
    if event.actor_id is None:
        return event.actor_name
    person = getattr(event.actor, "person", None)
    if person is not None and event.suggestion.lead_deputy.person_id == person.pk:
        return person.name
    if event.action in UNIT_ACTIONS:
        return _("承办单位")
    return _("人大常委会代表工作机构")
