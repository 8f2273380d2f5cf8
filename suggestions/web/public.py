"""Public pages (no login): home, the list with search and facets, one suggestion, statistics.

Only what `Suggestion.objects.public()` admits is shown, with public events, published
replies (contact details removed) and public supervision activities. Each page runs a
constant number of queries whatever the number of suggestions.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from congress.models import Congress, HandlingUnit, Session
from suggestions import access, selectors
from suggestions.models import (
    PUBLIC_STATES,
    Assignment,
    AssignmentStatus,
    CoSignature,
    Outcome,
    Reply,
    ReplyCategory,
    State,
    Suggestion,
    SupervisionActivity,
    SupervisionPlan,
)
from suggestions.progress import next_steps
from suggestions.publication import deputy_contact_values, public_reply_text
from suggestions.search import search_suggestions

from .presenters import is_public

PAGE_SIZE = 20


def search(queryset: QuerySet[Suggestion], query: str) -> QuerySet[Suggestion]:
    """The one search function shared with the API."""
    return search_suggestions(queryset, query)


def _list_prefetches() -> list:
    return [
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(status=AssignmentStatus.ACTIVE)
            .select_related("unit")
            .order_by("role", "unit__name"),
        ),
        Prefetch("supervision_plans", queryset=SupervisionPlan.objects.only("id", "theme")),
        Prefetch(
            "replies",
            queryset=Reply.objects.only(
                "id", "suggestion_id", "assignment_id", "round", "replied_at", "category"
            ),
        ),
        "follow_up_reviews",
    ]


def home(request: HttpRequest) -> HttpResponse:
    public = Suggestion.objects.public()
    latest = list(selectors.public_suggestions().prefetch_related(*_list_prefetches())[:6])
    context = {
        "latest": [(s, next_steps(s)) for s in latest],
        "total": public.count(),
        "in_handling": public.filter(state__in=[State.ASSIGNED, State.REHANDLING]).count(),
        "key_count": public.filter(supervision_plans__isnull=False).distinct().count(),
        "congresses": Congress.objects.all(),
    }
    return render(request, "web/public/home.html", context)


FACETS = ("congress", "session", "state", "unit", "category", "reply_category", "key")


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def suggestion_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    queryset = selectors.public_suggestions()
    query = params.get("q", "").strip()
    if query:
        queryset = search(queryset, query)
    chosen: dict[str, str] = {}
    if (congress_id := _int_or_none(params.get("congress"))) is not None:
        queryset = queryset.filter(congress_id=congress_id)
        chosen["congress"] = str(congress_id)
    if (session_id := _int_or_none(params.get("session"))) is not None:
        queryset = queryset.filter(session_id=session_id)
        chosen["session"] = str(session_id)
    if params.get("state") in PUBLIC_STATES:
        queryset = queryset.filter(state=params["state"])
        chosen["state"] = params["state"]
    if (unit_id := _int_or_none(params.get("unit"))) is not None:
        queryset = queryset.filter(
            pk__in=Assignment.objects.filter(unit_id=unit_id).values("suggestion_id")
        )
        chosen["unit"] = str(unit_id)
    if params.get("category"):
        queryset = queryset.filter(topic=params["category"])
        chosen["category"] = params["category"]
    if params.get("reply_category") in ReplyCategory.values:
        queryset = queryset.filter(
            pk__in=Reply.objects.published()
            .filter(category=params["reply_category"])
            .values("suggestion_id")
        )
        chosen["reply_category"] = params["reply_category"]
    if params.get("key") == "1":
        queryset = queryset.filter(
            pk__in=SupervisionPlan.suggestions.through.objects.values("suggestion_id")
        )
        chosen["key"] = "1"

    paginator = Paginator(queryset.prefetch_related(*_list_prefetches()), PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    keep = {k: v for k, v in chosen.items()}
    if query:
        keep["q"] = query
    context = {
        "page": page,
        "rows": [(s, next_steps(s)) for s in page.object_list],
        "query": query,
        "chosen": chosen,
        "keep_query": "&".join(f"{k}={v}" for k, v in keep.items()),
        "congresses": Congress.objects.all(),
        "sessions": Session.objects.select_related("term__congress"),
        "states": [(value, label) for value, label in State.choices if value in PUBLIC_STATES],
        "units": HandlingUnit.objects.filter(
            pk__in=Assignment.objects.filter(suggestion__in=Suggestion.objects.public()).values(
                "unit_id"
            )
        ),
        "categories": Suggestion.objects.public()
        .exclude(topic="")
        .order_by("topic")
        .values_list("topic", flat=True)
        .distinct(),
        "reply_categories": ReplyCategory.choices,
    }
    return render(request, "web/public/list.html", context)


def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        suggestion = (
            Suggestion.objects.public()
            .select_related(
                "congress",
                "term",
                "session",
                "lead_deputy__person",
                "lead_deputy__delegation",
                "merged_into",
                "source",
            )
            .prefetch_related(
                Prefetch(
                    "cosignatures",
                    queryset=CoSignature.objects.filter(confirmed_at__isnull=False).select_related(
                        "deputy__person"
                    ),
                ),
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.select_related("unit").order_by(
                        "role", "unit__name"
                    ),
                ),
                Prefetch("replies", queryset=Reply.objects.select_related("assignment__unit")),
                Prefetch("outcomes", queryset=Outcome.objects.select_related("source")),
                Prefetch(
                    "supervision_plans",
                    queryset=SupervisionPlan.objects.select_related("committee", "lead_unit"),
                ),
                Prefetch(
                    "supervision_plans__activities",
                    queryset=SupervisionActivity.objects.filter(is_public=True),
                ),
                "follow_up_reviews",
                "links_out__to_suggestion",
                "links_in__from_suggestion",
            )
            .get(pk=pk)
        )
    except Suggestion.DoesNotExist:
        raise Http404(_("没有这件公开的建议。")) from None

    private_values = deputy_contact_values(suggestion)
    replies = [
        (reply, public_reply_text(reply, private_values))
        for reply in suggestion.replies.all()
        if reply.published_at is not None and not reply.withheld
    ]
    links = [
        (link.get_kind_display(), link.to_suggestion, link.note, _("本建议→"))
        for link in suggestion.links_out.all()
        if is_public(link.to_suggestion)
    ] + [
        (link.get_kind_display(), link.from_suggestion, link.note, _("→本建议"))
        for link in suggestion.links_in.all()
        if is_public(link.from_suggestion)
    ]
    events = list(selectors.public_events(suggestion).select_related("actor__person"))
    for event in events:
        event.suggestion = suggestion  # already loaded; avoids a query per event
    events = access.present_events(access.PUBLIC, events)
    context = {
        "suggestion": suggestion,
        "events": events,
        "replies": replies,
        "links": links,
        "next_steps": next_steps(suggestion),
        "merged_into_public": bool(suggestion.merged_into and is_public(suggestion.merged_into)),
    }
    return render(request, "web/public/detail.html", context)
