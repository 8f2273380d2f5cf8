"""The in-app inbox of reminders, read from the reminders app (`suggestions.reminders`).

The reminders app is built separately; this module is the only place the web pages touch it,
so that the pages work (with an empty inbox and a notice) on a tree where it is not installed.
"""

from __future__ import annotations

from django.apps import apps

REMINDERS_APP_LABEL = "reminders"


def available() -> bool:
    return apps.is_installed("suggestions.reminders")


def _model():
    return apps.get_model(REMINDERS_APP_LABEL, "InboxMessage")


def messages_for(user, limit: int = 100) -> list:
    if not available():
        return []
    return list(_model().objects.filter(recipient=user).order_by("-created_at")[:limit])


def unread_count(user) -> int:
    if not available():
        return 0
    return _model().objects.filter(recipient=user, read_at__isnull=True).count()
