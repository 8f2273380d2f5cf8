"""How much a user may write and which dates a user may enter: the numbers in one place.

The models (``max_length``, also on text fields, so ModelForms, the admin and
ModelSerializers pick them up), the forms, the API's input serializers (so the OpenAPI schema
states ``maxLength``) and the services (the one gate every write passes) all read these.
Lengths count characters, not bytes.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# ---- text lengths ----

# A suggestion's text and a unit's reply: the longest real ones run to some 10,000
# characters; the bound leaves room for five times that and keeps one row well under a MB.
LONG_TEXT = 50_000
BODY = LONG_TEXT
REPLY_TEXT = LONG_TEXT
REDACTIONS = LONG_TEXT
CO_OPINION = 20_000
# Written accounts: review comments, contact notes, findings, descriptions, plan notes,
# citizen opinions, link notes.
NOTES = 10_000
# The reason or comment given with one act (withdrawal, return, refusal, extension, rating…).
REASON = 2_000
TITLE = 300
THEME = 200  # a supervision plan's theme, a supervision activity's title
WITHHELD_REASON = 200
NAME = 100  # an organisation or a person's position named in a record
TOPIC = 50
SIGNER = 50

# ---- integers ----

# The largest integer both PostgreSQL (bigint) and SQLite store: an id or a page number beyond
# it is refused before it reaches a query (SQLite would raise OverflowError).
MAX_ID = 2**63 - 1

MAX_REVISION_DAYS = 90
MAX_EXTENSION_MONTHS = 24

# ---- dates ----

# Nothing in this system happened before the founding of the People's Republic.
EARLIEST_DATE = dt.date(1949, 10, 1)
# Planned dates (due dates, supervision deadlines, calendar corrections) reach at most to the
# end of the year this many years ahead.
PLANNING_YEARS = 5


def latest_planned_date(today: dt.date) -> dt.date:
    return dt.date(today.year + PLANNING_YEARS, 12, 31)


def date_problem(
    value: dt.date, *, past_act: bool, label: str, today: dt.date | None = None
) -> str | None:
    """Why `value` is not a sane date for a field named `label`, or None.

    ``past_act``: the date records something already done (a contact, an assignment, an
    outcome), so it may not lie after today; otherwise it is a planned date."""
    today = today or timezone.localdate()
    if value < EARLIEST_DATE:
        return _("%(label)s不能早于 %(earliest)s，收到 %(value)s") % {
            "label": label,
            "earliest": EARLIEST_DATE.isoformat(),
            "value": value.isoformat(),
        }
    if past_act and value > today:
        return _("%(label)s不能晚于今天（%(today)s），收到 %(value)s") % {
            "label": label,
            "today": today.isoformat(),
            "value": value.isoformat(),
        }
    latest = latest_planned_date(today)
    if not past_act and value > latest:
        return _("%(label)s不能晚于 %(latest)s，收到 %(value)s") % {
            "label": label,
            "latest": latest.isoformat(),
            "value": value.isoformat(),
        }
    return None


@deconstructible
class DateRangeValidator:
    """The date validator of model fields, form fields and serializer fields."""

    def __init__(self, *, past_act: bool, label: str = "") -> None:
        self.past_act = past_act
        self.label = label

    def __call__(self, value: dt.date | None) -> None:
        if value is None:
            return
        problem = date_problem(value, past_act=self.past_act, label=str(self.label or _("日期")))
        if problem:
            raise ValidationError(problem, code="date_out_of_range")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DateRangeValidator)
            and self.past_act == other.past_act
            and self.label == other.label
        )

    def __hash__(self) -> int:
        return hash((self.past_act, str(self.label)))


PAST_DATE = DateRangeValidator(past_act=True)
PLANNED_DATE = DateRangeValidator(past_act=False)
