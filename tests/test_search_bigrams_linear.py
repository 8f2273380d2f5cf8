"""`suggestion_bigrams` (migration 0004) is linear in the text's length and returns exactly
what the quadratic definition of migration 0003 returned (PostgreSQL only)."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from suggestions.models import Suggestion
from tests import lifecycle

# The definition of migration 0003, as a temporary function to compare against.
QUADRATIC_BIGRAMS = """
CREATE FUNCTION pg_temp.quadratic_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(upper($1), i, 2)), '{}')
    FROM generate_series(1, char_length($1) - 1) AS i
$$
"""

SAMPLES = [
    "",
    "电",
    "ab",
    "电池",
    "关于把郴州打造成为“中国电池之都”的建议",
    "力争用10年时间，将郴州打造成为中国电池之都。电池电池",
    "Battery recycling: lithium-ion cells, 2025",
    "MiXeD case ÄÖü straße ǅ",
    "0123456789 2024年 3.5%",
    "消防\n救援 \t站点",
    "🔋电池🔋 emoji",
    "aaaaaa",
]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("suggestion_bigrams exists only on PostgreSQL")


def bigrams(function: str, text: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [text])
        return cursor.fetchone()[0]


def test_the_linear_function_returns_what_the_old_one_did(postgres_only):
    with connection.cursor() as cursor:
        cursor.execute(QUADRATIC_BIGRAMS)
    for text in SAMPLES:
        assert bigrams("suggestion_bigrams", text) == bigrams("pg_temp.quadratic_bigrams", text), (
            text
        )
    assert bigrams("suggestion_bigrams", "电池电池") == ["池电", "电池"]
    assert bigrams("suggestion_bigrams", "电") == []
    assert bigrams("suggestion_bigrams", "") == []


def test_a_32000_character_body_is_indexed_quickly_and_found(postgres_only, world):
    # Sanity bound, not a benchmark: the quadratic function took about 29 s for this text.
    body = ("建议加快电池回收体系建设，完善消防配套政策。" * 1500)[:32_000]
    started = time.monotonic()
    suggestion = lifecycle.registered(world, title="关于长篇建议的建议", body=body)
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"filing a 32,000-character suggestion took {elapsed:.1f} s"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM suggestions_suggestion "
            "WHERE suggestion_bigrams(title || ' ' || body) @> ARRAY['消防']"
        )
        assert cursor.fetchone()[0] == 1
    from suggestions.search import search_suggestions

    found = search_suggestions(Suggestion.objects.all(), "消防")
    assert list(found.values_list("pk", flat=True)) == [suggestion.pk]
