"""What a suggestion row of the staff and leader lists shows of its assignments, replies and
follow-up reviews, read in the row's own query.

Three prefetches cost three more queries and, for each row and relation, a queryset built by
Django to hold the prefetched rows: reading the workbench's 25 previewed rows took 20 ms with
them and 8 ms this way (100,000 suggestions, on a loaded machine). Here each relation is one JSON array per row (a correlated
aggregate: `json_agg` on PostgreSQL, `json_group_array` on SQLite), turned back into model
instances holding only the fields the rows and `progress.next_steps` read (any other field
is deferred and would be read on access, as with `only()`), and put where a prefetch puts
them, so `suggestion.assignments.all()` and the rest read them without a query.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import connections
from django.db.models import Aggregate, F, OuterRef, QuerySet, Subquery, TextField
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from congress.models import HandlingUnit
from suggestions.models import Assignment, FollowUpReview, Reply, Suggestion

# The fields each relation's instances hold, besides the primary key and the suggestion.
ASSIGNMENT_FIELDS = (
    "unit_id",
    "role",
    "status",
    "due_on",
    "due_explanation",
    "rehandling_due_on",
    "rehandling_explanation",
)
REPLY_FIELDS = ("assignment_id", "round", "carries_promise", "replied_at")
FOLLOW_UP_FIELDS = ("due_on", "is_done")


class JSONArrays(Aggregate):
    """A JSON array, as text, holding for each row the array of `expressions`, in the order
    of `ordering` (NULL when there is no row). PostgreSQL orders inside the aggregate; SQLite
    (3.40 here) cannot: there the assignments, the one relation whose order a row shows, are
    sorted in Python by the same values (SQLite compares text by its bytes, as Python does)."""

    def __init__(self, *expressions, ordering=()) -> None:
        super().__init__(*expressions, *ordering, output_field=TextField())
        self.width = len(expressions)

    def _parts(self, compiler, connection):
        compiled = [compiler.compile(e) for e in self.source_expressions]
        values, ordering = compiled[: self.width], compiled[self.width :]
        return values, ordering

    def as_sql(self, compiler, connection, **extra_context):
        values, _ordering = self._parts(compiler, connection)
        sql = ", ".join(s for s, _p in values)
        return f"JSON_GROUP_ARRAY(JSON_ARRAY({sql}))", [p for _s, ps in values for p in ps]

    def as_postgresql(self, compiler, connection, **extra_context):
        values, ordering = self._parts(compiler, connection)
        sql = ", ".join(s for s, _p in values)
        order = ", ".join(s for s, _p in ordering)
        params = [p for _s, ps in values + ordering for p in ps]
        return f"JSON_AGG(JSON_BUILD_ARRAY({sql}) ORDER BY {order})::text", params


def _loaded(model, fields: tuple[str, ...]) -> list[str]:
    """`fields`, the primary key and the suggestion, in the model's field order (the order
    `Model.from_db` takes values in)."""
    wanted = {"id", "suggestion_id", *fields}
    return [f.attname for f in model._meta.concrete_fields if f.attname in wanted]


def _array(model, fields: tuple[str, ...], ordering: tuple[str, ...], *extra: str) -> Subquery:
    columns = _loaded(model, fields)
    rows = (
        model._base_manager.filter(suggestion=OuterRef("pk"))
        .order_by()
        .values("suggestion")
        .annotate(
            rows=JSONArrays(*(F(c) for c in [*columns, *extra]), ordering=[F(o) for o in ordering])
        )
        .values("rows")
    )
    return Subquery(rows, output_field=TextField())


def with_row_relations(queryset: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """`queryset` whose suggestions come with their assignments (and units), replies and
    follow-up reviews as if prefetched (each in its model's Meta.ordering on PostgreSQL)."""
    queryset = queryset.annotate(
        row_assignments=_array(
            Assignment, ASSIGNMENT_FIELDS, ("role", "unit__name", "id"), "unit__name"
        ),
        row_replies=_array(Reply, REPLY_FIELDS, ("round", "replied_at", "id")),
        row_follow_ups=_array(FollowUpReview, FOLLOW_UP_FIELDS, ("date", "id")),
    )
    queryset._iterable_class = _RowsWithRelations
    return queryset


class _RowsWithRelations(ModelIterable):
    def __iter__(self):
        db = self.queryset.db
        sort = connections[db].vendor != "postgresql"
        for suggestion in super().__iter__():
            _attach(suggestion, db, sort)
            yield suggestion


def _attach(suggestion: Suggestion, db: str, sort: bool) -> None:
    assignments = []
    for *values, unit_name in _rows(suggestion, "row_assignments"):
        assignment = _ASSIGNMENTS.instance(db, values)
        unit = HandlingUnit.from_db(db, ["id", "name"], [assignment.unit_id, unit_name])
        Assignment.unit.field.set_cached_value(assignment, unit)
        assignments.append(assignment)
    if sort:  # the only relation whose order a row shows: its units
        assignments.sort(key=lambda a: (a.role, a.unit.name, a.pk))
    replies = [_REPLIES.instance(db, v) for v in _rows(suggestion, "row_replies")]
    follow_ups = [_FOLLOW_UPS.instance(db, v) for v in _rows(suggestion, "row_follow_ups")]
    cache = suggestion.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, instances in (
        ("assignments", assignments),
        ("replies", replies),
        ("follow_up_reviews", follow_ups),
    ):
        cached = getattr(suggestion, name).get_queryset()
        cached._result_cache = instances
        cached._prefetch_done = True
        cache[name] = cached


def _rows(suggestion: Suggestion, attribute: str) -> list[list]:
    text = suggestion.__dict__.pop(attribute)
    return json.loads(text) if text else []


class _Loader:
    """Model instances from one relation's JSON arrays: JSON's strings and numbers turned
    into the fields' Python values (dates, datetimes, booleans)."""

    def __init__(self, model, fields: tuple[str, ...]) -> None:
        self.model = model
        self.columns = _loaded(model, fields)
        kinds = [
            model._meta.get_field(c.removesuffix("_id")).get_internal_type() for c in self.columns
        ]
        self.converters = [_CONVERTERS.get(kind) for kind in kinds]

    def instance(self, db: str, values: list):
        typed = [
            convert(value) if convert and value is not None else value
            for convert, value in zip(self.converters, values, strict=True)
        ]
        return self.model.from_db(db, self.columns, typed)


def _datetime(value: str) -> dt.datetime:
    parsed = parse_datetime(value)
    # SQLite keeps UTC without an offset; PostgreSQL's JSON gives the offset
    return timezone.make_aware(parsed, dt.UTC) if timezone.is_naive(parsed) else parsed


_CONVERTERS = {
    "DateField": dt.date.fromisoformat,
    "DateTimeField": _datetime,
    "BooleanField": bool,
}
_ASSIGNMENTS = _Loader(Assignment, ASSIGNMENT_FIELDS)
_REPLIES = _Loader(Reply, REPLY_FIELDS)
_FOLLOW_UPS = _Loader(FollowUpReview, FOLLOW_UP_FIELDS)
