"""What the people working on a suggestion see (its deputies, the congress staff and leaders,
the assigned units): everything public plus versions, internal events and review comments,
unpublished replies, evaluations, and the transitions the caller may fire now.
Deputies' contact details are not exposed here either."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from suggestions import access
from suggestions.models import (
    Assignment,
    CoSignature,
    Evaluation,
    Event,
    Reply,
    Suggestion,
    Version,
)
from suggestions.publication import deputy_contact_values, public_reply_text
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
    """An event as `access.present_events` prepared it for this reader."""

    actor_name = serializers.CharField(source="display_actor", read_only=True)
    reason = serializers.CharField(source="display_reason", read_only=True)

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

    def to_representation(self, suggestion: Suggestion) -> dict:
        """Everything public, plus what this reader's projection admits (suggestions.access)."""
        request = self.context.get("request")
        projection = access.projection_for(getattr(request, "user", None), suggestion)
        data = super().to_representation(suggestion)
        data["title"], data["body"] = access.readable_text(projection, suggestion)
        data["versions"] = VersionSerializer(
            access.readable_versions(projection, suggestion), many=True
        ).data
        data["events"] = InternalEventSerializer(
            access.present_events(
                projection,
                access.readable_events(projection, suggestion).select_related(
                    "source", "actor__person", "suggestion__lead_deputy"
                ),
            ),
            many=True,
        ).data
        private = deputy_contact_values(suggestion)
        replies = []
        for reply in access.readable_replies(projection, suggestion).select_related(
            "assignment__unit"
        ):
            shown = InternalReplySerializer(reply).data
            if not projection.unpublished_replies:
                shown["text"] = public_reply_text(reply, private)
                shown["redactions"] = ""
            replies.append(shown)
        data["all_replies"] = replies
        if not projection.withheld_reason:
            data["withheld_reason"] = ""
        if not projection.evaluation_comments:
            for evaluation in data["evaluations"]:
                evaluation["comment"] = ""
        for assignment in data["all_assignments"]:
            if not projection.extension_reasons:
                assignment["extension_reason"] = ""
            if not projection.return_reasons:
                assignment["return_reason"] = ""
        return data

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


class DraftCreateSerializer(serializers.Serializer):
    lead_deputy = serializers.IntegerField(
        required=False, help_text="Your deputy mandate; optional when you hold only one."
    )
    title = serializers.CharField(max_length=300)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    session = serializers.IntegerField(required=False, allow_null=True, default=None)
    cosigners = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )


class DraftUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    body = serializers.CharField(required=False, allow_blank=True)
    topic = serializers.CharField(required=False, allow_blank=True, max_length=50)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
