"""One JSON shape for every API error: ``{"code": …, "message": …, "fields": {…}}``.

``code`` is stable (clients branch on it), ``message`` is for people (Chinese, from the
services), ``fields`` names the offending input fields (400 only).

* TransitionRefused (and TransitionConflict) → 409, code from the exception
  (illegal_state, condition_failed, concurrent_change, transition_refused, …);
* Django or DRF PermissionDenied → 403 ``permission_denied``; not logged in → 401
  ``not_authenticated``;
* Django or DRF ValidationError, or a malformed query parameter → 400 ``invalid`` with
  ``fields``;
* a request body over DATA_UPLOAD_MAX_MEMORY_SIZE (or with too many fields) → 400
  ``request_too_large``, naming the limit;
* anything DRF knows (404, 405, 415, …) → its status with DRF's code.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from suggestions.params import BadQueryParameter
from suggestions.services.errors import TransitionRefused


def _django_validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for error in errors for m in error.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → {"field" or "field.sub": [messages]}."""
    if isinstance(detail, dict):
        result: dict[str, list[str]] = {}
        for key, value in detail.items():
            result.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return result
    if isinstance(detail, list) and detail and all(isinstance(d, dict | list) for d in detail):
        result = {}
        for index, value in enumerate(detail):
            result.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return result
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def _summary(fields: dict[str, list[str]]) -> str:
    return _("；").join(
        messages[0] if field == "non_field_errors" else f"{field}: {messages[0]}"
        for field, messages in fields.items()
        if messages
    )


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def _request_too_large_body(exc: Exception) -> dict:
    if isinstance(exc, TooManyFieldsSent):
        message = _("请求的字段过多：上限为 %(limit)d 个（DATA_UPLOAD_MAX_NUMBER_FIELDS）") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    elif isinstance(exc, TooManyFilesSent):
        message = _("请求的文件过多：上限为 %(limit)d 个（DATA_UPLOAD_MAX_NUMBER_FILES）") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    else:
        message = _(
            "请求内容过大：上限为 %(limit)d 字节（DATA_UPLOAD_MAX_MEMORY_SIZE），文件附件除外"
        ) % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    return error_body("request_too_large", message)


def api_exception_handler(exc, context):
    if isinstance(exc, TransitionRefused):
        return Response(error_body(exc.code, exc.message), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        fields = _django_validation_fields(exc)
        return Response(
            error_body("invalid", _summary(fields), fields), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        return Response(
            error_body("invalid", _summary(fields), fields), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, BadQueryParameter):
        fields = {exc.parameter: [exc.message]}
        return Response(
            error_body("invalid", exc.message, fields), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return Response(_request_too_large_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        message = str(exc) or _("您无权执行此操作。")
        return Response(error_body("permission_denied", message), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django report it as a 500
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _summary(_flatten(detail))
        response.data = error_body(code, message)
    return response
