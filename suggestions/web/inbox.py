"""The in-app inbox of reminders, read from the reminders app (`suggestions.reminders`, built
on its own branch).

This module is the only place the web pages touch that app, so the pages work — with an empty
inbox and a notice — on a tree where it is not installed yet.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

REMINDERS_APP = "suggestions.reminders"


def available() -> bool:
    return apps.is_installed(REMINDERS_APP)


def messages_for(user, limit: int = 100) -> list:
    if not available():
        return []
    selectors = import_module(f"{REMINDERS_APP}.selectors")
    return list(selectors.inbox_for(user)[:limit])


def unread_count(user) -> int:
    if not available():
        return 0
    return import_module(f"{REMINDERS_APP}.selectors").unread_count(user)


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and available():
        services = import_module(f"{REMINDERS_APP}.services")
        count = services.inbox_mark_all_read(user=request.user)
        messages.success(request, _("已将 %(n)d 条提醒标为已读。") % {"n": count})
        return redirect("web:inbox")
    return render(
        request,
        "web/inbox.html",
        {
            "inbox": messages_for(request.user),
            "inbox_available": available(),
            "unread_count": unread_count(request.user),
        },
    )
