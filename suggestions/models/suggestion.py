"""The suggestion and its state machine (DESIGN.md §3).

Transitions here only move the state and check what the state machine must check. Every
side effect (events, versions, assignments, due dates) lives in `suggestions.services`, which
is the only caller of these methods.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from congress.models import Congress, Deputy, Session, Term
from suggestions import limits
from suggestions import rules as perms

from .common import SourcedModel


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    REGISTERED = "registered", _("已立案")
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("已答复")
    REHANDLING = "rehandling", _("重新办理")
    CLOSED = "closed", _("已办结")
    FOLLOW_UP = "follow_up", _("跟踪落实")
    COMPLETED = "completed", _("落实完毕")
    WITHDRAWN = "withdrawn", _("已撤回")
    MERGED = "merged", _("已并案")
    REFUSED = "refused", _("不予立案")


# States in which a suggestion has been accepted and is shown to the public (DESIGN.md §8).
PUBLIC_STATES = (
    State.REGISTERED,
    State.ASSIGNED,
    State.REPLIED,
    State.REHANDLING,
    State.CLOSED,
    State.FOLLOW_UP,
    State.COMPLETED,
    State.MERGED,
)
WITHDRAWABLE_STATES = (
    State.DRAFT,
    State.SUBMITTED,
    State.RETURNED,
    State.REGISTERED,
    State.ASSIGNED,
)


class RefusalReason(models.TextChoices):
    NOT_IN_JURISDICTION = "not_in_jurisdiction", _("不属于本级人大及其常委会职权范围")
    PERSONAL_MATTER = "personal_matter", _("属于代表本人及其亲属的个人事务")
    NO_CONTENT = "no_content", _("没有实际内容")
    JUDICIAL_CASE = "judicial_case", _("涉及具体司法案件")
    OTHER = "other", _("其他原因")


def condition(message):
    """Mark a transition condition with the words a clerk reads when it does not hold."""

    def decorate(func):
        func.message = message
        return func

    return decorate


@condition(_("标题和正文都不能为空"))
def has_title_and_body(suggestion: Suggestion) -> bool:
    return bool(suggestion.title.strip() and suggestion.body.strip())


@condition(_("所有联名代表都须确认联名"))
def cosigners_confirmed(suggestion: Suggestion) -> bool:
    return not suggestion.cosignatures.filter(confirmed_at__isnull=True).exists()


@condition(_("退回修改后须先修改建议文本（形成新的版本）再提交"))
def revised_since_return(suggestion: Suggestion) -> bool:
    if suggestion.returned_at_version is None:
        return True
    return suggestion.current_version_number > suggestion.returned_at_version


@condition(_("须有一个主办单位，或若干分办单位"))
def has_responsible_unit(suggestion: Suggestion) -> bool:
    return suggestion.assignments.active().responsible().exists()


@condition(_("测评期限尚未届满"))
def evaluation_window_passed(suggestion: Suggestion) -> bool:
    from django.utils import timezone

    # The sweep evaluates "now" as of its own clock (send_reminders --now), so it may set it.
    today = getattr(suggestion, "as_of", None) or timezone.localdate()
    due = suggestion.evaluation_due_on
    return due is not None and today > due


@condition(_("只有答复类别承诺以后办理（如全国通行的 B 或 C 类）的建议才需要跟踪落实"))
def has_promise_to_track(suggestion: Suggestion) -> bool:
    reply = suggestion.latest_reply()
    return reply is not None and reply.carries_promise


class SuggestionQuerySet(models.QuerySet):
    def public(self) -> SuggestionQuerySet:
        """What a citizen may see: accepted suggestions that staff have not withheld."""
        return self.filter(self.public_condition())

    @staticmethod
    def public_condition() -> Q:
        """`public` as a condition, also of the search documents, which copy these columns."""
        return Q(state__in=PUBLIC_STATES, withheld_reason="")

    def for_congress(self, congress: Congress) -> SuggestionQuerySet:
        return self.filter(congress=congress)


def number_display(number: int | None) -> str:
    """第12号 (translated), or "" for a suggestion without a number."""
    return _("第%(n)d号") % {"n": number} if number else ""


class Suggestion(ConcurrentTransitionMixin, SourcedModel):
    """建议: what a deputy files. Numbered on registration, unique per congress and session."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.PROTECT, related_name="suggestions"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("届"), on_delete=models.PROTECT, related_name="suggestions"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
        help_text=_("闭会期间提出的建议留空"),
    )
    number = models.PositiveIntegerField(_("建议编号"), null=True, blank=True, editable=False)
    title = models.CharField(_("标题"), max_length=limits.TITLE)
    body = models.TextField(_("正文"), max_length=limits.BODY, blank=True)
    topic = models.CharField(_("类别"), max_length=limits.TOPIC, blank=True)
    lead_deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("领衔代表"),
        on_delete=models.PROTECT,
        related_name="led_suggestions",
    )
    state = FSMField(
        _("状态"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True
    )
    handling_round = models.PositiveSmallIntegerField(_("办理轮次"), default=1, editable=False)
    current_version_number = models.PositiveSmallIntegerField(
        _("当前版本"), default=1, editable=False
    )
    returned_at_version = models.PositiveSmallIntegerField(
        _("退回时的版本"), null=True, blank=True, editable=False
    )

    filed_on = models.DateField(_("提出日期"), null=True, blank=True, validators=[limits.PAST_DATE])
    filed_precision = models.CharField(_("日期精度"), max_length=5, default="day", editable=False)
    revision_due_on = models.DateField(_("修改期限"), null=True, blank=True, editable=False)
    evaluation_due_on = models.DateField(_("测评期限"), null=True, blank=True, editable=False)
    evaluation_explanation = models.CharField(
        _("测评期限计算"), max_length=300, blank=True, editable=False
    )
    revision_explanation = models.CharField(
        _("修改期限计算"), max_length=300, blank=True, editable=False
    )
    assignment_due_on = models.DateField(
        _("交办期限"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("闭会期间提出的建议自收到之日起、会议期间提出的自闭幕之日起计算"),
    )
    assignment_explanation = models.CharField(
        _("交办期限计算"), max_length=300, blank=True, editable=False
    )
    refusal_reason = models.CharField(
        _("不予立案理由"), max_length=30, choices=RefusalReason.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入建议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_suggestions",
    )
    dissatisfied_final = models.BooleanField(_("二次办理后仍不满意"), default=False, editable=False)
    withheld_reason = models.CharField(
        _("不公开理由"),
        max_length=limits.WITHHELD_REASON,
        blank=True,
        help_text=_("填写后该建议不在公开页面显示，例如：涉密、个人隐私"),
    )

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "session", "number"],
                condition=Q(number__isnull=False, session__isnull=False),
                name="unique_number_per_session",
            ),
            models.UniqueConstraint(
                fields=["congress", "term", "number"],
                condition=Q(number__isnull=False, session__isnull=True),
                name="unique_number_per_recess",
            ),
        ]
        permissions = [
            ("review_suggestion", _("可以审查、立案、交办建议")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number_display(self) -> str:
        return number_display(self.number)

    @property
    def is_key(self) -> bool:
        return self.supervision_plans.exists()

    def latest_reply(self):
        return self.replies.order_by("-round", "-replied_at", "-pk").first()

    # ---- transitions (called only from suggestions.services) ----

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.SUBMITTED,
        conditions=[has_title_and_body, cosigners_confirmed, revised_since_return],
        permission=perms.can_act_as_lead_deputy,
        custom={"label": _("提交")},
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RETURNED,
        permission=perms.can_review,
        custom={"label": _("退回修改")},
    )
    def return_for_revision(self) -> None:
        self.returned_at_version = self.current_version_number

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REGISTERED,
        permission=perms.can_review,
        custom={"label": _("立案")},
    )
    def register(self) -> None:
        pass

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.REFUSED,
        permission=perms.can_review,
        custom={"label": _("不予立案")},
    )
    def refuse(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.SUBMITTED, State.REGISTERED],
        target=State.MERGED,
        permission=perms.can_review,
        custom={"label": _("并案")},
    )
    def merge(self) -> None:
        pass

    @transition(
        field=state,
        source=list(WITHDRAWABLE_STATES),
        target=State.WITHDRAWN,
        permission=perms.can_act_as_lead_deputy,
        custom={"label": _("撤回")},
    )
    def withdraw(self) -> None:
        pass

    @transition(
        field=state,
        source=State.REGISTERED,
        target=State.ASSIGNED,
        conditions=[has_responsible_unit],
        permission=perms.can_review,
        custom={"label": _("交办")},
    )
    def assign(self) -> None:
        pass

    @transition(
        field=state,
        source=State.ASSIGNED,
        target=State.REGISTERED,
        permission=perms.can_review,
        custom={"label": _("退办重新交办")},
    )
    def reassign(self) -> None:
        pass

    @transition(
        field=state,
        source=[State.ASSIGNED, State.REHANDLING],
        target=State.REPLIED,
        permission=perms.can_reply,
        custom={"label": _("答复")},
    )
    def reply(self) -> None:
        pass

    @transition(
        field=state,
        source=State.REPLIED,
        target=RETURN_VALUE(State.CLOSED, State.REHANDLING),
        permission=perms.can_act_as_lead_deputy,
        custom={"label": _("满意度测评")},
    )
    def evaluate(self, *, dissatisfied: bool) -> str:
        if dissatisfied and self.handling_round == 1:
            self.handling_round = 2
            return State.REHANDLING
        if dissatisfied:
            self.dissatisfied_final = True
        return State.CLOSED

    @transition(
        field=state,
        source=State.REPLIED,
        target=State.CLOSED,
        conditions=[evaluation_window_passed],
        permission=perms.is_system,
        custom={"label": _("测评期满未反馈办结")},
    )
    def lapse_evaluation(self) -> None:
        pass

    @transition(
        field=state,
        source=State.CLOSED,
        target=State.FOLLOW_UP,
        conditions=[has_promise_to_track],
        permission=perms.can_review,
        custom={"label": _("跟踪落实")},
    )
    def start_follow_up(self) -> None:
        pass

    @transition(
        field=state,
        source=State.FOLLOW_UP,
        target=State.COMPLETED,
        permission=perms.can_review,
        custom={"label": _("落实完毕")},
    )
    def complete(self) -> None:
        pass


