"""One form per transition: what the clerk must supply, validated once, then handed to the
service. The admin, the pages and the API use the same forms, so a transition asks for the
same inputs and refuses the same bad input wherever it is fired from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congress.models import HandlingUnit
from suggestions import services
from suggestions.models import Assignment, Rating, RefusalReason, ReplyCategory, Suggestion
from suggestions.services.review import MERGE_TARGET_STATES


class TransitionForm(forms.Form):
    """Base: knows its suggestion so choices can be limited to it."""

    service = None  # set by subclasses: the services function to call

    def __init__(self, *args, suggestion: Suggestion, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggestion = suggestion

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class NoInputForm(TransitionForm):
    pass


class SubmitForm(NoInputForm):
    service = staticmethod(services.suggestion_submit)


class RegisterForm(NoInputForm):
    service = staticmethod(services.suggestion_register)


class ReturnForRevisionForm(TransitionForm):
    service = staticmethod(services.suggestion_return_for_revision)
    comments = forms.CharField(label=_("审查意见"), widget=forms.Textarea)
    revision_days = forms.IntegerField(
        label=_("修改期限（天）"), min_value=1, max_value=90, required=False
    )


class RefuseForm(TransitionForm):
    service = staticmethod(services.suggestion_refuse)
    reason_code = forms.ChoiceField(label=_("不予立案理由"), choices=RefusalReason.choices)
    explanation = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)


class MergeForm(TransitionForm):
    service = staticmethod(services.suggestion_merge)
    target = forms.ModelChoiceField(label=_("并入建议"), queryset=Suggestion.objects.none())
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False)

    def __init__(self, *args, suggestion: Suggestion, **kwargs) -> None:
        super().__init__(*args, suggestion=suggestion, **kwargs)
        self.fields["target"].queryset = Suggestion.objects.filter(
            congress_id=suggestion.congress_id, state__in=MERGE_TARGET_STATES
        ).exclude(pk=suggestion.pk)


class WithdrawForm(TransitionForm):
    service = staticmethod(services.suggestion_withdraw)
    reason = forms.CharField(label=_("撤回理由"), widget=forms.Textarea)


class AssignForm(TransitionForm):
    service = staticmethod(services.suggestion_assign)
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    separate_units = forms.ModelMultipleChoiceField(
        label=_("分办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    assigned_on = forms.DateField(label=_("交办日期"), required=False)

    def __init__(self, *args, suggestion: Suggestion, **kwargs) -> None:
        super().__init__(*args, suggestion=suggestion, **kwargs)
        units = HandlingUnit.objects.filter(congress_id=suggestion.congress_id)
        for name in ("lead_unit", "co_units", "separate_units"):
            self.fields[name].queryset = units


class ReassignForm(TransitionForm):
    service = staticmethod(services.suggestion_reassign)
    assignment = forms.ModelChoiceField(
        label=_("申请退办的单位"), queryset=Assignment.objects.none()
    )
    reason = forms.CharField(label=_("退办理由"), widget=forms.Textarea)
    requested_on = forms.DateField(label=_("申请日期"), required=False)

    def __init__(self, *args, suggestion: Suggestion, **kwargs) -> None:
        super().__init__(*args, suggestion=suggestion, **kwargs)
        self.fields["assignment"].queryset = suggestion.assignments.active().select_related("unit")


class ReplyForm(TransitionForm):
    service = staticmethod(services.suggestion_reply)
    category = forms.ChoiceField(label=_("答复类别"), choices=ReplyCategory.choices)
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea)
    signer = forms.CharField(label=_("签发人"), max_length=50)
    attachment = forms.FileField(label=_("答复函附件"), required=False)


class EvaluateForm(TransitionForm):
    service = staticmethod(services.suggestion_evaluate)
    rating = forms.ChoiceField(
        label=_("测评结果"),
        choices=[(r.value, r.label) for r in Rating if r != Rating.NO_FEEDBACK],
    )
    comment = forms.CharField(label=_("意见"), widget=forms.Textarea, required=False)


class StartFollowUpForm(TransitionForm):
    service = staticmethod(services.suggestion_start_follow_up)
    due_on = forms.DateField(label=_("回头看计划日期"), required=False)
    reason = forms.CharField(label=_("跟踪事项"), widget=forms.Textarea, required=False)


class CompleteForm(TransitionForm):
    service = staticmethod(services.suggestion_complete)
    findings = forms.CharField(label=_("落实情况"), widget=forms.Textarea)
    date = forms.DateField(label=_("回头看日期"), required=False)
    conducted_by = forms.CharField(label=_("组织机构"), required=False)


# lapse_evaluation is fired only by the system sweep and has no form.
TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "submit": SubmitForm,
    "return_for_revision": ReturnForRevisionForm,
    "register": RegisterForm,
    "refuse": RefuseForm,
    "merge": MergeForm,
    "withdraw": WithdrawForm,
    "assign": AssignForm,
    "reassign": ReassignForm,
    "reply": ReplyForm,
    "evaluate": EvaluateForm,
    "start_follow_up": StartFollowUpForm,
    "complete": CompleteForm,
}


def perform_transition(
    *, suggestion: Suggestion, actor, name: str, data=None, files=None
) -> tuple[TransitionForm, Any]:
    """Validate `data` with the transition's form and call its service.

    Returns (form, result). When the form is invalid the service is not called and result is
    None; service errors (TransitionRefused, PermissionDenied, ValidationError) propagate.
    """
    form_class = TRANSITION_FORMS.get(name)
    if form_class is None:
        raise services.TransitionRefused(
            _("没有名为「%(name)s」的操作") % {"name": name}, code="unknown_transition"
        )
    form = form_class(data or {}, files or {}, suggestion=suggestion)
    if not form.is_valid():
        return form, None
    kwargs = {k: v for k, v in form.service_kwargs().items() if v not in (None, "")}
    result = form_class.service(suggestion=suggestion, actor=actor, **kwargs)
    return form, result
