"""Reads. Pages, the API and exports ask these functions so that what each audience may see
is decided in one place."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from suggestions.models import Suggestion


def public_suggestions() -> QuerySet[Suggestion]:
    """Suggestions a citizen may see, with what a list row shows, in a constant number of
    queries."""
    return (
        Suggestion.objects.public()
        .select_related("congress", "term", "session", "lead_deputy__person")
        .order_by("-filed_on", "-pk")
    )


def suggestion_for_detail(pk: int) -> Suggestion:
    """One suggestion with everything a detail page shows, prefetched."""
    return (
        Suggestion.objects.select_related(
            "congress", "term", "session", "lead_deputy__person", "merged_into", "source"
        )
        .prefetch_related(
            "versions",
            "cosignatures__deputy__person",
            Prefetch("assignments", queryset=_assignments()),
            "outcomes",
            "supervision_plans__activities",
            "follow_up_reviews",
            "links_out__to_suggestion",
            "links_in__from_suggestion",
        )
        .get(pk=pk)
    )


def _assignments():
    from suggestions.models import Assignment

    return Assignment.objects.select_related("unit").order_by("role", "unit__name")
