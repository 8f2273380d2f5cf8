"""History that the database itself keeps (PostgreSQL; on SQLite only the PROTECT foreign keys
and the Python guards of `Event` apply).

- Events: every UPDATE and DELETE of a ``suggestions_event`` row raises.
- Versions: a version may be changed only while it is an unsubmitted draft text
  (``submitted_at`` IS NULL: the deputy is still writing it, or it is being submitted); once
  submitted it is frozen. No version is ever deleted.
- The suggestion foreign keys of events, versions, assignments, replies and evaluations become
  PROTECT, so ``Suggestion.delete()`` of a suggestion with a history raises ProtectedError
  instead of cascading; a version's author account becomes PROTECT too (SET_NULL would
  rewrite a frozen version).

The triggers raise SQLSTATE 23001 (restrict_violation), which Django reports as IntegrityError.
TRUNCATE is deliberately not blocked: it is a table privilege that an application's database
role should not hold (``REVOKE TRUNCATE``), and the test runner's flush between transactional
tests truncates every table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# No "%" in this SQL: the schema editor passes it through client-side parameter merging.
FUNCTIONS = """
CREATE OR REPLACE FUNCTION suggestions_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'restrict_violation',
        MESSAGE = 'suggestions_event ' || TG_OP || ' refused: events are append-only (row id '
            || OLD.id || ')';
END;
$$;

CREATE OR REPLACE FUNCTION suggestions_version_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.submitted_at IS NULL THEN
        RETURN NEW;  -- a draft text, not history yet
    END IF;
    RAISE EXCEPTION USING
        ERRCODE = 'restrict_violation',
        MESSAGE = 'suggestions_version ' || TG_OP || ' refused: submitted versions are frozen '
            || 'and no version is deleted (row id ' || OLD.id || ')';
END;
$$;
"""

TRIGGERS = [
    ("suggestions_event_append_only", "suggestions_event", "suggestions_event_append_only"),
    ("suggestions_version_frozen", "suggestions_version", "suggestions_version_frozen"),
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS)
    for name, table, function in TRIGGERS:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        schema_editor.execute(
            f'CREATE TRIGGER "{name}" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, function in TRIGGERS:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0003_search_bigrams"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="assignment",
            name="suggestion",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assignments",
                to="suggestions.suggestion",
                verbose_name="建议",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="suggestion",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="evaluations",
                to="suggestions.suggestion",
                verbose_name="建议",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="suggestion",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="suggestions.suggestion",
                verbose_name="建议",
            ),
        ),
        migrations.AlterField(
            model_name="reply",
            name="suggestion",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="replies",
                to="suggestions.suggestion",
                verbose_name="建议",
            ),
        ),
        migrations.AlterField(
            model_name="version",
            name="revised_by_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="修改人账号",
            ),
        ),
        migrations.AlterField(
            model_name="version",
            name="suggestion",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="versions",
                to="suggestions.suggestion",
                verbose_name="建议",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
