"""Query parameters are read strictly: a malformed integer, one too large for the database, or
a NUL character gets a 400 naming the parameter (an HTML page for pages, the JSON error for
the API), on SQLite and PostgreSQL alike; well-formed ones still filter."""

from __future__ import annotations

import pytest

from tests import lifecycle

pytestmark = pytest.mark.django_db

TOO_BIG = str(2**63)  # one more than the largest id SQLite and PostgreSQL can store
LARGEST = str(2**63 - 1)


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (f"/suggestions/?congress={TOO_BIG}", "congress"),
        (f"/suggestions/?session={TOO_BIG}", "session"),
        (f"/suggestions/?unit={TOO_BIG}", "unit"),
        ("/suggestions/?congress=abc", "congress"),
        ("/suggestions/?unit=-1", "unit"),
        ("/suggestions/?session=1.5", "session"),
        (f"/suggestions/?page={TOO_BIG}", "page"),
        ("/suggestions/?page=0", "page"),
        (f"/stats/?session={TOO_BIG}", "session"),
        ("/stats/?session=²", "session"),
    ],
)
def test_a_page_refuses_a_bad_integer_with_an_html_400_naming_it(client, world, url, parameter):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"参数 {parameter} 须为 1 至 {LARGEST} 之间的整数" in html


def test_a_nul_in_the_search_is_a_400_on_pages(client, world):
    lifecycle.registered(world, title="关于电池回收的建议")
    response = client.get("/suggestions/", {"q": "电\x00池"})
    assert response.status_code == 400
    assert "参数 q 含有空字符（NUL）" in response.content.decode()


def test_a_nul_in_any_parameter_name_or_value_is_refused(client, world):
    assert client.get("/suggestions/?category=%00").status_code == 400
    assert client.get("/?anything=a%00").status_code == 400
    response = client.get("/suggestions/?x%00y=1")
    assert response.status_code == 400
    assert "x\\0y" in response.content.decode()


def test_the_deputy_page_refuses_a_bad_version_number(client, world):
    suggestion = lifecycle.draft(world)
    client.force_login(world.deputy.person.user)
    url = f"/deputy/suggestions/{suggestion.pk}/"
    assert client.get(url, {"from": "1"}).status_code == 200
    response = client.get(url, {"from": "first"})
    assert response.status_code == 400
    assert "参数 from" in response.content.decode()


def test_well_formed_parameters_still_filter(client, world):
    lifecycle.registered(world, title="关于电池回收的建议")
    html = client.get("/suggestions/", {"congress": world.congress.pk}).content.decode()
    assert "关于电池回收的建议" in html
    html = client.get("/suggestions/", {"congress": LARGEST}).content.decode()
    assert "关于电池回收的建议" not in html


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (f"/api/v1/suggestions/?congress={TOO_BIG}", "congress"),
        (f"/api/v1/suggestions/?term={TOO_BIG}", "term"),
        (f"/api/v1/suggestions/?session={TOO_BIG}", "session"),
        (f"/api/v1/suggestions/?unit={TOO_BIG}", "unit"),
        ("/api/v1/suggestions/?congress=1.5", "congress"),
        ("/api/v1/suggestions/?page=abc", "page"),
        (f"/api/v1/suggestions/?page={TOO_BIG}", "page"),
        ("/api/v1/suggestions/?page_size=-3", "page_size"),
        (f"/api/v1/suggestions/?page_size={TOO_BIG}", "page_size"),
        ("/api/v1/suggestions/?search=%E7%94%B5%00", "search"),
        ("/api/v1/units/?name=%00", "name"),
    ],
)
def test_the_api_refuses_a_bad_parameter_with_a_json_400_naming_it(client, world, url, parameter):
    response = client.get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert parameter in body["fields"]


def test_the_statistics_api_refuses_a_bad_session(client, world):
    response = client.get(f"/api/v1/statistics/congresses/{world.congress.pk}/units/?session=²")
    assert response.status_code == 400
    assert "session" in response.json()["fields"]
    response = client.get(f"/api/v1/statistics/congresses/{world.congress.pk}/units/")
    assert response.status_code == 200


def test_the_api_still_clamps_a_large_page_size_and_serves_the_last_page(client, world):
    lifecycle.registered(world)
    body = client.get("/api/v1/suggestions/", {"page_size": 1000}).json()
    assert body["count"] == 1
    assert client.get("/api/v1/suggestions/", {"page": "last"}).status_code == 200


def test_the_admin_date_hierarchy_refuses_a_huge_year(client, world):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.cn", "pw"))
    url = "/admin/congress/calendaroverride/"
    response = client.get(url, {"date__year": TOO_BIG})
    assert response.status_code == 302 and response["Location"] == f"{url}?e=1"
    assert client.get(url, {"date__year": "2025", "date__month": "10"}).status_code == 200