class CoSignature(models.Model):
    """联名: a deputy who joins the lead deputy's suggestion, once confirmed."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="cosignatures"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name=_("联名代表"), on_delete=models.PROTECT, related_name="cosignatures"
    )
    invited_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联名代表")
        verbose_name_plural = _("联名代表")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "deputy"], name="unique_cosignature")
        ]

    def __str__(self) -> str:
        return str(self.deputy)


class RevisedBy(models.TextChoices):
    DEPUTY = "deputy", _("代表本人")
    DELEGATION = "delegation", _("代表团")
    PRESIDIUM = "presidium", _("大会主席团")
    COMMITTEE = "committee", _("专门委员会")
    STAFF = "staff", _("工作机构")


class Version(SourcedModel):
    """One text of a suggestion. Submitted versions are frozen; history is never rewritten.

    On PostgreSQL the database enforces it (migration 0005_history_protected): a version can be
    changed only while it is an unsubmitted draft text (`submitted_at` is NULL), and never
    deleted."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=limits.TITLE)
    body = models.TextField(_("正文"), max_length=limits.BODY, blank=True)
    revised_by_kind = models.CharField(
        _("修改主体类型"), max_length=20, choices=RevisedBy.choices, default=RevisedBy.DEPUTY
    )
    revised_by_name = models.CharField(
        _("修改主体"),
        max_length=limits.NAME,
        blank=True,
        help_text=_("例如：临武代表团、市人大财经委"),
    )
    # PROTECT, not SET_NULL: clearing it would rewrite a frozen version (like Event.actor).
    revised_by_user = models.ForeignKey(
        "auth.User",
        verbose_name=_("修改人账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("修改原因"), max_length=limits.REASON, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("建议版本")
        verbose_name_plural = _("建议版本")
        ordering = ["suggestion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"


class LinkKind(models.TextChoices):
    ESCALATED = "escalated", _("提交上级人大")
    RELATED = "related", _("相关建议")
    MERGED = "merged", _("并案")


class SuggestionLink(SourcedModel):
    """A directed link: `from_suggestion` was escalated to / merged into / relates to `to`."""

    from_suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="links_out"
    )
    to_suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("关联建议"),
        on_delete=models.CASCADE,
        related_name="links_in",
    )
    kind = models.CharField(_("关联类型"), max_length=20, choices=LinkKind.choices)
    note = models.TextField(_("说明"), max_length=limits.NOTES, blank=True)

    class Meta:
        verbose_name = _("建议关联")
        verbose_name_plural = _("建议关联")
        constraints = [
            models.UniqueConstraint(
                fields=["from_suggestion", "to_suggestion", "kind"], name="unique_link"
            ),
            models.CheckConstraint(
                condition=~Q(from_suggestion=models.F("to_suggestion")), name="link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_suggestion} → {self.to_suggestion}（{self.get_kind_display()}）"
