"""Writes to the in-app inbox, and staff putting failed reminders back in the outbox (other
reminder rows are written only by the sweep and the deliverers)."""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from suggestions.services import PermissionDenied, TransitionRefused

from .models import InboxMessage, Reminder, ReminderStatus
from .selectors import failed_reminders_for

logger = logging.getLogger(__name__)


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


def _back_to_the_outbox(failed: QuerySet[Reminder]) -> int:
    """Failed → pending, due now, with a fresh retry schedule. The deliverers then send it
    exactly as a new reminder: reserved under a lease, marked before it is sent, its inbox
    message (already delivered, if it has a recipient account) not written twice. The last
    error stays until the next attempt replaces or clears it."""
    return failed.update(
        status=ReminderStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        lease_token=None,
        lease_until=None,
    )


def reminder_resend(*, reminder: Reminder, actor) -> Reminder:
    """Staff resend one failed reminder of their congress (see `failed_reminders_for`)."""
    if not _back_to_the_outbox(failed_reminders_for(actor).filter(pk=reminder.pk)):
        # One answer for "not failed (any more)" and "not yours": no other congress's
        # reminder may be probed through this refusal.
        raise TransitionRefused(
            _("没有这条发送失败的提醒，或它不属于您所在的人大（它可能已被重新发送）。"),
            code="not_failed",
        )
    logger.info(
        "reminder %s (%s) put back in the outbox by %s", reminder.pk, reminder.key, _who(actor)
    )
    reminder.refresh_from_db()
    return reminder


def reminder_resend_all(*, actor) -> int:
    """Staff resend every failed reminder of their congresses; returns how many."""
    count = _back_to_the_outbox(failed_reminders_for(actor))
    logger.info("%d failed reminders put back in the outbox by %s", count, _who(actor))
    return count


def _who(actor) -> str:
    if actor is None:
        return "nobody"
    return f"user {actor.pk} ({actor.get_username()})"
