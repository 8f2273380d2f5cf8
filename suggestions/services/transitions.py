"""The one way a suggestion changes state: lock, check, fire, save, and write the event.

Every caller (pages, API, admin, tasks, commands) reaches this through a service function.
Services run in one transaction (`atomic_service`), so a refused or conflicting transition
leaves nothing half-written, and take the suggestion's row lock (`lock_suggestion`) before
deciding anything, so two people acting on one suggestion at once are served one after the
other and the second decides on what the first committed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from suggestions.models import Assignment, Event, State, Suggestion

from .errors import PermissionDenied, TransitionConflict, TransitionRefused

P = ParamSpec("P")
R = TypeVar("R")

# SQLSTATEs of a race lost to a concurrent writer on PostgreSQL: unique_violation (the other
# one inserted the same reply, assignment or rating first), serialization_failure and
# deadlock_detected (the database chose this transaction to give way).
LOST_RACE_SQLSTATES = frozenset({"23505", "40001", "40P01"})


def _is_lost_race(exc: DatabaseError) -> bool:
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate:
        return sqlstate in LOST_RACE_SQLSTATES
    # SQLite has no SQLSTATE; its unique violations say so in the message.
    return isinstance(exc, IntegrityError) and "UNIQUE constraint failed" in str(exc)


# The suggestions whose steps the running service recorded (`fire`, `record_event`): before
# its transaction commits, their assignments' `has_open_work` is recomputed, after every
# write of the service (assignments, replies, opinions and the state may change in any order).
_stepped_suggestions: ContextVar[set[int] | None] = ContextVar("stepped_suggestions", default=None)


def atomic_service(service: Callable[P, R]) -> Callable[P, R]:
    """Run `service` in one transaction. A race lost to another writer (a unique row already
    taken, a state changed since it was read, a deadlock) rolls everything back and becomes
    `TransitionConflict`, which pages, the API and the admin answer with 409 and a message.
    Before the outermost service commits, the open work of every suggestion it stepped is
    brought up to date (`Assignment.has_open_work`)."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                if _stepped_suggestions.get() is not None:  # called by another service
                    return service(*args, **kwargs)
                stepped: set[int] = set()
                token = _stepped_suggestions.set(stepped)
                try:
                    result = service(*args, **kwargs)
                finally:
                    _stepped_suggestions.reset(token)
                if stepped:
                    Assignment.objects.filter(suggestion_id__in=stepped).refresh_open_work()
                return result
        except ConcurrentTransition:
            raise TransitionConflict(_lost_race_message()) from None
        except DatabaseError as exc:
            if not _is_lost_race(exc):
                raise
            raise TransitionConflict(_lost_race_message()) from None

    return run


def _lost_race_message(state: str | None = None) -> str:
    if state is None:
        return _("该建议刚刚已被他人处理，您的操作未执行，请刷新后重试。")
    return _(
        "该建议刚刚已被他人处理（现在的状态为「%(state)s」），您的操作未执行，请刷新后重试。"
    ) % {"state": state_label(state)}


def lock_suggestion(suggestion: Suggestion) -> None:
    """Hold the suggestion's row lock until the transaction ends and bring `suggestion` up to
    date, so that what the caller decides next (does a unit still owe a reply, has it already
    replied, was the deadline already extended) reads what concurrent writers committed.

    Raises `TransitionConflict` when the state changed since the caller read it: the person
    acted on a page that is out of date. FOR NO KEY UPDATE, not FOR UPDATE: replies, events
    and assignments inserted by other transactions take KEY SHARE on the suggestion for their
    foreign-key check, which a plain FOR UPDATE would block (and deadlock with)."""
    current = Suggestion.objects.select_for_update(no_key=True).get(pk=suggestion.pk)
    if current.state != suggestion.state:
        raise TransitionConflict(_lost_race_message(current.state))
    # Copied rather than refresh_from_db(): django_fsm's refresh unprotects the state field
    # of the model class, for every thread at once, while it runs. The state is equal anyway;
    # like refresh_from_db(), forget prefetched related rows, which may be stale too.
    for field in Suggestion._meta.concrete_fields:
        if field.attname != "state":
            setattr(suggestion, field.attname, getattr(current, field.attname))
    suggestion._prefetched_objects_cache = {}


def transition_label(name: str) -> str:
    meta = getattr(Suggestion, name)._django_fsm
    any_transition = next(iter(meta.transitions.values()))
    return str(any_transition.custom.get("label", name))


def source_states(name: str) -> list[str]:
    meta = getattr(Suggestion, name)._django_fsm
    return [str(s) for s in meta.transitions]


