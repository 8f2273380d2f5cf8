"""Pieces shared by the suggestion-work models: source citations, seed keys, partial dates."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from suggestions import limits


class DatePrecision(models.TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")
    YEAR = "year", _("年")


def format_partial_date(date: dt.date | None, precision: str) -> str:
    """The date at its precision in the active language's format, never with an invented
    day: a month-precision date reads '2022年8月' (English 'August 2022'), a year-precision
    one '2022年' ('2022'); '' when the date is unknown."""
    if date is None:
        return ""
    if precision == DatePrecision.YEAR:
        return gettext("%(year)d年") % {"year": date.year}
    if precision == DatePrecision.MONTH:
        return formats.date_format(date, "YEAR_MONTH_FORMAT")
    return formats.date_format(date, "DATE_FORMAT")


class SourceArticle(models.Model):
    """A published article that a seeded record was taken from."""

    key = models.SlugField(_("标识"), max_length=100, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    publication = models.CharField(_("刊载媒体"), max_length=100, blank=True)
    authors = models.CharField(_("作者"), max_length=200, blank=True)
    published_on = models.DateField(
        _("刊发日期"), null=True, blank=True, validators=[limits.PAST_DATE]
    )
    published_precision = models.CharField(
        _("日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    file_name = models.CharField(_("原文文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("来源文章")
        verbose_name_plural = _("来源文章")

    def __str__(self) -> str:
        return self.title


class SourcedModel(models.Model):
    """A record that may have been taken from a published article (the seed cases)."""

    seed_key = models.CharField(
        _("种子标识"), max_length=100, unique=True, null=True, blank=True, editable=False
    )
    source = models.ForeignKey(
        SourceArticle,
        verbose_name=_("来源"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class PartialDateModel(models.Model):
    """A date that the record may know only to the month or year (as the articles give it).
    Unknown dates stay empty rather than being invented."""

    date = models.DateField(_("日期"), null=True, blank=True, validators=[limits.PAST_DATE])
    date_precision = models.CharField(
        _("日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )

    class Meta:
        abstract = True

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)
