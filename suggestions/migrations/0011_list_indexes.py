"""Indexes for the pages' lists (PostgreSQL only; on SQLite this migration does nothing).

- `suggestion_public_topic`: public suggestions by (topic, filed_on DESC, id DESC). The list's
  topic facet hops from one topic to the next through it (`selectors.public_topics`, one
  index probe per topic instead of a DISTINCT over every public row), and a list narrowed to
  one topic reads its page from it in order.
"""

from django.db import migrations

# Frozen copy of suggestions.models.PUBLIC_STATES (the condition of `public()`).
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
PUBLIC_ROW = "\"state\" IN ({}) AND \"withheld_reason\" = ''".format(
    ", ".join(f"'{state}'" for state in PUBLIC_STATES)
)

INDEXES = {
    "suggestion_public_topic": (
        'ON "suggestions_suggestion" ("topic", "filed_on" DESC, "id" DESC) WHERE ' + PUBLIC_ROW
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" {definition}')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0008_public_projection"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
