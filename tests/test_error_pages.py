"""The site's own 404 and 500 pages: Chinese by default, English on request, in the site's style,
and never Django's debug page (DEBUG is off, as it is by default outside `DEBUG=1`)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import path
from django.utils import translation
from django.views.defaults import server_error

from congress.urls import urlpatterns as site_urlpatterns


def explode(request):
    raise RuntimeError("an unexpected bug")


# This module is also the URLconf of the tests that need a view that fails.
urlpatterns = [path("explode/", explode), *site_urlpatterns]


@pytest.mark.django_db
def test_missing_page_shows_the_chinese_404_page(client):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>页面不存在</h1>" in html
    assert "/no-such-page/" in html
    assert 'href="/static/web/site.css"' in html  # the site's style
    assert 'href="/suggestions/"' in html  # a way on


@pytest.mark.django_db
def test_404_page_in_english(client):
    html = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "页面不存在" not in html


def test_500_handler_renders_without_database_or_context_processors():
    # No django_db mark: any database access here would raise.
    request = RequestFactory().get("/anything/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>服务器出错</h1>" in html
    assert 'href="/static/web/site.css"' in html
    with translation.override("en"):
        english = server_error(request).content.decode()
    assert "<h1>Server error</h1>" in english
    assert "服务器出错" not in english


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_a_failing_view_shows_the_500_page_and_no_secrets(client):
    client.raise_request_exception = False
    response = client.get("/explode/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>服务器出错</h1>" in html
    for secret in ("an unexpected bug", "Traceback", "SECRET_KEY", "DATABASE", "REDIS_URL"):
        assert secret not in html
