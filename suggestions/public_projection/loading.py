"""One public suggestion with everything `project()` reads, in one query on PostgreSQL.

`detail_queryset()` reads a suggestion's record in about ten queries (one per prefetch);
at 100,000 suggestions Django spent three times longer building those queries and their
model instances than PostgreSQL spent running them. On PostgreSQL `load_public_detail`
reads the suggestion with each related collection as a JSON array of its rows (an
`ARRAY(SELECT jsonb_build_object(…) … ORDER BY …)` per collection, in the order its
prefetch would give), and turns the rows into the same model instances a prefetch makes,
so that `project()` and the functions it calls run unchanged, without a query. The query's
text is built once per process and prepared once per database connection
(`load_public_detail`). Other databases read `detail_queryset()` (`public_detail`).

The collections' rows hold only the columns the projection reads (`Shape`); a column left
out is a deferred field, and reading it would run a query, which the query-count tests
(tests/test_list_query_counts.py) would show.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Model, OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject

from congress.models import (
    CalendarYear,
    Committee,
    Congress,
    Delegation,
    Deputy,
    HandlingUnit,
    Person,
    Session,
)
from suggestions.deadlines import remember_entered_years
from suggestions.models import (
    Assignment,
    CoSignature,
    Event,
    FollowUpReview,
    Outcome,
    Reply,
    SourceArticle,
    Suggestion,
    SuggestionLink,
    SupervisionActivity,
    SupervisionPlan,
)


@dataclass(frozen=True)
class Shape:
    """The part of a model's rows the projection reads: `columns` (attnames), the related
    rows joined in (`joined`: forward foreign keys and reverse one-to-ones, by accessor),
    and collections of each row (`many`: prefetch cache name → (rows of the owner whose
    primary key is the `OuterRef`, their shape))."""

    model: type[Model]
    columns: tuple[str, ...]
    joined: Mapping[str, Shape] = field(default_factory=dict)
    many: Mapping[str, tuple[Callable[[OuterRef], QuerySet], Shape]] = field(default_factory=dict)

    def json(self, prefix: str = "") -> JSONObject:
        """The row as a JSON object; `prefix` is the lookup path from the queried model."""
        values = {name: F(f"{prefix}{name}") for name in self.columns}
        values |= {name: shape.json(f"{prefix}{name}__") for name, shape in self.joined.items()}
        values |= {
            name: ArraySubquery(rows(OuterRef(f"{prefix}pk")).values(json=shape.json()))
            for name, (rows, shape) in self.many.items()
        }
        return JSONObject(**values)

    def instance(self, row: dict) -> Model:
        """The model instance a query of these columns would give, with its joined rows and
        collections cached as `select_related` and `prefetch_related` cache them."""
        meta = self.model._meta
        fields = [f for f in meta.concrete_fields if f.attname in self.columns]
        values = [_python(f, row[f.attname]) for f in fields]
        obj = self.model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], values)
        for name, shape in self.joined.items():
            related = row[name]
            if related["id"] is not None:
                setattr(obj, name, shape.instance(related))
            elif not meta.get_field(name).concrete:
                # A reverse one-to-one without a row: cached as absent, as select_related does.
                meta.get_field(name).set_cached_value(obj, None)
        for name, (_rows, shape) in self.many.items():
            prefetched(obj, name, shape, row[name])
        return obj


def _python(model_field, value):
    """A JSON value as the column's Python value (dates and times with their offset come as
    ISO text)."""
    return None if value is None else model_field.to_python(value)


def prefetched(obj: Model, name: str, shape: Shape, rows: list[dict]) -> None:
    """Cache the instances of `rows` as `obj.<name>.all()`, as prefetch_related does. A
    query derived from the cached queryset (a filter) reads no rows rather than all."""
    queryset = shape.model._base_manager.none()
    queryset._result_cache = [shape.instance(row) for row in rows]
    queryset._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


PERSON = ("id", "name", "phone", "email", "address")
UNIT = Shape(HandlingUnit, ("id", "name"))

COSIGNATURES = Shape(
    CoSignature,
    ("id", "deputy_id", "confirmed_at"),
    joined={"deputy": Shape(Deputy, ("id", "person_id"), joined={"person": Shape(Person, PERSON)})},
)
ASSIGNMENTS = Shape(
    Assignment,
    (
        "id",
        "unit_id",
        "role",
        "status",
        "assigned_on",
        "due_on",
        "due_explanation",
        "extended",
        "rehandling_due_on",
        "rehandling_explanation",
    ),
    joined={"unit": UNIT},
)
REPLIES = Shape(
    Reply,
    (
        "id",
        "assignment_id",
        "round",
        "category",
        "category_label",
        "text",
        "signer",
        "replied_at",
        "published_at",
        "withheld",
        "redactions",
    ),
    joined={"assignment": Shape(Assignment, ("id", "unit_id"), joined={"unit": UNIT})},
)
OUTCOMES = Shape(
    Outcome,
    ("id", "date", "date_precision", "kind", "title", "issuing_body", "description"),
)
EVENTS = Shape(
    Event,
    (
        "id",
        "source_id",
        "date",
        "date_precision",
        "action",
        "action_label",
        "from_state",
        "to_state",
        "actor_id",
        "actor_name",
        "reason",
        "is_public",
        "occurred_at",
    ),
    joined={
        "source": Shape(SourceArticle, ("id", "title")),
        "actor": Shape(
            get_user_model(),
            ("id",),
            joined={"person": Shape(Person, ("id", "name"))},
            many={
                "handling_units": (
                    lambda user: HandlingUnit.objects.filter(members=user).order_by("pk"),
                    Shape(HandlingUnit, ("id",)),
                )
            },
        ),
    },
)
PLANS = Shape(
    SupervisionPlan,
    (
        "id",
        "theme",
        "decided_by",
        "leader_title",
        "committee_id",
        "supervising_body",
        "lead_unit_id",
        "deadline",
    ),
    joined={
        "committee": Shape(Committee, ("id", "name")),
        "lead_unit": UNIT,
    },
    many={
        "activities": (
            lambda plan: SupervisionActivity.objects.filter(plan=plan, is_public=True),
            Shape(
                SupervisionActivity,
                (
                    "id",
                    "date",
                    "date_precision",
                    "kind",
                    "title",
                    "conducted_by",
                    "description",
                    "is_public",
                ),
            ),
        )
    },
)
FOLLOW_UPS = Shape(
    FollowUpReview,
    ("id", "date", "date_precision", "due_on", "conducted_by", "findings", "is_done"),
)
LINKED = Shape(
    Suggestion,
    ("id", "congress_id", "title", "state", "withheld_reason"),
    joined={"congress": Shape(Congress, ("id", "name"))},
)
LINKS = Shape(
    SuggestionLink,
    ("id", "from_suggestion_id", "to_suggestion_id", "kind", "note"),
    joined={"from_suggestion": LINKED, "to_suggestion": LINKED},
)
MERGED_INTO = Shape(Suggestion, ("id", "title", "state", "withheld_reason"))
SOURCE = Shape(SourceArticle, ("id", "title", "publication"))


def _own(rows: QuerySet, owner: str) -> QuerySet:
    """`rows` of one owner in their model's order, less the owner (the same for all)."""
    ordering = [key for key in rows.model._meta.ordering if key.lstrip("-") != owner]
    return rows.order_by(*ordering or ["pk"])


