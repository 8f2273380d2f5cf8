"""Chinese substring search over suggestions: one function used by the pages and the API.

Chinese has no spaces between words, so the search is a substring search, not a word search:
a query is split on whitespace (ASCII or the full-width space) into terms, and a suggestion
matches when EVERY term occurs somewhere in its texts (terms are AND-ed; each term may match a
different text). Matching is case-insensitive for Latin letters.

Texts searched
    * the suggestion's current title and body;
    * its replies: for the public only published, not withheld replies, matched on their
      published text (``Reply.public_text``: staff-marked passages, phone numbers, addresses
      and the deputies' contact details removed — suggestions/public_projection/), so a
      search can never find, or rebuild character by character, what the page hides;
    * for a signed-in reader's working set (``scope=access.search_scope(user)``) also the
      versions and the full reply texts that reader may read — and nothing they may not:
      staff never match a draft or a revision in progress, a co-signer never an unpublished
      reply.

Databases
    * PostgreSQL: migration ``0002_search_trgm`` creates the ``pg_trgm`` extension and GIN
      trigram indexes (``gin_trgm_ops``) on the searched columns (``0008_public_projection``
      adds those of ``Reply.public_text``), and `TrigramContains`
      matches with ``LIKE``/``ILIKE``, which those indexes serve, so a term of three or more
      characters is answered from the index (bitmap index scans, one per text). Each term's
      matching ids are collected first and then looked up by primary key
      (`InMatchingIds`: ``id = ANY(ARRAY(…))``), so the cost follows the number of matches,
      not of suggestions. A two-character term (电池, 消防) has no complete
      trigram; migration ``0003_search_bigrams`` indexes every text's two-character
      substrings (``suggestion_bigrams``, linear in the text's length since
      ``0004_bounded_input``), and `BigramsContain` adds that index condition
      for a caseless two-character term, with the ``LIKE`` kept as the exact recheck. A
      one-character term (or a two-letter Latin one) is still answered by scanning the
      rows: the result is the same, only slower (see tests/benchmarks/bench_api.py).
      pg_trgm only sees CJK characters when the database's LC_CTYPE classifies them as
      letters (any UTF-8 locale does; plain "C"/"POSIX" does not): `check_trigram_cjk_support` tests this at
      start and reports clearly when it is not so — search stays correct, indexes go unused.
    * PostgreSQL, the public's search: every text the public search matches is also in the
      suggestion's search document (`SearchDocument`, migration ``0016_search_documents``:
      title, body and the published replies' published texts, joined by spaces, with the
      columns ``public()`` reads and ``filed_on``; database triggers rewrite it in the
      writer's transaction), under one trigram and one bigram index. So a public search
      is one bitmap index scan of one table (`_matching_documents`), and the plain search in
      the public list's order is paged from the documents alone
      (`public_search_newest_first`): ids, whether each is public and the sort key, without
      looking up ~2,000 suggestions by id for a common term (at 100,000 suggestions the
      page query went from ~17 ms to ~3–4 ms). With facets or another ordering,
      `search_suggestions` filters the suggestions by the matching documents' ids.
      Signed-in readers' searches (a scope) still match the texts themselves, as above.
    * SQLite (the embedded default): plain ``icontains`` (``LIKE … ESCAPE``), no index;
      adequate for the small databases SQLite is meant for.
"""

from __future__ import annotations

import logging

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import BooleanField, CharField, Expression, F, Q, QuerySet, TextField
from django.db.models.lookups import IContains, Lookup

from suggestions.access import SearchScope
from suggestions.models import Reply, SearchDocument, Suggestion, Version

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


