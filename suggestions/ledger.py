"""台账: the staff's ledger of a session or a unit, one row per suggestion and assignment,
written as XLSX (openpyxl write-only) or CSV (UTF-8 with BOM, so Excel opens it in Chinese),
streaming: rows come from the database in chunks and are never all in memory.

A suggestion with three assignments is three rows; one not yet assigned is one row with the
unit columns empty. A unit's ledger has one row per assignment of that unit. Drafts are not
in any ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from congress.models import HandlingUnit, Session
from suggestions import access
from suggestions.annotations import key_supervised
from suggestions.models import (
    AssignmentStatus,
    Evaluation,
    Rating,
    Reply,
    State,
    Suggestion,
    UnitRole,
)

CHUNK_SIZE = 2000
DATE_FORMAT = "yyyy-mm-dd"
# A cell starting with one of these is run as a formula by Excel and LibreOffice
# (=HYPERLINK(…) in a title would be a live link or worse): OWASP's CSV injection guidance.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """Text that a spreadsheet would read as a formula, prefixed with ' so that it is shown as
    the text it is; every other value unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def ledger_headers() -> list[str]:
    return [
        _("会议"),
        _("建议编号"),
        _("标题"),
        _("领衔代表"),
        _("代表团"),
        _("类别"),
        _("提出日期"),
        _("状态"),
        _("重点督办"),
        _("承办单位"),
        _("承办方式"),
        _("交办状态"),
        _("交办日期"),
        _("办理期限"),
        _("是否延期"),
        _("答复类别"),
        _("答复日期"),
        _("是否按期答复"),
        _("满意度测评"),
    ]


def _scoped(
    *, readable: QuerySet[Suggestion], session: Session | None, unit: HandlingUnit | None
) -> QuerySet[Suggestion]:
    if (session is None) == (unit is None):
        raise ValueError("Give exactly one of session or unit.")
    if session is not None:
        return readable.filter(session=session)
    return readable.filter(assignments__unit=unit)


def ledger_row_count(
    *,
    readable: QuerySet[Suggestion],
    session: Session | None = None,
    unit: HandlingUnit | None = None,
) -> int:
    """How many rows `ledger_rows` yields, in one COUNT over the same joins (none of the
    per-row subqueries): a suggestion counts once per assignment, or once if it has none."""
    scoped = _scoped(readable=readable, session=session, unit=unit)
    return scoped.values_list("pk", "assignments__id").order_by().count()


def _ledger_queryset(
    *, readable: QuerySet[Suggestion], session: Session | None, unit: HandlingUnit | None
) -> QuerySet:
    suggestions = _scoped(readable=readable, session=session, unit=unit)
    latest_reply = Reply.objects.filter(assignment_id=OuterRef("assignment_id")).order_by(
        "-round", "-replied_at"
    )
    latest_rating = Evaluation.objects.filter(suggestion_id=OuterRef("pk")).order_by("-round")
    local = timezone.get_current_timezone()
    return (
        # The ledger is the congress's: the text it received, not a revision in progress.
        access.with_submitted_text(suggestions)
        .annotate(
            assignment_id=F("assignments__id"),
            key=key_supervised(),
            reply_category=Subquery(latest_reply.values("category")[:1]),
            reply_date=Subquery(
                latest_reply.annotate(d=TruncDate("replied_at", tzinfo=local)).values("d")[:1]
            ),
            rating=Subquery(latest_rating.values("rating")[:1]),
            role_order=Case(
                When(assignments__role=UnitRole.LEAD, then=Value(0)),
                When(assignments__role=UnitRole.SEPARATE, then=Value(1)),
                default=Value(2),
            ),
        )
        .values_list(
            "session__name",
            "number",
            "submitted_title",
            "lead_deputy__person__name",
            "lead_deputy__delegation__name",
            "topic",
            "filed_on",
            "state",
            "key",
            "assignments__unit__name",
            "assignments__role",
            "assignments__status",
            "assignments__assigned_on",
            "assignments__due_on",
            "assignments__extended",
            "reply_category",
            "reply_date",
            "rating",
        )
        .order_by(
            "session__term__number",
            "session__number",
            "number",
            "pk",
            "role_order",
            "assignments__unit__name",
        )
    )


def ledger_rows(
    *,
    readable: QuerySet[Suggestion],
    session: Session | None = None,
    unit: HandlingUnit | None = None,
) -> Iterator[list]:
    """The ledger's rows as Python values (dates as `datetime.date`), streamed in chunks.
    `readable` is what the reader may see (`access.readable_suggestions`)."""
    states = dict(State.choices)
    roles = dict(UnitRole.choices)
    statuses = dict(AssignmentStatus.choices)
    ratings = dict(Rating.choices)
    yes, no = _("是"), _("否")
    for row in _ledger_queryset(readable=readable, session=session, unit=unit).iterator(
        chunk_size=CHUNK_SIZE
    ):
        (
            session_name,
            number,
            title,
            deputy,
            delegation,
            topic,
            filed_on,
            state,
            key,
            unit_name,
            role,
            assignment_status,
            assigned_on,
            due_on,
            extended,
            category,
            reply_date,
            rating,
        ) = row
        on_time = (yes if reply_date <= due_on else no) if reply_date and due_on else ""
        yield [
            session_name or _("闭会期间"),
            number,
            title,
            deputy,
            delegation or "",
            topic,
            filed_on,
            str(states.get(state, state)),
            yes if key else no,
            unit_name or "",
            str(roles[role]) if role else "",
            str(statuses[assignment_status]) if assignment_status else "",
            assigned_on,
            due_on,
            (yes if extended else no) if unit_name else "",
            category or "",
            reply_date,
            on_time,
            str(ratings[rating]) if rating else "",
        ]


class _Echo:
    """A file-like object whose write() returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _csv_line(writer, row: list) -> str:
    return writer.writerow(
        ["" if v is None else v.isoformat() if isinstance(v, dt.date) else inert(v) for v in row]
    )


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """CSV lines of `rows` under the headers, starting with a BOM so that Excel reads the file
    as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(ledger_headers())
    for row in rows:
        yield _csv_line(writer, row)


def ledger_csv(*, readable, session=None, unit=None) -> Iterator[str]:
    """The ledger as CSV lines (see `csv_lines`)."""
    return csv_lines(ledger_rows(readable=readable, session=session, unit=unit))


def write_xlsx(rows: Iterable[list], output: IO[bytes]) -> None:
    """Write `rows` under the headers as an XLSX workbook to `output`. openpyxl's write-only
    mode streams rows to a temporary file, so memory stays flat for any size."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("台账"))
    sheet.freeze_panes = "A2"
    sheet.append(ledger_headers())
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                # openpyxl stores any text starting with "=" as a formula; inert() prevents it.
                cells.append(inert(value))
        sheet.append(cells)
    workbook.save(output)


def write_csv(rows: Iterable[list], output: IO[bytes]) -> None:
    """Write `rows` under the headers as UTF-8 CSV (with BOM) to `output`."""
    for line in csv_lines(rows):
        output.write(line.encode("utf-8"))


WRITERS = {"xlsx": write_xlsx, "csv": write_csv}


def ledger_xlsx(*, readable, session=None, unit=None) -> IO[bytes]:
    """The ledger as an XLSX workbook in an anonymous temporary file, rewound for reading."""
    # Closed (and so deleted) by the caller: FileResponse closes it after streaming.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(ledger_rows(readable=readable, session=session, unit=unit), output)
    output.seek(0)
    return output
