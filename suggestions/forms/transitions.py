"""The inputs of each transition, validated once, then handed to its service.

The admin and the web pages use these same forms (the API describes the same inputs as DRF
serializers, which its OpenAPI schema needs), so a transition asks for the same things and
refuses the same bad input wherever it is fired from. Forms only check the input's shape;
the services and the state machine decide what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congress.models import HandlingUnit
from suggestions import limits, services
from suggestions.forms.fields import BoundedModelMultipleChoiceField, SaneDateField
from suggestions.models import Assignment, Rating, RefusalReason, ReplyCategory, Suggestion
from suggestions.services.review import MERGE_TARGET_STATES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TransitionForm(forms.Form):
    """A form that may be told which suggestion it acts on (to limit its choices)."""

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggestion = suggestion


class SuggestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Suggestion) -> str:
        number = f"{obj.number_display} " if obj.number else ""
        return f"{number}{obj.title}"


class EmptyForm(TransitionForm):
    """An action that needs no input (submit, confirm, register)."""


class WithdrawForm(TransitionForm):
    reason = forms.CharField(
        label=_("撤回理由"), max_length=limits.REASON, widget=forms.Textarea(attrs={"rows": 2})
    )


class EvaluateForm(TransitionForm):
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
        label=_("意见"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReturnForm(TransitionForm):
    comments = forms.CharField(
        label=_("审查意见"), max_length=limits.NOTES, widget=forms.Textarea(attrs={"rows": 4})
    )
    revision_days = forms.IntegerField(
        label=_("修改期限（天）"), min_value=1, max_value=limits.MAX_REVISION_DAYS, required=False
    )


class RefuseForm(TransitionForm):
    reason_code = forms.ChoiceField(label=_("不予立案理由"), choices=RefusalReason.choices)
    explanation = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(TransitionForm):
    target = SuggestionChoiceField(label=_("并入建议"), queryset=Suggestion.objects.none())
    reason = forms.CharField(label=_("说明"), required=False, max_length=limits.REASON)

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


class AssignForm(TransitionForm):
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"), queryset=HandlingUnit.objects.none(), required=False
    )
    co_units = BoundedModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    separate_units = BoundedModelMultipleChoiceField(
        label=_("分办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不设主办单位时，由若干单位分别办理、分别答复"),
    )
    assigned_on = SaneDateField(
        past_act=True,
        label=_("交办日期"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("留空为今天"),
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


class ReassignForm(TransitionForm):
    assignment = AssignmentChoiceField(
        label=_("申请退办的单位"), queryset=Assignment.objects.none()
    )
    reason = forms.CharField(
        label=_("退办理由"), max_length=limits.REASON, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["assignment"].queryset = suggestion.assignments.active().select_related(
                "unit"
            )


class FollowUpForm(TransitionForm):
    due_on = SaneDateField(
        past_act=False,
        label=_("回头看计划完成日期"),
        required=False,
        widget=DATE_INPUT,
    )
    reason = forms.CharField(label=_("跟踪事项"), required=False, max_length=limits.REASON)


class CompleteForm(TransitionForm):
    findings = forms.CharField(
        label=_("落实情况"), max_length=limits.NOTES, widget=forms.Textarea(attrs={"rows": 3})
    )
    date = SaneDateField(
        past_act=True,
        label=_("回头看日期"),
        required=False,
        widget=DATE_INPUT,
    )
    conducted_by = forms.CharField(label=_("组织机构"), max_length=limits.NAME, required=False)


class ReplyForm(TransitionForm):
    category = forms.ChoiceField(label=_("答复类别"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("答复内容"), max_length=limits.REPLY_TEXT, widget=forms.Textarea(attrs={"rows": 8})
    )
    signer = forms.CharField(label=_("签发人"), max_length=limits.SIGNER)
    attachment = forms.FileField(label=_("答复函附件"), required=False)

    def __init__(self, *args, suggestion: Suggestion | None = None, **kwargs) -> None:
        super().__init__(*args, suggestion=suggestion, **kwargs)
        # The congress's own categories; a form without a suggestion offers none.
        categories = ReplyCategory.of(suggestion.congress) if suggestion else []
        self.fields["category"].choices = [(c.code, c.category_display) for c in categories]


@dataclass(frozen=True)
class TransitionInput:
    form: type[TransitionForm]
    service: Callable[..., Any]


# lapse_evaluation is fired only by the system sweep and has no form.
TRANSITION_FORMS: dict[str, TransitionInput] = {
    "submit": TransitionInput(EmptyForm, services.suggestion_submit),
    "return_for_revision": TransitionInput(ReturnForm, services.suggestion_return_for_revision),
    "register": TransitionInput(EmptyForm, services.suggestion_register),
    "refuse": TransitionInput(RefuseForm, services.suggestion_refuse),
    "merge": TransitionInput(MergeForm, services.suggestion_merge),
    "withdraw": TransitionInput(WithdrawForm, services.suggestion_withdraw),
    "assign": TransitionInput(AssignForm, services.suggestion_assign),
    "reassign": TransitionInput(ReassignForm, services.suggestion_reassign),
    "reply": TransitionInput(ReplyForm, services.suggestion_reply),
    "evaluate": TransitionInput(EvaluateForm, services.suggestion_evaluate),
    "start_follow_up": TransitionInput(FollowUpForm, services.suggestion_start_follow_up),
    "complete": TransitionInput(CompleteForm, services.suggestion_complete),
}


def transition_form(name: str, data=None, files=None, *, suggestion: Suggestion) -> TransitionForm:
    spec = TRANSITION_FORMS.get(name)
    if spec is None:
        raise services.TransitionRefused(
            _("没有名为「%(name)s」的操作") % {"name": name}, code="unknown_transition"
        )
    return spec.form(data, files, suggestion=suggestion)


def perform_transition(
    *, suggestion: Suggestion, actor, name: str, data=None, files=None
) -> tuple[TransitionForm, Any]:
    """Validate `data` with the transition's form and call its service.

    Returns (form, result). When the form is invalid the service is not called and result is
    None; service errors (TransitionRefused, PermissionDenied, ValidationError) propagate.
    """
    form = transition_form(name, data or {}, files or {}, suggestion=suggestion)
    if not form.is_valid():
        return form, None
    kwargs = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    result = TRANSITION_FORMS[name].service(suggestion=suggestion, actor=actor, **kwargs)
    return form, result
