"""Inputs of the transitions and handling actions, one serializer each.

Each maps 1:1 onto the keyword arguments of its service function; the service does the
real checking (state, permission, preconditions) and its errors come back as 409/403/400."""

from __future__ import annotations

from rest_framework import serializers

from congress.models import HandlingUnit
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
    comments = serializers.CharField(help_text="审查意见 (review comments)")
    revision_days = serializers.IntegerField(required=False, min_value=1, max_value=365)


class RefuseInput(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=RefusalReason.choices)
    explanation = serializers.CharField(required=False, allow_blank=True, default="")


class MergeInput(serializers.Serializer):
    target = serializers.PrimaryKeyRelatedField(queryset=Suggestion.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField()


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
    assigned_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReassignInput(serializers.Serializer):
    assignment = serializers.PrimaryKeyRelatedField(queryset=Assignment.objects.all())
    reason = serializers.CharField()


class ReplyInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=ReplyCategory.choices)
    text = serializers.CharField()
    signer = serializers.CharField(max_length=50)
    assignment = serializers.PrimaryKeyRelatedField(
        queryset=Assignment.objects.all(), required=False, allow_null=True, default=None
    )


class EvaluateInput(serializers.Serializer):
    rating = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in Rating if r != Rating.NO_FEEDBACK]
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class StartFollowUpInput(serializers.Serializer):
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CompleteInput(serializers.Serializer):
    findings = serializers.CharField()
    date = serializers.DateField(required=False, allow_null=True, default=None)
    conducted_by = serializers.CharField(required=False, allow_blank=True, default="")


class ContactInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    contacted_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CoOpinionInput(serializers.Serializer):
    text = serializers.CharField()


class PublishInput(serializers.Serializer):
    redactions = serializers.CharField(required=False, allow_blank=True, default="")
