"""Routing a signed-in user to their home page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .roles import home_url_for


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    return redirect(home_url_for(request.user))
