"""What a published reply shows (DESIGN.md §8): the reply text with the passages staff marked,
phone numbers, addresses and the deputies' own contact details removed. The public pages and
the public API both read replies through `public_reply_text`."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from suggestions.models import Reply, Suggestion

# Mainland mobile numbers and landlines with their area code.
PHONE_PATTERN = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}[-－ ]?\d{7,8})(?!\d)")
ADDRESS_PATTERN = re.compile(r"(?:地址|住址|通讯地址|联系地址)[:：][^\n。；;]*")


def deputy_contact_values(suggestion: Suggestion) -> tuple[str, ...]:
    """The phone numbers, addresses and e-mail addresses of the suggestion's lead deputy and
    co-signers. Uses `lead_deputy.person` and `cosignatures`: prefetch them for lists."""
    persons = [suggestion.lead_deputy.person]
    persons += [c.deputy.person for c in suggestion.cosignatures.all()]
    return tuple(
        value
        for person in persons
        for value in (person.phone, person.address, person.email)
        if value
    )


def public_reply_text(reply: Reply, private_values: tuple[str, ...] | None = None) -> str:
    """The reply as the public reads it. `private_values` defaults to the deputies' contact
    details (`deputy_contact_values(reply.suggestion)`)."""
    if private_values is None:
        private_values = deputy_contact_values(reply.suggestion)
    text = reply.text
    for passage in (line.strip() for line in reply.redactions.splitlines()):
        if passage:
            text = text.replace(passage, _("［已删除］"))
    for value in private_values:
        if len(value) >= 3:
            text = text.replace(value, _("［已隐去］"))
    text = ADDRESS_PATTERN.sub(_("［地址已隐去］"), text)
    return PHONE_PATTERN.sub(_("［电话已隐去］"), text)
