"""What the public sees, and nothing more (DESIGN.md §8).

Never here: deputies' contact details, drafts and returned drafts, earlier versions, review
comments, internal events (is_public=False), co-handling opinions, unpublished or withheld
replies, evaluations' comments, the withheld reason, assignment return/extension reasons.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congress.models import Congress, HandlingUnit, Session, Term
from suggestions.models import (
    PUBLIC_STATES,
    Assignment,
    Event,
    FollowUpReview,
    Outcome,
    Reply,
    State,
    Suggestion,
    SupervisionActivity,
    SupervisionPlan,
)
from suggestions.progress import next_steps
from suggestions.publication import public_reply_text


class SessionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "number", "name", "opened_on", "closed_on"]


class TermSerializer(serializers.ModelSerializer):
    sessions = SessionBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Term
        fields = ["id", "number", "name", "started_on", "ended_on", "sessions"]


class CongressSerializer(serializers.ModelSerializer):
    terms = TermSerializer(many=True, read_only=True)

    class Meta:
        model = Congress
        fields = ["id", "name", "short_name", "level", "region", "parent", "terms"]


class HandlingUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandlingUnit
        fields = ["id", "name", "congress"]


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NextStepSerializer(serializers.Serializer):
    actor = serializers.CharField()
    action = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    explanation = serializers.CharField(help_text="How the due date was computed, if any.")


class PublicSuggestionListSerializer(serializers.ModelSerializer):
    congress = NamedRefSerializer(read_only=True)
    session = serializers.SerializerMethodField()
    lead_deputy = serializers.CharField(source="lead_deputy.person.name", read_only=True)
    state_label = serializers.SerializerMethodField()
    is_key = serializers.BooleanField(source="key_supervised", read_only=True)
    number_display = serializers.CharField(read_only=True)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "congress",
            "session",
            "number",
            "number_display",
            "title",
            "topic",
            "lead_deputy",
            "state",
            "state_label",
            "filed_on",
            "is_key",
        ]

    def get_state_label(self, suggestion: Suggestion) -> str:
        # Cheaper than get_state_display(), which rebuilds the choices dict on every row.
        return str(State(suggestion.state).label)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_session(self, suggestion: Suggestion):
        session = suggestion.session
        return {"id": session.pk, "name": session.name} if session else None


class PublicAssignmentSerializer(serializers.ModelSerializer):
    unit = NamedRefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "unit",
            "role",
            "role_label",
            "status",
            "status_label",
            "assigned_on",
            "due_on",
            "due_explanation",
            "extended",
            "rehandling_due_on",
        ]


class PublicReplySerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="assignment.unit.name", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    text = serializers.SerializerMethodField()

    class Meta:
        model = Reply
        fields = [
            "id",
            "unit",
            "round",
            "category",
            "category_label",
            "text",
            "signer",
            "replied_at",
            "published_at",
        ]

    def get_text(self, reply: Reply) -> str:
        return public_reply_text(reply)


class OutcomeSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    date_display = serializers.CharField(read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "issuing_body",
            "date",
            "date_precision",
            "date_display",
            "description",
        ]


class PublicEventSerializer(serializers.ModelSerializer):
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
        ]


class SupervisionActivitySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    date_display = serializers.CharField(read_only=True)

    class Meta:
        model = SupervisionActivity
        fields = [
            "kind",
            "kind_label",
            "title",
            "conducted_by",
            "description",
            "date",
            "date_display",
        ]


class PublicSupervisionPlanSerializer(serializers.ModelSerializer):
    committee = serializers.CharField(
        source="committee.name", default=None, allow_null=True, read_only=True
    )
    lead_unit = serializers.CharField(
        source="lead_unit.name", default=None, allow_null=True, read_only=True
    )
    activities = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionPlan
        fields = [
            "id",
            "theme",
            "decided_by",
            "leader_title",
            "committee",
            "supervising_body",
            "lead_unit",
            "deadline",
            "activities",
        ]

    @extend_schema_field(SupervisionActivitySerializer(many=True))
    def get_activities(self, plan: SupervisionPlan):
        public = [a for a in plan.activities.all() if a.is_public]
        return SupervisionActivitySerializer(public, many=True).data


class FollowUpReviewSerializer(serializers.ModelSerializer):
    date_display = serializers.CharField(read_only=True)

    class Meta:
        model = FollowUpReview
        fields = ["date", "date_display", "conducted_by", "findings", "is_done", "due_on"]


class LinkSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    direction = serializers.ChoiceField(choices=["out", "in"])
    suggestion = NamedRefSerializer()
    congress = serializers.CharField()
    note = serializers.CharField()


def _is_public(suggestion: Suggestion) -> bool:
    return suggestion.state in PUBLIC_STATES and not suggestion.withheld_reason


class PublicSuggestionDetailSerializer(PublicSuggestionListSerializer):
    assignments = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()
    outcomes = OutcomeSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()
    supervision_plans = PublicSupervisionPlanSerializer(many=True, read_only=True)
    follow_up_reviews = FollowUpReviewSerializer(many=True, read_only=True)
    links = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()
    cosigners = serializers.SerializerMethodField()

    class Meta(PublicSuggestionListSerializer.Meta):
        fields = [
            *PublicSuggestionListSerializer.Meta.fields,
            "body",
            "cosigners",
            "merged_into",
            "next_steps",
            "assignments",
            "replies",
            "outcomes",
            "timeline",
            "supervision_plans",
            "follow_up_reviews",
            "links",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_cosigners(self, suggestion: Suggestion):
        return [c.deputy.person.name for c in suggestion.cosignatures.all() if c.confirmed_at]

    @extend_schema_field(PublicAssignmentSerializer(many=True))
    def get_assignments(self, suggestion: Suggestion):
        active = [a for a in suggestion.assignments.all() if a.status == "active"]
        return PublicAssignmentSerializer(active, many=True).data

    @extend_schema_field(PublicReplySerializer(many=True))
    def get_replies(self, suggestion: Suggestion):
        published = [r for r in suggestion.replies.all() if r.published_at and not r.withheld]
        return PublicReplySerializer(published, many=True).data

    @extend_schema_field(PublicEventSerializer(many=True))
    def get_timeline(self, suggestion: Suggestion):
        public = [e for e in suggestion.events.all() if e.is_public]
        return PublicEventSerializer(public, many=True).data

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_merged_into(self, suggestion: Suggestion):
        target = suggestion.merged_into
        if target is None or not _is_public(target):
            return None
        return {"id": target.pk, "name": target.title}

    @extend_schema_field(NextStepSerializer(many=True))
    def get_next_steps(self, suggestion: Suggestion):
        return NextStepSerializer(next_steps(suggestion), many=True).data

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, suggestion: Suggestion):
        links = []
        for direction, manager, attr in (
            ("out", suggestion.links_out, "to_suggestion"),
            ("in", suggestion.links_in, "from_suggestion"),
        ):
            for link in manager.all():
                other = getattr(link, attr)
                if not _is_public(other):
                    continue
                links.append(
                    {
                        "kind": link.kind,
                        "kind_label": str(link.get_kind_display()),
                        "direction": direction,
                        "suggestion": {"id": other.pk, "name": other.title},
                        "congress": other.congress.name,
                        "note": link.note,
                    }
                )
        return links
