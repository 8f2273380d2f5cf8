"""Chinese substring search over suggestions: one function used by the pages and the API.

Chinese has no spaces between words, so the search is a substring search, not a word search:
a query is split on whitespace (ASCII or the full-width space) into terms, and a suggestion
matches when EVERY term occurs somewhere in its texts (terms are AND-ed; each term may match a
different text). Matching is case-insensitive for Latin letters.

Texts searched
    * the suggestion's current title and body;
    * its replies: for the public only published, not withheld replies, and not through a
      passage that staff redacted before publication;
    * with ``include_internal=True`` (staff, deputies, units — the caller decides) also every
      version's title and body and every reply, published or not.

Databases
    * PostgreSQL: migration ``0002_search_trgm`` creates the ``pg_trgm`` extension and GIN
      trigram indexes on ``UPPER(column)`` — the exact expression Django's ``icontains``
      emits — so a term of three or more characters is answered from the index (bitmap index
      scan). A one- or two-character term (电池, 消防) has no complete trigram, so PostgreSQL
      answers it by scanning the rows; the result is the same, only slower. pg_trgm only
      sees CJK characters when the database's LC_CTYPE classifies them as letters (any UTF-8
      locale does; plain "C"/"POSIX" does not): `check_trigram_cjk_support` tests this at
      start and reports clearly when it is not so — search stays correct, indexes go unused.
    * SQLite (the embedded default): the same ``icontains`` lookups (``LIKE … ESCAPE``), no
      index; adequate for the small databases SQLite is meant for.
"""

from __future__ import annotations

import logging

from django.db import connections
from django.db.models import Q, QuerySet

from suggestions.models import Reply, Suggestion, Version

logger = logging.getLogger(__name__)

# Bounds so that a pasted essay cannot turn into a query with hundreds of LIKE clauses.
MAX_TERMS = 8
MAX_TERM_LENGTH = 100


def search_terms(query: str | None) -> list[str]:
    """The distinct whitespace-separated terms of `query`, in order, bounded in number and
    length. ``"电池  消防"`` → ``["电池", "消防"]``."""
    terms: list[str] = []
    for raw in (query or "").split():
        term = raw[:MAX_TERM_LENGTH]
        if term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return terms


def _term_condition(term: str, *, include_internal: bool) -> Q:
    # Each text is matched in its own `pk IN (subquery)` so that PostgreSQL can answer every
    # subquery from that table's trigram index and combine them as hashed sets; one OR over
    # columns of several tables would force a scan of every suggestion.
    own_text = Suggestion.objects.filter(Q(title__icontains=term) | Q(body__icontains=term))
    replies = Reply.objects.filter(text__icontains=term)
    if not include_internal:
        # A hit inside a redacted passage would reveal that the passage exists.
        replies = replies.published().exclude(redactions__icontains=term)
    condition = Q(pk__in=own_text.values("pk")) | Q(pk__in=replies.values("suggestion_id"))
    if include_internal:
        versions = Version.objects.filter(Q(title__icontains=term) | Q(body__icontains=term))
        condition |= Q(pk__in=versions.values("suggestion_id"))
    return condition


def search_suggestions(
    queryset: QuerySet[Suggestion], query: str | None, *, include_internal: bool = False
) -> QuerySet[Suggestion]:
    """Narrow `queryset` to the suggestions whose texts contain every term of `query`.

    An empty or blank query returns `queryset` unchanged. The result keeps the queryset's
    ordering, select_related and visibility filters: pass ``Suggestion.objects.public()`` (or
    a selector built on it) for the public, and keep ``include_internal`` False for them.
    """
    terms = search_terms(query)
    if not terms:
        return queryset
    condition = Q()
    for term in terms:
        condition &= _term_condition(term, include_internal=include_internal)
    return queryset.filter(condition)


# ---- PostgreSQL: can pg_trgm see Chinese characters? ----

CJK_PROBE = "电池"


def trigram_cjk_support(using: str = "default") -> bool | None:
    """True when pg_trgm extracts trigrams from Chinese text on database `using`; False when
    the database locale hides CJK characters from it; None when the question does not apply
    (not PostgreSQL, or pg_trgm not installed yet — run migrate)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT show_trgm(%s)", [CJK_PROBE])
        trigrams = cursor.fetchone()[0]
    return bool(trigrams)


def trigram_cjk_problem(using: str = "default") -> str | None:
    """A clear English explanation when pg_trgm cannot index Chinese on `using`, else None."""
    if trigram_cjk_support(using) is not False:
        return None
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()"
        )
        collate, ctype = cursor.fetchone()
    return (
        f"pg_trgm cannot see Chinese characters in database "
        f"{connection.settings_dict.get('NAME')!r}: show_trgm('{CJK_PROBE}') is empty because "
        f"the database locale (LC_COLLATE={collate}, LC_CTYPE={ctype}) does not classify CJK "
        "characters as letters. Suggestion search still returns correct results, but the "
        "trigram indexes cannot be used for Chinese terms, so every search scans all rows. "
        "Recreate the database with a UTF-8 locale, e.g. "
        "CREATE DATABASE … ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
        "TEMPLATE template0."
    )
