"""Inputs of the transitions and handling actions, one serializer each.

Each maps 1:1 onto the keyword arguments of its service function; the service does the
real checking (state, permission, preconditions) and its errors come back as 409/403/400.
Lengths and date ranges come from suggestions/limits.py, so the OpenAPI schema states them."""

from __future__ import annotations

from rest_framework import serializers

from congress.models import HandlingUnit
from suggestions import limits
from suggestions.models import (
    Assignment,
    ContactMethod,
    Rating,
    RefusalReason,
    ReplyCategory,
    Suggestion,
)


class EmptyInput(serializers.Serializer):
    pass


class ReturnForRevisionInput(serializers.Serializer):
    comments = serializers.CharField(
        help_text="审查意见 (review comments)", max_length=limits.NOTES
    )
    revision_days = serializers.IntegerField(
        required=False, min_value=1, max_value=limits.MAX_REVISION_DAYS
    )


class RefuseInput(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=RefusalReason.choices)
    explanation = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )


class MergeInput(serializers.Serializer):
    target = serializers.PrimaryKeyRelatedField(queryset=Suggestion.objects.all())
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=limits.REASON)


class AssignInput(serializers.Serializer):
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=HandlingUnit.objects.all(), required=False, allow_null=True, default=None
    )
    co_units = serializers.PrimaryKeyRelatedField(
        queryset=HandlingUnit.objects.all(), many=True, required=False, default=list
    )
    separate_units = serializers.PrimaryKeyRelatedField(
        queryset=HandlingUnit.objects.all(), many=True, required=False, default=list
    )
    assigned_on = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[limits.PAST_DATE]
    )


class ReassignInput(serializers.Serializer):
    assignment = serializers.PrimaryKeyRelatedField(queryset=Assignment.objects.all())
    reason = serializers.CharField(max_length=limits.REASON)


class ReplyInput(serializers.Serializer):
    category = serializers.CharField(
        max_length=ReplyCategory._meta.get_field("code").max_length,
        help_text="A code of the congress's reply categories (`reply_categories` of "
        "/api/v1/congresses/{id}/; the national default is A, B, C, D). Any other value is "
        "a 400 naming the valid codes.",
    )
    text = serializers.CharField(max_length=limits.REPLY_TEXT)
    signer = serializers.CharField(max_length=limits.SIGNER)
    assignment = serializers.PrimaryKeyRelatedField(
        queryset=Assignment.objects.all(), required=False, allow_null=True, default=None
    )


class EvaluateInput(serializers.Serializer):
    rating = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in Rating if r != Rating.NO_FEEDBACK]
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )


class StartFollowUpInput(serializers.Serializer):
    due_on = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[limits.PLANNED_DATE]
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )


class CompleteInput(serializers.Serializer):
    findings = serializers.CharField(max_length=limits.NOTES)
    date = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[limits.PAST_DATE]
    )
    conducted_by = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NAME
    )


class ContactInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    contacted_on = serializers.DateField(validators=[limits.PAST_DATE])
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NOTES
    )


class CoOpinionInput(serializers.Serializer):
    text = serializers.CharField(max_length=limits.CO_OPINION)


class PublishInput(serializers.Serializer):
    redactions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REDACTIONS
    )
