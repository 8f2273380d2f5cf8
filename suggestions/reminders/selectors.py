"""Reads for the inbox pages and the staff's failed-reminder page."""

from __future__ import annotations

from django.db.models import QuerySet

from suggestions import access

from .models import InboxMessage, Reminder, ReminderStatus


def inbox_for(user) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.for_user(user).select_related("suggestion")


def unread_count(user) -> int:
    return InboxMessage.objects.for_user(user).unread().count()


def failed_reminders_for(user) -> QuerySet[Reminder]:
    """The failed reminders `user` may see and resend: every one for a superuser; for staff
    (`StaffRole.STAFF`) those of their congresses; none for anyone else.

    A reminder belongs to the congress of what it is about: its suggestion (replies, co-handling
    opinions, revisions, evaluations, follow-up reviews — assignment reminders carry their
    suggestion too) or, for a supervision deadline, its supervision plan. Every reminder is
    about one of these, so the recipient is not consulted: a person who works for two
    congresses must not make one congress's reminders visible to the other's staff.
    """
    return access.readable_reminders(user).filter(status=ReminderStatus.FAILED)
