"""Ledger (台账) exports: XLSX and CSV. Up to `EXPORT_SYNC_LIMIT` rows the file is the
response; a larger ledger becomes a background job (202, its address in `Location`), whose
status and, when done, file are read at `/api/v1/exports/ledgers/{id}/…` by its owner."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from congress.models import HandlingUnit, Session
from suggestions import access
from suggestions.api.serializers.exports import LedgerExportInput, LedgerExportSerializer
from suggestions.exports import jobs
from suggestions.exports.files import CONTENT_TYPES, download_response, ledger_file_response
from suggestions.ledger import ledger_row_count
from suggestions.models import ExportStatus, LedgerExport

XLSX = CONTENT_TYPES["xlsx"]
CSV = CONTENT_TYPES["csv"]

JOB_ACCEPTED = OpenApiResponse(
    LedgerExportSerializer,
    description="Too many rows for one request: a background job was started (or the "
    "caller's identical job is under way); poll the address in Location.",
)
EXPORT_RESPONSES = {
    (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX ledger"),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV ledger (UTF-8, BOM)"),
    (202, "application/json"): JOB_ACCEPTED,
}
FILE_RESPONSES = {
    (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX ledger"),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV ledger (UTF-8, BOM)"),
}


def job_accepted(request, requested: jobs.Requested) -> Response:
    body = LedgerExportSerializer(requested.job, context={"request": request}).data
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


def _ledger_response(request, file_format: str, *, session=None, unit=None):
    if file_format not in ("xlsx", "csv"):
        raise NotFound(_("不支持的导出格式：%(f)s（可选 xlsx、csv）") % {"f": file_format})
    readable = access.ledger_readable(request.user, session=session, unit=unit)
    if readable is None:
        raise PermissionDenied(_("您不能导出该台账：只有该人大的工作人员和该承办单位可以导出。"))
    scope = {"readable": readable, "session": session, "unit": unit}
    rows = ledger_row_count(**scope)
    if rows > settings.EXPORT_SYNC_LIMIT:
        requested = jobs.ledger_export_request(
            owner=request.user, file_format=file_format, session=session, unit=unit, rows_total=rows
        )
        return job_accepted(request, requested)
    return ledger_file_response(**scope, file_format=file_format)


class SessionLedgerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Ledger of a session (staff)", responses=EXPORT_RESPONSES, tags=["exports"]
    )
    def get(self, request, pk: int, file_format: str):
        session = get_object_or_404(Session.objects.select_related("term__congress"), pk=pk)
        return _ledger_response(request, file_format, session=session)


class UnitLedgerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Ledger of a handling unit (staff; the unit's own members)",
        responses=EXPORT_RESPONSES,
        tags=["exports"],
    )
    def get(self, request, pk: int, file_format: str):
        unit = get_object_or_404(HandlingUnit.objects.select_related("congress"), pk=pk)
        return _ledger_response(request, file_format, unit=unit)


class LedgerExportStartView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Start a background ledger export",
        description="Always a job, whatever the size; an identical job of the caller that is "
        "still pending or running is returned instead of a second one.",
        request=LedgerExportInput,
        responses={202: JOB_ACCEPTED},
        tags=["exports"],
    )
    def post(self, request):
        given = LedgerExportInput(data=request.data)
        given.is_valid(raise_exception=True)
        requested = jobs.ledger_export_request(
            owner=request.user,
            file_format=given.validated_data["format"],
            session=given.validated_data.get("session"),
            unit=given.validated_data.get("unit"),
        )
        return job_accepted(request, requested)


def _job(request, pk: int) -> LedgerExport:
    queryset = LedgerExport.objects.select_related("session__term__congress", "unit")
    return access.ledger_export_for(request.user, pk, queryset=queryset)


class LedgerExportView(APIView):
    # Anonymous callers get the 404 of `access.ledger_export_for`, like everyone but the owner.
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Status of a ledger export job (its owner)",
        responses={200: LedgerExportSerializer},
        tags=["exports"],
    )
    def get(self, request, pk: int):
        return Response(
            LedgerExportSerializer(_job(request, pk), context={"request": request}).data
        )


class LedgerExportRetryView(APIView):
    # Anonymous callers get the 404 of `access.ledger_export_for`, like everyone but the owner.
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Retry a failed or interrupted ledger export job (its owner)",
        request=None,
        responses={202: JOB_ACCEPTED},
        tags=["exports"],
    )
    def post(self, request, pk: int):
        job = jobs.ledger_export_retry(job=_job(request, pk), actor=request.user)
        return job_accepted(request, jobs.Requested(job, created=False))


class LedgerExportDownloadView(APIView):
    # Anonymous callers get the 404 of `access.ledger_export_for`, like everyone but the owner.
    permission_classes = [AllowAny]

    @extend_schema(
        summary="The file of a finished ledger export job (its owner)",
        responses=FILE_RESPONSES,
        tags=["exports"],
    )
    def get(self, request, pk: int):
        job = _job(request, pk)
        if job.status != ExportStatus.DONE:
            raise NotFound(_("这项导出尚未完成，还没有可下载的文件。"))
        return download_response(request.user, job)
