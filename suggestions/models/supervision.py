"""Key supervision, follow-up reviews, outcomes, and the citizen opinions behind a suggestion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congress.models import Committee, Congress, ContactStation, Deputy, HandlingUnit
from suggestions import limits

from .common import PartialDateModel, SourcedModel
from .suggestion import Suggestion


class SupervisionPlan(SourcedModel):
    """重点督办: a theme the standing committee supervises, covering one or more suggestions."""

    congress = models.ForeignKey(
        Congress,
        verbose_name=_("人大"),
        on_delete=models.PROTECT,
        related_name="supervision_plans",
    )
    theme = models.CharField(_("督办主题"), max_length=limits.THEME)
    suggestions = models.ManyToManyField(
        Suggestion, verbose_name=_("督办建议"), related_name="supervision_plans"
    )
    decided_by = models.CharField(
        _("确定机构"),
        max_length=limits.NAME,
        blank=True,
        help_text=_("例如：主任会议、县人大常委会"),
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头领导账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_plans",
    )
    leader_title = models.CharField(
        _("牵头领导"), max_length=limits.NAME, blank=True, help_text=_("例如：县人大常委会副主任")
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("督办委员会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_plans",
    )
    supervising_body = models.CharField(
        _("督办机构"), max_length=limits.NAME, blank=True, help_text=_("没有具体委员会时填写")
    )
    lead_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("牵头承办单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_plans",
    )
    deadline = models.DateField(
        _("办结时限"), null=True, blank=True, validators=[limits.PLANNED_DATE]
    )
    notes = models.TextField(_("说明"), max_length=limits.NOTES, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重点督办")
        verbose_name_plural = _("重点督办")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.theme


class ActivityKind(models.TextChoices):
    DECISION = "decision", _("作出决定")
    RESEARCH = "research", _("调研")
    INSPECTION = "inspection", _("视察")
    FORUM = "forum", _("座谈会")
    REPORT_HEARING = "report_hearing", _("听取和审议报告")
    REVIEW_OPINIONS = "review_opinions", _("审议意见")
    LAW_ENFORCEMENT_INSPECTION = "law_enforcement_inspection", _("执法检查")
    FOLLOW_UP_REVIEW = "follow_up_review", _("回头看")
    ON_SITE_SUPERVISION = "on_site_supervision", _("一线督导")


class SupervisionActivity(SourcedModel, PartialDateModel):
    """One act of supervision under a plan: a visit, a research group, a hearing, …"""

    plan = models.ForeignKey(
        SupervisionPlan,
        verbose_name=_("督办事项"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    kind = models.CharField(_("活动类型"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("标题"), max_length=limits.THEME)
    conducted_by = models.CharField(_("组织机构"), max_length=limits.NAME, blank=True)
    description = models.TextField(_("情况"), max_length=limits.NOTES, blank=True)
    is_public = models.BooleanField(_("公开"), default=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督办活动")
        verbose_name_plural = _("督办活动")
        ordering = ["plan", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.date_display} {self.title}"


class FollowUpReview(SourcedModel, PartialDateModel):
    """回头看: a later check that what was promised was done."""

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("建议"),
        on_delete=models.CASCADE,
        related_name="follow_up_reviews",
    )
    due_on = models.DateField(
        _("计划完成日期"), null=True, blank=True, validators=[limits.PLANNED_DATE]
    )
    conducted_by = models.CharField(_("组织机构"), max_length=limits.NAME, blank=True)
    findings = models.TextField(_("落实情况"), max_length=limits.NOTES, blank=True)
    is_done = models.BooleanField(_("已完成"), default=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("跟踪回头看")
        verbose_name_plural = _("跟踪回头看")
        ordering = ["suggestion", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.suggestion} · {self.date_display}"


class OutcomeKind(models.TextChoices):
    DECISION = "decision", _("决定")
    POLICY = "policy", _("政策措施")
    NOTICE = "notice", _("通告、通知")
    STANDARD = "standard", _("技术规范、导则")
    MEASURE = "measure", _("工作举措")
    RECOGNITION = "recognition", _("推广、表彰")


class Outcome(SourcedModel, PartialDateModel):
    """成果: a policy, decision or measure that resulted from a suggestion."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=OutcomeKind.choices)
    title = models.CharField(_("名称"), max_length=limits.TITLE)
    issuing_body = models.CharField(_("发布机构"), max_length=limits.NAME, blank=True)
    description = models.TextField(_("内容"), max_length=limits.NOTES, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理成果")
        verbose_name_plural = _("办理成果")
        ordering = ["suggestion", "date", "pk"]

    def __str__(self) -> str:
        return self.title


class CitizenOpinion(SourcedModel, PartialDateModel):
    """群众意见: what a deputy heard from citizens that fed a suggestion."""

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("建议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citizen_opinions",
    )
    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("收集代表"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citizen_opinions",
    )
    contact_station = models.ForeignKey(
        ContactStation,
        verbose_name=_("代表联络站"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citizen_opinions",
    )
    summary = models.TextField(_("意见内容"), max_length=limits.NOTES)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("群众意见")
        verbose_name_plural = _("群众意见")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.summary[:40]
