"""Who may do what, as `rules` predicates (user, suggestion). Who may *read* what is
`suggestions.access`, not here.

The state machine's transitions use the `can_*` adapters below (django-fsm calls a
permission with (instance, user)); views and the API ask the same predicates through
`user.has_perm("suggestions.<name>", suggestion)`. A `None` user is the system itself
(the reminder sweep), which may only fire system transitions.
"""

from __future__ import annotations

import rules

from congress.models import StaffRole


@rules.predicate
def is_lead_deputy(user, suggestion) -> bool:
    if user is None or not user.is_authenticated or suggestion is None:
        return False
    return suggestion.lead_deputy.person.user_id == user.pk


@rules.predicate
def is_congress_staff(user, suggestion) -> bool:
    if user is None or not user.is_authenticated or suggestion is None:
        return False
    if user.is_superuser:
        return True
    return user.congress_roles.filter(
        congress_id=suggestion.congress_id, role=StaffRole.STAFF
    ).exists()


@rules.predicate
def is_responsible_unit_member(user, suggestion) -> bool:
    """A member of a unit that must reply (lead or separate) on an active assignment."""
    if user is None or not user.is_authenticated or suggestion is None:
        return False
    return suggestion.assignments.active().responsible().filter(unit__members=user).exists()


@rules.predicate
def is_assigned_unit_member(user, suggestion) -> bool:
    if user is None or not user.is_authenticated or suggestion is None:
        return False
    return suggestion.assignments.active().filter(unit__members=user).exists()


rules.add_perm("suggestions.act_as_lead_deputy", is_lead_deputy)
rules.add_perm("suggestions.review", is_congress_staff)
rules.add_perm("suggestions.reply", is_responsible_unit_member)
rules.add_perm("suggestions.handle", is_assigned_unit_member)


# Adapters for django-fsm's (instance, user) permission signature.
def can_act_as_lead_deputy(suggestion, user) -> bool:
    return is_lead_deputy(user, suggestion)


def can_review(suggestion, user) -> bool:
    return is_congress_staff(user, suggestion)


def can_reply(suggestion, user) -> bool:
    return is_responsible_unit_member(user, suggestion)


def is_system(suggestion, user) -> bool:
    return user is None
