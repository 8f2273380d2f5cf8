"""Reads for the inbox pages."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import InboxMessage


def inbox_for(user) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.for_user(user).select_related("suggestion")


def unread_count(user) -> int:
    return InboxMessage.objects.for_user(user).unread().count()
