"""Bounded pagination for the pages' lists: the count stops at COUNT_CAP (as the API's,
suggestions/api/pagination.py), page numbers are clamped to what exists and to the cap, and a
page holds primary keys first, so that its rows (with their joins and prefetches) are read for
those keys only. No page's time grows with the number of rows behind it: an exact COUNT(*)
and a deep OFFSET over a joined queryset both did (README, "Performance")."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.core.paginator import EmptyPage, Page
from django.db.models import Model, QuerySet
from django.utils.functional import cached_property

from suggestions.api.pagination import COUNT_CAP, CountIn, IdPagePaginator


class BoundedPaginator(IdPagePaginator):
    """Pages of primary keys; the count stops at `cap` + 1, no page beyond the first `cap`
    rows."""

    def __init__(self, object_list: QuerySet, per_page: int, *, cap: int, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return max(1, math.ceil(min(self.count, self.cap) / self.per_page))


def bounded_page(
    queryset: QuerySet,
    number: int,
    per_page: int,
    *,
    cap: int = COUNT_CAP,
    count_in: CountIn | None = None,
) -> Page:
    """Page `number` of `queryset` as primary keys. A number beyond the last page (or beyond
    the cap) gives the last page, as Django's `get_page` does; `page.paginator.capped` tells
    that the count stopped at `cap`. `count_in` counts in the page's own query, up to `cap`
    (suggestions/api/pagination.py, CountIn)."""
    paginator = BoundedPaginator(queryset, per_page, cap=cap, count_in=count_in)
    number = min(max(number, 1), cap // per_page)
    try:
        return paginator.page(number)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def rows_for(page: Page, queryset: QuerySet) -> list[Model]:
    """The rows of `page` (primary keys) from `queryset`, in the page's order."""
    ids: Sequence[int] = page.object_list
    by_pk = {row.pk: row for row in queryset.filter(pk__in=list(ids))}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows `queryset` has, counting no further than `cap` + 1 (a result above
    `cap` reads "more than `cap`")."""
    return queryset.values("pk").order_by()[: cap + 1].count()
