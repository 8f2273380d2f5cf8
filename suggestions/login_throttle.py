"""What a locked-out login is told, on the pages (django-axes' lockout response) and in the API.

django-axes counts failed logins per username and client address (settings: AXES_*); after
AXES_FAILURE_LIMIT failures that pair is refused for AXES_COOLOFF_TIME, even with the right
password. The login page, the admin login and the API token endpoint share that count.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_OUT_STATUS = 429


def cooloff_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    return _("登录失败次数过多，已暂停从此地址登录该账号。请 %(minutes)d 分钟后再试。") % {
        "minutes": cooloff_minutes()
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the site's page (Chinese, translated) with status 429."""
    response = render(
        request,
        "registration/locked_out.html",
        {"lockout_message": lockout_message()},
        status=LOCKED_OUT_STATUS,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
