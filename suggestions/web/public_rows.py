"""The public list's rows (suggestions/web/public.py) with what each row shows and its next
steps, in four plain queries whose SQL is compiled once per process; the names of what a
suggestion is filed under and of its lead deputy come from the reference rows the list keeps
under the data version (facets.py).

The rows used to come through `prefetch_related`, then through four querysets of model
instances: at 100,000 suggestions, building and compiling those querysets (about 2 ms) and
making some 100 model instances (about 1 ms) cost more than running the queries. Here each
query is compiled from its queryset once per process and page length (`_Statement`: the
policy's filter, `Suggestion.objects.public()`, and the columns are the queryset's; only the
page's ids change from one request to the next), run for the page's ids, and its tuples
become plain row objects (`ListedSuggestion` …) carrying what the row renderer
(templatetags/list_rows.py) and `progress.next_steps` read, under the model's attribute
names, so both run unchanged on them. Every request reads its rows from the database.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

from suggestions.annotations import key_supervised
from suggestions.models import Assignment, AssignmentStatus, FollowUpReview, Reply, Suggestion
from suggestions.models.suggestion import number_display
from suggestions.progress import NextStep, next_steps

from .facets import Names, read_names


class _Relation(list):
    """A relation's rows read with the page, answering `.all()` as a prefetched one does."""

    def all(self) -> _Relation:
        return self


@dataclass(slots=True)
class _Named:
    name: str
    short_name: str = ""


@dataclass(slots=True)
class _Deputy:
    person: _Named


@dataclass(slots=True)
class ListedAssignment:
    pk: int
    role: str
    status: str
    due_on: Any
    due_explanation: str
    rehandling_due_on: Any
    rehandling_explanation: str
    unit: _Named


@dataclass(slots=True)
class ListedReply:
    pk: int
    assignment_id: int | None
    round: int
    replied_at: Any
    carries_promise: bool


@dataclass(slots=True)
class ListedFollowUp:
    due_on: Any
    is_done: bool


@dataclass(slots=True)
class ListedSuggestion:
    """What a public row and its next steps read of a suggestion."""

    pk: int
    state: str
    title: str
    number: int | None
    topic: str
    handling_round: int
    revision_due_on: Any
    evaluation_due_on: Any
    listed_as_key: bool
    congress: _Named
    session: _Named | None
    lead_deputy: _Deputy
    assignments: _Relation
    replies: _Relation
    follow_up_reviews: _Relation

    @property
    def number_display(self) -> str:
        return number_display(self.number)


def _suggestions(ids: list[int]) -> QuerySet:
    return (
        Suggestion.objects.public()
        .filter(pk__in=ids)
        .annotate(listed_as_key=key_supervised())
        .order_by()
        .values_list(
            "pk",
            "congress_id",
            "session_id",
            "lead_deputy_id",
            "state",
            "title",
            "number",
            "topic",
            "handling_round",
            "revision_due_on",
            "evaluation_due_on",
            "listed_as_key",
        )
    )


def _assignments(ids: list[int]) -> QuerySet:
    # The row lists the active units by role, then name (as the staff lists do).
    return (
        Assignment.objects.filter(status=AssignmentStatus.ACTIVE, suggestion_id__in=ids)
        .order_by("role", "unit__name")
        .values_list(
            "suggestion_id",
            "pk",
            "role",
            "status",
            "due_on",
            "due_explanation",
            "rehandling_due_on",
            "rehandling_explanation",
            "unit__name",
        )
    )


def _replies(ids: list[int]) -> QuerySet:
    # next_steps orders replies and reviews itself.
    return (
        Reply.objects.filter(suggestion_id__in=ids)
        .order_by()
        .values_list(
            "suggestion_id", "pk", "assignment_id", "round", "replied_at", "carries_promise"
        )
    )


