"""Replies as published: the text with marked passages, phone numbers, addresses and the
deputies' contact details removed, for display and (stored in `Reply.public_text`) for the
public search."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from suggestions.models import Reply, Suggestion

# Mainland mobile numbers and landlines with their area code.
PHONE_PATTERN = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}[-－ ]?\d{7,8})(?!\d)")
ADDRESS_PATTERN = re.compile(r"(?:地址|住址|通讯地址|联系地址)[:：][^\n。；;]*")


def redact_reply_text(text: str, redactions: str, private_values: Iterable[str]) -> str:
    """A reply's text as the public reads it: the passages staff marked (one per line of
    `redactions`), the `private_values` (the deputies' contact details), addresses and phone
    numbers removed. Pure: no database, so migrations may call it."""
    for passage in (line.strip() for line in redactions.splitlines()):
        if passage:
            text = text.replace(passage, _("［已删除］"))
    for value in private_values:
        if len(value) >= 3:
            text = text.replace(value, _("［已隐去］"))
    text = ADDRESS_PATTERN.sub(_("［地址已隐去］"), text)
    return PHONE_PATTERN.sub(_("［电话已隐去］"), text)


def searchable_reply_text(text: str, redactions: str, private_values: Iterable[str]) -> str:
    """What `Reply.public_text` stores: `redact_reply_text` in the site's language, so the
    stored text does not depend on the language of whoever published the reply."""
    with translation.override(settings.LANGUAGE_CODE):
        return redact_reply_text(text, redactions, private_values)


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
    """The reply as the public reads it, in the active language. `private_values` defaults
    to the deputies' contact details (`deputy_contact_values(reply.suggestion)`)."""
    if private_values is None:
        private_values = deputy_contact_values(reply.suggestion)
    return redact_reply_text(reply.text, reply.redactions, private_values)


def stored_public_text(reply: Reply) -> str:
    """The value `reply.public_text` must hold: its published text, '' while not public."""
    if reply.published_at is None or reply.withheld:
        return ""
    return searchable_reply_text(
        reply.text, reply.redactions, deputy_contact_values(reply.suggestion)
    )


def refresh_public_texts(replies: QuerySet[Reply]) -> int:
    """Recompute `public_text` of `replies` (after a deputy's contact details changed);
    returns how many changed."""
    changed = []
    for reply in replies.select_related("suggestion__lead_deputy__person").prefetch_related(
        "suggestion__cosignatures__deputy__person"
    ):
        value = stored_public_text(reply)
        if value != reply.public_text:
            reply.public_text = value
            changed.append(reply)
    Reply.objects.bulk_update(changed, ["public_text"])
    return len(changed)


CONTACT_FIELDS = frozenset({"phone", "email", "address"})


def refresh_public_texts_on_contact_change(
    sender, instance, update_fields=None, raw=False, **kwargs
) -> None:
    """post_save of `congress.Person`: a deputy's new phone, address or e-mail must vanish
    from the searchable text of the published replies to their suggestions at once."""
    if raw or (update_fields is not None and not CONTACT_FIELDS & set(update_fields)):
        return
    lead_or_cosigner = Q(suggestion__lead_deputy__person=instance) | Q(
        suggestion__cosignatures__deputy__person=instance
    )
    ids = Reply.objects.published().filter(lead_or_cosigner).values("pk")
    refresh_public_texts(Reply.objects.filter(pk__in=ids))


def connect() -> None:
    from django.db.models.signals import post_save

    from congress.models import Person

    post_save.connect(
        refresh_public_texts_on_contact_change,
        sender=Person,
        dispatch_uid="refresh_public_texts_on_contact_change",
    )


@dataclass(frozen=True)
class PublicReply:
    id: int
    unit: str
    round: int
    category: str
    category_label: str
    text: str
    signer: str
    replied_at: dt.datetime
    published_at: dt.datetime


def public_replies(suggestion: Suggestion) -> list[PublicReply]:
    private_values = deputy_contact_values(suggestion)
    replies = sorted(suggestion.replies.all(), key=lambda r: (r.round, r.replied_at, r.pk))
    return [
        PublicReply(
            id=reply.pk,
            unit=reply.assignment.unit.name,
            round=reply.round,
            category=reply.category,
            category_label=reply.category_display,
            text=public_reply_text(reply, private_values),
            signer=reply.signer,
            replied_at=reply.replied_at,
            published_at=reply.published_at,
        )
        for reply in replies
        if reply.published_at is not None and not reply.withheld
    ]
