"""The shape of a seed file, validated with pydantic before anything is written.

A seed file is YAML with any of these top-level sections, processed in this order:
`sources`, `congresses`, `people`, `suggestions`, `supervision_plans`, `links`; plus `source`,
the key of the SourceArticle that every record of the file cites unless it names its own.

Unknown fields, missing required values, bad dates and unknown choice values are refused here,
with the path of the row (e.g. `suggestions[0].versions[2]`). References to other records
(a congress, a unit, a suggestion key) are checked when the file is written, inside its
transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from congress.models import Level
from suggestions.models import (
    ActivityKind,
    DatePrecision,
    LinkKind,
    OutcomeKind,
    RevisedBy,
    State,
    UnitRole,
)

# A partial date as the articles give it: (first day, precision), or None when unknown.
PartialDateValue = tuple[dt.date, str]

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_partial_date(value: Any) -> PartialDateValue | None:
    """2024-04-17 → day, 2022-08 → month (stored as the 1st), 2024 → year (stored as 1 Jan)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise ValueError(_("写日期即可，不要带时间"))
    if isinstance(value, dt.date):
        return value, DatePrecision.DAY
    if isinstance(value, tuple):  # already parsed (model re-validation)
        return value
    text = str(value).strip()
    try:
        if match := _DAY.match(text):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day), DatePrecision.DAY
        if match := _MONTH.match(text):
            year, month = (int(g) for g in match.groups())
            return dt.date(year, month, 1), DatePrecision.MONTH
        if match := _YEAR.match(text):
            return dt.date(int(match.group(1)), 1, 1), DatePrecision.YEAR
    except ValueError:
        raise ValueError(_("「%(text)s」不是存在的日期") % {"text": text}) from None
    raise ValueError(_("「%(text)s」不是日期；请写成 2021-12-30、2023-01 或 2024") % {"text": text})


def parse_full_date(value: Any) -> dt.date | None:
    parsed = parse_partial_date(value)
    if parsed is None:
        return None
    date, precision = parsed
    if precision != DatePrecision.DAY:
        raise ValueError(_("此处须写完整日期（如 2021-12-30）；只知道年月时请留空"))
    return date


# YAML folds a `>-` block by joining its lines with a space; between Chinese characters that
# space is an artefact, not text.
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》"
_FOLD_SPACE = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


def unfold_cjk(text: str) -> str:
    return _FOLD_SPACE.sub("", text)


def choice(enum: type[models.TextChoices]):
    allowed = list(enum.values)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(
                _("「%(value)s」不是可选值；可选：%(allowed)s")
                % {"value": value, "allowed": ", ".join(allowed)}
            )
        return value

    return AfterValidator(check)


PartialDate = Annotated[PartialDateValue | None, BeforeValidator(parse_partial_date)]
FullDate = Annotated[dt.date | None, BeforeValidator(parse_full_date)]
Prose = Annotated[str, AfterValidator(unfold_cjk)]
Name = Annotated[str, Field(min_length=1, max_length=300)]
Key = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class SourcedRow(Row):
    """A row that becomes a SourcedModel record: its own key and source are optional."""

    key: Key | None = None
    source: str | None = None


# ---- institutions ----


class SourceRow(Row):
    key: Key
    title: Name
    publication: str = ""
    authors: str = ""
    published: PartialDate = None
    file_name: str = ""


class SessionRow(Row):
    number: int = Field(ge=1)
    name: Name
    opened_on: FullDate = None
    closed_on: FullDate = None


class TermRow(Row):
    number: int = Field(ge=1)
    name: Name
    started_on: FullDate = None
    ended_on: FullDate = None
    sessions: list[SessionRow] = []


class CommitteeRow(Row):
    name: Name
    short_name: str = ""


class ContactStationRow(Row):
    name: Name
    address: str = ""


