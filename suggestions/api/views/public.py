"""Public read endpoints: what a citizen may see, no login needed."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from congress.models import Congress, HandlingUnit, Session, Term
from suggestions import access
from suggestions.api.filters import PublicSuggestionFilter, key_supervised
from suggestions.api.public_cache import PublicResponseCacheMixin
from suggestions.api.public_rows import public_list_rows
from suggestions.api.serializers.public import (
    CongressSerializer,
    HandlingUnitSerializer,
    OutcomeSerializer,
    PublicEventSerializer,
    PublicReplySerializer,
    PublicSuggestionDetailSerializer,
    PublicSuggestionListSerializer,
)
from suggestions.models import Assignment, Event, Reply, Suggestion, SupervisionPlan
from suggestions.search import search_suggestions, search_terms
from suggestions.selectors import public_suggestions

SEARCH_PARAMETER = OpenApiParameter(
    "search",
    str,
    description="Chinese substring search; whitespace-separated terms must all occur "
    "(title, body, published replies).",
)


class SearchMixin:
    """`?search=` through the one search function (suggestions/search.py)."""

    searches_working_set = False

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list":
            query = self.request.query_params.get("search", "")
            scope = access.search_scope(self.request.user) if self.searches_working_set else None
            queryset = search_suggestions(queryset, query, scope=scope)
        return queryset


LIST_FIELDS = (
    "id",
    "congress__id",
    "congress__name",
    "session__id",
    "session__name",
    "number",
    "title",
    "topic",
    "lead_deputy__id",
    "lead_deputy__person__id",
    "lead_deputy__person__name",
    "state",
    "filed_on",
)


def public_list_queryset() -> QuerySet:
    """Public list rows: only the columns a row shows (no bodies), in one query."""
    return (
        Suggestion.objects.public()
        .select_related("congress", "session", "lead_deputy__person")
        .only(*LIST_FIELDS)
        .annotate(key_supervised=key_supervised())
        .order_by("-filed_on", "-pk")
    )


def public_detail_queryset() -> QuerySet:
    return (
        public_suggestions()
        .annotate(key_supervised=key_supervised())
        .select_related("merged_into", "source")
        .prefetch_related(
            "cosignatures__deputy__person",
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
            Prefetch("replies", queryset=Reply.objects.select_related("assignment__unit")),
            "outcomes",
            Prefetch("events", queryset=Event.objects.select_related("source")),
            Prefetch(
                "supervision_plans",
                queryset=SupervisionPlan.objects.select_related(
                    "committee", "lead_unit"
                ).prefetch_related("activities"),
            ),
            "follow_up_reviews",
            "links_out__to_suggestion__congress",
            "links_in__from_suggestion__congress",
        )
    )


@extend_schema_view(
    list=extend_schema(
        summary="Public suggestions", parameters=[SEARCH_PARAMETER], tags=["public"]
    ),
    retrieve=extend_schema(summary="One public suggestion with its public record", tags=["public"]),
)
class PublicSuggestionViewSet(PublicResponseCacheMixin, SearchMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    filterset_class = PublicSuggestionFilter
    ordering_fields = ["filed_on", "number", "title", "id"]
    ordering = ["-filed_on", "-id"]

    def get_queryset(self):
        if self.action == "list":
            return public_list_queryset()
        return public_detail_queryset()

    def list(self, request, *args, **kwargs):
        # Ids first, then those rows as plain values (suggestions/api/public_rows.py);
        # PublicSuggestionListSerializer documents the same rows.
        queryset = self.filter_queryset(self.get_queryset())
        searching = bool(search_terms(request.query_params.get("search")))
        ids = self.paginator.paginate_ids(queryset, request, self, count_with_page=searching)
        return self.get_paginated_response(public_list_rows(ids))

    def get_serializer_class(self):
        if self.action == "list":
            return PublicSuggestionListSerializer
        return PublicSuggestionDetailSerializer

    def _public_object(self):
        return self.get_object()

    @extend_schema(
        summary="Public timeline", responses=PublicEventSerializer(many=True), tags=["public"]
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def timeline(self, request, pk=None):
        suggestion = self._public_object()
        events = [e for e in suggestion.events.all() if e.is_public]
        return Response(PublicEventSerializer(events, many=True).data)

    @extend_schema(
        summary="Published replies", responses=PublicReplySerializer(many=True), tags=["public"]
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def replies(self, request, pk=None):
        suggestion = self._public_object()
        replies = [r for r in suggestion.replies.all() if r.published_at and not r.withheld]
        return Response(PublicReplySerializer(replies, many=True).data)

    @extend_schema(
        summary="Outcomes (policies, measures)",
        responses=OutcomeSerializer(many=True),
        tags=["public"],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def outcomes(self, request, pk=None):
        suggestion = self._public_object()
        return Response(OutcomeSerializer(suggestion.outcomes.all(), many=True).data)

    def filter_queryset(self, queryset):
        if self.action in ("timeline", "replies", "outcomes", "retrieve"):
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(summary="Congresses with their terms and sessions", tags=["reference"]),
    retrieve=extend_schema(summary="One congress", tags=["reference"]),
)
class CongressViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = CongressSerializer
    filterset_fields = ["level"]
    ordering_fields = ["name", "level"]
    ordering = ["level", "name"]
    queryset = Congress.objects.prefetch_related(
        Prefetch(
            "terms",
            queryset=Term.objects.order_by("number").prefetch_related(
                Prefetch("sessions", queryset=Session.objects.order_by("number"))
            ),
        )
    )


@extend_schema_view(
    list=extend_schema(summary="Handling units", tags=["reference"]),
    retrieve=extend_schema(summary="One handling unit", tags=["reference"]),
)
class HandlingUnitViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = HandlingUnitSerializer
    filterset_fields = ["congress"]
    ordering_fields = ["name"]
    ordering = ["name"]
    queryset = HandlingUnit.objects.all()
