"""The statistics rollup (suggestions/statistics/): stored counts, their lock, and the marks of
writes not yet counted. Written only by `suggestions.statistics.rollup`."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congress.models import Congress, Session


class StatisticsRefresh(models.Model):
    """One row per congress: the lock a refresh holds (so that one worker refreshes a congress
    at a time) and when its snapshots were last computed."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("统计时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("统计刷新")
        verbose_name_plural = _("统计刷新")

    def __str__(self) -> str:
        return f"{self.congress_id} @ {self.computed_at}"


class StatisticsSnapshot(models.Model):
    """The counts `statistics.compute` gave for one congress, one audience and either the whole
    congress (`session` empty: the congress, each session, each unit) or one session (that
    session and each unit's share of it), as of `computed_at`, with `computed_for` the day
    the date-dependent figures (overdue, due by now) were counted for."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    public_only = models.BooleanField()
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    counts = models.JSONField()
    computed_at = models.DateTimeField()
    computed_for = models.DateField()

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        constraints = [
            models.UniqueConstraint(
                fields=["congress", "public_only", "session"],
                name="unique_statistics_snapshot_per_session",
            ),
            models.UniqueConstraint(
                fields=["congress", "public_only"],
                condition=models.Q(session__isnull=True),
                name="unique_statistics_snapshot_per_congress",
            ),
        ]

    def __str__(self) -> str:
        audience = "public" if self.public_only else "staff"
        return f"{self.congress_id}/{self.session_id or '-'}/{audience} @ {self.computed_at}"


class StatisticsChange(models.Model):
    """A write that changed what a congress's statistics count, made after its snapshots were
    computed: the congress is dirty while it has one. Inserted in the writer's transaction
    (insert-only, so concurrent writers never wait for one another) and deleted by the refresh
    that counts it."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("统计待更新标记")
        verbose_name_plural = _("统计待更新标记")

    def __str__(self) -> str:
        return f"{self.congress_id} @ {self.at}"
