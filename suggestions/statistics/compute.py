"""The one definition of the handling statistics (办复率, 按时办复率, 满意率, A/B/C/D shares,
overdue). The rollup (`rollup.py`) runs it and stores its counters; the staff dashboard, the
public statistics page and the API read those (see `suggestions/statistics/__init__.py`).

Every figure is computed with a fixed number of aggregate queries, whatever the number of
suggestions or units (grouped `COUNT … FILTER` queries, no per-suggestion loop).

Scopes
    * congress — every suggestion of one congress (all terms and sessions, and recess);
    * session — every suggestion filed at one session;
    * unit — one handling unit's responsible assignments (主办 or 分办; 协办 units do not
      reply and are not counted), optionally limited to one session.

Populations (what is counted)
    * **registered** (立案数, congress/session only): suggestions registered or later, i.e.
      states registered, assigned, replied, rehandling, closed, follow_up, completed.
      Merged (并案), withdrawn, refused, submitted, returned and draft are not counted.
    * **assigned** (交办数): congress/session — suggestions in states assigned or later
      (assigned, replied, rehandling, closed, follow_up, completed); unit — the unit's
      responsible assignments on such suggestions, except assignments the unit returned (退办).
    * **replied** (办复数): congress/session — assigned suggestions that have had their
      (first-round) reply: states replied, rehandling, closed, follow_up, completed; unit —
      its assignments with a first-round reply.

Rates (each a `Rate` with numerator and denominator; value None when the denominator is 0)
    * **reply_rate** (办复率) = replied ÷ assigned.
    * **on_time_rate** (按时办复率) = first-round replies made on or before their assignment's
      due date (including an approved extension) ÷ responsible assignments that had to be
      replied by now — those replied, plus those not replied whose due date has passed.
      Counted per responsible assignment (a suggestion split among 分办 units has one reply
      per unit); the reply date is the local (Asia/Shanghai) date of `replied_at`.
    * **satisfaction_first_round** (初次满意率) = round-1 evaluations rated 满意 or 基本满意 ÷
      round-1 evaluations the deputy actually gave (未反馈 lapses are excluded and reported as
      `no_feedback`).
    * **satisfaction_final** (最终满意率) = final evaluations (the evaluation of the last round
      of a closed, follow_up or completed suggestion) rated 满意 or 基本满意 ÷ those final
      evaluations the deputy actually gave.
    * **category_shares** (A/B/C/D 占比) = replies of each category ÷ all replies counted,
      where for each responsible assignment only its latest-round reply counts.

    * **overdue_now** (当前超期): congress/session — suggestions with at least one responsible
      assignment that is active, has no reply in the suggestion's current handling round,
      and whose binding due date (the re-handling due date in round 2, else the reply due
      date) is before `today`, while the suggestion is assigned or rehandling; unit — such
      assignments of the unit.

Audiences
    * public (the default; /stats/ and the statistics API): only public suggestions
      (`Suggestion.objects.public()`) and their assignments, replies and evaluations are
      counted, so a withheld suggestion shows in no public figure;
    * ``public_only=False`` (the staff dashboard): every suggestion of the congress.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from congress.models import Congress, HandlingUnit, Session
from suggestions.models import (
    Assignment,
    AssignmentStatus,
    Evaluation,
    Rating,
    Reply,
    ReplyCategory,
    State,
    Suggestion,
    UnitRole,
)

REGISTERED_STATES = (
    State.REGISTERED,
    State.ASSIGNED,
    State.REPLIED,
    State.REHANDLING,
    State.CLOSED,
    State.FOLLOW_UP,
    State.COMPLETED,
)
ASSIGNED_STATES = REGISTERED_STATES[1:]
REPLIED_STATES = REGISTERED_STATES[2:]
FINAL_STATES = (State.CLOSED, State.FOLLOW_UP, State.COMPLETED)
OPEN_HANDLING_STATES = (State.ASSIGNED, State.REHANDLING)
SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
RESPONSIBLE_ROLES = (UnitRole.LEAD, UnitRole.SEPARATE)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """The rate as a fraction in [0, 1]; None when nothing was counted."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        """'87.5%' or '—' when there is nothing to count."""
        value = self.value
        return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class HandlingStatistics:
    scope: str  # "congress", "session" or "unit"
    scope_id: int
    scope_name: str
    registered: int | None  # None for a unit (units do not register suggestions)
    assigned: int
    replied: int
    reply_rate: Rate
    on_time_rate: Rate
    satisfaction_first_round: Rate
    satisfaction_final: Rate
    no_feedback: int
    # Keyed by the codes of the congress's reply categories, in its order.
    categories: dict[str, int] = field(default_factory=dict)
    category_shares: dict[str, Rate] = field(default_factory=dict)
    category_labels: dict[str, str] = field(default_factory=dict)
    overdue_now: int = 0
    # When the figures were counted (see suggestions/statistics/__init__.py), and whether
    # writes or a new day have come since.
    computed_at: dt.datetime | None = None
    stale: bool = False


def population(public_only: bool) -> QuerySet[Suggestion]:
    """The suggestions counted: what the public may see, or (staff) all of them."""
    return Suggestion.objects.public() if public_only else Suggestion.objects.all()


# ---- scopes: which rows, grouped by what ----


@dataclass
class CongressScope:
    congress: Congress
    population: QuerySet[Suggestion]
    kind = "congress"
    unit_level = False

    def groups(self) -> dict[int, str]:
        return {self.congress.pk: self.congress.name}

    def suggestions(self) -> tuple[QuerySet, str]:
        return self.population.filter(congress=self.congress), "congress"

    def assignments(self) -> tuple[QuerySet, str]:
        counted = Assignment.objects.filter(suggestion__in=self.population.values("pk"))
        return counted.filter(suggestion__congress=self.congress), "suggestion__congress"


@dataclass
class SessionScope:
    congress: Congress
    session: Session | None
    population: QuerySet[Suggestion]
    kind = "session"
    unit_level = False

    def _sessions(self):
        sessions = Session.objects.filter(term__congress=self.congress).select_related(
            "term__congress"
        )
        if self.session is not None:
            sessions = sessions.filter(pk=self.session.pk)
        return sessions.order_by("term__number", "number")

    def groups(self) -> dict[int, str]:
        return {s.pk: str(s) for s in self._sessions()}

    def _filter(self, prefix: str) -> dict[str, Any]:
        if self.session is not None:
            return {f"{prefix}session": self.session}
        return {f"{prefix}congress": self.congress, f"{prefix}session__isnull": False}

    def suggestions(self) -> tuple[QuerySet, str]:
        return self.population.filter(**self._filter("")), "session"

    def assignments(self) -> tuple[QuerySet, str]:
        counted = Assignment.objects.filter(suggestion__in=self.population.values("pk"))
        return counted.filter(**self._filter("suggestion__")), "suggestion__session"


@dataclass
class UnitScope:
    congress: Congress
    session: Session | None
    only_unit: HandlingUnit | None
    population: QuerySet[Suggestion]
    kind = "unit"
    unit_level = True

    def groups(self) -> dict[int, str]:
        if self.only_unit is not None:
            return {self.only_unit.pk: self.only_unit.name}
        units = HandlingUnit.objects.filter(congress=self.congress).order_by("name")
        return dict(units.values_list("pk", "name"))

    def suggestions(self) -> tuple[QuerySet, str]:  # pragma: no cover - units use assignments
        raise NotImplementedError

    def assignments(self) -> tuple[QuerySet, str]:
        assignments = Assignment.objects.filter(
            suggestion__in=self.population.values("pk"), unit__congress=self.congress
        )
        if self.only_unit is not None:
            assignments = assignments.filter(unit=self.only_unit)
        if self.session is not None:
            assignments = assignments.filter(suggestion__session=self.session)
        return assignments, "unit"


@dataclass
class UnitSessionScope:
    """Each unit's share of each session of a congress, counted in one pass (the rollup's
    per-session unit tables): `count` keys its groups by (unit, session)."""

    congress: Congress
    population: QuerySet[Suggestion]
    kind = "unit"
    unit_level = True

    def assignments(self) -> tuple[QuerySet, tuple[str, str]]:
        assignments = Assignment.objects.filter(
            suggestion__in=self.population.values("pk"),
            unit__congress=self.congress,
            suggestion__session__isnull=False,
        )
        return assignments, ("unit", "suggestion__session")


# ---- the computation ----


def _responsible(assignments: QuerySet) -> QuerySet:
    return assignments.filter(
        role__in=RESPONSIBLE_ROLES, suggestion__state__in=ASSIGNED_STATES
    ).exclude(status=AssignmentStatus.RETURNED)


def compute(scope, today: dt.date | None) -> dict[int, HandlingStatistics]:
    """The one definition of the figures: `scope`'s groups, counted now."""
    counts = count(scope, today)
    computed_at = timezone.now()
    categories = ReplyCategory.of(scope.congress)
    return {
        pk: build(
            scope.kind,
            pk,
            name,
            counts.get(pk, {}),
            categories=categories,
            computed_at=computed_at,
        )
        for pk, name in scope.groups().items()
    }


