"""What a published reply shows: the text with the redacted passages removed (DESIGN.md §8)."""

from __future__ import annotations

from suggestions.models import Reply

REDACTED_MARK = "［已删除］"


def public_reply_text(reply: Reply) -> str:
    """The reply text with every passage listed in `reply.redactions` (one per line)
    replaced by a mark, so readers see that something was removed but not what."""
    text = reply.text
    for passage in (line.strip() for line in reply.redactions.splitlines()):
        if passage:
            text = text.replace(passage, REDACTED_MARK)
    return text