def state_label(value: str) -> str:
    try:
        return str(State(value).label)
    except ValueError:
        return value


def refusal_reasons(suggestion: Suggestion, name: str, actor) -> list[str]:
    """Why `actor` may not fire `name` now; empty when allowed. Used to grey out buttons."""
    try:
        check_transition(suggestion, name, actor)
    except (TransitionRefused, PermissionDenied) as exc:
        return [str(exc.args[0]) if exc.args else str(exc)]
    return []


def check_transition(suggestion: Suggestion, name: str, actor, *, conditions: bool = True) -> None:
    """Raise if `actor` may not fire transition `name` on `suggestion` in its current state.

    Services that prepare rows before firing check with `conditions=False` first, so a wrong
    state or a wrong actor is reported before any input is looked at."""
    if not hasattr(Suggestion, name) or not hasattr(getattr(Suggestion, name), "_django_fsm"):
        raise TransitionRefused(
            _("没有名为「%(name)s」的操作") % {"name": name}, code="unknown_transition"
        )
    label = transition_label(name)
    meta = getattr(Suggestion, name)._django_fsm
    transition_ = meta.get_transition(suggestion.state)
    if transition_ is None:
        allowed = "、".join(f"「{state_label(s)}」" for s in source_states(name))
        raise TransitionRefused(
            _(
                "不能%(action)s：该建议当前状态为「%(state)s」，只有%(allowed)s状态的建议才能%(action)s。"
            )
            % {"action": label, "state": state_label(suggestion.state), "allowed": allowed},
            code="illegal_state",
        )
    if not transition_.has_perm(suggestion, actor):
        raise PermissionDenied(_("您无权对该建议执行「%(action)s」。") % {"action": label})
    if not conditions:
        return
    unmet = [str(c.message) for c in transition_.conditions if not c(suggestion)]
    if unmet:
        raise TransitionRefused(
            _("不能%(action)s：%(reasons)s。") % {"action": label, "reasons": "；".join(unmet)},
            code="condition_failed",
        )


def fire(
    suggestion: Suggestion,
    name: str,
    *,
    actor,
    reason: str = "",
    is_public: bool = True,
    actor_name: str = "",
    as_of: dt.date | None = None,
    arguments: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """Fire transition `name` and record it. Must run inside `transaction.atomic()`, after
    `lock_suggestion` and any changes the transition depends on."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("fire() must run inside transaction.atomic()")
    if as_of is not None:
        suggestion.as_of = as_of
    check_transition(suggestion, name, actor)
    from_state = suggestion.state
    getattr(suggestion, name)(**(arguments or {}))
    try:
        # A savepoint of its own, so that after a lost race the caller's transaction can
        # still read the winner's state for the message before rolling everything back.
        with transaction.atomic():
            suggestion.save()
    except ConcurrentTransition:
        current = Suggestion.objects.filter(pk=suggestion.pk).values_list("state", flat=True)
        raise TransitionConflict(_lost_race_message(current.first() or "")) from None
    _note_step(suggestion)
    return Event.objects.create(
        suggestion=suggestion,
        action=name,
        action_label=transition_label(name),
        from_state=from_state,
        to_state=suggestion.state,
        actor=actor,
        actor_name=actor_name or _actor_display(actor),
        reason=reason,
        is_public=is_public,
        occurred_at=now or timezone.now(),
    )


def record_event(
    suggestion: Suggestion,
    *,
    action: str,
    action_label: str,
    actor,
    reason: str = "",
    is_public: bool = True,
    now: dt.datetime | None = None,
) -> Event:
    """Record a step that does not change the state (an extension, a contact, …)."""
    _note_step(suggestion)
    return Event.objects.create(
        suggestion=suggestion,
        action=action,
        action_label=action_label,
        from_state=suggestion.state,
        to_state=suggestion.state,
        actor=actor,
        actor_name=_actor_display(actor),
        reason=reason,
        is_public=is_public,
        occurred_at=now or timezone.now(),
    )


def _note_step(suggestion: Suggestion) -> None:
    """Have the running service refresh `suggestion`'s open work before it commits; outside a
    service (the calendar's deadline moves, which change no open work's existence), at once."""
    stepped = _stepped_suggestions.get()
    if stepped is None:
        Assignment.objects.filter(suggestion_id=suggestion.pk).refresh_open_work()
    else:
        stepped.add(suggestion.pk)


def _actor_display(actor) -> str:
    if actor is None:
        return _("系统")
    person = getattr(actor, "person", None)
    if person is not None:
        return person.name
    return actor.get_full_name() or actor.get_username()
