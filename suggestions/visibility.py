"""Which suggestions a logged-in user may see beyond the public ones (their working set).

Mirrors the `suggestions.view_internal` rule (suggestions/rules.py) as a queryset: the lead
deputy and co-signers see their own suggestions (drafts included); congress staff and leaders
see their congress's suggestions once submitted; unit members see the suggestions their unit
is actively assigned. Superusers see everything."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from congress.models import CongressStaff
from suggestions.models import Assignment, CoSignature, State, Suggestion


def suggestions_visible_to(user) -> QuerySet[Suggestion]:
    if user is None or not user.is_authenticated:
        return Suggestion.objects.none()
    if user.is_superuser:
        return Suggestion.objects.all()
    own = Q(lead_deputy__person__user=user) | Q(
        pk__in=CoSignature.objects.filter(deputy__person__user=user).values("suggestion_id")
    )
    congress_work = Q(
        congress__in=CongressStaff.objects.filter(user=user).values("congress_id")
    ) & ~Q(state=State.DRAFT)
    unit_work = Q(
        pk__in=Assignment.objects.active().filter(unit__members=user).values("suggestion_id")
    )
    return Suggestion.objects.filter(own | congress_work | unit_work)
