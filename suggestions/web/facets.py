"""What the public list reads of its reference rows, kept under the public data version: the
facet choices (congresses, sessions, units, topics, the congresses' own reply categories),
the names a row shows of where a suggestion was filed and who leads it, and the years whose
calendar staff entered, which tell a row's provisional due dates (`Names`).

They are the same for every visitor and change only when a watched row is written, and every
such write bumps the data version (suggestions/api/public_cache.py). Read from the database
they cost four queries per list page (the topics a recursive index walk); from the cache, two
cache reads (the version, then the facets stored under it), and each process keeps the last
facets it read with their version, so that, until the next write, a page costs only the
version's read. An entry stored under an old version is never read again and expires on its
own. When the cache is down the facets are read from the database.

The names are kept by each process only, with the facets: read with the rows, they were four
joins more in the rows' query, whose planning cost PostgreSQL about 0.5 ms a page; the entered
years were a query of their own whenever a row's next step fell due in a year the holiday
package does not know (suggestions/deadlines.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache

from congress.models import CalendarYear, Congress, Deputy, Session
from suggestions import selectors
from suggestions.api.public_cache import data_version
from suggestions.models import ReplyCategory

logger = logging.getLogger(__name__)

# Names what the entry holds: when that changes, so does the key, or an entry stored by the
# code before (under a data version still current at a deployment) would lack the new facets.
KEY_PREFIX = "public-list:facets:2"
# Entries are keyed on the data version, so this bounds only how long a dead one is kept.
FACETS_SECONDS = 3600

Choices = list[tuple[object, str]]


@dataclass(frozen=True)
class Names:
    """By primary key: each congress's name and short name, each session's name and each
    deputy's (the person's) name; and the years whose calendar staff entered
    (`deadlines.entered_years`)."""

    congresses: dict[int, tuple[str, str]]
    sessions: dict[int, str]
    deputies: dict[int, str]
    entered_years: frozenset[int]


def read_names() -> Names:
    return Names(
        congresses={
            pk: (name, short)
            for pk, name, short in Congress.objects.values_list("pk", "name", "short_name")
        },
        sessions=dict(Session.objects.values_list("pk", "name")),
        deputies=dict(Deputy.objects.values_list("pk", "person__name")),
        entered_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )


# The last facets and names this process read, with the data version they belong to.
_kept: tuple[int, dict[str, Choices], Names] | None = None


def _read() -> dict[str, Choices]:
    sessions = Session.objects.values_list(
        "pk", "term__congress__short_name", "term__congress__name", "name"
    )
    return {
        "congresses": list(Congress.objects.values_list("pk", "name")),
        # labelled as str(Session) labels them
        "sessions": [(pk, f"{short or name}{session}") for pk, short, name, session in sessions],
        "units": list(selectors.public_facet_units().values_list("pk", "name")),
        "categories": [(topic, topic) for topic in selectors.public_topics()],
        # (congress id, code, label) in each congress's order: the sets congresses entered;
        # a congress with none uses the national default (ReplyCategory.of).
        "own_reply_categories": list(
            ReplyCategory.objects.order_by("congress_id", "position", "code").values_list(
                "congress_id", "code", "label"
            )
        ),
    }


def public_list_reference() -> tuple[dict[str, Choices], Names]:
    """Each facet as (value, label) pairs (congresses, sessions, units and categories), and
    the names rows show."""
    version = data_version()
    if version is None:  # the cache is down
        return _read(), read_names()
    kept = _kept
    if kept is not None and kept[0] == version:
        return kept[1], kept[2]
    facets = _cached_facets(version)
    names = read_names()
    _keep(version, facets, names)
    return facets, names


def _cached_facets(version: int) -> dict[str, Choices]:
    key = f"{KEY_PREFIX}:{version}"
    try:
        facets = cache.get(key)
    except Exception as exc:  # the cache must never fail a page
        logger.warning("facet cache unavailable (%s: %s)", type(exc).__name__, exc)
        return _read()
    if facets is None:
        facets = _read()
        try:
            cache.set(key, facets, FACETS_SECONDS)
        except Exception as exc:
            logger.warning("facet cache unavailable (%s: %s)", type(exc).__name__, exc)
    return facets


def _keep(version: int, facets: dict[str, Choices], names: Names) -> None:
    global _kept
    _kept = (version, facets, names)
