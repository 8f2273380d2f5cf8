"""Query-string parameters, read strictly: a malformed one is refused with a 400 naming it.

Pages and the API read their integer parameters (ids, page numbers) through `int_param`,
which refuses anything but plain decimal digits within range, so that neither a typo nor a
number too large for the database (SQLite raises OverflowError beyond 2**63 - 1) reaches a
query. `suggestions.middleware.QueryParameterMiddleware` refuses a NUL character anywhere in
the query string (PostgreSQL cannot compare text containing one) and answers a
`BadQueryParameter` raised by a page with an HTML page; the API answers it in its JSON error
shape (suggestions/api/exceptions.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.http import QueryDict
from django.utils.translation import gettext as _

from suggestions.limits import MAX_ID

DIGITS = re.compile(r"[0-9]+")
# How much of a refused value the message repeats.
ECHO_LENGTH = 40


class BadQueryParameter(Exception):
    """A query parameter that cannot be used; `message` names it and says why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def echo(value: str) -> str:
    """`value` shortened for a message."""
    return value if len(value) <= ECHO_LENGTH else value[:ECHO_LENGTH] + "…"


def int_param(
    params: Mapping[str, str], name: str, *, min_value: int = 1, max_value: int = MAX_ID
) -> int | None:
    """The integer value of query parameter `name`; None when absent or empty; otherwise
    BadQueryParameter unless it is plain digits between `min_value` and `max_value`."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if DIGITS.fullmatch(raw) is None or not min_value <= int(raw) <= max_value:
        raise BadQueryParameter(
            name,
            _("参数 %(name)s 须为 %(min)d 至 %(max)d 之间的整数，收到「%(value)s」")
            % {"name": name, "min": min_value, "max": max_value, "value": echo(raw)},
        )
    return int(raw)


def nul_parameter(query: QueryDict) -> BadQueryParameter | None:
    """The refusal for the first parameter whose name or value holds a NUL character."""
    for name, values in query.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            shown = name.replace("\x00", "\\0")
            return BadQueryParameter(
                shown, _("参数 %(name)s 含有空字符（NUL）") % {"name": echo(shown)}
            )
    return None
