"""Bigram indexes for two-character search terms (PostgreSQL only; see suggestions/search.py).

pg_trgm cannot serve a two-character term such as 电池 or 消防: it has no complete trigram,
so the trigram indexes of 0002 would be read in full and PostgreSQL scans every row instead.
`suggestion_bigrams(text)` returns every distinct two-character substring of ``upper(text)``
and a GIN index on it answers ``suggestion_bigrams(…) @> ARRAY['消防']``; the search keeps
its ``LIKE`` condition as the exact recheck. One index per searched table, on the texts the
search matches there (the same texts 0002 indexes with trigrams). On SQLite (and any other
database) this migration does nothing.
"""

from django.db import migrations

BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION suggestion_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT substr(upper($1), i, 2)), '{}')
    FROM generate_series(1, char_length($1) - 1) AS i
$$
"""

# name, table, SQL expression; suggestions/search.py builds the same expressions (BigramsContain).
INDEXES = [
    ("suggestion_text_bigrams", "suggestions_suggestion", "\"title\" || ' ' || \"body\""),
    ("version_text_bigrams", "suggestions_version", "\"title\" || ' ' || \"body\""),
    ("reply_text_bigrams", "suggestions_reply", '"text"'),
]


def create_bigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BIGRAMS_FUNCTION)
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f"USING gin (suggestion_bigrams({expression}))"
        )


def drop_bigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS suggestion_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0002_search_trgm"),
    ]

    operations = [
        migrations.RunPython(create_bigram_indexes, drop_bigram_indexes),
    ]
