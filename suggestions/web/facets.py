"""The public list's facet choices (congresses, sessions, units, topics, the congresses' own
reply categories), kept in the cache
under the public data version.

They are the same for every visitor and change only when a watched row is written, and every
such write bumps the data version (suggestions/api/public_cache.py). Read from the database
they cost four queries per list page (the topics a recursive index walk); from the cache, two
cache reads (the version, then the facets stored under it). An entry stored under an old
version is never read again and expires on its own. When the cache is down the facets are
read from the database.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from congress.models import Congress, Session
from suggestions import selectors
from suggestions.api.public_cache import data_version
from suggestions.models import ReplyCategory

logger = logging.getLogger(__name__)

KEY_PREFIX = "public-list:facets"
# Entries are keyed on the data version, so this bounds only how long a dead one is kept.
FACETS_SECONDS = 3600

Choices = list[tuple[object, str]]


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


def public_list_facets() -> dict[str, Choices]:
    """Each facet as (value, label) pairs: congresses, sessions, units and categories."""
    version = data_version()
    if version is None:  # the cache is down
        return _read()
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
