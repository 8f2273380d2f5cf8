"""Ledger export jobs in the API: the request to start one and the job's status."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congress.models import HandlingUnit, Session
from suggestions.models import ExportFormat, ExportStatus, LedgerExport


class LedgerExportInput(serializers.Serializer):
    """Exactly one of `session` and `unit`."""

    session = serializers.PrimaryKeyRelatedField(
        queryset=Session.objects.select_related("term"), required=False, allow_null=True
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=HandlingUnit.objects.all(), required=False, allow_null=True
    )
    format = serializers.ChoiceField(choices=ExportFormat.choices)

    def validate(self, attrs: dict) -> dict:
        if (attrs.get("session") is None) == (attrs.get("unit") is None):
            raise serializers.ValidationError(
                "Give exactly one of session and unit (请选择一次会议或一个承办单位)."
            )
        return attrs


class LedgerExportSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField(help_text="session or unit")
    scope_name = serializers.CharField(read_only=True)
    format = serializers.ChoiceField(source="file_format", choices=ExportFormat.choices)
    status = serializers.ChoiceField(choices=ExportStatus.choices)
    queued = serializers.SerializerMethodField(
        help_text="False while a pending job waits for the task queue to come back"
    )
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="Set once the job is done")

    class Meta:
        model = LedgerExport
        fields = [
            "id",
            "scope",
            "session",
            "unit",
            "scope_name",
            "format",
            "status",
            "rows_total",
            "rows_done",
            "error",
            "queued",
            "created_at",
            "started_at",
            "finished_at",
            "url",
            "download_url",
        ]
        read_only_fields = fields

    def get_scope(self, job: LedgerExport) -> str:
        return "session" if job.session_id else "unit"

    def get_queued(self, job: LedgerExport) -> bool:
        return job.status != ExportStatus.PENDING or job.enqueued_at is not None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: LedgerExport) -> str:
        return self._absolute(reverse("v1:ledger-export", args=[job.pk]))

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, job: LedgerExport) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        return self._absolute(reverse("v1:ledger-export-download", args=[job.pk]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
