"""Who must act next on a suggestion, and by when (DESIGN.md §8: a citizen can see this)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from suggestions.models import State, Suggestion


@dataclass(frozen=True)
class NextStep:
    actor: str  # who: a unit's name, "领衔代表", "人大常委会代表工作机构"
    action: str  # what they must do
    due_on: dt.date | None  # by when, when there is a deadline


def next_steps(suggestion: Suggestion) -> list[NextStep]:
    """The pending steps; empty when nothing is pending (closed, completed, ended).

    Uses `suggestion.assignments.all()` and `suggestion.replies.all()`, so prefetch them for
    lists; a detail view with `selectors.suggestion_for_detail` needs no extra query for
    assignments."""
    staff = _("人大常委会代表工作机构")
    state = suggestion.state
    if state == State.SUBMITTED:
        return [NextStep(staff, _("审查立案"), None)]
    if state == State.RETURNED:
        return [NextStep(_("领衔代表"), _("修改后重新提交"), suggestion.revision_due_on)]
    if state == State.REGISTERED:
        return [NextStep(staff, _("交办承办单位"), None)]
    if state in (State.ASSIGNED, State.REHANDLING):
        round_ = suggestion.handling_round
        replied_units = {r.assignment_id for r in suggestion.replies.all() if r.round == round_}
        return [
            NextStep(a.unit.name, _("答复代表"), a.current_due_on)
            for a in suggestion.assignments.all()
            if a.status == "active" and a.role != "co" and a.pk not in replied_units
        ]
    if state == State.REPLIED:
        return [NextStep(_("领衔代表"), _("满意度测评"), suggestion.evaluation_due_on)]
    if state == State.FOLLOW_UP:
        due = [r.due_on for r in suggestion.follow_up_reviews.all() if not r.is_done and r.due_on]
        return [NextStep(staff, _("跟踪落实、回头看"), min(due) if due else None)]
    return []
