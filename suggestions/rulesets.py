"""Each congress's deadline rules, as data: a preset per regulation, with the congress's own
overrides on top.

A clock is a `Period` (`3m`, `10d`, `7wd`) with the article it comes from. A clock a rule
set does not have is absent: no due date is computed and no reminder is sent for it. Every
figure below was checked against the regulation's text as stored in the public repository
LawRefBook/Laws (see README "Deadlines"); where the text sets no period, the national default
keeps the figure this system used before rule sets, marked as the system's own default.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from congress.models import Congress, ExtensionMode, RuleSetName
from suggestions.deadlines import Deadline, Period, WorkingCalendar, compute_deadline


class Clock(StrEnum):
    """The clocks of handling, in the order a suggestion meets them."""

    REVISION = "revision"  # the deputy's revision of a returned suggestion
    RECESS_ASSIGNMENT = "recess_assignment"  # assignment of a suggestion filed in recess
    SESSION_ASSIGNMENT = "session_assignment"  # assignment after the session closes
    RETURN = "return"  # a unit's return (退办) of a wrong assignment
    CONTACT = "contact"  # the unit's contact with the deputy
    CO_OPINION = "co_opinion"  # the co-handling unit's opinion to the lead unit
    REPLY = "reply"
    EXTENDED_REPLY = "extended_reply"
    EVALUATION = "evaluation"  # the deputy's rating of the reply
    REHANDLING = "rehandling"  # the new reply after 不满意
    PUBLICATION = "publication"  # publication of the reply


CLOCK_LABELS: dict[Clock, str] = {
    Clock.REVISION: gettext_lazy("退回修改期限"),
    Clock.RECESS_ASSIGNMENT: gettext_lazy("闭会期间建议交办期限"),
    Clock.SESSION_ASSIGNMENT: gettext_lazy("会议建议交办期限（自闭幕日起）"),
    Clock.RETURN: gettext_lazy("退办期限"),
    Clock.CONTACT: gettext_lazy("与代表联系期限"),
    Clock.CO_OPINION: gettext_lazy("协办意见期限"),
    Clock.REPLY: gettext_lazy("办复期限"),
    Clock.EXTENDED_REPLY: gettext_lazy("延期期限"),
    Clock.EVALUATION: gettext_lazy("测评期限"),
    Clock.REHANDLING: gettext_lazy("重新办理期限"),
    Clock.PUBLICATION: gettext_lazy("答复公开期限"),
}

# What starts each clock, as explanations name it.
CLOCK_STARTS: dict[Clock, str] = {
    Clock.REVISION: gettext_lazy("退回"),
    Clock.RECESS_ASSIGNMENT: gettext_lazy("收到"),
    Clock.SESSION_ASSIGNMENT: gettext_lazy("闭幕"),
    Clock.RETURN: gettext_lazy("交办"),
    Clock.CONTACT: gettext_lazy("交办"),
    Clock.CO_OPINION: gettext_lazy("交办"),
    Clock.REPLY: gettext_lazy("交办"),
    Clock.EXTENDED_REPLY: gettext_lazy("交办"),
    Clock.EVALUATION: gettext_lazy("答复"),
    Clock.REHANDLING: gettext_lazy("不满意测评"),
    Clock.PUBLICATION: gettext_lazy("答复"),
}

# The Congress field holding each clock's override (blank: the preset's figure).
OVERRIDE_FIELDS: dict[Clock, str] = {clock: f"{clock.value}_period" for clock in Clock}

LAW = gettext_noop("《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》（2025年修正）")
SHANGHAI = gettext_noop("《上海市人民代表大会关于代表建议、批评和意见的规定》")
ZHEJIANG = gettext_noop("《浙江省人民代表大会代表建议、批评和意见办理的规定》（2016年修正）")
CHONGQING = gettext_noop("《重庆市人民代表大会代表建议批评和意见工作条例》")
QINGDAO = gettext_noop("《青岛市人民代表大会代表建议、批评和意见工作条例》（2021年修订）")
SYSTEM_DEFAULT = gettext_noop("本系统默认期限（法规未规定）")


@dataclass(frozen=True)
class Rule:
    """One clock of one rule set: its period, the regulation and article, and what it says."""

    period: Period
    regulation: str  # msgid; empty for the system's default or the congress's own figure
    article: str  # msgid, e.g. 第十九条
    says: str  # msgid: what the article requires, in its own words

    def citation(self) -> str:
        if not self.regulation:
            return _("%(source)s：%(period)s") % {
                "source": _(self.says),
                "period": self.period.label(),
            }
        return _("依据%(regulation)s%(article)s：%(says)s") % {
            "regulation": _(self.regulation),
            "article": _(self.article),
            "says": _(self.says),
        }


@dataclass(frozen=True)
class RuleSet:
    name: str  # RuleSetName value
    label: str
    clocks: dict[Clock, Rule]
    # Whether an extension adds to the reply period or replaces it by a longer one.
    extension_mode: str = ExtensionMode.REPLACE
    # msgid: the article behind the statistics' treatment of ratings never returned (未反馈),
    # which `suggestions.statistics.compute` leaves out of the satisfaction rate for every set.
    statistics_source: str = ""
    note: str = ""  # msgid: what the regulation text leaves out, and where the figures come from

    def rule(self, clock: Clock) -> Rule | None:
        return self.clocks.get(clock)


def _rule(period: str, regulation: str, article: str, says: str) -> Rule:
    return Rule(Period.parse(period), regulation, article, says)


def _default(period: str) -> Rule:
    return Rule(Period.parse(period), "", "", SYSTEM_DEFAULT)


# Figures this system used before rule sets, for clocks the 代表法 does not set.
_SYSTEM_CLOCKS = {
    Clock.REVISION: _default("10d"),
    Clock.RETURN: _default("7wd"),
    Clock.CO_OPINION: _default("1m"),
    Clock.EVALUATION: _default("1m"),
    Clock.REHANDLING: _default("1m"),
    Clock.PUBLICATION: _default("20wd"),
}

PRESETS: dict[str, RuleSet] = {
    RuleSetName.NATIONAL: RuleSet(
        name=RuleSetName.NATIONAL,
        label=gettext_noop("全国默认（代表法）"),
        clocks={
            **_SYSTEM_CLOCKS,
            Clock.REPLY: _rule(
                "3m", LAW, gettext_noop("第五十一条"), gettext_noop("交办之日起三个月内答复")
            ),
            Clock.EXTENDED_REPLY: _rule(
                "6m",
                LAW,
                gettext_noop("第五十一条"),
                gettext_noop("涉及面广、处理难度大的，自交办之日起六个月内答复"),
            ),
        },
        note=gettext_noop(
            "代表法第五十一条只规定答复期限（三个月，涉及面广、处理难度大的六个月）；"
            "退回修改、退办、协办意见、测评、重新办理和公开的期限为本系统默认值。"
        ),
    ),
    RuleSetName.SHANGHAI: RuleSet(
        name=RuleSetName.SHANGHAI,
        label=gettext_noop("上海市"),
        clocks={
            Clock.RECESS_ASSIGNMENT: _rule(
                "7wd",
                SHANGHAI,
                gettext_noop("第十一条"),
                gettext_noop("闭会期间提出的，收到之日起七个工作日内交办"),
            ),
            Clock.RETURN: _rule(
                "7wd",
                SHANGHAI,
                gettext_noop("第十四条"),
                gettext_noop("不属于本单位职权范围的，收到之日起七个工作日内说明情况"),
            ),
            Clock.CO_OPINION: _rule(
                "1m",
                SHANGHAI,
                gettext_noop("第十七条"),
                gettext_noop("会办单位收到之日起一个月内将会办意见书面送主办单位"),
            ),
            Clock.REPLY: _rule(
                "3m", SHANGHAI, gettext_noop("第十九条"), gettext_noop("交办之日起三个月内答复")
            ),
            Clock.EXTENDED_REPLY: _rule(
                "3m",
                SHANGHAI,
                gettext_noop("第十九条"),
                gettext_noop("经同意可以适当延长，延长时间不得超过三个月"),
            ),
            Clock.REHANDLING: _rule(
                "1m",
                SHANGHAI,
                gettext_noop("第二十一条"),
                gettext_noop("需要再次办理的，在一个月内再次答复代表"),
            ),
        },
        extension_mode=ExtensionMode.ADD,
        note=gettext_noop(
            "上海规定未规定与代表联系、测评、退回修改和答复公开的期限（第二十一条测评不设期限，"
            "第二十六条办理情况通过履职平台和公报公开），这些期限不计算。"
        ),
    ),
    RuleSetName.ZHEJIANG: RuleSet(
        name=RuleSetName.ZHEJIANG,
        label=gettext_noop("浙江省"),
        clocks={
            Clock.RETURN: _rule(
                "10d",
                ZHEJIANG,
                gettext_noop("第十四条"),
                gettext_noop("不属于本单位职责范围的，收到之日起十日内说明情况"),
            ),
            Clock.CO_OPINION: _rule(
                "2m",
                ZHEJIANG,
                gettext_noop("第十八条"),
                gettext_noop("会办单位收到之日起两个月内将书面办理意见告知主办单位"),
            ),
            Clock.REPLY: _rule(
                "3m",
                ZHEJIANG,
                gettext_noop("第二十一条"),
                gettext_noop("接到交办后的三个月内书面答复"),
            ),
            Clock.EXTENDED_REPLY: _rule(
                "6m",
                ZHEJIANG,
                gettext_noop("第二十一条"),
                gettext_noop("量大或者复杂的，经交办机构同意，可以延长至六个月内答复"),
            ),
            Clock.REHANDLING: _rule(
                "1m",
                ZHEJIANG,
                gettext_noop("第二十四条"),
                gettext_noop("代表不满意的，在一个月内重新书面答复"),
            ),
        },
        note=gettext_noop(
            "浙江规定未规定交办、与代表联系、测评、退回修改和答复公开的期限"
            "（第十条的七天是受理后通知代表，不是交办期限），这些期限不计算。"
        ),
    ),
    RuleSetName.CHONGQING: RuleSet(
        name=RuleSetName.CHONGQING,
        label=gettext_noop("重庆市"),
        clocks={
            Clock.RECESS_ASSIGNMENT: _rule(
                "10wd",
                CHONGQING,
                gettext_noop("第十三条"),
                gettext_noop("闭会期间提出的，收到之日起十个工作日内交办"),
            ),
            Clock.RETURN: _rule(
                "10wd",
                CHONGQING,
                gettext_noop("第十六条"),
                gettext_noop("不属于本单位职责范围的，交办之日起十个工作日内书面说明"),
            ),
            Clock.CONTACT: _rule(
                "20wd",
                CHONGQING,
                gettext_noop("第十八条"),
                gettext_noop("收到之日起二十个工作日内与代表沟通、联系"),
            ),
            Clock.CO_OPINION: _rule(
                "30wd",
                CHONGQING,
                gettext_noop("第二十条"),
                gettext_noop("交办之日起三十个工作日内将协办意见书面报送主办单位"),
            ),
            Clock.REPLY: _rule(
                "3m",
                CHONGQING,
                gettext_noop("第二十一条"),
                gettext_noop("交办之日起三个月内答复"),
            ),
            Clock.EXTENDED_REPLY: _rule(
                "6m",
                CHONGQING,
                gettext_noop("第二十一条"),
                gettext_noop("涉及面广、处理难度大的，自交办之日起六个月内答复"),
            ),
            Clock.EVALUATION: _rule(
                "20wd",
                CHONGQING,
                gettext_noop("第二十七条"),
                gettext_noop("收到答复函之日起二十个工作日内评价"),
            ),
            Clock.REHANDLING: _rule(
                "2m",
                CHONGQING,
                gettext_noop("第二十七条"),
                gettext_noop("收到重新办理要求后两个月内书面答复"),
            ),
        },
        statistics_source=gettext_noop(
            "依据《重庆市人民代表大会代表建议批评和意见工作条例》第二十九条：超过评价期限仍不反馈"
            "回执的，不纳入满意情况的统计范围"
        ),
        note=gettext_noop(
            "重庆条例未规定退回修改和答复公开的期限（第三十六条只要求在重庆人大网公开），"
            "这些期限不计算。"
        ),
    ),
    RuleSetName.QINGDAO: RuleSet(
        name=RuleSetName.QINGDAO,
        label=gettext_noop("青岛市"),
        clocks={
            Clock.RECESS_ASSIGNMENT: _rule(
                "5wd",
                QINGDAO,
                gettext_noop("第十四条"),
                gettext_noop("闭会期间提出的，收到之日起五个工作日内交办"),
            ),
            Clock.RETURN: _rule(
                "5wd",
                QINGDAO,
                gettext_noop("第十九条"),
                gettext_noop("不属于本单位办理范围的，收到之日起五个工作日内书面说明"),
            ),
            Clock.CO_OPINION: _rule(
                "1m",
                QINGDAO,
                gettext_noop("第二十四条"),
                gettext_noop("协办单位收到之日起一个月内提出书面协办意见"),
            ),
            Clock.REPLY: _rule(
                "3m",
                QINGDAO,
                gettext_noop("第二十五条"),
                gettext_noop("交办之日起三个月内答复"),
            ),
            Clock.EXTENDED_REPLY: _rule(
                "6m",
                QINGDAO,
                gettext_noop("第二十五条"),
                gettext_noop("经同意可以延期答复，自交办之日起最长不得超过六个月"),
            ),
        },
        note=gettext_noop(
            "青岛条例未规定与代表联系（第二十八条以面复为主要形式）、测评、重新办理、"
            "退回修改和答复公开的期限，这些期限不计算。"
        ),
    ),
}

OVERRIDE = gettext_noop("本人大设定的期限")


@dataclass(frozen=True)
class CongressRules:
    """A congress's rule set with its overrides applied."""

    preset: RuleSet
    clocks: dict[Clock, Rule]
    extension_mode: str

    def rule(self, clock: Clock) -> Rule | None:
        return self.clocks.get(clock)

    def deadline(
        self,
        clock: Clock,
        start: dt.date,
        *,
        start_label: str,
        calendar_: WorkingCalendar | None = None,
    ) -> Deadline | None:
        """The clock's due date from `start`, its explanation led by the rule it applied;
        None when the rule set has no such clock."""
        rule = self.clocks.get(clock)
        if rule is None:
            return None
        return cited(
            rule,
            compute_deadline(start, rule.period, start_label=start_label, calendar_=calendar_),
        )

    def assignment_deadline(
        self, suggestion, *, received_on: dt.date, calendar_: WorkingCalendar | None = None
    ) -> Deadline | None:
        """When the congress must assign `suggestion`, received on `received_on`: a recess
        suggestion from its receipt, a session's from the session's close (or its receipt,
        if that is later)."""
        if suggestion.session_id is None:
            return self.deadline(
                Clock.RECESS_ASSIGNMENT, received_on, start_label=_("收到"), calendar_=calendar_
            )
        closed_on = suggestion.session.closed_on
        if closed_on is None or self.rule(Clock.SESSION_ASSIGNMENT) is None:
            return None
        if received_on > closed_on:
            return self.deadline(
                Clock.SESSION_ASSIGNMENT, received_on, start_label=_("收到"), calendar_=calendar_
            )
        return self.deadline(
            Clock.SESSION_ASSIGNMENT, closed_on, start_label=_("闭幕"), calendar_=calendar_
        )

    def rehandling_deadline(
        self, start: dt.date, *, calendar_: WorkingCalendar | None = None
    ) -> Deadline | None:
        """The new reply's due date after 不满意. Where the rule set sets no re-handling
        period, the reply period counts again from the rating, and the explanation says so:
        without a due date of its own the round-1 date, long past, would bind."""
        label = _("不满意测评")
        deadline = self.deadline(Clock.REHANDLING, start, start_label=label, calendar_=calendar_)
        if deadline is not None:
            return deadline
        deadline = self.deadline(Clock.REPLY, start, start_label=label, calendar_=calendar_)
        if deadline is None:
            return None
        return dataclasses.replace(
            deadline,
            explanation=_("所适用的规则未规定重新办理期限，按答复期限计算。%(explanation)s")
            % {"explanation": deadline.explanation},
        )

    def extended_deadline(
        self,
        start: dt.date,
        granted: Period | None = None,
        *,
        calendar_: WorkingCalendar | None = None,
    ) -> Deadline | None:
        """The reply due date after an extension, counted from the assignment: the longest
        period the rule set allows, or `granted` when staff grant less; None when the rule
        set allows no extension."""
        limit, rule = self.extension_limit(), self.rule(Clock.EXTENDED_REPLY)
        if limit is None or rule is None:
            return None
        return cited(
            rule,
            compute_deadline(start, granted or limit, start_label=_("交办"), calendar_=calendar_),
        )

    def revision_deadline(
        self,
        start: dt.date,
        granted: Period | None = None,
        *,
        calendar_: WorkingCalendar | None = None,
    ) -> Deadline | None:
        """The revision due date: the rule set's period, or `granted`, the days the reviewer
        set instead."""
        label = _("退回")
        if granted is None:
            return self.deadline(Clock.REVISION, start, start_label=label, calendar_=calendar_)
        deadline = compute_deadline(start, granted, start_label=label, calendar_=calendar_)
        rule = self.rule(Clock.REVISION)
        if rule is not None and rule.period == granted:
            return cited(rule, deadline)
        return dataclasses.replace(
            deadline,
            explanation=_("退回时确定的修改期限：%(period)s；%(explanation)s")
            % {"period": granted.label(), "explanation": deadline.explanation},
        )

    def extension_limit(self) -> Period | None:
        """The longest reply period an extension allows, counted from the assignment."""
        reply, extended = self.rule(Clock.REPLY), self.rule(Clock.EXTENDED_REPLY)
        if reply is None or extended is None:
            return None
        if self.extension_mode == ExtensionMode.REPLACE:
            return extended.period
        if reply.period.unit != extended.period.unit:
            return None
        return Period(reply.period.amount + extended.period.amount, reply.period.unit)


def cited(rule: Rule, deadline: Deadline) -> Deadline:
    """`deadline` with its explanation led by the rule it applied."""
    return dataclasses.replace(deadline, explanation=f"{rule.citation()}；{deadline.explanation}")


def preset_rules(name: str) -> CongressRules:
    preset = PRESETS[name]
    return CongressRules(
        preset=preset, clocks=dict(preset.clocks), extension_mode=preset.extension_mode
    )


class RulesByCongress(dict):
    """Each congress's rules, worked out once for many due dates."""

    def __missing__(self, congress: Congress) -> CongressRules:
        self[congress] = rules_for(congress)
        return self[congress]


def rules_for(congress: Congress) -> CongressRules:
    preset = PRESETS[congress.rule_set or RuleSetName.NATIONAL]
    clocks = dict(preset.clocks)
    for clock, field in OVERRIDE_FIELDS.items():
        value = getattr(congress, field, "")
        if value:
            clocks[clock] = Rule(Period.parse(value), "", "", OVERRIDE)
    return CongressRules(
        preset=preset,
        clocks=clocks,
        extension_mode=congress.extension_mode or preset.extension_mode,
    )
