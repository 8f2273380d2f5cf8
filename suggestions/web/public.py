"""Public pages (no login): home, the list with search and facets, one suggestion, statistics.

Only what `Suggestion.objects.public()` admits is listed, and a suggestion's page shows its
public projection (suggestions/public_projection.py), the same one the public API returns.
Each page runs a constant number of queries whatever the number of suggestions.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from congress.models import Congress
from suggestions import public_projection, selectors
from suggestions.annotations import key_supervised
from suggestions.api.pagination import COUNT_CAP, CountIn
from suggestions.deadlines import remember_entered_years
from suggestions.models import (
    NATIONAL_REPLY_CATEGORIES,
    PUBLIC_STATES,
    Assignment,
    AssignmentStatus,
    Reply,
    State,
    Suggestion,
)
from suggestions.params import int_param
from suggestions.search import public_search_newest_first, search_suggestions, search_terms

from .facets import public_list_reference
from .paging import bounded_page, capped_count
from .public_rows import public_list_rows

PAGE_SIZE = 20


def search(queryset: QuerySet[Suggestion], query: str) -> QuerySet[Suggestion]:
    """The one search function shared with the API."""
    return search_suggestions(queryset, query)


def _listed(queryset: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """What a list row shows: without the body, with whether it is 重点督办 (an EXISTS in the
    rows' query, read by templatetags/list_rows.py) and the active units."""
    return (
        queryset.defer("body")
        .annotate(listed_as_key=key_supervised())
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(status=AssignmentStatus.ACTIVE)
                .select_related("unit")
                .order_by("role", "unit__name"),
            )
        )
    )


def home(request: HttpRequest) -> HttpResponse:
    public = Suggestion.objects.public()
    # The home page's rows show no next steps: only what the row itself shows is read.
    latest = _listed(selectors.public_suggestions())[:6]
    context = {
        "latest": [(s, None) for s in latest],
        # Counts stop at COUNT_CAP (shown as "10000+"): an exact count reads every row.
        "total": capped_count(public),
        "in_handling": capped_count(public.filter(state__in=[State.ASSIGNED, State.REHANDLING])),
        "key_count": capped_count(public.filter(key_supervised())),
        "congresses": Congress.objects.all(),
        "count_cap": COUNT_CAP,
    }
    return render(request, "web/public/home.html", context)


FACETS = ("congress", "session", "state", "unit", "category", "reply_category", "key")


def _reply_category_options(congress_id: int | None, facets: dict) -> list[tuple[str, str]]:
    """The reply categories a visitor may filter by: the chosen congress's set, or with no
    congress chosen every congress's codes (the national default first), one entry a code."""
    national = [(code, label) for code, label, _promise in NATIONAL_REPLY_CATEGORIES]
    own = facets["own_reply_categories"]
    if congress_id is not None:
        if congress_id not in {pk for pk, _name in facets["congresses"]}:
            return []
        labels = [(code, label) for pk, code, label in own if pk == congress_id] or national
    else:
        by_code = sorted(own, key=lambda row: (row[1], row[0]))
        labels = national + [(code, label) for _pk, code, label in by_code]
    options: dict[str, str] = {}
    for code, label in labels:
        options.setdefault(code, gettext(label))
    return list(options.items())


def _filtered(
    params, queryset: QuerySet[Suggestion], reply_categories: list[tuple[str, str]]
) -> tuple[QuerySet[Suggestion], dict]:
    """`queryset` narrowed by the facets chosen in `params`, and those choices."""
    chosen: dict[str, str] = {}
    if (congress_id := int_param(params, "congress")) is not None:
        queryset = queryset.filter(congress_id=congress_id)
        chosen["congress"] = str(congress_id)
    if (session_id := int_param(params, "session")) is not None:
        queryset = queryset.filter(session_id=session_id)
        chosen["session"] = str(session_id)
    if params.get("state") in PUBLIC_STATES:
        queryset = queryset.filter(state=params["state"])
        chosen["state"] = params["state"]
    if (unit_id := int_param(params, "unit")) is not None:
        queryset = queryset.filter(
            pk__in=Assignment.objects.filter(unit_id=unit_id).values("suggestion_id")
        )
        chosen["unit"] = str(unit_id)
    if params.get("category"):
        queryset = queryset.filter(topic=params["category"])
        chosen["category"] = params["category"]
    if params.get("reply_category") in {code for code, _label in reply_categories}:
        queryset = queryset.filter(
            pk__in=Reply.objects.published()
            .filter(category=params["reply_category"])
            .values("suggestion_id")
        )
        chosen["reply_category"] = params["reply_category"]
    if params.get("key") == "1":
        queryset = queryset.filter(key_supervised())
        chosen["key"] = "1"
    return queryset, chosen


def suggestion_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    queryset = Suggestion.objects.public().order_by("-filed_on", "-pk")
    query = params.get("q", "").strip()
    if query:
        queryset = search(queryset, query)
    facets, names = public_list_reference()
    # The rows' next steps mark due dates counted over an estimated calendar.
    remember_entered_years(names.entered_years)
    reply_categories = _reply_category_options(int_param(params, "congress"), facets)
    queryset, chosen = _filtered(params, queryset, reply_categories)
    if not chosen and (documents := public_search_newest_first(query)) is not None:
        # The plain search, in this order: a page of the search documents is the same page,
        # read from one table (suggestions/search.py).
        queryset = documents
    # The page's ids with the count (the public-list index serves them; a search reads and
    # counts every match anyway), then those rows (public_rows.py).
    page = bounded_page(
        queryset,
        int_param(params, "page") or 1,
        PAGE_SIZE,
        count_in=CountIn.WINDOW if search_terms(query) else CountIn.SUBQUERY,
    )
    rows = public_list_rows(page.object_list, names)
    context = {
        "page": page,
        "count_cap": COUNT_CAP,
        "rows": rows,
        "query": query,
        "chosen": chosen,
        "states": [(value, label) for value, label in State.choices if value in PUBLIC_STATES],
        **facets,
        "reply_categories": reply_categories,
    }
    return render(request, "web/public/list.html", context)


def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = public_projection.public_detail(pk)
    if suggestion is None:
        raise Http404(_("没有这件公开的建议。"))
    projected = public_projection.project(suggestion)
    context = {"suggestion": projected, "events": projected.timeline}
    return render(request, "web/public/detail.html", context)
