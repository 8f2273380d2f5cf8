"""The words of each reminder: Chinese msgids naming the suggestion, the deadline and how the
deadline was computed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from suggestions.models import UnitRole

from .models import ReminderKind, ReminderStep


class Subject(NamedTuple):
    """What a reminder is about, as the words need it (a named tuple: one per due deadline)."""

    kind: str
    step: str
    title: str  # 第12号建议《…》 or 重点督办事项《…》
    due_on: dt.date
    days: int  # days left (>= 0) or days overdue (> 0)
    explanation: str
    unit: str = ""
    role: str = ""


@dataclass(frozen=True)
class Words:
    """The translated pieces planning needs for every due reminder, looked up once per sweep:
    gettext goes through context-local storage, too slow to call per row at 100k rows."""

    numbered: str
    unnumbered: str
    plan: str
    unrecorded: str
    revision: str
    supervision: str
    follow_up: str
    deputy: str
    roles: dict[str, str]

    def suggestion_label(self, title: str, number: int | None) -> str:
        if number:
            return self.numbered % {"n": number, "title": title}
        return self.unnumbered % {"title": title}

    def plan_label(self, theme: str) -> str:
        return self.plan % {"theme": theme}


def words() -> Words:
    return _words(get_language() or "")


@lru_cache(maxsize=16)
def _words(language: str) -> Words:
    return Words(
        numbered=_("第%(n)d号建议《%(title)s》"),
        unnumbered=_("建议《%(title)s》"),
        plan=_("重点督办事项《%(theme)s》"),
        unrecorded=_("（未记录计算过程）"),
        revision=_("退回修改时由代表工作机构确定的修改期限 %(due)s"),
        supervision=_("重点督办计划确定的办结时限 %(due)s"),
        follow_up=_("跟踪落实时确定的回头看完成日期 %(due)s"),
        deputy=_("%(name)s代表"),
        roles={role.value: str(role.label) for role in UnitRole},
    )


def suggestion_label(title: str, number: int | None) -> str:
    return words().suggestion_label(title, number)


def plan_label(theme: str) -> str:
    return words().plan_label(theme)


def render(
    subject: Subject, *, audience: str, greeting: str, language: str | None = None
) -> tuple[str, str]:
    """(subject line, body). `audience` is 'owner' for whoever must act, 'escalation' for
    staff and the supervising leader told about someone else's overdue work. A caller that
    renders many messages passes `language` (looked up once): `get_language()` goes through
    asgiref's context-local storage, which dominated the cost of rendering a cold sweep."""
    overdue = subject.step == ReminderStep.OVERDUE
    if language is None:
        language = get_language() or ""
    head, greeting_line, line, sentence, status, computed, action, footer = _templates(
        language, subject.kind, overdue, audience
    )
    values = {
        "title": subject.title,
        "due": subject.due_on.isoformat(),
        "days": subject.days,
        "explanation": subject.explanation,
        "unit": subject.unit,
        "role": subject.role,
        "greeting": greeting,
    }
    values["line"] = line % values
    body = "\n".join(
        [
            greeting_line % values,
            "",
            sentence % {"line": values["line"], "status": status % values},
            computed % values,
            "",
            action % values,
            "",
            footer,
        ]
    )
    return (head % values)[:300], body


@lru_cache(maxsize=256)
def _templates(language: str, kind: str, overdue: bool, audience: str) -> tuple[str, ...]:
    """The translated templates for one kind of message, looked up once per language (a
    cold sweep renders tens of thousands of messages)."""
    line, action = _TEXTS[kind](overdue, audience)
    if overdue:
        head = _("【逾期提醒】%(line)s已逾期（期限 %(due)s，已逾期%(days)d天）")
        status = _("期限 %(due)s 已过 %(days)d 天，尚未完成。")
    else:
        head = _("【期限提醒】%(line)s期限为 %(due)s，还有%(days)d天")
        status = _("期限为 %(due)s，距今还有 %(days)d 天。")
    return (
        head,
        _("%(greeting)s："),
        line,
        _("%(line)s，%(status)s"),
        status,
        _("期限计算：%(explanation)s"),
        action,
        _("本提醒由人大代表建议办理系统自动发送，请勿直接回复。"),
    )


def _reply(overdue: bool, audience: str) -> tuple[str, str]:
    if audience == "escalation":
        return (
            _("%(unit)s（%(role)s）办理的%(title)s答复"),
            _("请督促承办单位尽快与代表沟通并答复。"),
        )
    action = (
        _("请立即答复代表；逾期情况已报送人大常委会代表工作机构。")
        if overdue
        else _("请在期限内与代表沟通联系并正式答复。")
    )
    return _("您单位%(role)s的%(title)s答复"), action


def _co_opinion(overdue: bool, audience: str) -> tuple[str, str]:
    return (
        _("您单位协办的%(title)s的协办意见"),
        _("请尽快向主办单位提交协办意见；主办单位须收到协办意见后才能答复。"),
    )


def _contact(overdue: bool, audience: str) -> tuple[str, str]:
    return (
        _("您单位办理的%(title)s与代表的沟通联系"),
        _("请与代表沟通联系，充分听取意见，并在系统中记录沟通情况。"),
    )


def _assignment(overdue: bool, audience: str) -> tuple[str, str]:
    return (
        _("%(title)s的交办"),
        _("请及时审查、立案并交办承办单位。"),
    )


def _revision(overdue: bool, audience: str) -> tuple[str, str]:
    return (
        _("%(title)s（已退回修改）的修改"),
        _("请按审查意见修改后重新提交。"),
    )


def _evaluation(overdue: bool, audience: str) -> tuple[str, str]:
    return (
        _("您对%(title)s答复的满意度测评"),
        _("请登录系统进行满意度测评；期限届满未测评的，按“未反馈”办结。"),
    )


def _supervision(overdue: bool, audience: str) -> tuple[str, str]:
    return (
        _("%(title)s的办结时限"),
        _("请跟进督办进展，确保按时办结。"),
    )


def _follow_up(overdue: bool, audience: str) -> tuple[str, str]:
    return (
        _("%(title)s的跟踪回头看"),
        _("请按计划开展回头看，记录落实情况。"),
    )


_TEXTS = {
    ReminderKind.REPLY: _reply,
    ReminderKind.CO_OPINION: _co_opinion,
    ReminderKind.CONTACT: _contact,
    ReminderKind.ASSIGNMENT: _assignment,
    ReminderKind.REVISION: _revision,
    ReminderKind.EVALUATION: _evaluation,
    ReminderKind.SUPERVISION: _supervision,
    ReminderKind.FOLLOW_UP: _follow_up,
}
