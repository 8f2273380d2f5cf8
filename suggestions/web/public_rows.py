"""The public list's rows (suggestions/web/public.py) with what each row shows and its next
steps, in four plain queries.

The rows used to come through `prefetch_related` (active assignments with their units,
replies, follow-up reviews): Django's prefetch builds a queryset per row and relation to
match the prefetched rows to their suggestion, and, with every column of six tables, about
180 model instances per page; together that was most of a list page's time (README,
"Performance"). Here each related table is read once for the page's suggestions, with only
the columns the row and `progress.next_steps` read, and handed to each suggestion as its
prefetched relation, so the row renderer (templatetags/list_rows.py) and `next_steps` run
unchanged on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Model, QuerySet

from suggestions.annotations import key_supervised
from suggestions.models import Assignment, AssignmentStatus, FollowUpReview, Reply, Suggestion
from suggestions.progress import NextStep, next_steps

# What a row (list_rows._row) and next_steps read of a suggestion.
ROW_FIELDS = (
    "state",
    "title",
    "number",
    "topic",
    "handling_round",
    "revision_due_on",
    "evaluation_due_on",
    "congress__name",
    "congress__short_name",
    "session__name",
    "lead_deputy__person__name",
)


def _by_suggestion(queryset: QuerySet, ids: list[int]) -> dict[int, list[Model]]:
    grouped: dict[int, list[Model]] = defaultdict(list)
    for row in queryset.filter(suggestion_id__in=ids):
        grouped[row.suggestion_id].append(row)
    return grouped


def public_list_rows(ids: Sequence[int]) -> list[tuple[Suggestion, list[NextStep]]]:
    """The page's public suggestions for `ids`, in that order, each with its next steps.
    A suggestion no longer public since the page's ids were read is left out."""
    ids = list(ids)
    if not ids:
        return []
    suggestions = (
        Suggestion.objects.public()
        .filter(pk__in=ids)
        .select_related("congress", "session", "lead_deputy__person")
        .only(*ROW_FIELDS)
        .annotate(listed_as_key=key_supervised())
        .order_by()
    )
    by_pk = {s.pk: s for s in suggestions}
    # The row lists the active units by role, then name (as the staff lists do).
    assignments = _by_suggestion(
        Assignment.objects.filter(status=AssignmentStatus.ACTIVE)
        .select_related("unit")
        .only(
            "suggestion_id",
            "role",
            "status",
            "due_on",
            "due_explanation",
            "rehandling_due_on",
            "rehandling_explanation",
            "unit__name",
        )
        .order_by("role", "unit__name"),
        ids,
    )
    # next_steps orders replies and reviews itself.
    replies = _by_suggestion(
        Reply.objects.only(
            "suggestion_id", "assignment_id", "round", "replied_at", "carries_promise"
        ).order_by(),
        ids,
    )
    reviews = _by_suggestion(
        FollowUpReview.objects.only("suggestion_id", "due_on", "is_done").order_by(), ids
    )
    rows = []
    for pk in ids:
        suggestion = by_pk.get(pk)
        if suggestion is None:
            continue
        # What prefetch_related would have stored; `suggestion.assignments.all()` reads it.
        suggestion._prefetched_objects_cache = {
            "assignments": assignments.get(pk, []),
            "replies": replies.get(pk, []),
            "follow_up_reviews": reviews.get(pk, []),
        }
        rows.append((suggestion, next_steps(suggestion)))
    return rows
