"""Public read endpoints: what a citizen may see, no login needed."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from congress.models import Congress, HandlingUnit, Session, Term
from suggestions import access, public_projection
from suggestions.api.filters import PublicSuggestionFilter, UnlessUnfilteredBackend
from suggestions.api.pagination import CountIn
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
from suggestions.models import Suggestion
from suggestions.search import public_search_newest_first, search_suggestions, search_terms

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


@extend_schema_view(
    list=extend_schema(
        summary="Public suggestions", parameters=[SEARCH_PARAMETER], tags=["public"]
    ),
    retrieve=extend_schema(summary="One public suggestion with its public record", tags=["public"]),
)
class PublicSuggestionViewSet(PublicResponseCacheMixin, SearchMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    filter_backends = [UnlessUnfilteredBackend, OrderingFilter]
    filterset_class = PublicSuggestionFilter
    ordering_fields = ["filed_on", "number", "title", "id"]
    ordering = ["-filed_on", "-id"]

    def get_queryset(self):
        if self.action == "list":
            # Only ids are read from it (filtered, searched, ordered, paged); the rows come
            # from public_list_rows, so no joins or annotations here.
            return Suggestion.objects.public()
        return public_projection.detail_queryset()

    def list(self, request, *args, **kwargs):
        # Ids first, then those rows as plain values (suggestions/api/public_rows.py);
        # PublicSuggestionListSerializer documents the same rows.
        query = request.query_params.get("search")
        searching = bool(search_terms(query))
        queryset = None
        if searching and self._unfiltered_and_unordered(request):
            # The plain public search in the default order: a page of the search documents
            # (suggestions/search.py) is the same page, read from one table.
            queryset = public_search_newest_first(query)
        if queryset is None:
            queryset = self.filter_queryset(self.get_queryset())
        count_in = CountIn.WINDOW if searching else CountIn.SUBQUERY
        ids = self.paginator.paginate_ids(queryset, request, self, count_in=count_in)
        return self.get_paginated_response(public_list_rows(ids))

    def _unfiltered_and_unordered(self, request) -> bool:
        """Whether `request` names none of the filters and no ordering (`ordering` below
        is the default one, `-filed_on, -id`)."""
        names = {*self.filterset_class.base_filters, OrderingFilter.ordering_param}
        return request.query_params.keys().isdisjoint(names)

    def get_serializer_class(self):
        if self.action == "list":
            return PublicSuggestionListSerializer
        return PublicSuggestionDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        # One query (suggestions/public_projection/loading.py); get_object() only to answer
        # a missing or withheld suggestion with the viewset's own 404.
        suggestion = public_projection.public_detail(kwargs["pk"]) or self.get_object()
        projected = public_projection.project(suggestion)
        return Response(PublicSuggestionDetailSerializer(projected).data)

    @extend_schema(
        summary="Public timeline", responses=PublicEventSerializer(many=True), tags=["public"]
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def timeline(self, request, pk=None):
        events = public_projection.public_timeline(self.get_object())
        return Response(PublicEventSerializer(events, many=True).data)

    @extend_schema(
        summary="Published replies", responses=PublicReplySerializer(many=True), tags=["public"]
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def replies(self, request, pk=None):
        replies = public_projection.public_replies(self.get_object())
        return Response(PublicReplySerializer(replies, many=True).data)

    @extend_schema(
        summary="Outcomes (policies, measures)",
        responses=OutcomeSerializer(many=True),
        tags=["public"],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def outcomes(self, request, pk=None):
        outcomes = public_projection.public_outcomes(self.get_object())
        return Response(OutcomeSerializer(outcomes, many=True).data)

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
        "reply_categories",
        Prefetch(
            "terms",
            queryset=Term.objects.order_by("number").prefetch_related(
                Prefetch("sessions", queryset=Session.objects.order_by("number"))
            ),
        ),
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
