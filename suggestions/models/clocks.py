"""How each stored due date was counted (start and period), so that a change of the working-day
calendar — a year's schedule entered, a day corrected — counts every open one again, whatever
its unit or the congress's settings since."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from suggestions.deadlines import Deadline

from .handling import Assignment, AssignmentStatus, Reply, UnitRole
from .suggestion import State, Suggestion


class ClockField(models.TextChoices):
    """The stored due dates, by the field that holds them."""

    ASSIGNMENT_DUE = "assignment.due_on", _("办理期限")
    ASSIGNMENT_RETURN = "assignment.return_due_on", _("退办期限")
    ASSIGNMENT_REHANDLING = "assignment.rehandling_due_on", _("重新办理期限")
    REVISION = "suggestion.revision_due_on", _("修改期限")
    EVALUATION = "suggestion.evaluation_due_on", _("满意度测评期限")
    PUBLICATION = "reply.publish_due_on", _("答复公开期限")


# A field's explanation, where one is stored next to it.
EXPLANATION_FIELDS = {
    ClockField.ASSIGNMENT_DUE: "due_explanation",
    ClockField.ASSIGNMENT_REHANDLING: "rehandling_explanation",
}

_HANDLING = (State.ASSIGNED, State.REHANDLING)
_ACTIVE = Q(assignment__status=AssignmentStatus.ACTIVE)

# When a due date still binds someone: only those are counted again.
OPEN = {
    ClockField.ASSIGNMENT_DUE: _ACTIVE & Q(suggestion__state__in=_HANDLING),
    ClockField.ASSIGNMENT_RETURN: _ACTIVE & Q(suggestion__state=State.ASSIGNED),
    ClockField.ASSIGNMENT_REHANDLING: _ACTIVE & Q(suggestion__state=State.REHANDLING),
    ClockField.REVISION: Q(suggestion__state=State.RETURNED),
    ClockField.EVALUATION: Q(suggestion__state=State.REPLIED),
    ClockField.PUBLICATION: Q(reply__published_at__isnull=True, reply__withheld=False),
}


class DeadlineClockQuerySet(models.QuerySet):
    def open(self) -> DeadlineClockQuerySet:
        """The clocks of due dates that still bind someone."""
        condition = Q()
        for field, binds in OPEN.items():
            condition |= Q(field=field) & binds
        return self.filter(condition)


class DeadlineClock(models.Model):
    """The start and period of one stored due date. Written by the service that stores the
    date, replaced when it computes that date again (an extension, a new round)."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="clocks"
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("交办"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="clocks",
    )
    reply = models.ForeignKey(
        Reply,
        verbose_name=_("答复"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="clocks",
    )
    field = models.CharField(_("期限"), max_length=40, choices=ClockField.choices)
    start = models.DateField(_("起算日"))
    period = models.CharField(_("期间"), max_length=8, help_text=_("例如：3m、10d、7wd"))
    # What started the clock (交办, 答复, …) as the explanation names it.
    start_label = models.CharField(_("起算事由"), max_length=50, blank=True)

    objects = DeadlineClockQuerySet.as_manager()

    class Meta:
        verbose_name = _("期限计算依据")
        verbose_name_plural = _("期限计算依据")
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "field"],
                condition=Q(assignment__isnull=True, reply__isnull=True),
                name="one_clock_per_suggestion_field",
            ),
            models.UniqueConstraint(
                fields=["assignment", "field"],
                condition=Q(assignment__isnull=False),
                name="one_clock_per_assignment_field",
            ),
            models.UniqueConstraint(
                fields=["reply", "field"],
                condition=Q(reply__isnull=False),
                name="one_clock_per_reply_field",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.start} + {self.period}"

    @property
    def owner(self) -> models.Model:
        """The row that stores the due date."""
        if self.assignment_id:
            return self.assignment
        if self.reply_id:
            return self.reply
        return self.suggestion

    def describe(self) -> str:
        """What the due date is, naming the unit it binds: 郴州市人民政府办理期限."""
        if not self.assignment_id:
            return str(self.get_field_display())
        if self.field == ClockField.ASSIGNMENT_DUE and self.assignment.role == UnitRole.CO:
            label = _("协办意见期限")
        else:
            label = self.get_field_display()
        return f"{self.assignment.unit.name}{label}"

    @property
    def attribute(self) -> str:
        return self.field.split(".", 1)[1]

    @classmethod
    def record(
        cls,
        field: ClockField,
        deadline: Deadline,
        *,
        start_label: str,
        suggestion: Suggestion,
        assignment: Assignment | None = None,
        reply: Reply | None = None,
    ) -> None:
        """Remember how `field` of the owner was just counted (replacing an earlier count)."""
        cls.objects.update_or_create(
            suggestion=suggestion,
            assignment=assignment,
            reply=reply,
            field=field,
            defaults={
                "start": deadline.start,
                "period": str(deadline.period),
                "start_label": start_label,
            },
        )
