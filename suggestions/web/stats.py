"""Statistics pages: the public /stats/ and the staff dashboard. Both read the one statistics
service (`suggestions.statistics`: stored counts, a constant number of queries per congress,
with the time they were counted) and draw the charts as plain HTML/CSS bars on the server."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from congress.models import Congress, Session
from suggestions import statistics
from suggestions.models import State
from suggestions.params import int_param

from .roles import roles_of, staff_required


def _session_choice(request: HttpRequest, congresses) -> Session | None:
    session_id = int_param(request.GET, "session")
    if session_id is None:
        return None
    return (
        Session.objects.filter(pk=session_id, term__congress__in=congresses)
        .select_related("term__congress")
        .first()
    )


def _of(session: Session | None, congress: Congress) -> Session | None:
    """The chosen session if it is `congress`'s."""
    return session if session and session.term.congress_id == congress.pk else None


def public_stats(request: HttpRequest) -> HttpResponse:
    congresses = list(Congress.objects.all())
    session = _session_choice(request, congresses)
    blocks = [
        statistics.congress_board(c, session=_of(session, c), public_only=True) for c in congresses
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
        statistics.congress_board(c, session=_of(session, c), public_only=False) for c in congresses
    ]
    for block in blocks:
        counted = block["states"]
        block["state_counts"] = [
            (label, counted[state]) for state, label in State.choices if counted.get(state)
        ]
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
