"""What the people working on a suggestion see (its deputies, the congress staff and leaders,
the assigned units): everything public plus versions, internal events and review comments,
unpublished replies, evaluations, and the transitions the caller may fire now.
Deputies' contact details are not exposed here either."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from suggestions import limits
from suggestions.models import (
    Assignment,
    CoSignature,
    Evaluation,
    Event,
    Reply,
    Suggestion,
    Version,
)
from suggestions.services import refusal_reasons
from suggestions.services.transitions import transition_label

from .public import NamedRefSerializer, PublicEventSerializer, PublicSuggestionDetailSerializer

TRANSITION_NAMES = (
    "submit",
    "return_for_revision",
    "register",
    "refuse",
    "merge",
    "withdraw",
    "assign",
    "reassign",
    "reply",
    "evaluate",
    "start_follow_up",
    "complete",
)


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Version
        fields = [
            "number",
            "title",
            "body",
            "revised_by_kind",
            "revised_by_name",
            "reason",
            "created_at",
            "submitted_at",
        ]


class CoSignatureSerializer(serializers.ModelSerializer):
    deputy = serializers.IntegerField(source="deputy_id", read_only=True)
    name = serializers.CharField(source="deputy.person.name", read_only=True)

    class Meta:
        model = CoSignature
        fields = ["deputy", "name", "invited_at", "confirmed_at"]


class InternalAssignmentSerializer(serializers.ModelSerializer):
    unit = NamedRefSerializer(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "unit",
            "role",
            "status",
            "assigned_on",
            "due_on",
            "due_explanation",
            "return_due_on",
            "extended",
            "extension_reason",
            "rehandling_due_on",
            "rehandling_explanation",
            "return_reason",
        ]


class InternalReplySerializer(serializers.ModelSerializer):
    assignment = serializers.IntegerField(source="assignment_id", read_only=True)
    unit = serializers.CharField(source="assignment.unit.name", read_only=True)

    class Meta:
        model = Reply
        fields = [
            "id",
            "assignment",
            "unit",
            "round",
            "category",
            "text",
            "signer",
            "replied_at",
            "publish_due_on",
            "published_at",
            "withheld",
            "redactions",
        ]


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["round", "rating", "comment", "evaluated_at"]


class InternalEventSerializer(PublicEventSerializer):
    class Meta(PublicEventSerializer.Meta):
        model = Event
        fields = [*PublicEventSerializer.Meta.fields, "is_public"]


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class InternalSuggestionSerializer(PublicSuggestionDetailSerializer):
    versions = VersionSerializer(many=True, read_only=True)
    cosignatures = CoSignatureSerializer(many=True, read_only=True)
    all_assignments = InternalAssignmentSerializer(source="assignments", many=True, read_only=True)
    all_replies = InternalReplySerializer(source="replies", many=True, read_only=True)
    evaluations = EvaluationSerializer(many=True, read_only=True)
    events = InternalEventSerializer(many=True, read_only=True)
    transitions = serializers.SerializerMethodField()

    class Meta(PublicSuggestionDetailSerializer.Meta):
        fields = [
            *PublicSuggestionDetailSerializer.Meta.fields,
            "handling_round",
            "current_version_number",
            "revision_due_on",
            "evaluation_due_on",
            "refusal_reason",
            "withheld_reason",
            "dissatisfied_final",
            "versions",
            "cosignatures",
            "all_assignments",
            "all_replies",
            "evaluations",
            "events",
            "transitions",
        ]

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_transitions(self, suggestion: Suggestion):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        options = []
        for name in TRANSITION_NAMES:
            reasons = refusal_reasons(suggestion, name, user)
            options.append(
                {
                    "name": name,
                    "label": transition_label(name),
                    "allowed": not reasons,
                    "reasons": reasons,
                }
            )
        return options


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=limits.MAX_ID, **kwargs)


class DraftCreateSerializer(serializers.Serializer):
    lead_deputy = _id_field(
        required=False, help_text="Your deputy mandate; optional when you hold only one."
    )
    title = serializers.CharField(max_length=limits.TITLE)
    body = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.BODY
    )
    topic = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.TOPIC
    )
    session = _id_field(required=False, allow_null=True, default=None)
    cosigners = serializers.ListField(child=_id_field(), required=False, default=list)


class DraftUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=limits.TITLE, required=False)
    body = serializers.CharField(required=False, allow_blank=True, max_length=limits.BODY)
    topic = serializers.CharField(required=False, allow_blank=True, max_length=limits.TOPIC)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )
