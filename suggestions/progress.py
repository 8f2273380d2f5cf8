"""Who must act next on a suggestion, and by when (DESIGN.md §8: a citizen can see this).
The public pages, the workbenches and the API all show these steps.

Works on prefetched data only (no queries when `assignments`, `replies` and
`follow_up_reviews` are prefetched), so lists keep a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from suggestions.deadlines import stored_due_reason
from suggestions.models import (
    AssignmentStatus,
    Reply,
    State,
    Suggestion,
    UnitRole,
)


@dataclass(frozen=True)
class NextStep:
    actor: str  # who must act: the deputy's name, a unit's name, or the staff office
    action: str  # what they must do
    due_on: dt.date | None = None
    explanation: str = ""

    @property
    def provisional_reason(self) -> str:
        """Why the due date may still move ('' when it rests on official calendars)."""
        return stored_due_reason(self.due_on)

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_reason)


def next_steps(suggestion: Suggestion) -> list[NextStep]:
    """The pending steps, each with who, what, by when and how the date was computed;
    empty when nothing is pending (ended, closed with nothing to track, completed)."""
    state = suggestion.state
    staff = _("人大常委会代表工作机构")
    deputy = suggestion.lead_deputy.person.name
    if state == State.DRAFT:
        return [NextStep(deputy, _("完善并提交建议"))]
    if state == State.SUBMITTED:
        return [NextStep(staff, _("审查：立案、退回修改或不予立案"))]
    if state == State.RETURNED:
        return [NextStep(deputy, _("按审查意见修改后重新提交"), suggestion.revision_due_on)]
    if state == State.REGISTERED:
        return [NextStep(staff, _("交办承办单位"))]
    if state in (State.ASSIGNED, State.REHANDLING):
        replied_units = {
            r.assignment_id
            for r in suggestion.replies.all()
            if r.round == suggestion.handling_round
        }
        steps = []
        for assignment in suggestion.assignments.all():
            if assignment.status != AssignmentStatus.ACTIVE or assignment.pk in replied_units:
                continue
            if assignment.role == UnitRole.CO:
                continue
            if state == State.REHANDLING and assignment.rehandling_due_on:
                due, explanation = assignment.rehandling_due_on, assignment.rehandling_explanation
                action = _("重新办理并再次答复")
            else:
                due, explanation = assignment.due_on, assignment.due_explanation
                action = _("办理并答复代表")
            steps.append(NextStep(assignment.unit.name, action, due, explanation))
        return steps
    if state == State.REPLIED:
        return [NextStep(deputy, _("对答复进行满意度测评"), suggestion.evaluation_due_on)]
    if state == State.CLOSED:
        reply = _latest(suggestion.replies.all())
        if reply is not None and reply.carries_promise:
            return [NextStep(staff, _("跟踪落实承诺事项"))]
        return []
    if state == State.FOLLOW_UP:
        pending = [r for r in suggestion.follow_up_reviews.all() if not r.is_done]
        due = min((r.due_on for r in pending if r.due_on), default=None)
        return [NextStep(staff, _("开展回头看，核实落实情况"), due)]
    return []


def _latest(replies) -> Reply | None:
    replies = sorted(replies, key=lambda r: (r.round, r.replied_at, r.pk))
    return replies[-1] if replies else None
