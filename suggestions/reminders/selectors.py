"""Reads for the inbox pages and the staff's failed-reminder page."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from congress.models import CongressStaff, StaffRole
from suggestions.models import SupervisionPlan

from .models import InboxMessage, Reminder, ReminderObject, ReminderStatus


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
    failed = Reminder.objects.filter(status=ReminderStatus.FAILED)
    if user is None or not user.is_authenticated:
        return failed.none()
    if user.is_superuser:
        return failed
    congress_ids = CongressStaff.objects.filter(user=user, role=StaffRole.STAFF).values(
        "congress_id"
    )
    plans = SupervisionPlan.objects.filter(congress_id__in=congress_ids).values("pk")
    return failed.filter(
        Q(suggestion__congress_id__in=congress_ids)
        | Q(object_type=ReminderObject.SUPERVISION_PLAN, object_id__in=plans)
    )
