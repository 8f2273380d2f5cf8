"""Trigram indexes for Chinese substring search (PostgreSQL only; see suggestions/search.py).

Each index is a `gin_trgm_ops` index on the plain column, which serves `col LIKE '%…%'` and
`col ILIKE '%…%'` (the `trgm_contains` lookup in suggestions/search.py). A partial index
on the public list's ordering lets the public list read its first page without sorting every
public suggestion. On SQLite (and any other database) this migration does nothing.
"""

from django.db import migrations

# Frozen copy of suggestions.models.PUBLIC_STATES at the time of this migration.
PUBLIC_STATES = (
    "registered",
    "assigned",
    "replied",
    "rehandling",
    "closed",
    "follow_up",
    "completed",
    "merged",
)

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
            f'USING gin ("{column}" gin_trgm_ops)'
        )
    public_states = ", ".join(f"'{state}'" for state in PUBLIC_STATES)
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "suggestion_public_list" ON "suggestions_suggestion" '
        '("filed_on" DESC, "id" DESC) '
        f"WHERE \"state\" IN ({public_states}) AND \"withheld_reason\" = ''"
    )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    schema_editor.execute('DROP INDEX IF EXISTS "suggestion_public_list"')
    # The extension stays: other code may rely on it, and dropping it needs more rights.


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
