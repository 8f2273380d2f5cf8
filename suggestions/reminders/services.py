"""Writes to the in-app inbox (reminder rows are written only by the sweep and deliverers)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from suggestions.services import PermissionDenied

from .models import InboxMessage


def inbox_mark_read(*, message: InboxMessage, user) -> InboxMessage:
    """Mark one of `user`'s messages read; someone else's message is refused."""
    if user is None or not user.is_authenticated or message.user_id != user.pk:
        raise PermissionDenied(_("只能标记自己的站内消息。"))
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def inbox_mark_unread(*, message: InboxMessage, user) -> InboxMessage:
    if user is None or not user.is_authenticated or message.user_id != user.pk:
        raise PermissionDenied(_("只能标记自己的站内消息。"))
    if message.read_at is not None:
        message.read_at = None
        message.save(update_fields=["read_at"])
    return message


def inbox_mark_all_read(*, user) -> int:
    return InboxMessage.objects.for_user(user).unread().update(read_at=timezone.now())
