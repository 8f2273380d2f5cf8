"""Every write to the suggestion lifecycle goes through these functions.

Views, the API, the admin, Celery tasks and management commands call them with keyword-only
arguments; none of them fires a transition or writes an event on its own.
"""

from .calendar import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_enter,
    deadlines_recompute,
)
from .congress_rules import RULE_FIELDS, congress_rules_update
from .drafting import (
    cosigner_confirm,
    cosigner_invite,
    cosigner_remove,
    suggestion_create_draft,
    suggestion_submit,
    suggestion_update_draft,
    suggestion_withdraw,
)
from .errors import (
    PermissionDenied,
    TransitionConflict,
    TransitionRefused,
    ValidationError,
    error_message,
)
from .handling import (
    assignment_extend,
    co_opinion_submit,
    contact_record,
    reply_publish,
    suggestion_assign,
    suggestion_evaluate,
    suggestion_lapse_evaluation,
    suggestion_reassign,
    suggestion_reply,
)
from .review import (
    suggestion_merge,
    suggestion_refuse,
    suggestion_register,
    suggestion_release,
    suggestion_return_for_revision,
    suggestion_withhold,
)
from .supervision import (
    outcome_record,
    suggestion_complete,
    suggestion_start_follow_up,
    supervision_activity_log,
    supervision_plan_create,
)
from .transitions import check_transition, refusal_reasons

__all__ = [
    "RULE_FIELDS",
    "PermissionDenied",
    "TransitionConflict",
    "TransitionRefused",
    "ValidationError",
    "assignment_extend",
    "calendar_override_delete",
    "calendar_override_set",
    "calendar_year_enter",
    "check_transition",
    "co_opinion_submit",
    "congress_rules_update",
    "contact_record",
    "cosigner_confirm",
    "cosigner_invite",
    "cosigner_remove",
    "deadlines_recompute",
    "error_message",
    "outcome_record",
    "refusal_reasons",
    "reply_publish",
    "suggestion_assign",
    "suggestion_complete",
    "suggestion_create_draft",
    "suggestion_evaluate",
    "suggestion_lapse_evaluation",
    "suggestion_merge",
    "suggestion_reassign",
    "suggestion_refuse",
    "suggestion_register",
    "suggestion_release",
    "suggestion_reply",
    "suggestion_return_for_revision",
    "suggestion_start_follow_up",
    "suggestion_submit",
    "suggestion_update_draft",
    "suggestion_withdraw",
    "suggestion_withhold",
    "supervision_activity_log",
    "supervision_plan_create",
]
