"""Trigram indexes for Chinese substring search (PostgreSQL only; see suggestions/search.py).

Each index is on UPPER(column::text), the expression Django's `icontains` lookup emits on
PostgreSQL, so the planner can answer `UPPER(col::text) LIKE UPPER('%电池之都%')` from it.
On SQLite (and any other database) this migration does nothing.
"""

from django.db import migrations

INDEXES = [
    ("suggestion_title_trgm", "suggestions_suggestion", "title"),
    ("suggestion_body_trgm", "suggestions_suggestion", "body"),
    ("version_title_trgm", "suggestions_version", "title"),
    ("version_body_trgm", "suggestions_version", "body"),
    ("reply_text_trgm", "suggestions_reply", "text"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The extension stays: other code may rely on it, and dropping it needs more rights.


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
