"""Institutions: congresses, their terms and sessions, deputies, handling units, committees.

A person may sit in several congresses (汤欣平 is a municipal and a provincial deputy), so a
`Person` is the human and a `Deputy` is one mandate of that person in one congress term.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    NATIONAL = "national", _("全国")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")


class RuleSetName(models.TextChoices):
    """The regulations whose deadlines a congress may follow (suggestions.rulesets)."""

    NATIONAL = "national", _("全国默认（代表法）")
    SHANGHAI = "shanghai", _("上海市")
    ZHEJIANG = "zhejiang", _("浙江省")
    CHONGQING = "chongqing", _("重庆市")
    QINGDAO = "qingdao", _("青岛市")


class ExtensionMode(models.TextChoices):
    ADD = "add", _("在原期限上延长")
    REPLACE = "replace", _("延长为更长的期限（自交办日起）")


def validate_period(value: str) -> None:
    """A period as the `deadline` command reads it: 3m, 10d or 7wd."""
    from suggestions.deadlines import Period

    try:
        Period.parse(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def period_field(verbose_name) -> models.CharField:
    return models.CharField(
        verbose_name,
        max_length=8,
        blank=True,
        validators=[validate_period],
        help_text=_("例如 3m（月）、10d（天）、7wd（工作日）；留空按所选法规"),
    )


class Congress(models.Model):
    """A people's congress at one level and region, with its deadline policy."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    region = models.CharField(_("行政区域"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级人大"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    standing_committee_name = models.CharField(_("常委会名称"), max_length=100, blank=True)

    # Deadline policy (DESIGN.md §4): a preset regulation (suggestions.rulesets), and any
    # clock the congress sets otherwise. A blank override keeps the preset's figure.
    rule_set = models.CharField(
        _("期限规则"),
        max_length=20,
        choices=RuleSetName.choices,
        default=RuleSetName.NATIONAL,
        help_text=_("按哪一部法规计算各项期限；下列期限填写后覆盖该法规的规定"),
    )
    revision_period = period_field(_("退回修改期限"))
    recess_assignment_period = period_field(_("闭会期间建议交办期限"))
    session_assignment_period = period_field(_("会议建议交办期限（自闭幕日起）"))
    return_period = period_field(_("退办期限"))
    contact_period = period_field(_("与代表联系期限"))
    co_opinion_period = period_field(_("协办意见期限"))
    reply_period = period_field(_("办复期限"))
    extended_reply_period = period_field(_("延期期限"))
    extension_mode = models.CharField(
        _("延期方式"),
        max_length=10,
        choices=ExtensionMode.choices,
        blank=True,
        help_text=_("留空按所选法规"),
    )
    evaluation_period = period_field(_("测评期限"))
    rehandling_period = period_field(_("重新办理期限"))
    publication_period = period_field(_("答复公开期限"))

    class Meta:
        verbose_name = _("人大")
        verbose_name_plural = _("人大")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """届: e.g. 郴州市第六届人民代表大会."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="terms"
    )
    number = models.PositiveSmallIntegerField(_("届次"))
    name = models.CharField(_("名称"), max_length=50, help_text=_("例如：六届"))
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("届")
        verbose_name_plural = _("届")
        ordering = ["congress", "number"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="unique_term_number")
        ]

    def __str__(self) -> str:
        return f"{self.congress.short_name or self.congress.name}{self.name}"


class Session(models.Model):
    """次会议: a plenary session of a term. Suggestions filed outside one are filed in recess."""

    term = models.ForeignKey(
        Term, verbose_name=_("届"), on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("会次"))
    name = models.CharField(_("名称"), max_length=100, help_text=_("例如：六届人大一次会议"))
    opened_on = models.DateField(_("开幕日期"), null=True, blank=True)
    closed_on = models.DateField(_("闭幕日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["term", "number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="unique_session_number")
        ]

    def __str__(self) -> str:
        return f"{self.term.congress.short_name or self.term.congress.name}{self.name}"

    @property
    def congress(self) -> Congress:
        return self.term.congress


class Delegation(models.Model):
    """代表团: the deputies of one district at a congress, e.g. 临武代表团."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="delegations"
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("代表团")
        verbose_name_plural = _("代表团")
        ordering = ["congress", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="unique_delegation_name")
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A human being; may hold several deputy mandates and may log in."""

    name = models.CharField(_("姓名"), max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    # Contact details are private: never shown on public pages.
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通讯地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeputyQuerySet(models.QuerySet):
    def for_user(self, user) -> DeputyQuerySet:
        return self.filter(person__user=user) if user and user.is_authenticated else self.none()


class Deputy(models.Model):
    """One person's mandate as a deputy of one congress term."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="mandates"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("届"), on_delete=models.CASCADE, related_name="deputies"
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("代表团"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputies",
    )
    occupation = models.CharField(_("职务"), max_length=200, blank=True)

    objects = DeputyQuerySet.as_manager()

    class Meta:
        verbose_name = _("代表")
        verbose_name_plural = _("代表")
        ordering = ["term", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "term"], name="unique_deputy_mandate")
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.term}代表）"

    @property
    def congress(self) -> Congress:
        return self.term.congress

    @property
    def name(self) -> str:
        return self.person.name