def count(scope, today: dt.date | None) -> dict[int, dict[str, int]]:
    """The counters behind each group's figures (`build` turns them into figures); groups with
    nothing counted are left out. What the rollup stores."""
    today = today or timezone.localdate()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    assignments, a_key = scope.assignments()
    responsible = _responsible(assignments)

    # 1. assigned / registered / replied
    if scope.unit_level:
        first_reply = Reply.objects.filter(assignment=OuterRef("pk"), round=1)
        rows = (
            responsible.annotate(has_reply=Exists(first_reply))
            .values(*_fields(a_key))
            .annotate(assigned=Count("pk"), replied=Count("pk", filter=Q(has_reply=True)))
        )
    else:
        suggestions, s_key = scope.suggestions()
        rows = suggestions.values(*_fields(s_key)).annotate(
            registered=Count("pk", filter=Q(state__in=REGISTERED_STATES)),
            assigned=Count("pk", filter=Q(state__in=ASSIGNED_STATES)),
            replied=Count("pk", filter=Q(state__in=REPLIED_STATES)),
        )
    _collect(counts, rows, a_key if scope.unit_level else s_key)

    # 2. on time: first-round replies against the assignment's due date
    first_reply_date = TruncDate("replies__replied_at", tzinfo=timezone.get_current_timezone())
    rows = (
        responsible.filter(Q(replies__round=1) | Q(replies__isnull=True))
        .annotate(replied_on=first_reply_date)
        .values(*_fields(a_key))
        .annotate(
            due_by_now=Count(
                "pk",
                filter=Q(replied_on__isnull=False) | Q(due_on__lt=today),
                distinct=True,
            ),
            on_time=Count("pk", filter=Q(replied_on__lte=F("due_on")), distinct=True),
        )
    )
    _collect(counts, rows, a_key)

    # 3. evaluations (for a unit: of the suggestions it is responsible for)
    if scope.unit_level:
        evaluations, e_key, p = responsible, a_key, "suggestion__evaluations__"
    else:
        suggestions, s_key = scope.suggestions()
        evaluations = Evaluation.objects.filter(suggestion__in=suggestions.values("pk"))
        e_key, p = _prefixed("suggestion__", s_key), ""
    given = ~Q(**{f"{p}rating": Rating.NO_FEEDBACK}) & Q(**{f"{p}pk__isnull": False})
    first = Q(**{f"{p}round": 1})
    satisfied = Q(**{f"{p}rating__in": SATISFIED_RATINGS})
    final = Q(
        **{
            f"{p}round": F("suggestion__handling_round"),
            "suggestion__state__in": FINAL_STATES,
        }
    )
    ev = f"{p}pk"
    rows = evaluations.values(*_fields(e_key)).annotate(
        first_given=Count(ev, filter=first & given, distinct=True),
        first_satisfied=Count(ev, filter=first & satisfied, distinct=True),
        final_given=Count(ev, filter=final & given, distinct=True),
        final_satisfied=Count(ev, filter=final & satisfied, distinct=True),
        no_feedback=Count(ev, filter=Q(**{f"{p}rating": Rating.NO_FEEDBACK}), distinct=True),
    )
    _collect(counts, rows, e_key)

    # 4. categories of each responsible assignment's latest reply
    later = Reply.objects.filter(assignment=OuterRef("assignment"), round__gt=OuterRef("round"))
    r_key = _prefixed("assignment__", a_key) if scope.unit_level else a_key
    rows = (
        Reply.objects.filter(assignment__in=responsible.values("pk"))
        .filter(~Exists(later))
        .values(*_fields(r_key), "category")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        category = f"category_{row.pop('category')}"
        counts[_group(row, r_key)][category] += row["n"]

    # 5. overdue now
    replied_this_round = Reply.objects.filter(
        assignment=OuterRef("pk"), round=OuterRef("suggestion__handling_round")
    )
    overdue = (
        assignments.filter(
            role__in=RESPONSIBLE_ROLES,
            status=AssignmentStatus.ACTIVE,
            suggestion__state__in=OPEN_HANDLING_STATES,
        )
        .annotate(binding_due=Coalesce("rehandling_due_on", "due_on"))
        .filter(binding_due__lt=today)
        .filter(~Exists(replied_this_round))
        .values(*_fields(a_key))
        .annotate(overdue_now=Count("pk" if scope.unit_level else "suggestion", distinct=True))
    )
    _collect(counts, overdue, a_key)

    return {pk: dict(counters) for pk, counters in counts.items()}


# A group is keyed by one field (congress, session, unit) or by several (unit and session).
Key = str | tuple[str, ...]


def _fields(key: Key) -> tuple[str, ...]:
    return key if isinstance(key, tuple) else (key,)


def _prefixed(prefix: str, key: Key) -> Key:
    if isinstance(key, tuple):
        return tuple(prefix + field for field in key)
    return prefix + key


def _group(row: dict, key: Key):
    """Pops the group's key fields from `row`: one value, or a tuple of them."""
    if isinstance(key, tuple):
        return tuple(row.pop(field) for field in key)
    return row.pop(key)


def _collect(counts, rows, key: Key) -> None:
    for row in rows:
        group = _group(row, key)
        for name, value in row.items():
            counts[group][name] += value


def build(
    kind: str,
    pk: int,
    name: str,
    c: dict[str, int],
    *,
    categories: Sequence[ReplyCategory],
    computed_at: dt.datetime | None = None,
    stale: bool = False,
) -> HandlingStatistics:
    """One group's figures from its counters (`count`), with `categories` the congress's
    reply categories (a code counted that is no longer in the set is shown after them)."""
    unit_level = kind == "unit"
    labels = {category.code: category.category_display for category in categories}
    for counter in sorted(c):
        if counter.startswith("category_"):
            code = counter.removeprefix("category_")
            labels.setdefault(code, code)
    counted = {code: c.get(f"category_{code}", 0) for code in labels}
    total_replies = sum(counted.values())
    return HandlingStatistics(
        scope=kind,
        scope_id=pk,
        scope_name=name,
        registered=None if unit_level else c.get("registered", 0),
        assigned=c.get("assigned", 0),
        replied=c.get("replied", 0),
        reply_rate=Rate(c.get("replied", 0), c.get("assigned", 0)),
        on_time_rate=Rate(c.get("on_time", 0), c.get("due_by_now", 0)),
        satisfaction_first_round=Rate(c.get("first_satisfied", 0), c.get("first_given", 0)),
        satisfaction_final=Rate(c.get("final_satisfied", 0), c.get("final_given", 0)),
        no_feedback=c.get("no_feedback", 0),
        categories=counted,
        category_shares={k: Rate(v, total_replies) for k, v in counted.items()},
        category_labels=labels,
        overdue_now=c.get("overdue_now", 0),
        computed_at=computed_at,
        stale=stale,
    )
