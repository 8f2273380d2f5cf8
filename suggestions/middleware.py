"""Refuse malformed query parameters before and while a view reads them (suggestions/params.py).

A NUL character anywhere in the query string is refused before any view runs; a
`BadQueryParameter` a page raises becomes the same answer. Pages get an HTML page with the
message, the API (under API_PREFIX) its JSON error shape; both with status 400.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from suggestions.api.exceptions import error_body
from suggestions.params import BadQueryParameter, nul_parameter

# Where congress/urls.py mounts the API.
API_PREFIX = "/api/"


def bad_parameter_response(request: HttpRequest, error: BadQueryParameter) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            error_body("invalid", error.message, {error.parameter: [error.message]}), status=400
        )
    return render(request, "web/bad_request.html", {"message": error.message}, status=400)


class QueryParameterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        error = nul_parameter(request.GET)
        if error is not None:
            return bad_parameter_response(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadQueryParameter):
            return bad_parameter_response(request, exception)
        return None
