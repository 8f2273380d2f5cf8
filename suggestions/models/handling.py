"""Handling: assignments to units, contacts with the deputy, co-handling opinions, replies and
the deputy's evaluations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from congress.models import HandlingUnit
from suggestions import limits

from .common import SourcedModel
from .suggestion import State, Suggestion

# A suggestion in these states is being handled: its units owe their part of the round.
HANDLING_STATES = (State.ASSIGNED, State.REHANDLING)


class UnitRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")
    SEPARATE = "separate", _("分办")


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("办理中")
    RETURNED = "returned", _("已退办")
    ENDED = "ended", _("已终止")


class AssignmentQuerySet(models.QuerySet):
    def active(self) -> AssignmentQuerySet:
        return self.filter(status=AssignmentStatus.ACTIVE)

    def responsible(self) -> AssignmentQuerySet:
        """The units that must reply: the lead unit or the separate (分办) units."""
        return self.filter(role__in=[UnitRole.LEAD, UnitRole.SEPARATE])

    def co_handling(self) -> AssignmentQuerySet:
        return self.filter(role=UnitRole.CO)

    def for_user(self, user) -> AssignmentQuerySet:
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(unit__members=user)

    def with_binding_due(self) -> AssignmentQuerySet:
        """Annotate `binding_due`: the deadline that binds now (see `current_due_on`)."""
        return self.annotate(binding_due=Coalesce("rehandling_due_on", "due_on"))

    def open_work(self) -> AssignmentQuerySet:
        """Assignments whose unit still owes its part of the current round (`has_open_work`)."""
        return self.filter(has_open_work=True)

    def overdue(self, today) -> AssignmentQuerySet:
        """Open work past its binding deadline, annotated with `binding_due`. The partial
        indexes on `has_open_work` serve it without reading replied or closed suggestions."""
        return self.open_work().with_binding_due().filter(binding_due__lt=today)

    def refresh_open_work(self) -> int:
        """Recompute `has_open_work` of these assignments from its definition
        (`open_work_definition`); the number of rows updated."""
        return self.update(
            has_open_work=ExpressionWrapper(open_work_definition(), output_field=BooleanField())
        )


def done_this_round() -> Q:
    """The assignment (the outer query's row) has done its part of the current round: a
    co-unit its opinion, a responsible unit its reply."""
    opinion = Exists(
        CoHandlingOpinion.objects.filter(
            assignment=OuterRef("pk"), round=F("assignment__suggestion__handling_round")
        )
    )
    reply = Exists(
        Reply.objects.filter(assignment=OuterRef("pk"), round=F("suggestion__handling_round"))
    )
    return Q(opinion, role=UnitRole.CO) | (~Q(role=UnitRole.CO) & Q(reply))


def open_work_definition() -> Q:
    """What `Assignment.has_open_work` stores: an active assignment of a suggestion in
    handling whose unit has not done its part of the current round. Written without joins
    from the outer row, so that an UPDATE can compute it."""
    in_handling = Exists(
        Suggestion.objects.filter(pk=OuterRef("suggestion_id"), state__in=HANDLING_STATES)
    )
    return Q(in_handling, status=AssignmentStatus.ACTIVE) & ~done_this_round()


class Assignment(SourcedModel):
    """交办: one unit's part in handling one suggestion, with its clocks."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("承办方式"), max_length=10, choices=UnitRole.choices)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ACTIVE,
    )
    assigned_on = models.DateField(
        _("交办日期"), null=True, blank=True, validators=[limits.PAST_DATE]
    )
    due_on = models.DateField(
        _("办理期限"),
        null=True,
        blank=True,
        help_text=_("主办、分办单位为答复期限；协办单位为协办意见期限"),
    )
    due_explanation = models.CharField(_("期限计算"), max_length=300, blank=True)
    return_due_on = models.DateField(_("退办期限"), null=True, blank=True)
    return_explanation = models.CharField(_("退办期限计算"), max_length=300, blank=True)
    contact_due_on = models.DateField(
        _("联系代表期限"),
        null=True,
        blank=True,
        help_text=_("主办、分办单位与代表沟通联系的期限；所适用的法规未规定时为空"),
    )
    contact_explanation = models.CharField(_("联系代表期限计算"), max_length=300, blank=True)
    extended = models.BooleanField(_("已延期"), default=False)
    extension_reason = models.TextField(_("延期理由"), max_length=limits.REASON, blank=True)
    rehandling_due_on = models.DateField(_("重新办理期限"), null=True, blank=True)
    rehandling_explanation = models.CharField(_("重新办理期限计算"), max_length=300, blank=True)
    return_reason = models.TextField(_("退办理由"), max_length=limits.REASON, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    # Denormalized so that "overdue" and a unit's to-do list are read from one partial index
    # instead of joining every past-due assignment to its suggestion and replies. Kept equal
    # to `open_work_definition()` by the services, in the writer's transaction
    # (`services.transitions.atomic_service`), and by the seed loader and bulk fillers.
    has_open_work = models.BooleanField(
        _("本轮待办"), default=False, editable=False, help_text=_("本单位尚欠本轮的答复或协办意见")
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["suggestion", "role", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "unit"],
                condition=Q(status="active"),
                name="one_active_assignment_per_unit",
            ),
            models.UniqueConstraint(
                fields=["suggestion"],
                condition=Q(status="active", role="lead"),
                name="one_active_lead_unit",
            ),
        ]
        indexes = [
            # The workbench's overdue queue, longest overdue first.
            models.Index(
                Coalesce("rehandling_due_on", "due_on"),
                F("id"),
                condition=Q(has_open_work=True, role__in=["lead", "separate"]),
                name="assignment_overdue_queue",
            ),
            # A unit's to-do and overdue views, in deadline order.
            models.Index(
                F("unit"),
                Coalesce("rehandling_due_on", "due_on"),
                F("id"),
                condition=Q(has_open_work=True),
                name="assignment_unit_open_work",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}（{self.get_role_display()}）"

    @property
    def current_due_on(self):
        """The deadline that binds now: the re-handling one once a round 2 has started."""
        return self.rehandling_due_on or self.due_on


class ContactMethod(models.TextChoices):
    MEETING = "meeting", _("当面沟通")
    PHONE = "phone", _("电话沟通")
    FORUM = "forum", _("座谈会")
    SITE_VISIT = "site_visit", _("现场协商")
    OTHER = "other", _("其他")


class ContactRecord(SourcedModel):
    """见面 / 沟通联系: the unit's contact with the deputy while handling."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="contacts"
    )
    method = models.CharField(_("方式"), max_length=20, choices=ContactMethod.choices)
    contacted_on = models.DateField(_("日期"), null=True, blank=True, validators=[limits.PAST_DATE])
    notes = models.TextField(_("情况"), max_length=limits.NOTES, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("沟通联系")
        verbose_name_plural = _("沟通联系")
        ordering = ["assignment", "contacted_on"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.contacted_on or ''}"


class CoHandlingOpinion(models.Model):
    """协办意见: a co-handling unit's written input to the lead unit. Never public."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("协办交办"),
        on_delete=models.CASCADE,
        related_name="co_opinions",
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    text = models.TextField(_("协办意见"), max_length=limits.CO_OPINION)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")
        ordering = ["assignment", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="one_opinion_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.assignment.unit} · {self.round}"


# National practice (代表建议答复 A/B/C/D); a congress without its own set uses this one. Labels
# stay untranslated here (a reply stores the label it was given); the third item says whether
# the category promises later action, which staff then follow up.
NATIONAL_REPLY_CATEGORIES = (
    ("A", gettext_noop("A 已经解决或者基本解决"), False),
    ("B", gettext_noop("B 正在解决或者列入规划逐步解决"), True),
    ("C", gettext_noop("C 因目前条件限制或者其他原因需待以后解决"), True),
    ("D", gettext_noop("D 留作参考"), False),
)


class ReplyCategory(models.Model):
    """One category a congress's units may give their replies (答复类别), and whether a reply
    in it carries a promise that staff track (跟踪落实)."""

    congress = models.ForeignKey(
        "congress.Congress",
        verbose_name=_("人大"),
        on_delete=models.CASCADE,
        related_name="reply_categories",
    )
    code = models.CharField(_("代码"), max_length=4, help_text=_("例如：A"))
    label = models.CharField(_("名称"), max_length=100, help_text=_("例如：A 已经解决或者基本解决"))
    carries_promise = models.BooleanField(
        _("需跟踪落实"), default=False, help_text=_("该类答复承诺了以后的办理，须跟踪落实")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("答复类别")
        verbose_name_plural = _("答复类别")
        ordering = ["congress", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "code"], name="unique_reply_category")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def category_display(self) -> str:
        # The national labels are translated; a congress's own labels show as entered.
        return gettext(self.label)

    @staticmethod
    def of(congress) -> list[ReplyCategory]:
        """`congress`'s reply categories in order: its own set, or the national default
        (unsaved rows) when it has none. Reads a prefetched `reply_categories` if there."""
        own = sorted(congress.reply_categories.all(), key=lambda c: (c.position, c.code))
        if own:
            return own
        return [
            ReplyCategory(
                congress=congress, code=code, label=label, carries_promise=promise, position=i
            )
            for i, (code, label, promise) in enumerate(NATIONAL_REPLY_CATEGORIES)
        ]


class ReplyQuerySet(models.QuerySet):
    def published(self) -> ReplyQuerySet:
        return self.filter(published_at__isnull=False, withheld=False)


class Reply(SourcedModel):
    """答复: a responsible unit's formal answer in one handling round."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.PROTECT, related_name="replies"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.PROTECT, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    # The code, label and promise of the congress's category as given: a later change of the
    # congress's set does not rewrite what a reply said.
    category = models.CharField(_("答复类别"), max_length=4)
    category_label = models.CharField(_("答复类别名称"), max_length=100)
    carries_promise = models.BooleanField(_("需跟踪落实"), default=False)
    text = models.TextField(_("答复内容"), max_length=limits.REPLY_TEXT)
    signer = models.CharField(_("签发人"), max_length=limits.SIGNER)
    replied_at = models.DateTimeField(_("答复时间"))
    publish_due_on = models.DateField(_("公开期限"), null=True, blank=True)
    publish_explanation = models.CharField(_("公开期限计算"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    withheld = models.BooleanField(_("不予公开"), default=False)
    redactions = models.TextField(
        _("公开时删除的段落"),
        max_length=limits.REDACTIONS,
        blank=True,
        help_text=_("每行一段；公开文本中这些段落将被删除"),
    )
    public_text = models.TextField(
        _("公开文本"),
        max_length=limits.REPLY_TEXT,
        blank=True,
        editable=False,
        help_text=_("公开后的答复文本（已删除标记段落和联系方式），公开搜索只查此文本"),
    )
    attachment = models.FileField(_("答复函附件"), upload_to="replies/%Y/", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["suggestion", "round", "replied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "round"], name="one_reply_per_assignment_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment.unit} · {self.category_display}"

    @property
    def category_display(self) -> str:
        # The national labels are translated; a congress's own labels show as entered.
        return gettext(self.category_label)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    NO_FEEDBACK = "no_feedback", _("未反馈")


class Evaluation(models.Model):
    """满意度测评: the lead deputy's rating of one handling round."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.PROTECT, related_name="evaluations"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    rating = models.CharField(_("测评结果"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("意见"), max_length=limits.REASON, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("测评人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("测评时间"))

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["suggestion", "round"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "round"], name="one_rating_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.get_rating_display()}"
