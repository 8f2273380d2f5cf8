"""Public statistics (办复率, 满意率, …) from the one statistics service."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from congress.models import Congress, HandlingUnit, Session
from suggestions import statistics
from suggestions.api.serializers.statistics import HandlingStatisticsSerializer
from suggestions.params import int_param

SESSION_PARAMETER = OpenApiParameter(
    "session", int, description="Limit to the suggestions of one session of this congress."
)


class _StatisticsView(APIView):
    permission_classes = [AllowAny]
    pagination_class = None

    def _session_param(self, request, congress: Congress) -> Session | None:
        from rest_framework.exceptions import ValidationError

        session_id = int_param(request.query_params, "session")
        if session_id is None:
            return None
        session = Session.objects.filter(pk=session_id, term__congress=congress).first()
        if session is None:
            raise ValidationError({"session": [_("该人大没有这次会议。")]})
        return session


class CongressStatisticsView(_StatisticsView):
    @extend_schema(
        summary="Statistics of one congress",
        responses=HandlingStatisticsSerializer,
        tags=["statistics"],
    )
    def get(self, request, pk: int):
        congress = get_object_or_404(Congress, pk=pk)
        stats = statistics.congress_statistics(congress)
        return Response(HandlingStatisticsSerializer(stats).data)


class CongressSessionsStatisticsView(_StatisticsView):
    @extend_schema(
        summary="Statistics of each session of a congress",
        responses=HandlingStatisticsSerializer(many=True),
        tags=["statistics"],
    )
    def get(self, request, pk: int):
        congress = get_object_or_404(Congress, pk=pk)
        rows = statistics.session_table(congress)
        return Response(HandlingStatisticsSerializer(rows, many=True).data)


class CongressUnitsStatisticsView(_StatisticsView):
    @extend_schema(
        summary="Statistics of each handling unit of a congress",
        parameters=[SESSION_PARAMETER],
        responses=HandlingStatisticsSerializer(many=True),
        tags=["statistics"],
    )
    def get(self, request, pk: int):
        congress = get_object_or_404(Congress, pk=pk)
        session = self._session_param(request, congress)
        rows = statistics.unit_table(congress, session=session)
        return Response(HandlingStatisticsSerializer(rows, many=True).data)


class SessionStatisticsView(_StatisticsView):
    @extend_schema(
        summary="Statistics of one session",
        responses=HandlingStatisticsSerializer,
        tags=["statistics"],
    )
    def get(self, request, pk: int):
        session = get_object_or_404(Session.objects.select_related("term__congress"), pk=pk)
        stats = statistics.session_statistics(session)
        return Response(HandlingStatisticsSerializer(stats).data)


class UnitStatisticsView(_StatisticsView):
    @extend_schema(
        summary="Statistics of one handling unit",
        parameters=[SESSION_PARAMETER],
        responses=HandlingStatisticsSerializer,
        tags=["statistics"],
    )
    def get(self, request, pk: int):
        unit = get_object_or_404(HandlingUnit.objects.select_related("congress"), pk=pk)
        session = self._session_param(request, unit.congress)
        stats = statistics.unit_statistics(unit, session=session)
        return Response(HandlingStatisticsSerializer(stats).data)