class CongressRow(Row):
    name: Name
    short_name: str = ""
    level: Annotated[str, choice(Level)]
    region: Name
    parent: str | None = None
    standing_committee_name: str = ""
    terms: list[TermRow] = []
    delegations: list[Name] = []
    committees: list[CommitteeRow] = []
    handling_units: list[Name] = []
    contact_stations: list[ContactStationRow] = []


class MandateRow(Row):
    congress: Name
    term: Name
    delegation: str | None = None
    occupation: str = ""


class PersonRow(Row):
    name: Name
    mandates: list[MandateRow] = []


# ---- suggestion work ----


class VersionRow(SourcedRow):
    number: int = Field(ge=1)
    title: Name
    body: Prose = ""
    revised_by_kind: Annotated[str, choice(RevisedBy)]
    revised_by_name: str = ""
    reason: Prose = ""


class AssignmentRow(SourcedRow):
    unit: Name
    role: Annotated[str, choice(UnitRole)]
    assigned_on: FullDate = None
    due_on: FullDate = None


class EventRow(SourcedRow):
    date: PartialDate = None
    action: Annotated[str, Field(min_length=1, max_length=40)]
    action_label: Annotated[str, Field(min_length=1, max_length=100)]
    actor_name: str = ""
    reason: Prose = ""
    is_public: bool = True


class OutcomeRow(SourcedRow):
    kind: Annotated[str, choice(OutcomeKind)]
    title: Name
    issuing_body: str = ""
    date: PartialDate = None
    description: Prose = ""
    # Whether the title names a document (shown in 《》 on the timeline); default: by kind.
    document: bool | None = None


class CitizenOpinionRow(SourcedRow):
    summary: Annotated[Prose, Field(min_length=1)]
    date: PartialDate = None
    contact_station: str | None = None
    collected_by: str | None = None


class FollowUpReviewRow(SourcedRow):
    date: PartialDate = None
    due_on: FullDate = None
    conducted_by: str = ""
    findings: Prose = ""
    is_done: bool = False


class SuggestionRow(SourcedRow):
    key: Key
    congress: Name
    term: Name
    session: str | None = None
    lead_deputy: Name
    topic: str = ""
    filed: PartialDate = None
    state: Annotated[str, choice(State)]
    import_note: Prose = ""
    versions: Annotated[list[VersionRow], Field(min_length=1)]
    assignments: list[AssignmentRow] = []
    events: list[EventRow] = []
    outcomes: list[OutcomeRow] = []
    citizen_opinions: list[CitizenOpinionRow] = []
    follow_up_reviews: list[FollowUpReviewRow] = []

    @model_validator(mode="after")
    def versions_in_order(self) -> SuggestionRow:
        numbers = [v.number for v in self.versions]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(
                _("versions 的 number 须依次为 1、2、3……，现为 %(numbers)s") % {"numbers": numbers}
            )
        return self


class ActivityRow(SourcedRow):
    kind: Annotated[str, choice(ActivityKind)]
    title: Name
    date: PartialDate = None
    conducted_by: str = ""
    description: Prose = ""
    is_public: bool = True


class PlanRow(SourcedRow):
    key: Key
    congress: Name
    theme: Name
    suggestions: Annotated[list[Key], Field(min_length=1)]
    decided_by: str = ""
    leader_title: str = ""
    committee: str | None = None
    supervising_body: str = ""
    lead_unit: str | None = None
    deadline: FullDate = None
    notes: Prose = ""
    activities: list[ActivityRow] = []


class LinkRow(SourcedRow):
    from_: Key = Field(alias="from")
    to: Key
    kind: Annotated[str, choice(LinkKind)]
    note: Prose = ""


class SeedFile(Row):
    source: str | None = None
    sources: list[SourceRow] = []
    congresses: list[CongressRow] = []
    people: list[PersonRow] = []
    suggestions: list[SuggestionRow] = []
    supervision_plans: list[PlanRow] = []
    links: list[LinkRow] = []
