"""`Assignment.has_open_work`: the unit still owes its part (reply or co-handling opinion) of
the current round of a suggestion in handling. Computed here for the existing rows (a frozen
copy of `models.handling.open_work_definition`), then indexed: the workbench's overdue queue
and a unit's to-do list read it instead of joining every past-due assignment to its
suggestion and replies (README, "Performance")."""

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
