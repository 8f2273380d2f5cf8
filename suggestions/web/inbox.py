"""The in-app inbox of reminders (`suggestions.reminders`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from suggestions.reminders import selectors, services


def unread_count(user) -> int:
    return selectors.unread_count(user)


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        count = services.inbox_mark_all_read(user=request.user)
        messages.success(request, _("已将 %(n)d 条提醒标为已读。") % {"n": count})
        return redirect("web:inbox")
    return render(
        request,
        "web/inbox.html",
        {
            "inbox": list(selectors.inbox_for(request.user)[:100]),
            "unread_count": unread_count(request.user),
        },
    )
