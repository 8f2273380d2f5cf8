"""The one way a suggestion changes state: check, fire, save, and write the event.

Every caller (pages, API, admin, tasks, commands) reaches this through a service function.
Callers wrap it in `transaction.atomic()` together with their side effects, so a refused or
conflicting transition leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from suggestions.models import Event, State, Suggestion

from .errors import PermissionDenied, TransitionConflict, TransitionRefused


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


def check_transition(suggestion: Suggestion, name: str, actor) -> None:
    """Raise if `actor` may not fire transition `name` on `suggestion` in its current state."""
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
    """Fire transition `name` and record it. Must run inside `transaction.atomic()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("fire() must run inside transaction.atomic()")
    if as_of is not None:
        suggestion.as_of = as_of
    check_transition(suggestion, name, actor)
    from_state = suggestion.state
    getattr(suggestion, name)(**(arguments or {}))
    try:
        # A savepoint, so that a lost race leaves the caller's transaction usable (Django
        # marks the enclosing atomic block for rollback when save() raises).
        with transaction.atomic():
            suggestion.save()
    except ConcurrentTransition:
        current = Suggestion.objects.filter(pk=suggestion.pk).values_list("state", flat=True)
        raise TransitionConflict(
            _("该建议刚刚已被他人处理（现在的状态为「%(state)s」），您的操作未执行，请刷新后重试。")
            % {"state": state_label(current.first() or "")}
        ) from None
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


def _actor_display(actor) -> str:
    if actor is None:
        return _("系统")
    person = getattr(actor, "person", None)
    if person is not None:
        return person.name
    return actor.get_full_name() or actor.get_username()
