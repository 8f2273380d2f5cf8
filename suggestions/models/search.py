"""The public search document: what the public search matches, one row per suggestion.

PostgreSQL only keeps it (database triggers of migration ``0016_search_documents``, in the
writer's own transaction, for every write however it is made); elsewhere the table stays
empty and is never read. See suggestions/search.py for why it exists.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from suggestions import limits

from .suggestion import Suggestion, SuggestionQuerySet


class SearchDocumentQuerySet(models.QuerySet):
    def public(self) -> SearchDocumentQuerySet:
        # The document copies the columns Suggestion.objects.public() reads, under the same
        # names, so the one definition of "public" applies to it unchanged.
        return self.filter(SuggestionQuerySet.public_condition())


class SearchDocument(models.Model):
    """A suggestion's current title and body and the published text (`Reply.public_text`) of
    its published replies, joined by spaces (a search term never holds a space, so no term
    matches across two texts), with the columns that decide whether the public sees it and
    the public list's sort key. Never written by Django: the triggers maintain it."""

    # No database constraint and no cascade from Django: the triggers delete the document
    # with its suggestion (a cascade would race the replies' triggers re-creating it).
    suggestion = models.OneToOneField(
        Suggestion,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    state = models.CharField(max_length=50)
    withheld_reason = models.CharField(max_length=limits.WITHHELD_REASON, blank=True)
    filed_on = models.DateField(null=True)
    text = models.TextField()

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("检索文档")
        verbose_name_plural = _("检索文档")

    def __str__(self) -> str:
        return str(self.suggestion_id)
