"""Staff's page of failed reminders of their congresses, with resend (one or all)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from suggestions.reminders import services
from suggestions.reminders.selectors import failed_reminders_for
from suggestions.services import TransitionRefused, error_message

from .roles import staff_required

PAGE_SIZE = 50


@staff_required
def failed_reminders(request: HttpRequest) -> HttpResponse:
    rows = (
        failed_reminders_for(request.user)
        .select_related("suggestion", "recipient_user")
        .order_by("-next_attempt_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/staff/reminders.html", {"page": page})


@require_POST
@staff_required
def resend_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = failed_reminders_for(request.user).filter(pk=pk).first()
    if reminder is None:
        raise Http404(_("没有这条发送失败的提醒，或它不属于您所在的人大。"))
    try:
        services.reminder_resend(reminder=reminder, actor=request.user)
    except TransitionRefused as exc:  # someone resent it a moment ago
        messages.error(request, error_message(exc))
    else:
        messages.success(
            request,
            _("「%(subject)s」已重新排入发送队列，将在下一次发送时发出。")
            % {"subject": reminder.subject},
        )
    return redirect("web:staff-reminders")


@require_POST
@staff_required
def resend_all_reminders(request: HttpRequest) -> HttpResponse:
    count = services.reminder_resend_all(actor=request.user)
    messages.success(request, _("已将 %(n)d 条发送失败的提醒重新排入发送队列。") % {"n": count})
    return redirect("web:staff-reminders")