class HandlingUnit(models.Model):
    """承办单位: a government body that must reply, e.g. 巍山县公安局."""

    congress = models.ForeignKey(
        Congress,
        verbose_name=_("所属人大"),
        on_delete=models.CASCADE,
        related_name="handling_units",
        help_text=_("该单位向哪一级人大答复代表建议"),
    )
    name = models.CharField(_("名称"), max_length=100)
    email = models.EmailField(_("电子邮箱"), blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人账号"),
        blank=True,
        related_name="handling_units",
    )

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["congress", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="unique_unit_name")
        ]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """专门委员会 / 工作机构, e.g. 财政经济委员会 (财经委)."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="committees"
    )
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("专门委员会")
        verbose_name_plural = _("专门委员会")
        ordering = ["congress", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="unique_committee_name")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class ContactStation(models.Model):
    """代表联络室 / 联络站 where deputies receive citizens."""

    congress = models.ForeignKey(
        Congress,
        verbose_name=_("人大"),
        on_delete=models.CASCADE,
        related_name="contact_stations",
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("代表联络站")
        verbose_name_plural = _("代表联络站")
        ordering = ["congress", "name"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "name"], name="unique_station_name")
        ]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    STAFF = "staff", _("工作人员")
    LEADER = "leader", _("常委会领导")


class CongressStaff(models.Model):
    """A user who works for a congress: staff of the deputy-work office, or a leader."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="congress_roles",
    )
    congress = models.ForeignKey(
        Congress, verbose_name=_("人大"), on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(_("角色"), max_length=10, choices=StaffRole.choices)
    title = models.CharField(_("职务"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("人大工作人员")
        verbose_name_plural = _("人大工作人员")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "congress", "role"], name="unique_congress_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.congress} · {self.get_role_display()}"


class CalendarOverride(models.Model):
    """An admin-entered correction to the working-day calendar, for years (or announcements)
    the `holidays` package does not know yet. It wins over the package."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("是否工作日"), help_text=_("勾选：该日上班（调休）；不勾选：该日放假")
    )
    note = models.CharField(_("说明"), max_length=100, help_text=_("例如：2027年春节调休"))

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("上班") if self.is_working_day else _("放假")
        return f"{self.date} {kind}（{self.note}）"


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days staff entered from the State Council's
    notice (as `CalendarOverride` rows): its calendar is official, not the package's guess."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    notice = models.CharField(
        _("依据"),
        max_length=200,
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"),
    )
    entered_at = models.DateTimeField(_("录入时间"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("年度放假安排")
        verbose_name_plural = _("年度放假安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(year)d年放假安排") % {"year": self.year}
