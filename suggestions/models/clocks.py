"""How each stored due date was counted (start and period), so that a change of the working-day
calendar — a year's schedule entered, a day corrected — counts every open one again, whatever
its unit or the congress's settings since."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from suggestions.deadlines import Deadline, Period, WorkingCalendar
from suggestions.rulesets import Clock, CongressRules

from .handling import Assignment, AssignmentStatus, ContactRecord, Reply, UnitRole
from .suggestion import State, Suggestion


class ClockField(models.TextChoices):
    """The stored due dates, by the field that holds them."""

    SUGGESTION_ASSIGNMENT = "suggestion.assignment_due_on", _("交办期限")
    ASSIGNMENT_DUE = "assignment.due_on", _("办理期限")
    ASSIGNMENT_RETURN = "assignment.return_due_on", _("退办期限")
    ASSIGNMENT_CONTACT = "assignment.contact_due_on", _("联系代表期限")
    ASSIGNMENT_REHANDLING = "assignment.rehandling_due_on", _("重新办理期限")
    REVISION = "suggestion.revision_due_on", _("修改期限")
    EVALUATION = "suggestion.evaluation_due_on", _("满意度测评期限")
    PUBLICATION = "reply.publish_due_on", _("答复公开期限")


# The rule each stored due date is counted by, where its field alone says it.
FIELD_CLOCKS = {
    ClockField.ASSIGNMENT_RETURN: Clock.RETURN,
    ClockField.ASSIGNMENT_CONTACT: Clock.CONTACT,
    ClockField.ASSIGNMENT_REHANDLING: Clock.REHANDLING,
    ClockField.REVISION: Clock.REVISION,
    ClockField.EVALUATION: Clock.EVALUATION,
    ClockField.PUBLICATION: Clock.PUBLICATION,
}

# The explanation stored next to each due date.
EXPLANATION_FIELDS = {
    ClockField.SUGGESTION_ASSIGNMENT: "assignment_explanation",
    ClockField.ASSIGNMENT_DUE: "due_explanation",
    ClockField.ASSIGNMENT_RETURN: "return_explanation",
    ClockField.ASSIGNMENT_CONTACT: "contact_explanation",
    ClockField.ASSIGNMENT_REHANDLING: "rehandling_explanation",
    ClockField.REVISION: "revision_explanation",
    ClockField.EVALUATION: "evaluation_explanation",
    ClockField.PUBLICATION: "publish_explanation",
}


def open_conditions() -> dict[ClockField, Q]:
    """When each due date still binds someone: only those are counted again. The contact
    clock binds the replying unit until it records a contact, as its reminders do."""
    active = Q(assignment__status=AssignmentStatus.ACTIVE)
    handling = (State.ASSIGNED, State.REHANDLING)
    contacted = Exists(ContactRecord.objects.filter(assignment=OuterRef("assignment")))
    return {
        ClockField.SUGGESTION_ASSIGNMENT: Q(
            suggestion__state__in=(State.SUBMITTED, State.REGISTERED)
        ),
        ClockField.ASSIGNMENT_DUE: active & Q(suggestion__state__in=handling),
        ClockField.ASSIGNMENT_RETURN: active & Q(suggestion__state=State.ASSIGNED),
        ClockField.ASSIGNMENT_CONTACT: active & Q(suggestion__state__in=handling) & ~Q(contacted),
        ClockField.ASSIGNMENT_REHANDLING: active & Q(suggestion__state=State.REHANDLING),
        ClockField.REVISION: Q(suggestion__state=State.RETURNED),
        ClockField.EVALUATION: Q(suggestion__state=State.REPLIED),
        ClockField.PUBLICATION: Q(reply__published_at__isnull=True, reply__withheld=False),
    }


class DeadlineClockQuerySet(models.QuerySet):
    def open(self) -> DeadlineClockQuerySet:
        """The clocks of due dates that still bind someone."""
        condition = Q()
        for field, binds in open_conditions().items():
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
    # Staff set this item's period (an extension of fewer months than the rule allows, a
    # reviewer's revision days): a change of the congress's rules leaves it as it is.
    granted = models.BooleanField(_("期间由工作人员确定"), default=False)

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

    @property
    def clock(self) -> Clock:
        """The rule of the congress's rule set this due date is counted by."""
        if self.field == ClockField.ASSIGNMENT_DUE:
            if self.assignment.role == UnitRole.CO:
                return Clock.CO_OPINION
            return Clock.EXTENDED_REPLY if self.assignment.extended else Clock.REPLY
        if self.field == ClockField.SUGGESTION_ASSIGNMENT:
            if self.suggestion.session_id is None:
                return Clock.RECESS_ASSIGNMENT
            return Clock.SESSION_ASSIGNMENT
        return FIELD_CLOCKS[self.field]

    def count(self, rules: CongressRules, calendar_: WorkingCalendar) -> Deadline | None:
        """The due date counted again as the service that stored it counts it: by the
        congress's `rules` now, with their citation, or by the period staff granted for this
        item; None when the rules have no such clock."""
        clock = self.clock
        granted = Period.parse(self.period) if self.granted else None
        if clock is Clock.EXTENDED_REPLY:
            return rules.extended_deadline(self.start, granted, calendar_=calendar_)
        if clock is Clock.REVISION:
            return rules.revision_deadline(self.start, granted, calendar_=calendar_)
        if clock is Clock.REHANDLING:
            return rules.rehandling_deadline(self.start, calendar_=calendar_)
        label = gettext(self.start_label) if self.start_label else None
        return rules.deadline(clock, self.start, start_label=label, calendar_=calendar_)

    @classmethod
    def record(
        cls,
        field: ClockField,
        deadline: Deadline | None,
        *,
        start_label: str,
        suggestion: Suggestion,
        assignment: Assignment | None = None,
        reply: Reply | None = None,
        granted: bool = False,
    ) -> None:
        """Remember how `field` of the owner was just counted (replacing an earlier count);
        forget it when there is no due date (the congress's rules have no such clock)."""
        owner = {"suggestion": suggestion, "assignment": assignment, "reply": reply}
        if deadline is None:
            cls.objects.filter(field=field, **owner).delete()
            return
        cls.objects.update_or_create(
            field=field,
            **owner,
            defaults={
                "start": deadline.start,
                "period": str(deadline.period),
                "start_label": start_label,
                "granted": granted,
            },
        )