def _follow_ups(ids: list[int]) -> QuerySet:
    return (
        FollowUpReview.objects.filter(suggestion_id__in=ids)
        .order_by()
        .values_list("suggestion_id", "due_on", "is_done")
    )


class _Statement:
    """A `values_list` queryset of the page's ids, compiled once: built for stand-in ids that
    no row has, whose places among the SQL's parameters the page's ids then take. The
    compiler is kept to turn the database's values into the fields' Python values (dates on
    SQLite) as the queryset would."""

    def __init__(self, build, alias: str, count: int) -> None:
        stand_ins = [-(2**62) - n for n in range(count)]
        compiler = build(stand_ins).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        self.sql, self.params, self.compiler = sql, list(params), compiler
        self.places = [self.params.index(stand_in) for stand_in in stand_ins]

    def rows(self, ids: list[int]) -> list[tuple]:
        params = list(self.params)
        for place, pk in zip(self.places, ids, strict=True):
            params[place] = pk
        with connections[self.compiler.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        return list(self.compiler.results_iter(results=[fetched], tuple_expected=True))


@functools.cache
def _statement(build, alias: str, count: int) -> _Statement:
    return _Statement(build, alias, count)


def _rows(build, ids: list[int]) -> list[tuple]:
    return _statement(build, DEFAULT_DB_ALIAS, len(ids)).rows(ids)


def _by_suggestion(rows: list[tuple], make) -> dict[int, _Relation]:
    grouped: dict[int, _Relation] = defaultdict(_Relation)
    for suggestion_id, *values in rows:
        grouped[suggestion_id].append(make(*values))
    return grouped


def _assignment(pk, role, status, due_on, due_explanation, rehandling_due_on, explanation, unit):
    return ListedAssignment(
        pk, role, status, due_on, due_explanation, rehandling_due_on, explanation, _Named(unit)
    )


def public_list_rows(
    ids: Sequence[int], names: Names
) -> list[tuple[ListedSuggestion, list[NextStep]]]:
    """The page's public suggestions for `ids`, in that order, each with its next steps, and
    the names of what they are filed under and who leads them from `names` (facets.py).
    A suggestion no longer public since the page's ids were read is left out."""
    ids = list(ids)
    if not ids:
        return []
    found = {row[0]: row for row in _rows(_suggestions, ids)}
    assignments = _by_suggestion(_rows(_assignments, ids), _assignment)
    replies = _by_suggestion(_rows(_replies, ids), ListedReply)
    follow_ups = _by_suggestion(_rows(_follow_ups, ids), ListedFollowUp)
    if not _named(found.values(), names):  # written since `names` were read
        names = read_names()
    congresses = {pk: _Named(name, short) for pk, (name, short) in names.congresses.items()}
    sessions: dict[int | None, _Named | None] = {None: None}
    rows = []
    for pk in ids:
        row = found.get(pk)
        if row is None:
            continue
        (_pk, congress_id, session_id, deputy_id, state, title, number, topic, handling_round,
         revision_due_on, evaluation_due_on, key) = row  # fmt: skip
        if session_id not in sessions:
            sessions[session_id] = _Named(names.sessions[session_id])
        suggestion = ListedSuggestion(
            pk,
            state,
            title,
            number,
            topic,
            handling_round,
            revision_due_on,
            evaluation_due_on,
            bool(key),
            congresses[congress_id],
            sessions[session_id],
            _Deputy(_Named(names.deputies[deputy_id])),
            assignments.get(pk) or _Relation(),
            replies.get(pk) or _Relation(),
            follow_ups.get(pk) or _Relation(),
        )
        rows.append((suggestion, next_steps(suggestion)))
    return rows


def _named(rows, names: Names) -> bool:
    """Whether `names` name every congress, session and lead deputy of `rows` (their second
    to fourth columns)."""
    return all(
        congress_id in names.congresses
        and (session_id is None or session_id in names.sessions)
        and deputy_id in names.deputies
        for _pk, congress_id, session_id, deputy_id, *_shown in rows
    )