SUGGESTION = Shape(
    Suggestion,
    tuple(f.attname for f in Suggestion._meta.concrete_fields),
    joined={
        "congress": Shape(Congress, ("id", "name")),
        "session": Shape(Session, ("id", "name")),
        "lead_deputy": Shape(
            Deputy,
            ("id", "person_id", "delegation_id"),
            joined={
                "person": Shape(Person, PERSON),
                "delegation": Shape(Delegation, ("id", "name")),
            },
        ),
        "merged_into": MERGED_INTO,
        "source": SOURCE,
    },
    many={
        "cosignatures": (
            lambda s: _own(CoSignature.objects.filter(suggestion=s), "suggestion"),
            COSIGNATURES,
        ),
        "assignments": (
            lambda s: _own(Assignment.objects.filter(suggestion=s), "suggestion"),
            ASSIGNMENTS,
        ),
        "replies": (lambda s: _own(Reply.objects.filter(suggestion=s), "suggestion"), REPLIES),
        "outcomes": (lambda s: _own(Outcome.objects.filter(suggestion=s), "suggestion"), OUTCOMES),
        "events": (
            lambda s: _own(Event.objects.public().filter(suggestion=s), "suggestion"),
            EVENTS,
        ),
        "supervision_plans": (lambda s: SupervisionPlan.objects.filter(suggestions=s), PLANS),
        "follow_up_reviews": (
            lambda s: _own(FollowUpReview.objects.filter(suggestion=s), "suggestion"),
            FOLLOW_UPS,
        ),
        "links": (
            lambda s: SuggestionLink.objects.filter(
                Q(from_suggestion=s) | Q(to_suggestion=s)
            ).order_by("pk"),
            LINKS,
        ),
    },
)

