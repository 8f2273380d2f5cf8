"""Public list rows without model instances or a DRF serializer per row.

A list page used to build five model instances per row (suggestion, congress, session,
deputy, person) and run `PublicSuggestionListSerializer` field by field; together that was
most of a list request's time. The list now reads the page's ids first (an index scan on the
suggestions table alone, joins nothing), then fetches exactly those rows as plain values with
their joins, and builds the same JSON the serializer describes (the serializer stays the
documented schema; tests/test_api_perf.py checks both agree field for field).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from suggestions.annotations import key_supervised
from suggestions.models import State, Suggestion
from suggestions.models.suggestion import number_display
from suggestions.public_projection import PublicDate

ROW_VALUES = (
    "id",
    "congress_id",
    "congress__name",
    "session_id",
    "session__name",
    "number",
    "title",
    "topic",
    "lead_deputy__person__name",
    "state",
    "filed_on",
    "filed_precision",
    "is_key",
)


def public_list_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The public list's JSON rows for `ids`, in that order. The caller has already decided
    the ids are public (they come from a `.public()` queryset)."""
    if not ids:
        return []
    values = (
        Suggestion.objects.filter(pk__in=list(ids))
        .annotate(is_key=key_supervised())
        .values(*ROW_VALUES)
        .order_by()  # put in the page's order below
    )
    by_id = {row["id"]: row for row in values}
    state_labels: dict[str, str] = {}
    rows = []
    for pk in ids:
        row = by_id.get(pk)
        if row is None:  # deleted between the two queries
            continue
        state = row["state"]
        if state not in state_labels:
            state_labels[state] = str(State(state).label)
        filed = PublicDate(row["filed_on"], row["filed_precision"])
        rows.append(
            {
                "id": row["id"],
                "congress": {"id": row["congress_id"], "name": row["congress__name"]},
                "session": (
                    {"id": row["session_id"], "name": row["session__name"]}
                    if row["session_id"] is not None
                    else None
                ),
                "number": row["number"],
                "number_display": number_display(row["number"]),
                "title": row["title"],
                "topic": row["topic"],
                "lead_deputy": row["lead_deputy__person__name"],
                "state": state,
                "state_label": state_labels[state],
                "filed_on": filed.value.isoformat() if filed.value else None,
                "filed_precision": filed.precision,
                "filed_display": filed.iso,
                "is_key": row["is_key"],
            }
        )
    return rows
