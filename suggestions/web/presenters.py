"""What the pages show about a suggestion that is derived, not stored: the difference between
two versions. (Who must act next is `suggestions.progress`; everything the public sees,
including who acted on the public timeline, is `suggestions.public_projection`.)

These functions work on prefetched data only (no queries), so list and detail pages keep a
constant number of queries.
"""

from __future__ import annotations

import difflib

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


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
