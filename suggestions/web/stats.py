"""Statistics pages: the public /stats/ and the staff dashboard. Both read the one statistics
service (`suggestions.statistics`) and draw the charts as plain HTML/CSS bars on the server."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from congress.models import Congress, Session
from suggestions import statistics
from suggestions.models import State, Suggestion
from suggestions.params import int_param

from .roles import roles_of, staff_required


def _congress_block(congress: Congress, session: Session | None, *, public_only: bool) -> dict:
    """One congress's figures: of its public suggestions (/stats/) or of all (staff)."""
    units = statistics.unit_table(congress, session=session, public_only=public_only)
    return {
        "congress": congress,
        "overall": statistics.congress_statistics(congress, public_only=public_only),
        "sessions": statistics.session_table(congress, public_only=public_only),
        "units": [row for row in units if row.assigned],
        "session": session,
    }


def _session_choice(request: HttpRequest, congresses) -> Session | None:
    session_id = int_param(request.GET, "session")
    if session_id is None:
        return None
    return (
        Session.objects.filter(pk=session_id, term__congress__in=congresses)
        .select_related("term__congress")
        .first()
    )


def public_stats(request: HttpRequest) -> HttpResponse:
    congresses = list(Congress.objects.all())
    session = _session_choice(request, congresses)
    blocks = [
        _congress_block(
            c, session if session and session.term.congress_id == c.pk else None, public_only=True
        )
        for c in congresses
    ]
    return render(
        request,
        "web/public/stats.html",
        {
            "blocks": blocks,
            "sessions": Session.objects.select_related("term__congress"),
            "chosen_session": session,
        },
    )


@staff_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    congresses = roles_of(request.user).staff_congresses
    session = _session_choice(request, congresses)
    blocks = [
        _congress_block(
            c, session if session and session.term.congress_id == c.pk else None, public_only=False
        )
        for c in congresses
    ]
    labels = dict(State.choices)
    state_counts = {}
    for row in (
        Suggestion.objects.filter(congress__in=congresses)
        .values("congress_id", "state")
        .annotate(n=Count("pk"))
    ):
        state_counts.setdefault(row["congress_id"], []).append((labels[row["state"]], row["n"]))
    for block in blocks:
        block["state_counts"] = state_counts.get(block["congress"].pk, [])
    return render(
        request,
        "web/staff/dashboard.html",
        {
            "blocks": blocks,
            "sessions": Session.objects.filter(term__congress__in=congresses).select_related(
                "term__congress"
            ),
            "chosen_session": session,
        },
    )
