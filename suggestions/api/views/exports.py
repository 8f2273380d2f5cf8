"""Ledger (台账) exports for staff: XLSX and CSV, streamed."""

from __future__ import annotations

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.views import APIView

from congress.models import HandlingUnit, Session
from suggestions import access
from suggestions.api.permissions import IsCongressStaffUser
from suggestions.ledger import ledger_csv, ledger_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

EXPORT_RESPONSES = {
    (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX ledger"),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV ledger (UTF-8, BOM)"),
}


def _ledger_response(request, file_format: str, filename: str, **scope):
    scope["readable"] = access.readable_suggestions(request.user, access.Audience.STAFF)
    if file_format == "xlsx":
        return FileResponse(
            ledger_xlsx(**scope),
            as_attachment=True,
            filename=f"{filename}.xlsx",
            content_type=XLSX,
        )
    if file_format == "csv":
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in ledger_csv(**scope)), content_type=CSV
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response
    raise NotFound(_("不支持的导出格式：%(f)s（可选 xlsx、csv）") % {"f": file_format})


class SessionLedgerView(APIView):
    permission_classes = [IsCongressStaffUser]

    @extend_schema(
        summary="Ledger of a session (staff)", responses=EXPORT_RESPONSES, tags=["exports"]
    )
    def get(self, request, pk: int, file_format: str):
        session = get_object_or_404(Session.objects.select_related("term__congress"), pk=pk)
        if not access.is_staff_of(request.user, session.term.congress_id):
            raise PermissionDenied(_("您不是该人大的工作人员，不能导出其台账。"))
        return _ledger_response(
            request, file_format, _("台账-%(name)s") % {"name": str(session)}, session=session
        )


class UnitLedgerView(APIView):
    permission_classes = [IsCongressStaffUser]

    @extend_schema(
        summary="Ledger of a handling unit (staff)", responses=EXPORT_RESPONSES, tags=["exports"]
    )
    def get(self, request, pk: int, file_format: str):
        unit = get_object_or_404(HandlingUnit.objects.select_related("congress"), pk=pk)
        if not access.is_staff_of(request.user, unit.congress_id):
            raise PermissionDenied(_("您不是该人大的工作人员，不能导出其台账。"))
        return _ledger_response(
            request, file_format, _("台账-%(name)s") % {"name": unit.name}, unit=unit
        )
