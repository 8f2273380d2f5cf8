"""Page-number pagination whose count stops at COUNT_CAP.

An exact COUNT(*) over every public suggestion costs more than reading a page of them once
the table is large (100,000 rows: ~60 ms on PostgreSQL against ~1 ms for the page). Counting
stops at COUNT_CAP rows instead (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`); when there are
more, `count` is COUNT_CAP and `count_capped` is true, and the pages beyond the cap are not
served — narrow the list with filters or a search instead.
"""

from __future__ import annotations

from enum import Enum

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, IntegerField, QuerySet, Subquery, Window
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from suggestions.params import int_param

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if hasattr(queryset, "query"):
            # Only the primary keys: annotations and joins the page needs do not count.
            return queryset.values("pk").order_by()[: COUNT_CAP + 1].count()
        return len(queryset)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class CappedCount(Subquery):
    """``(SELECT COUNT(*) FROM (the queryset's ids, at most cap + 1))``: the capped
    count as a column of another query. It depends on nothing outside itself, so the
    database computes it once per query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, cap: int = COUNT_CAP) -> None:
        super().__init__(queryset.values("pk").order_by()[: cap + 1])


class CountIn(Enum):
    """How a page of ids counts its rows, when not in a query of its own."""

    # COUNT(*) OVER () over every row: for a search, which reads and sorts every match anyway.
    WINDOW = "window"
    # A CappedCount column: for a list whose first rows an index serves without reading the
    # rest; the count still stops at the cap, in the same round trip as the page.
    SUBQUERY = "subquery"


class IdPagePaginator(CappedCountPaginator):
    """Pages of primary keys only; the view fetches the rows for those keys.

    With ``count_in`` the count comes from the page query itself (see CountIn), saving a
    query; a page beyond the end still needs the count on its own, to say so.
    """

    cap = COUNT_CAP

    def __init__(self, object_list: QuerySet, per_page, *, count_in: CountIn | None = None):
        super().__init__(object_list, per_page)
        self.count_in = count_in

    def page(self, number):
        if self.count_in is None:
            page = super().page(number)
            page.object_list = list(page.object_list.values_list("pk", flat=True))
            return page
        number = self.validate_number_floor(number)
        bottom = (number - 1) * self.per_page
        if bottom > self.cap:
            raise EmptyPage(self.error_messages["no_results"])
        total = (
            Window(Count("*"))
            if self.count_in is CountIn.WINDOW
            else CappedCount(self.object_list, self.cap)
        )
        rows = list(
            self.object_list.annotate(total_matches=total).values_list("pk", "total_matches")[
                bottom : bottom + self.per_page
            ]
        )
        if rows:
            self.__dict__["count"] = min(rows[0][1], self.cap + 1)
            if self.count_in is CountIn.SUBQUERY:
                # As Paginator.page does: the last page ends at the count (cap + 1).
                rows = rows[: self.count - bottom]
        elif number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        else:
            self.__dict__["count"] = 0
        return self._get_page([pk for pk, _total in rows], number, self)

    def validate_number_floor(self, number) -> int:
        """`validate_number` without the upper bound, which would need the count first."""
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedCountPaginator

    # DRF ignores a malformed page size and answers a malformed page number with 404; both
    # are refused here with a 400 naming the parameter (suggestions/params.py).
    def get_page_size(self, request) -> int:
        size = int_param(request.query_params, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_page_number(self, request, paginator) -> int:
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return paginator.num_pages
        return int_param(request.query_params, self.page_query_param) or 1

    def paginate_ids(self, queryset: QuerySet, request, view, *, count_in: CountIn | None):
        """Like `paginate_queryset`, but the page holds primary keys (see IdPagePaginator)."""
        self.django_paginator_class = lambda object_list, per_page: IdPagePaginator(
            object_list, per_page, count_in=count_in
        )
        try:
            return self.paginate_queryset(queryset, request, view)
        finally:
            del self.django_paginator_class

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": min(paginator.count, COUNT_CAP),
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"True when there are more than {COUNT_CAP} rows; count is then "
            f"{COUNT_CAP} and later pages are not served.",
        }
        response["required"] = [*response.get("required", []), "count_capped"]
        return response
