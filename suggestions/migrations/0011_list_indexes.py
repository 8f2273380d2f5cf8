"""Indexes for the pages' lists (PostgreSQL only; on SQLite this migration does nothing).

- `suggestion_public_topic`: public suggestions by (topic, filed_on DESC, id DESC). The list's
  topic facet hops from one topic to the next through it (`selectors.public_topics`, one
  index probe per topic instead of a DISTINCT over every public row), and a list narrowed to
  one topic reads its page from it in order.
- `suggestion_public_state`: public suggestions by state, so that the home page counts those
  in handling from the index alone.
- `assignment_open_due`: active responsible assignments by their binding deadline
  (`COALESCE(rehandling_due_on, due_on)`): the workbench's overdue queue reads its longest
  overdue rows first from it and stops after a page.
- `suggestion_replied_evaluation_due`: replied suggestions by evaluation deadline: the
  workbench's "awaiting evaluation" queue in order.
- `reply_to_follow_up`: suggestions with a B or C reply (the workbench's follow-up queue
  reads this small index instead of every reply).
- `assignment_unit_due`: a unit's active assignments by binding deadline: the unit inbox's
  open items in order.
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
    "suggestion_public_state": 'ON "suggestions_suggestion" ("state") WHERE ' + PUBLIC_ROW,
    "assignment_open_due": (
        'ON "suggestions_assignment" (COALESCE("rehandling_due_on", "due_on"), "id") '
        "WHERE \"status\" = 'active' AND \"role\" IN ('lead', 'separate')"
    ),
    "suggestion_replied_evaluation_due": (
        'ON "suggestions_suggestion" ("evaluation_due_on", "id") WHERE "state" = \'replied\''
    ),
    "reply_to_follow_up": (
        'ON "suggestions_reply" ("suggestion_id") WHERE "category" IN (\'B\', \'C\')'
    ),
    "assignment_unit_due": (
        'ON "suggestions_assignment" ("unit_id", COALESCE("rehandling_due_on", "due_on"), "id") '
        "WHERE \"status\" = 'active'"
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
        ("suggestions", "0010_ledger_export"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
