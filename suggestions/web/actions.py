"""Pages that show one object and offer several actions (forms) on it.

Every action calls one `suggestions.services` function. A refused action (the state machine,
a permission or bad input) re-renders the page with the reason next to the form the user
filled in, keeps what they typed, and changes nothing; success redirects back (POST →
redirect → GET) with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from suggestions.models import Suggestion
from suggestions.services import (
    PermissionDenied,
    TransitionRefused,
    ValidationError,
    check_transition,
    error_message,
    refusal_reasons,
)

# Status codes a refused action answers with, as the API does.
STATUS_INVALID = 400
STATUS_FORBIDDEN = 403
STATUS_REFUSED = 409


def attach_validation_error(form: forms.Form, exc: DjangoValidationError) -> None:
    """Put a service's ValidationError next to the field it names (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            target = field_name if field_name in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def run_service(form: forms.Form, call: Callable[[], Any]) -> tuple[bool, int]:
    """Run `call`; on a refusal put the reason on `form`. Returns (ok, HTTP status)."""
    try:
        call()
    except (ValidationError, DjangoValidationError) as exc:
        attach_validation_error(form, exc)
        return False, STATUS_INVALID
    except (PermissionDenied, DjangoPermissionDenied) as exc:
        form.add_error(None, error_message(exc) or _("您无权执行此操作。"))
        return False, STATUS_FORBIDDEN
    except TransitionRefused as exc:
        form.add_error(None, error_message(exc))
        return False, STATUS_REFUSED
    return True, 200


@dataclass(frozen=True)
class TransitionState:
    """Whether a button for a transition is shown (`relevant`: the state allows it at all) and
    whether it is enabled (no `reasons` against it for this user)."""

    relevant: bool
    reasons: list[str]

    @property
    def allowed(self) -> bool:
        return self.relevant and not self.reasons


def transition_state(
    suggestion: Suggestion, name: str, user, *, conditions_from_form: bool = False
) -> TransitionState:
    """`conditions_from_form`: the action's form itself fulfils the transition's conditions
    (assigning names the units the `assign` condition asks for), so only the state and the
    user's permission may disable the button; the service still checks everything."""
    meta = getattr(Suggestion, name)._django_fsm
    relevant = meta.get_transition(suggestion.state) is not None
    if not relevant:
        return TransitionState(False, [])
    if conditions_from_form:
        try:
            check_transition(suggestion, name, user)
        except PermissionDenied as exc:
            return TransitionState(True, [error_message(exc)])
        except TransitionRefused as exc:
            if exc.code != "condition_failed":
                return TransitionState(True, [error_message(exc)])
        return TransitionState(True, [])
    return TransitionState(True, refusal_reasons(suggestion, name, user))


class ActionPage(View):
    """GET shows the object with one (unbound) form per action; POST runs one action.

    Subclasses set `template_name` and `actions` ({name: form class}), implement
    `get_object()` (raising Http404/PermissionDenied as needed), `get_context()` and one
    `do_<name>(form)` method per action that calls a service.
    """

    template_name: ClassVar[str]
    actions: ClassVar[dict[str, type[forms.Form]]] = {}
    # Transition names whose refusal reasons are shown next to the action buttons.
    transitions: ClassVar[tuple[str, ...]] = ()
    # Transitions whose conditions the action's own form fulfils (see transition_state).
    conditions_from_form: ClassVar[frozenset[str]] = frozenset()

    def get_object(self):  # pragma: no cover - always overridden
        raise NotImplementedError

    def transition_target(self) -> Suggestion:
        return self.object

    def get_context(self) -> dict:
        return {}

    def success_message(self, action: str) -> str:
        return _("操作已完成。")

    def success_url(self) -> str:
        return self.request.get_full_path()

    def form_kwargs(self, action: str) -> dict:
        return {}

    def make_form(self, action: str, data=None, files=None) -> forms.Form:
        return self.actions[action](
            data=data, files=files, prefix=action, **self.form_kwargs(action)
        )

    def render_page(self, bound: dict[str, forms.Form] | None = None, status: int = 200):
        page_forms = {name: self.make_form(name) for name in self.actions}
        page_forms.update(bound or {})
        context = {
            "object": self.object,
            "forms": page_forms,
            "transitions": {
                name: transition_state(
                    self.transition_target(),
                    name,
                    self.request.user,
                    conditions_from_form=name in self.conditions_from_form,
                )
                for name in self.transitions
            },
            "failed_action": next(iter(bound)) if bound else None,
            **self.get_context(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.object = self.get_object()
        return self.render_page()

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.object = self.get_object()
        action = request.POST.get("action", "")
        if action not in self.actions:
            return HttpResponseBadRequest(_("未知的操作。"))
        form = self.make_form(action, data=request.POST, files=request.FILES)
        if not form.is_valid():
            return self.render_page({action: form}, status=STATUS_INVALID)
        ok, status = run_service(form, lambda: getattr(self, f"do_{action}")(form))
        if not ok:
            # Say why at the top of the page too: the form may sit further down or be hidden
            # from this user (a co-signer posting an edit).
            for message in form.non_field_errors():
                messages.error(request, message)
            # Reload so the page shows the unchanged state, not a half-updated object.
            self.object = self.get_object()
            return self.render_page({action: form}, status=status)
        messages.success(request, self.success_message(action))
        return redirect(self.success_url())
