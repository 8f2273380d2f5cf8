"""What the pages show about a suggestion that is derived, not stored: where it stands and who
must act next by when, the difference between two versions, the public text of a reply.

These functions work on prefetched data only (no queries), so list and detail pages keep a
constant number of queries.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from suggestions.models import (
    PUBLIC_STATES,
    AssignmentStatus,
    Reply,
    ReplyCategory,
    State,
    Suggestion,
    UnitRole,
)


@dataclass(frozen=True)
class NextStep:
    actor: str  # who must act
    action: str  # what they must do
    due_on: dt.date | None = None
    explanation: str = ""

    @property
    def days_left(self) -> int | None:
        return days_left(self.due_on)

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


def days_left(due_on: dt.date | None, today: dt.date | None = None) -> int | None:
    if due_on is None:
        return None
    return (due_on - (today or timezone.localdate())).days


def is_public(suggestion: Suggestion) -> bool:
    return suggestion.state in PUBLIC_STATES and not suggestion.withheld_reason


def next_steps(suggestion: Suggestion) -> list[NextStep]:
    """Who must act next, and by when. Uses prefetched `assignments`, `replies` and
    `follow_up_reviews` when available."""
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
        if reply is not None and reply.category in (ReplyCategory.B, ReplyCategory.C):
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


# ---- Versions ----


def inline_diff(old: str, new: str) -> SafeString:
    """Character-level difference (Chinese text has no word boundaries), as <del>/<ins>."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    parts = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(old[a0:a1]))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(old[a0:a1])}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(new[b0:b1])}</ins>")
    return mark_safe("".join(parts))


# ---- Public timeline ----

UNIT_ACTIONS = frozenset({"contact", "reply", "partial_reply", "co_opinion"})


def public_actor(event) -> str:
    """Who acted, as the public reads it: the acting body, or the deputy by name. Staff and
    unit clerks' own accounts are not shown (the reason names the unit where it matters)."""
    if event.actor_id is None:
        return event.actor_name
    person = getattr(event.actor, "person", None)
    if person is not None and event.suggestion.lead_deputy.person_id == person.pk:
        return person.name
    if event.action in UNIT_ACTIONS:
        return _("承办单位")
    return _("人大常委会代表工作机构")
