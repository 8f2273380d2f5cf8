"""The append-only timeline of a suggestion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .common import PartialDateModel, SourcedModel
from .suggestion import State, Suggestion


class AppendOnlyError(Exception):
    """Raised on any attempt to rewrite history."""


class EventQuerySet(models.QuerySet):
    def public(self) -> EventQuerySet:
        return self.filter(is_public=True)

    def update(self, **kwargs):
        raise AppendOnlyError("Events are append-only and cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Events are append-only and cannot be deleted.")


class Event(SourcedModel, PartialDateModel):
    """One step in a suggestion's history: a transition, or another recorded act.

    Historical steps taken from a source article carry `source`, a `date` of the precision the
    article gives, and the acting body in `actor_name`; live steps carry `actor` and
    `occurred_at`.
    """

    # PROTECT: a suggestion with a history cannot be deleted (the database refuses to delete
    # events anyway, see migration 0005_history_protected).
    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("建议"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=40)
    action_label = models.CharField(_("操作名称"), max_length=100)
    from_state = models.CharField(_("原状态"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作主体"), max_length=100, blank=True)
    reason = models.TextField(_("理由或说明"), blank=True)
    is_public = models.BooleanField(_("公开"), default=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["suggestion", "date", "occurred_at", "pk"]
        indexes = [models.Index(fields=["suggestion", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action_label} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Events are append-only and cannot be deleted.")

    @property
    def when_display(self) -> str:
        if self.occurred_at:
            from django.utils import timezone

            return timezone.localtime(self.occurred_at).strftime("%Y-%m-%d %H:%M")
        return self.date_display
