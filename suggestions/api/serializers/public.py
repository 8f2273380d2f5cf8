"""What the public sees, and nothing more (DESIGN.md §8): the serializers render the public
projection (suggestions/public_projection.py), the same one the public pages show. What it
leaves out is listed there.

A partial date comes as three fields: the ISO date (the first day of the period it is known
to), its precision (day, month or year) and its display text at that precision ("2023-01").
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congress.models import Congress, HandlingUnit, Session, Term
from suggestions.models import DatePrecision, ReplyCategory, State, Suggestion
from suggestions.public_projection import PublicDate


class SessionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "number", "name", "opened_on", "closed_on"]


class TermSerializer(serializers.ModelSerializer):
    sessions = SessionBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Term
        fields = ["id", "number", "name", "started_on", "ended_on", "sessions"]


class ReplyCategorySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The value a reply's `category` takes.")
    label = serializers.CharField(source="category_display")
    carries_promise = serializers.BooleanField(
        help_text="A reply in this category promises later action, which staff follow up."
    )


class CongressSerializer(serializers.ModelSerializer):
    terms = TermSerializer(many=True, read_only=True)
    reply_categories = serializers.SerializerMethodField(
        help_text="The congress's reply categories in order: the valid values of a reply's "
        "`category` (its own set, or the national A/B/C/D)."
    )

    class Meta:
        model = Congress
        fields = [
            "id",
            "name",
            "short_name",
            "level",
            "region",
            "parent",
            "terms",
            "reply_categories",
        ]

    @extend_schema_field(ReplyCategorySerializer(many=True))
    def get_reply_categories(self, congress: Congress) -> list[dict]:
        return ReplyCategorySerializer(ReplyCategory.of(congress), many=True).data


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
    provisional = serializers.BooleanField(
        help_text="True when the due date was counted over a year whose holiday schedule is "
        "not yet official (the holidays package's guess): it may move once that year's "
        "schedule is entered."
    )
    provisional_reason = serializers.CharField(
        help_text="Why the due date is provisional, e.g. '2027年放假安排尚未录入，按规则推算'; "
        "empty when it is not."
    )


PARTIAL_DATE_HELP = "The first day of the period the date is known to; read it with {field}."
PRECISION_HELP = "How much of the date is known: day, month or year."
DISPLAY_HELP = "The date at its precision, ISO 8601: '2023-01-05', '2023-01' or '2023'."


def partial_date_fields(source: str, date_name: str, prefix: str) -> dict[str, serializers.Field]:
    """The PublicDate `source` as `<date_name>` (ISO date), `<prefix>_precision` and
    `<prefix>_display`."""
    precision = f"{prefix}_precision"
    return {
        date_name: serializers.DateField(
            source=f"{source}.value",
            allow_null=True,
            help_text=PARTIAL_DATE_HELP.format(field=precision),
        ),
        precision: serializers.ChoiceField(
            source=f"{source}.precision", choices=DatePrecision.choices, help_text=PRECISION_HELP
        ),
        f"{prefix}_display": serializers.CharField(source=f"{source}.iso", help_text=DISPLAY_HELP),
    }


class PublicSuggestionListSerializer(serializers.ModelSerializer):
    """Documents the public list rows (suggestions/api/public_rows.py builds them)."""

    congress = NamedRefSerializer(read_only=True)
    session = serializers.SerializerMethodField()
    lead_deputy = serializers.CharField(source="lead_deputy.person.name", read_only=True)
    state_label = serializers.SerializerMethodField()
    filed_on = serializers.DateField(
        read_only=True, help_text=PARTIAL_DATE_HELP.format(field="filed_precision")
    )
    filed_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, read_only=True, help_text=PRECISION_HELP
    )
    filed_display = serializers.SerializerMethodField(help_text=DISPLAY_HELP)
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
            "filed_precision",
            "filed_display",
            "is_key",
        ]

    def get_state_label(self, suggestion: Suggestion) -> str:
        # Cheaper than get_state_display(), which rebuilds the choices dict on every row.
        return str(State(suggestion.state).label)

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_session(self, suggestion: Suggestion):
        session = suggestion.session
        return {"id": session.pk, "name": session.name} if session else None

    def get_filed_display(self, suggestion: Suggestion) -> str:
        return PublicDate(suggestion.filed_on, suggestion.filed_precision).iso


class PublicAssignmentSerializer(serializers.Serializer):
    unit = NamedRefSerializer()
    role = serializers.CharField()
    role_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    assigned_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    due_explanation = serializers.CharField()
    extended = serializers.BooleanField()
    rehandling_due_on = serializers.DateField(allow_null=True)


class PublicReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField()
    round = serializers.IntegerField()
    category = serializers.CharField()
    category_label = serializers.CharField()
    text = serializers.CharField(
        help_text="As published: marked passages, phone numbers, addresses and the deputies' "
        "contact details removed."
    )
    signer = serializers.CharField()
    replied_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField()


class OutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    issuing_body = serializers.CharField()
    description = serializers.CharField()

    def get_fields(self):
        return {**super().get_fields(), **partial_date_fields("date", "date", "date")}


class PublicEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    from_state = serializers.CharField()
    from_state_label = serializers.CharField()
    to_state = serializers.CharField()
    to_state_label = serializers.CharField()
    actor_name = serializers.CharField(
        source="actor",
        help_text="Who acted: a deputy by name, otherwise the acting body (a handling unit, "
        "the congress's deputy-work office, or the body a source article names).",
    )
    reason = serializers.CharField(
        source="text", help_text="The public part of the step's text; empty when none is public."
    )
    occurred_at = serializers.DateTimeField(allow_null=True)
    when_display = serializers.CharField(
        source="when_iso",
        help_text="Local time of a live step, else the step's date at its precision.",
    )
    source = serializers.CharField(allow_null=True, help_text="The source article's title.")

    def get_fields(self):
        return {**super().get_fields(), **partial_date_fields("date", "date", "date")}


class SupervisionActivitySerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    conducted_by = serializers.CharField()
    description = serializers.CharField()

    def get_fields(self):
        return {**super().get_fields(), **partial_date_fields("date", "date", "date")}


class PublicSupervisionPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    theme = serializers.CharField()
    decided_by = serializers.CharField()
    leader_title = serializers.CharField()
    committee = serializers.CharField(allow_null=True)
    supervising_body = serializers.CharField()
    lead_unit = serializers.CharField(allow_null=True)
    deadline = serializers.DateField(allow_null=True)
    activities = SupervisionActivitySerializer(many=True, help_text="Public activities only.")


class FollowUpReviewSerializer(serializers.Serializer):
    conducted_by = serializers.CharField()
    findings = serializers.CharField()
    is_done = serializers.BooleanField()
    due_on = serializers.DateField(allow_null=True)

    def get_fields(self):
        return {**super().get_fields(), **partial_date_fields("date", "date", "date")}


class LinkSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    direction = serializers.ChoiceField(choices=["out", "in"])
    suggestion = NamedRefSerializer()
    congress = serializers.CharField()
    note = serializers.CharField()


class PublicSuggestionDetailSerializer(serializers.Serializer):
    """One public suggestion: its public projection."""

    id = serializers.IntegerField()
    congress = NamedRefSerializer()
    session = NamedRefSerializer(allow_null=True)
    number = serializers.IntegerField(allow_null=True)
    number_display = serializers.CharField()
    title = serializers.CharField()
    topic = serializers.CharField()
    lead_deputy = serializers.CharField()
    delegation = serializers.CharField(help_text="The lead deputy's delegation, if any.")
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField()
    is_key = serializers.BooleanField()
    body = serializers.CharField()
    source = serializers.CharField(help_text="The article the record was taken from, if any.")
    cosigners = serializers.ListField(child=serializers.CharField())
    merged_into = NamedRefSerializer(
        allow_null=True, help_text="The public suggestion this one was merged into."
    )
    next_steps = NextStepSerializer(many=True)
    assignments = PublicAssignmentSerializer(many=True, help_text="Active assignments.")
    replies = PublicReplySerializer(many=True, help_text="Published replies.")
    outcomes = OutcomeSerializer(many=True)
    timeline = PublicEventSerializer(many=True, help_text="Public steps, in order.")
    supervision_plans = PublicSupervisionPlanSerializer(many=True)
    follow_up_reviews = FollowUpReviewSerializer(many=True)
    links = LinkSerializer(many=True, help_text="Links to public suggestions only.")

    def get_fields(self):
        return {**super().get_fields(), **partial_date_fields("filed", "filed_on", "filed")}
