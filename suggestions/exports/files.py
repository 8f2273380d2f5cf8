"""Names and download of export files (shared by the pages and the API)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from congress.models import HandlingUnit, Session
from suggestions import access
from suggestions.ledger import ledger_csv, ledger_xlsx
from suggestions.models import LedgerExport, Suggestion

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def ledger_filename(
    *, session: Session | None = None, unit: HandlingUnit | None = None, file_format: str
) -> str:
    name = str(session) if session is not None else unit.name
    return _("台账-%(name)s") % {"name": name} + f".{file_format}"


def download_response(user, job: LedgerExport) -> FileResponse:
    """The file of a finished job read through `job` as fetched by `access.ledger_export_for`
    (its owner, or a superuser). The owner must still be allowed to read that ledger: a clerk
    who left the congress keeps no files of it. Missing and forbidden read the same 404."""
    still_allowed = user.is_superuser or (
        access.ledger_readable(job.owner, session=job.session, unit=job.unit) is not None
    )
    if not (still_allowed and job.file):
        raise Http404(_("没有找到这项导出。"))
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("没有找到这项导出。")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=ledger_filename(session=job.session, unit=job.unit, file_format=job.file_format),
        content_type=CONTENT_TYPES[job.file_format],
    )


def ledger_file_response(
    *,
    readable: QuerySet[Suggestion],
    file_format: str,
    session: Session | None = None,
    unit: HandlingUnit | None = None,
) -> FileResponse | StreamingHttpResponse:
    """A ledger small enough to build within the request (`EXPORT_SYNC_LIMIT`), as the
    response: XLSX from a temporary file, CSV streamed line by line."""
    scope = {"readable": readable, "session": session, "unit": unit}
    filename = ledger_filename(session=session, unit=unit, file_format=file_format)
    if file_format == "xlsx":
        return FileResponse(
            ledger_xlsx(**scope),
            as_attachment=True,
            filename=filename,
            content_type=CONTENT_TYPES["xlsx"],
        )
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in ledger_csv(**scope)), content_type=CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
