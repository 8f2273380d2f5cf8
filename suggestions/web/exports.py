"""台账导出: staff (and unit members, for their own unit) start ledger exports, follow a
large one's progress and download it when it is ready. A ledger within `EXPORT_SYNC_LIMIT`
rows is the response to the form; a larger one becomes a background job
(`suggestions/exports/`) and the browser goes to its progress page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from suggestions import access
from suggestions.exports import jobs
from suggestions.exports.files import download_response, ledger_file_response
from suggestions.ledger import ledger_row_count
from suggestions.models import ExportFormat, LedgerExport
from suggestions.services import TransitionRefused, error_message

from .roles import role_required

PAGE_SIZE = 30
REFRESH_SECONDS = 2

exporter_required = role_required(lambda roles: roles.is_staff or roles.is_unit)


class LedgerExportForm(forms.Form):
    """A session or a unit within the user's perimeter (`access.ledger_scopes`), and a format.
    The scope is one choice, `session-<id>` or `unit-<id>`."""

    scope = forms.ChoiceField(label=gettext_lazy("导出范围"))
    file_format = forms.ChoiceField(
        label=gettext_lazy("格式"), choices=ExportFormat.choices, initial=ExportFormat.XLSX
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sessions, units = access.ledger_scopes(user)
        self.sessions = {f"session-{s.pk}": s for s in sessions.select_related("term__congress")}
        self.units = {f"unit-{u.pk}": u for u in units.order_by("congress", "name")}
        self.fields["scope"].choices = [
            (_("会议"), [(key, str(s)) for key, s in self.sessions.items()]),
            (_("承办单位"), [(key, u.name) for key, u in self.units.items()]),
        ]

    def scope_kwargs(self) -> dict:
        key = self.cleaned_data["scope"]
        if key in self.sessions:
            return {"session": self.sessions[key]}
        return {"unit": self.units[key]}


def _own_jobs(request: HttpRequest):
    return (
        access.readable_ledger_exports(request.user)
        .filter(owner=request.user)  # a superuser's list too holds only their own
        .select_related("session__term__congress", "unit")
        .order_by("-created_at", "-pk")
    )


@exporter_required
def ledger_exports(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = LedgerExportForm(data, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            return _start(request, form)
        status = 400
    page = Paginator(_own_jobs(request), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "sync_limit": settings.EXPORT_SYNC_LIMIT}
    return render(request, "web/staff/exports.html", context, status=status)


def _start(request: HttpRequest, form: LedgerExportForm) -> HttpResponse:
    scope = form.scope_kwargs()
    file_format = form.cleaned_data["file_format"]
    readable = access.ledger_readable(request.user, **scope)
    rows = ledger_row_count(readable=readable, **scope)
    if rows <= settings.EXPORT_SYNC_LIMIT:
        return ledger_file_response(readable=readable, file_format=file_format, **scope)
    requested = jobs.ledger_export_request(
        owner=request.user, file_format=file_format, rows_total=rows, **scope
    )
    if not requested.created:
        messages.info(request, _("这份台账已在导出中，请等待它完成。"))
    return redirect("web:ledger-export", requested.job.pk)


def _job(request: HttpRequest, pk: int) -> LedgerExport:
    queryset = LedgerExport.objects.select_related("session__term__congress", "unit")
    return access.ledger_export_for(request.user, pk, queryset=queryset)


@exporter_required
def ledger_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress page: reloads itself (meta refresh, no script needed) until the job is
    done or failed."""
    job = _job(request, pk)
    context = {"job": job, "refresh_seconds": REFRESH_SECONDS if job.is_active else None}
    return render(request, "web/staff/export_progress.html", context)


@exporter_required
def ledger_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if not job.file:
        messages.error(request, _("这项导出尚未完成，还没有可下载的文件。"))
        return redirect("web:ledger-export", job.pk)
    return download_response(request.user, job)


@require_POST
@exporter_required
def ledger_export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        jobs.ledger_export_retry(job=job, actor=request.user)
    except TransitionRefused as exc:
        messages.error(request, error_message(exc))
    return redirect("web:ledger-export", job.pk)
