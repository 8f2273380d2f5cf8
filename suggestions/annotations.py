"""Reusable query expressions for suggestions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from suggestions.models import SupervisionPlan


def key_supervised() -> Exists:
    """True for suggestions covered by a supervision plan (重点督办); one EXISTS, no join."""
    through = SupervisionPlan.suggestions.through
    return Exists(through.objects.filter(suggestion_id=OuterRef("pk")))
