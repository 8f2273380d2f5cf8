"""`Assignment.has_open_work`: the unit still owes its part (reply or co-handling opinion) of
the current round of a suggestion in handling. Computed here for the existing rows (a frozen
copy of `models.handling.open_work_definition`), then indexed: the workbench's overdue queue
and a unit's to-do list read it instead of joining every past-due assignment to its
suggestion and replies (README, "Performance").

Also (PostgreSQL only, as in 0011) the workbench's review, register and assign queues in
order, so that their first page and capped count read at most 101 index entries instead of
every submitted or registered suggestion sorted:
- `suggestion_review_queue`: submitted suggestions never returned, by (filed_on, id);
- `suggestion_register_queue`: submitted suggestions revised after a return, likewise;
- `suggestion_assign_queue`: registered suggestions by (number, id).
"""

import django.db.models.functions.comparison
from django.db import migrations, models
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q

# Frozen copies of the values at the time of this migration.
HANDLING_STATES = ("assigned", "rehandling")


def compute_open_work(apps, schema_editor):
    Assignment = apps.get_model("suggestions", "Assignment")
    Suggestion = apps.get_model("suggestions", "Suggestion")
    Reply = apps.get_model("suggestions", "Reply")
    CoHandlingOpinion = apps.get_model("suggestions", "CoHandlingOpinion")
    in_handling = Exists(
        Suggestion.objects.filter(pk=OuterRef("suggestion_id"), state__in=HANDLING_STATES)
    )
    opinion = Exists(
        CoHandlingOpinion.objects.filter(
            assignment=OuterRef("pk"), round=F("assignment__suggestion__handling_round")
        )
    )
    reply = Exists(
        Reply.objects.filter(assignment=OuterRef("pk"), round=F("suggestion__handling_round"))
    )
    done = Q(opinion, role="co") | (~Q(role="co") & Q(reply))
    definition = Q(in_handling, status="active") & ~done
    Assignment.objects.filter(status="active").update(
        has_open_work=ExpressionWrapper(definition, output_field=BooleanField())
    )


QUEUE_INDEXES = {
    "suggestion_review_queue": (
        'ON "suggestions_suggestion" ("filed_on", "id") '
        "WHERE \"state\" = 'submitted' AND \"returned_at_version\" IS NULL"
    ),
    "suggestion_register_queue": (
        'ON "suggestions_suggestion" ("filed_on", "id") '
        "WHERE \"state\" = 'submitted' AND \"returned_at_version\" IS NOT NULL"
    ),
    "suggestion_assign_queue": (
        'ON "suggestions_suggestion" ("number", "id") WHERE "state" = \'registered\''
    ),
}


def create_queue_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in QUEUE_INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" {definition}')


def drop_queue_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in QUEUE_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("congress", "0001_initial"),
        ("suggestions", "0011_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="has_open_work",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="本单位尚欠本轮的答复或协办意见",
                verbose_name="本轮待办",
            ),
        ),
        migrations.RunPython(compute_open_work, migrations.RunPython.noop),
        migrations.RunPython(create_queue_indexes, drop_queue_indexes),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce("rehandling_due_on", "due_on"),
                models.F("id"),
                condition=models.Q(("has_open_work", True), ("role__in", ["lead", "separate"])),
                name="assignment_overdue_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                models.F("unit"),
                django.db.models.functions.comparison.Coalesce("rehandling_due_on", "due_on"),
                models.F("id"),
                condition=models.Q(("has_open_work", True)),
                name="assignment_unit_open_work",
            ),
        ),
    ]