class TrigramContains(IContains):
    """``field__trgm_contains=term``: a substring match the trigram indexes can serve.

    Elsewhere it is exactly ``icontains``. On PostgreSQL it is ``col LIKE '%term%'`` when the
    term has no upper/lower case (Chinese, digits: case folding cannot change the result and
    would only cost time) and ``col ILIKE '%term%'`` otherwise; both are answered by a
    ``gin_trgm_ops`` index on the plain column. (Django's own ``icontains`` compares
    ``UPPER(col)``, which such an index cannot serve.) Wildcards in the term are escaped."""

    def as_postgresql(self, compiler, connection):
        lhs_sql, params = Lookup.process_lhs(self, compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        params = [*params, *rhs_params]
        term = str(self.rhs)
        operator = "LIKE" if term.lower() == term.upper() else "ILIKE"
        return f"{lhs_sql}::text {operator} {rhs_sql}", params


CharField.register_lookup(TrigramContains, lookup_name="trgm_contains")
TextField.register_lookup(TrigramContains, lookup_name="trgm_contains")


# A term of this length has no complete trigram; on PostgreSQL the bigram indexes serve it.
BIGRAM_TERM_LENGTH = 2


class BigramsContain(Expression):
    """``suggestion_bigrams(col1 || ' ' || col2 …) @> ARRAY[upper(term)]`` (PostgreSQL only).

    The expression is exactly the one indexed by migration ``0003_search_bigrams`` (GIN
    index on ``suggestion_bigrams(…)``; the function as redefined by ``0004_bounded_input``),
    so PostgreSQL answers it from that index. It is a
    pre-filter, not the match itself: every text containing the term passes it, and the
    caller keeps the ``trgm_contains`` condition as the exact recheck."""

    output_field = BooleanField()

    def __init__(self, *columns: str, term: str):
        super().__init__()
        self.columns = [F(column) for column in columns]
        self.term = term

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotImplementedError("suggestion_bigrams exists only on PostgreSQL")
        parts: list[str] = []
        params: list = []
        for column in self.columns:
            sql, column_params = compiler.compile(column)
            parts.append(sql)
            params.extend(column_params)
        texts = " || ' ' || ".join(parts)
        return f"suggestion_bigrams({texts}) @> ARRAY[%s]::text[]", [*params, self.term.upper()]


def _bigram_prefilter(term: str, *columns: str, use_bigrams: bool) -> Q:
    """The bigram index condition for a two-character term without letter case (Chinese,
    digits), else an empty Q. A term with case is left to ILIKE: the index folds with
    upper() and ILIKE with lower(), which differ for a few letters (e.g. the Kelvin sign),
    so only for a caseless term is the pre-filter guaranteed to keep every match."""
    caseless = term.lower() == term.upper()
    if use_bigrams and caseless and len(term) == BIGRAM_TERM_LENGTH:
        return Q(BigramsContain(*columns, term=term))
    return Q()


class InMatchingIds(Lookup):
    """``pk = ANY(ARRAY(matching ids))`` (PostgreSQL only): the ids are computed once, from
    the text indexes, and the suggestions are then fetched by primary key.

    The equivalent ``pk IN (subquery)`` leaves the join order to the planner, which, once it
    expects a few thousand matches (a common four-character term), hash-joins them against a
    sequential scan of every public suggestion (at 100,000 suggestions: 36 ms of a 50 ms
    search, and growing with the table). An array parameter is estimated as a handful of
    values, so the planner always probes the primary key instead: the cost follows the
    number of matches."""

    lookup_name = "in_matching_ids"
    prepare_rhs = False

    def __init__(self, lhs, matching: QuerySet):
        super().__init__(lhs, ArraySubquery(matching))

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = ANY({rhs_sql})", [*lhs_params, *rhs_params]


def _matching_ids(term: str, *, scope: SearchScope | None, use_bigrams: bool) -> QuerySet:
    """The ids of the suggestions whose searched texts contain `term` (a UNION)."""
    # Each table is matched in its own subquery so that PostgreSQL can answer it from that
    # table's trigram (or bigram) indexes; one OR over columns of several tables would force
    # a scan of every suggestion.
    own_text = Suggestion.objects.filter(
        _bigram_prefilter(term, "title", "body", use_bigrams=use_bigrams),
        Q(title__trgm_contains=term) | Q(body__trgm_contains=term),
    )
    # Everyone matches published replies on their published text only: a hit inside a
    # redacted passage would reveal what the page hides.
    published = Reply.objects.published().filter(
        _bigram_prefilter(term, "public_text", use_bigrams=use_bigrams),
        public_text__trgm_contains=term,
    )
    matching = [published.values("suggestion_id").order_by()]
    if scope is None:
        matching.append(own_text.values("pk").order_by())
    else:
        full = Reply.objects.filter(
            scope.full_replies,
            _bigram_prefilter(term, "text", use_bigrams=use_bigrams),
            text__trgm_contains=term,
        )
        matching.append(own_text.filter(scope.current_text).values("pk").order_by())
        matching.append(full.values("suggestion_id").order_by())
        versions = Version.objects.filter(
            scope.versions,
            _bigram_prefilter(term, "title", "body", use_bigrams=use_bigrams),
            Q(title__trgm_contains=term) | Q(body__trgm_contains=term),
        )
        matching.append(versions.values("suggestion_id").order_by())
    return matching[0].union(*matching[1:])


def _document_matches(term: str) -> Q:
    return _bigram_prefilter(term, "text", use_bigrams=True) & Q(text__trgm_contains=term)


def _matching_documents(terms: list[str]) -> QuerySet[SearchDocument]:
    """The search documents (PostgreSQL) that contain every one of `terms`."""
    documents = SearchDocument.objects.all()
    for term in terms:
        documents = documents.filter(_document_matches(term))
    return documents


def public_search_newest_first(query: str | None) -> QuerySet[SearchDocument] | None:
    """On PostgreSQL, for a query with terms: the search documents of the public suggestions
    matching `query`, in the public list's order (newest filed first, then highest id). Their
    primary keys are the suggestions' ids, so a page of them is a page of the public search
    — the same ids in the same order as ``search_suggestions(public().order_by("-filed_on",
    "-id"), query)`` — read from one table, without looking up any suggestion. None
    elsewhere, or without terms: use `search_suggestions`."""
    terms = search_terms(query)
    if not terms or connections[SearchDocument.objects.db].vendor != "postgresql":
        return None
    return _matching_documents(terms).public().order_by("-filed_on", "-pk")


def search_suggestions(
    queryset: QuerySet[Suggestion], query: str | None, *, scope: SearchScope | None = None
) -> QuerySet[Suggestion]:
    """Narrow `queryset` to the suggestions whose texts contain every term of `query`.

    An empty or blank query returns `queryset` unchanged. The result keeps the queryset's
    ordering, select_related and visibility filters: pass ``Suggestion.objects.public()`` (or
    a selector built on it) for the public with no `scope`; a signed-in reader's working
    set with ``access.search_scope(user)``, so that only texts they may read are matched.
    """
    terms = search_terms(query)
    if not terms:
        return queryset
    # The bigram function and indexes exist only on PostgreSQL (migration 0003).
    on_postgresql = connections[queryset.db].vendor == "postgresql"
    if on_postgresql and scope is None:
        # The public's texts are all in the search documents: one index scan of one table.
        documents = _matching_documents(terms).values("pk")
        return queryset.filter(InMatchingIds(F("pk"), documents))
    matching = [_matching_ids(term, scope=scope, use_bigrams=on_postgresql) for term in terms]
    condition = Q()
    if on_postgresql:
        # The database builds the first term's (small) set of matching ids from the indexes
        # and looks those suggestions up by id; the other terms are tested on those rows
        # only. (Two `= ANY` arrays on one index scan cost PostgreSQL 15 time quadratic in
        # their lengths.)
        condition = Q(InMatchingIds(F("pk"), matching.pop(0)))
    for matching_ids in matching:
        condition &= Q(pk__in=matching_ids)
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
