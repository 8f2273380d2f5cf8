"""One admin page shape for a write that is not a model save: a form whose valid input is
handed to a service; a refusal comes back on the form, in the service's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse

from suggestions import services

SERVICE_ERRORS = (services.TransitionRefused, services.PermissionDenied, services.ValidationError)


def service_form_response(
    model_admin,
    request: HttpRequest,
    *,
    form: forms.Form,
    target,
    change_url: str,
    title: str,
    act: Callable[[dict[str, Any]], object],
    done: str,
    extra_context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show `form`; on a valid POST call `act(cleaned_data)` (one service call) and go back
    to `change_url` with `done`, or show the form again with the service's reason."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except SERVICE_ERRORS as exc:
            form.add_error(None, services.error_message(exc))
        else:
            messages.success(request, done)
            return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "opts": model_admin.model._meta,
        "change_url": change_url,
        "object_label": str(target),
        **(extra_context or {}),
    }
    return TemplateResponse(request, "admin/suggestions/transition_form.html", context)
