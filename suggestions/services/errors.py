"""Errors the services raise, each with a message a clerk can act on.

Views, the API and the admin translate these one way: `TransitionRefused` is a conflict with
the suggestion's state (HTTP 409), `PermissionDenied` is 403, `ValidationError` is 400.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = [
    "PermissionDenied",
    "TransitionConflict",
    "TransitionRefused",
    "ValidationError",
    "error_message",
]


class TransitionRefused(Exception):
    """The suggestion's state or a precondition does not allow the action."""

    code = "transition_refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class TransitionConflict(TransitionRefused):
    """Someone else changed the suggestion between reading and writing it."""

    code = "concurrent_change"


def error_message(exc: Exception) -> str:
    """The sentence a person reads for a refused service call."""
    if isinstance(exc, TransitionRefused):
        return str(exc.message)
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc.args[0]) if exc.args else str(exc)