# Any id PostgreSQL's integer holds, unlikely elsewhere in the query: where the id goes.
ID_MARKER = 2_087_654_321
STATEMENT = "public_suggestion_detail"
# The database connections (psycopg's, replaced when Django reconnects) that hold STATEMENT.
prepared_on: weakref.WeakSet = weakref.WeakSet()


@functools.cache
def _detail_sql() -> str:
    """The query of `load_public_detail`, `$1` for the id. Built once per process: building
    and compiling its hundreds of expressions took Django longer than the ten prefetches it
    replaces, and its text never changes."""
    connection = connections[DEFAULT_DB_ALIAS]
    # The years staff entered come along: the provisional marks of the due dates read them.
    entered = ArraySubquery(CalendarYear.objects.order_by("year").values("year"))
    queryset = (
        Suggestion.objects.public()
        .filter(pk=ID_MARKER)
        .order_by()
        .values(json=SUGGESTION.json(), entered_years=entered)
    )
    sql, params = queryset.query.get_compiler(DEFAULT_DB_ALIAS).as_sql()
    text = connection.ops.compose_sql(sql, params)
    if text.count(str(ID_MARKER)) != 1:
        raise ImproperlyConfigured("The public detail query holds its id marker elsewhere.")
    return text.replace(str(ID_MARKER), "$1")


def load_public_detail(pk: int) -> Suggestion | None:
    """The public suggestion `pk` loaded for `project()` in one query, or None if there is
    none (PostgreSQL only).

    The query is a prepared statement of the connection (prepared before its first
    execution): planning its subqueries and joins took PostgreSQL four times
    longer than running them (3.6 ms and 0.8 ms at 100,000 suggestions), and a kept-open
    connection (CONN_MAX_AGE) plans it only once."""
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        database = connection.connection
        if database not in prepared_on:
            # Asked, not assumed: a prepared statement outlives the transaction that made it,
            # so one prepared by a request that then failed (a statement timeout) is there
            # though never recorded, and preparing it again would fail as a duplicate.
            cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [STATEMENT])
            if cursor.fetchone() is None:
                cursor.execute(f"PREPARE {STATEMENT}(bigint) AS {_detail_sql()}")
            prepared_on.add(database)
        cursor.execute(f"EXECUTE {STATEMENT}(%s)", [pk])
        found = cursor.fetchone()
    if found is None:
        return None
    remember_entered_years(frozenset(found[1]))
    row = json.loads(found[0]) if isinstance(found[0], str) else found[0]
    return SUGGESTION.instance(row)
