from __future__ import annotations

from rest_framework import serializers


class RateSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True, help_text="numerator ÷ denominator, 0–1")


class HandlingStatisticsSerializer(serializers.Serializer):
    """See suggestions/statistics.py for each figure's numerator and denominator."""

    scope = serializers.ChoiceField(choices=["congress", "session", "unit"])
    scope_id = serializers.IntegerField()
    scope_name = serializers.CharField()
    registered = serializers.IntegerField(allow_null=True)
    assigned = serializers.IntegerField()
    replied = serializers.IntegerField()
    reply_rate = RateSerializer()
    on_time_rate = RateSerializer()
    satisfaction_first_round = RateSerializer()
    satisfaction_final = RateSerializer()
    no_feedback = serializers.IntegerField()
    categories = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Replies counted per reply category, keyed by the congress's category codes "
        "(the national default A, B, C, D) in its order.",
    )
    category_shares = serializers.DictField(
        child=RateSerializer(), help_text="Each category's share of the replies counted."
    )
    category_labels = serializers.DictField(
        child=serializers.CharField(), help_text="Each category code's label."
    )
    overdue_now = serializers.IntegerField()
    computed_at = serializers.DateTimeField(
        help_text="When these figures were counted (statistics are kept in a rollup)."
    )
    stale = serializers.BooleanField(
        help_text="True when data changed since computed_at, or it was counted on an earlier "
        "day; a recount is on its way."
    )
