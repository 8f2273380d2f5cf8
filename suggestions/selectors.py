"""Reads. Pages, the API and exports ask these functions so that what each audience may see
is decided in one place."""

from __future__ import annotations

from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from congress.models import Congress, HandlingUnit
from suggestions.models import PUBLIC_STATES, Suggestion

# More distinct topics than this is not a facet any more; the list offers the first ones.
MAX_TOPICS = 200


def public_suggestions() -> QuerySet[Suggestion]:
    """Suggestions a citizen may see, with what a list row shows, in a constant number of
    queries."""
    return (
        Suggestion.objects.public()
        .select_related("congress", "term", "session", "lead_deputy__person")
        .order_by("-filed_on", "-pk")
    )


def public_facet_units() -> QuerySet[HandlingUnit]:
    """The units of the congresses that have public suggestions: the list's unit facet. One
    probe per congress (a small table), not a pass over every public assignment."""
    with_public = Exists(Suggestion.objects.public().filter(congress=OuterRef("pk")))
    return HandlingUnit.objects.filter(
        congress__in=Congress.objects.filter(with_public).values("pk")
    ).order_by("congress_id", "name")


def public_topics() -> list[str]:
    """The distinct topics of public suggestions, in order (at most MAX_TOPICS).

    On PostgreSQL a recursive query hops from one topic to the next through the partial index
    `suggestion_public_topic` (migration 0011): one index probe per topic, however many
    suggestions share it (a loose index scan; DISTINCT would read every public row)."""
    public = Suggestion.objects.public()
    if connections[public.db].vendor != "postgresql":
        topics = public.exclude(topic="").order_by("topic").values_list("topic", flat=True)
        return list(topics.distinct()[:MAX_TOPICS])
    table = Suggestion._meta.db_table
    # `SuggestionQuerySet.public()` in SQL, as the index condition states it (the ORM cannot
    # write a recursive query); tests/test_list_query_counts.py checks both agree.
    states = ", ".join(["%s"] * len(PUBLIC_STATES))

    def public_row(alias: str) -> str:
        return f"{alias}.state IN ({states}) AND {alias}.withheld_reason = ''"

    sql = f"""
        WITH RECURSIVE topics(topic, n) AS (
            SELECT min(t.topic), 1 FROM {table} t WHERE t.topic > '' AND {public_row("t")}
            UNION ALL
            SELECT (SELECT min(s.topic) FROM {table} s
                    WHERE s.topic > topics.topic AND {public_row("s")}), n + 1
            FROM topics WHERE topics.topic IS NOT NULL AND n < %s
        )
        SELECT topic FROM topics WHERE topic IS NOT NULL ORDER BY topic
    """
    with connections[public.db].cursor() as cursor:
        cursor.execute(sql, [*PUBLIC_STATES, *PUBLIC_STATES, MAX_TOPICS])
        return [row[0] for row in cursor.fetchall()]


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
