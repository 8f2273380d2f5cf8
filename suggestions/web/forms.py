"""Forms of the web pages. They only check input shape; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models import Committee, Deputy, HandlingUnit, Session, StaffRole
from suggestions import limits
from suggestions.forms.fields import BoundedModelMultipleChoiceField, SaneDateField
from suggestions.forms.transitions import (  # noqa: F401  (re-exported for the views)
    DATE_INPUT,
    AssignForm,
    AssignmentChoiceField,
    CompleteForm,
    EmptyForm,
    EvaluateForm,
    FollowUpForm,
    MergeForm,
    ReassignForm,
    RefuseForm,
    ReplyForm,
    ReturnForm,
    WithdrawForm,
)
from suggestions.models import (
    ActivityKind,
    Assignment,
    ContactMethod,
    OutcomeKind,
    Suggestion,
    SupervisionPlan,
    UnitRole,
)


class DeputyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Deputy) -> str:
        delegation = f"（{obj.delegation.name}）" if obj.delegation_id else ""
        return f"{obj.person.name}{delegation}"


class DeputyMultipleChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Deputy) -> str:
        return obj.person.name


# ---- Deputy ----


class DraftForm(forms.Form):
    mandate = forms.ModelChoiceField(
        label=_("代表身份"), queryset=Deputy.objects.none(), empty_label=None
    )
    session = forms.ModelChoiceField(
        label=_("会议"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("闭会期间"),
        help_text=_("大会期间提出的建议选择会议；闭会期间提出的选「闭会期间」"),
    )
    title = forms.CharField(label=_("标题"), max_length=limits.TITLE)
    topic = forms.CharField(label=_("类别"), max_length=limits.TOPIC, required=False)
    body = forms.CharField(
        label=_("正文"),
        max_length=limits.BODY,
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
    )
    cosigners = DeputyMultipleChoiceField(
        label=_("邀请联名代表"),
        queryset=Deputy.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("被邀请的代表确认后才能提交"),
    )

    def __init__(self, *args, deputies=(), **kwargs):
        super().__init__(*args, **kwargs)
        deputy_ids = [d.pk for d in deputies]
        term_ids = {d.term_id for d in deputies}
        self.fields["mandate"].queryset = Deputy.objects.filter(pk__in=deputy_ids).select_related(
            "person", "term__congress"
        )
        self.fields["mandate"].label_from_instance = lambda d: str(d.term)
        self.fields["session"].queryset = Session.objects.filter(term_id__in=term_ids)
        self.fields["cosigners"].queryset = (
            Deputy.objects.filter(term_id__in=term_ids)
            .exclude(pk__in=deputy_ids)
            .select_related("person")
            .order_by("person__name")
        )
        if len(deputy_ids) == 1:
            self.fields["mandate"].widget = forms.HiddenInput()
            self.fields["mandate"].initial = deputy_ids[0]


class EditForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=limits.TITLE)
    topic = forms.CharField(label=_("类别"), max_length=limits.TOPIC, required=False)
    body = forms.CharField(
        label=_("正文"),
        max_length=limits.BODY,
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
    )
    reason = forms.CharField(
        label=_("修改说明"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例如：按审查意见补充了具体措施"),
    )


class InviteForm(forms.Form):
    deputy = DeputyChoiceField(label=_("联名代表"), queryset=Deputy.objects.none())

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["deputy"].queryset = (
                Deputy.objects.filter(term_id=suggestion.term_id)
                .exclude(pk=suggestion.lead_deputy_id)
                .exclude(cosignatures__suggestion=suggestion)
                .select_related("person", "delegation")
                .order_by("person__name")
            )


# ---- Staff ----


class ExtendForm(forms.Form):
    assignment = AssignmentChoiceField(label=_("承办单位"), queryset=Assignment.objects.none())
    total_months = forms.IntegerField(
        label=_("延期后期限（自交办日起，月）"),
        min_value=1,
        max_value=limits.MAX_EXTENSION_MONTHS,
        required=False,
    )
    reason = forms.CharField(
        label=_("延期理由"), max_length=limits.REASON, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["assignment"].queryset = (
                suggestion.assignments.active().exclude(role=UnitRole.CO).select_related("unit")
            )


class PublishReplyForm(forms.Form):
    reply = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=limits.MAX_ID)
    redactions = forms.CharField(
        label=_("公开时删除的段落"),
        required=False,
        max_length=limits.REDACTIONS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一段；电话号码和地址会自动隐去"),
    )


class WithholdForm(forms.Form):
    reason = forms.CharField(
        label=_("不公开理由"),
        max_length=limits.WITHHELD_REASON,
        help_text=_("例如：涉密、个人隐私"),
    )


class SupervisionPlanForm(forms.Form):
    theme = forms.CharField(label=_("督办主题"), max_length=limits.THEME)
    decided_by = forms.CharField(label=_("确定机构"), max_length=limits.NAME, required=False)
    leader = forms.ModelChoiceField(
        label=_("牵头领导账号"), queryset=get_user_model().objects.none(), required=False
    )
    leader_title = forms.CharField(label=_("牵头领导"), max_length=limits.NAME, required=False)
    committee = forms.ModelChoiceField(
        label=_("督办委员会"), queryset=Committee.objects.none(), required=False
    )
    lead_unit = forms.ModelChoiceField(
        label=_("牵头承办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    deadline = SaneDateField(
        past_act=False,
        label=_("办结时限"),
        required=False,
        widget=DATE_INPUT,
    )

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            congress_id = suggestion.congress_id
            self.fields["leader"].queryset = get_user_model().objects.filter(
                congress_roles__congress_id=congress_id, congress_roles__role=StaffRole.LEADER
            )
            self.fields["committee"].queryset = Committee.objects.filter(congress_id=congress_id)
            self.fields["lead_unit"].queryset = HandlingUnit.objects.filter(congress_id=congress_id)


class ActivityForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("督办事项"), queryset=SupervisionPlan.objects.none())
    kind = forms.ChoiceField(label=_("活动类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("标题"), max_length=limits.THEME)
    date = SaneDateField(
        past_act=True,
        label=_("日期"),
        required=False,
        widget=DATE_INPUT,
    )
    conducted_by = forms.CharField(label=_("组织机构"), max_length=limits.NAME, required=False)
    description = forms.CharField(
        label=_("情况"),
        required=False,
        max_length=limits.NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_public = forms.BooleanField(label=_("公开"), required=False, initial=True)

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["plan"].queryset = suggestion.supervision_plans.all()


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("成果类型"), choices=OutcomeKind.choices)
    title = forms.CharField(label=_("名称"), max_length=limits.TITLE)
    issuing_body = forms.CharField(label=_("发布机构"), max_length=limits.NAME, required=False)
    date = SaneDateField(
        past_act=True,
        label=_("日期"),
        required=False,
        widget=DATE_INPUT,
    )
    description = forms.CharField(
        label=_("内容"),
        required=False,
        max_length=limits.NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ---- Handling unit ----


class ContactForm(forms.Form):
    method = forms.ChoiceField(label=_("沟通方式"), choices=ContactMethod.choices)
    contacted_on = SaneDateField(
        past_act=True,
        label=_("沟通日期"),
        widget=DATE_INPUT,
    )
    notes = forms.CharField(
        label=_("沟通情况"),
        required=False,
        max_length=limits.NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = timezone.localdate()


class CoOpinionForm(forms.Form):
    text = forms.CharField(
        label=_("协办意见"), max_length=limits.CO_OPINION, widget=forms.Textarea(attrs={"rows": 5})
    )
