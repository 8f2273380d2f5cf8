"""What the people working on a suggestion see (its deputies, the congress staff and leaders,
the assigned units): everything public plus versions, internal events and review comments,
unpublished replies, evaluations, and the transitions the caller may fire now.
Deputies' contact details are not exposed here either."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from suggestions import access, limits
from suggestions.deadlines import stored_due_reason
from suggestions.models import (
    Assignment,
    CoSignature,
    Evaluation,
    Event,
    Reply,
    Suggestion,
    Version,
)
from suggestions.public_projection import deputy_contact_values, project, public_reply_text
from suggestions.services import refusal_reasons
from suggestions.services.transitions import transition_label

from .public import (
    NamedRefSerializer,
    PublicSuggestionDetailSerializer,
    PublicSuggestionListSerializer,
)

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


PROVISIONAL_HELP = (
    "The due-date fields of this object that are provisional, each with its reason (e.g. "
    "'2027年放假安排尚未录入，按规则推算'): they were counted over a year whose holiday schedule "
    "is not yet official and may move once it is entered. Empty when none is."
)


@extend_schema_field(serializers.DictField(child=serializers.CharField()))
class ProvisionalDueDatesField(serializers.Field):
    """{field: reason} for the named due-date fields that are provisional."""

    def __init__(self, *fields: str) -> None:
        self.due_fields = fields
        super().__init__(read_only=True, source="*", help_text=PROVISIONAL_HELP)

    def to_representation(self, value) -> dict[str, str]:
        reasons = {name: stored_due_reason(getattr(value, name)) for name in self.due_fields}
        return {name: reason for name, reason in reasons.items() if reason}


class InternalAssignmentSerializer(serializers.ModelSerializer):
    unit = NamedRefSerializer(read_only=True)
    provisional_due_dates = ProvisionalDueDatesField(
        "due_on", "return_due_on", "contact_due_on", "rehandling_due_on"
    )

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
            "return_explanation",
            "contact_due_on",
            "contact_explanation",
            "extended",
            "extension_reason",
            "rehandling_due_on",
            "rehandling_explanation",
            "return_reason",
            "provisional_due_dates",
        ]


class InternalReplySerializer(serializers.ModelSerializer):
    assignment = serializers.IntegerField(source="assignment_id", read_only=True)
    unit = serializers.CharField(source="assignment.unit.name", read_only=True)
    category_label = serializers.CharField(source="category_display", read_only=True)
    provisional_due_dates = ProvisionalDueDatesField("publish_due_on")

    class Meta:
        model = Reply
        fields = [
            "id",
            "assignment",
            "unit",
            "round",
            "category",
            "category_label",
            "carries_promise",
            "text",
            "signer",
            "replied_at",
            "publish_due_on",
            "publish_explanation",
            "published_at",
            "withheld",
            "redactions",
            "provisional_due_dates",
        ]


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["round", "rating", "comment", "evaluated_at"]


class InternalEventSerializer(serializers.ModelSerializer):
    """An event as `access.present_events` prepared it for this reader: internal ones and
    their full text only where the reader's projection admits them."""

    actor_name = serializers.CharField(source="display_actor", read_only=True)
    reason = serializers.CharField(source="display_reason", read_only=True)

    from_state_label = serializers.CharField(source="get_from_state_display", read_only=True)
    to_state_label = serializers.CharField(source="get_to_state_display", read_only=True)
    source = serializers.CharField(
        source="source.title", default=None, allow_null=True, read_only=True
    )
    when_display = serializers.CharField(read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "action",
            "action_label",
            "from_state",
            "from_state_label",
            "to_state",
            "to_state_label",
            "actor_name",
            "reason",
            "occurred_at",
            "date",
            "date_precision",
            "when_display",
            "source",
            "is_public",
        ]


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class InternalRecordSerializer(serializers.ModelSerializer):
    """The internal part of a suggestion's record (what the public projection leaves out)."""

    versions = serializers.SerializerMethodField()
    cosignatures = CoSignatureSerializer(many=True, read_only=True)
    all_assignments = InternalAssignmentSerializer(source="assignments", many=True, read_only=True)
    all_replies = serializers.SerializerMethodField()
    evaluations = EvaluationSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()
    provisional_due_dates = ProvisionalDueDatesField(
        "assignment_due_on", "revision_due_on", "evaluation_due_on"
    )

    class Meta:
        model = Suggestion
        fields = [
            "handling_round",
            "current_version_number",
            "revision_due_on",
            "revision_explanation",
            "evaluation_due_on",
            "evaluation_explanation",
            "assignment_due_on",
            "assignment_explanation",
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
            "provisional_due_dates",
        ]

    @property
    def projection(self) -> access.Projection:
        return self.context["projection"]

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, suggestion: Suggestion):
        return VersionSerializer(
            access.readable_versions(self.projection, suggestion), many=True
        ).data

    @extend_schema_field(InternalEventSerializer(many=True))
    def get_events(self, suggestion: Suggestion):
        events = access.readable_events(self.projection, suggestion).select_related(
            "source", "actor__person"
        )
        shown = access.present_events(self.projection, suggestion, events)
        return InternalEventSerializer(shown, many=True).data

    @extend_schema_field(InternalReplySerializer(many=True))
    def get_all_replies(self, suggestion: Suggestion):
        replies = access.readable_replies(self.projection, suggestion).select_related(
            "assignment__unit"
        )
        shown = InternalReplySerializer(replies, many=True).data
        if not self.projection.unpublished_replies:
            private = deputy_contact_values(suggestion)
            for data, reply in zip(shown, replies, strict=True):
                data["text"] = public_reply_text(reply, private)
                data["redactions"] = ""
        return shown

    def to_representation(self, suggestion: Suggestion) -> dict:
        data = super().to_representation(suggestion)
        projection = self.projection
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


class InternalSuggestionSerializer(InternalRecordSerializer):
    """What the people working on a suggestion read: the fields of its public projection
    (exactly as the public API renders them) and its internal record beside them."""

    def get_fields(self):
        # Both parts' fields, so that the schema documents the whole response.
        return {**PublicSuggestionDetailSerializer().get_fields(), **super().get_fields()}

    def to_representation(self, suggestion: Suggestion):
        request = self.context.get("request")
        projection = access.projection_for(getattr(request, "user", None), suggestion)
        public = PublicSuggestionDetailSerializer(project(suggestion), context=self.context)
        record = InternalRecordSerializer(
            suggestion, context={**self.context, "projection": projection}
        )
        data = {**public.data, **record.data}
        data["title"], data["body"] = access.readable_text(projection, suggestion)
        return data


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=limits.MAX_ID, **kwargs)


class WorkspaceSuggestionListSerializer(PublicSuggestionListSerializer):
    """A row of a reader's working set: the title as `access.with_readable_title` gives it
    (clerks read the submitted title of a suggestion being revised)."""

    title = serializers.CharField(source="readable_title", read_only=True)


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
