"""Forms of the web pages. They only check input shape; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models import Committee, Deputy, HandlingUnit, Session, StaffRole
from suggestions.models import (
    ActivityKind,
    Assignment,
    ContactMethod,
    OutcomeKind,
    Rating,
    RefusalReason,
    ReplyCategory,
    Suggestion,
    SupervisionPlan,
    UnitRole,
)
from suggestions.services.review import MERGE_TARGET_STATES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeputyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Deputy) -> str:
        delegation = f"（{obj.delegation.name}）" if obj.delegation_id else ""
        return f"{obj.person.name}{delegation}"


class DeputyMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Deputy) -> str:
        return obj.person.name


class SuggestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Suggestion) -> str:
        number = f"{obj.number_display} " if obj.number else ""
        return f"{number}{obj.title}"


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
    title = forms.CharField(label=_("标题"), max_length=300)
    topic = forms.CharField(label=_("类别"), max_length=50, required=False)
    body = forms.CharField(
        label=_("正文"), widget=forms.Textarea(attrs={"rows": 12}), required=False
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
    title = forms.CharField(label=_("标题"), max_length=300)
    topic = forms.CharField(label=_("类别"), max_length=50, required=False)
    body = forms.CharField(
        label=_("正文"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    reason = forms.CharField(
        label=_("修改说明"),
        required=False,
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


class EmptyForm(forms.Form):
    """An action that needs no input (submit, confirm, register)."""


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class EvaluateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("测评结果"),
        choices=[
            (Rating.SATISFIED, Rating.SATISFIED.label),
            (Rating.BASICALLY_SATISFIED, Rating.BASICALLY_SATISFIED.label),
            (Rating.DISSATISFIED, Rating.DISSATISFIED.label),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# ---- Staff ----


class ReturnForm(forms.Form):
    comments = forms.CharField(label=_("审查意见"), widget=forms.Textarea(attrs={"rows": 4}))
    revision_days = forms.IntegerField(
        label=_("修改期限（天）"), min_value=1, max_value=90, required=False
    )


class RefuseForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("不予立案理由"), choices=RefusalReason.choices)
    explanation = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    target = SuggestionChoiceField(label=_("并入建议"), queryset=Suggestion.objects.none())
    reason = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["target"].queryset = (
                Suggestion.objects.filter(
                    congress_id=suggestion.congress_id, state__in=MERGE_TARGET_STATES
                )
                .exclude(pk=suggestion.pk)
                .order_by("number")
            )


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    separate_units = forms.ModelMultipleChoiceField(
        label=_("分办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不设主办单位时，由若干单位分别办理、分别答复"),
    )
    assigned_on = forms.DateField(
        label=_("交办日期"), required=False, widget=DATE_INPUT, help_text=_("留空为今天")
    )

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            units = HandlingUnit.objects.filter(congress_id=suggestion.congress_id)
            for name in ("lead_unit", "co_units", "separate_units"):
                self.fields[name].queryset = units


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Assignment) -> str:
        return f"{obj.unit.name}（{obj.get_role_display()}）"


class ExtendForm(forms.Form):
    assignment = AssignmentChoiceField(label=_("承办单位"), queryset=Assignment.objects.none())
    total_months = forms.IntegerField(
        label=_("延期后期限（自交办日起，月）"), min_value=1, max_value=24, required=False
    )
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["assignment"].queryset = (
                suggestion.assignments.active().exclude(role=UnitRole.CO).select_related("unit")
            )


class ReassignForm(forms.Form):
    assignment = AssignmentChoiceField(
        label=_("申请退办的单位"), queryset=Assignment.objects.none()
    )
    reason = forms.CharField(label=_("退办理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["assignment"].queryset = suggestion.assignments.active().select_related(
                "unit"
            )


class PublishReplyForm(forms.Form):
    reply = forms.IntegerField(widget=forms.HiddenInput)
    redactions = forms.CharField(
        label=_("公开时删除的段落"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一段；电话号码和地址会自动隐去"),
    )


class WithholdForm(forms.Form):
    reason = forms.CharField(label=_("不公开理由"), help_text=_("例如：涉密、个人隐私"))


class SupervisionPlanForm(forms.Form):
    theme = forms.CharField(label=_("督办主题"), max_length=200)
    decided_by = forms.CharField(label=_("确定机构"), max_length=100, required=False)
    leader = forms.ModelChoiceField(
        label=_("牵头领导账号"), queryset=get_user_model().objects.none(), required=False
    )
    leader_title = forms.CharField(label=_("牵头领导"), max_length=100, required=False)
    committee = forms.ModelChoiceField(
        label=_("督办委员会"), queryset=Committee.objects.none(), required=False
    )
    lead_unit = forms.ModelChoiceField(
        label=_("牵头承办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("办结时限"), required=False, widget=DATE_INPUT)

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
    title = forms.CharField(label=_("标题"), max_length=200)
    date = forms.DateField(label=_("日期"), required=False, widget=DATE_INPUT)
    conducted_by = forms.CharField(label=_("组织机构"), max_length=100, required=False)
    description = forms.CharField(
        label=_("情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(label=_("公开"), required=False, initial=True)

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["plan"].queryset = suggestion.supervision_plans.all()


class FollowUpForm(forms.Form):
    due_on = forms.DateField(label=_("回头看计划完成日期"), required=False, widget=DATE_INPUT)
    reason = forms.CharField(label=_("跟踪事项"), required=False)


class CompleteForm(forms.Form):
    findings = forms.CharField(label=_("落实情况"), widget=forms.Textarea(attrs={"rows": 3}))
    date = forms.DateField(label=_("回头看日期"), required=False, widget=DATE_INPUT)
    conducted_by = forms.CharField(label=_("组织机构"), max_length=100, required=False)


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("成果类型"), choices=OutcomeKind.choices)
    title = forms.CharField(label=_("名称"), max_length=300)
    issuing_body = forms.CharField(label=_("发布机构"), max_length=100, required=False)
    date = forms.DateField(label=_("日期"), required=False, widget=DATE_INPUT)
    description = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# ---- Handling unit ----


class ContactForm(forms.Form):
    method = forms.ChoiceField(label=_("沟通方式"), choices=ContactMethod.choices)
    contacted_on = forms.DateField(label=_("沟通日期"), widget=DATE_INPUT)
    notes = forms.CharField(
        label=_("沟通情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = timezone.localdate()


class CoOpinionForm(forms.Form):
    text = forms.CharField(label=_("协办意见"), widget=forms.Textarea(attrs={"rows": 5}))


class ReplyForm(forms.Form):
    category = forms.ChoiceField(
        label=_("答复类别"), choices=ReplyCategory.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 8}))
    signer = forms.CharField(label=_("签发人"), max_length=50)
    attachment = forms.FileField(label=_("答复函附件"), required=False)
