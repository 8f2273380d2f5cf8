"""No query string makes any page or API endpoint fail: every GET address of the URL conf
(except Django's admin), with a few seeded objects so that detail addresses resolve, as an
anonymous visitor, a deputy and a congress clerk, gets nasty values in each parameter it
knows and in unknown ones, and never answers 500 nor shows a traceback.

The known parameters of an API endpoint come from its OpenAPI schema; those of the pages are
listed here (PAGE_PARAMETERS). Every visitor sends a short list of values in all parameters
at once to every address; one visitor who can open an address sends every value of
NASTY_VALUES in each of its known parameters alone; hypothesis then mixes random parameters
and values across all addresses and visitors (bounded, so the file stays near a minute)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suggestions import services
from suggestions.web.public import FACETS
from tests import lifecycle

pytestmark = pytest.mark.django_db

# Tried against every parameter an address knows.
NASTY_VALUES = [
    "",
    "-1",
    "1.5",
    "²",
    str(2**63),
    str(10**40),
    "\x00",
    "%00",
    "[]",
    "last",
    "0001-01-01",
    "9999-12-31",
    "电池" * 3000,
    "😀\u202e\ufeff",
    "'; DROP TABLE suggestions_suggestion; --",
]
# Tried in all parameters at once, known and unknown, on every address by every visitor.
SHORT_LIST = ["\x00", str(2**63), "9999-12-31", "[]", "x" * 10_000]

# The parameters each page reads (the API's come from its schema).
PAGE_PARAMETERS = {
    "web:suggestion-list": (*FACETS, "q", "page"),
    "web:stats": ("session",),
    "web:staff-dashboard": ("session",),
    "web:staff-workbench": ("queue", "unit", "page"),
    "web:unit-inbox": ("show", "page"),
    "web:deputy-home": ("page",),
    "web:deputy-suggestion": ("from", "to"),
    "login": ("next",),
}
# Parameters nobody reads, and ones that frameworks read on every address.
UNKNOWN_PARAMETERS = ("zzz", "format", "ordering", "search", "page", "id", "pk", "lang")


@dataclass(frozen=True)
class Address:
    name: str
    path: str
    parameters: tuple[str, ...]


def url_names(patterns, namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django's own admin
            yield from url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern


def kwargs_for(name: str, pattern: URLPattern, objects: dict) -> dict:
    wanted = set(pattern.pattern.regex.groupindex)
    wanted.discard("format")  # the format-suffix twins reverse without it
    if "assignment" in name:
        pk = objects["assignment"]
    elif "reply" in name or name == "v1:reply-publish":
        pk = objects["reply"]
    elif name.startswith(("v1:statistics-session", "v1:ledger-session")):
        pk = objects["session"]
    elif name.startswith(("v1:statistics-unit", "v1:ledger-unit", "v1:unit-")):
        pk = objects["unit"]
    elif name.startswith(("v1:statistics-congress", "v1:congress-")):
        pk = objects["congress"]
    else:
        pk = objects["suggestion"]
    values = {"pk": pk, "name": "submit", "file_format": "csv"}
    return {key: values[key] for key in wanted}


@functools.cache
def schema_parameters() -> list[tuple[re.Pattern, tuple[str, ...]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for template, operations in schema["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        names = tuple(p["name"] for p in get.get("parameters", []) if p["in"] == "query")
        regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        found.append((regex, names))
    return found


def addresses(objects: dict) -> list[Address]:
    api = schema_parameters()
    result = {}
    for name, pattern in url_names(get_resolver().url_patterns):
        path = reverse(name, kwargs=kwargs_for(name, pattern, objects))
        known = PAGE_PARAMETERS.get(name, ())
        known += next((names for regex, names in api if regex.match(path)), ())
        result[path] = Address(name, path, tuple(dict.fromkeys(known)))
    result["/api/nowhere/"] = Address("api catch-all", "/api/nowhere/", ())
    return sorted(result.values(), key=lambda a: a.path)


@pytest.fixture
def seeded(world):
    """A public replied suggestion (deputy's, with a published reply, a co-unit, a plan and
    an outcome), and the three visitors."""
    suggestion = lifecycle.replied(world, co_unit=True, publish=True)
    plan = services.supervision_plan_create(
        actor=world.staff, congress=world.congress, theme="督办", suggestions=[suggestion]
    )
    services.supervision_activity_log(
        plan=plan, actor=world.staff, kind="research", title="调研", date=None
    )
    objects = {
        "suggestion": suggestion.pk,
        "assignment": suggestion.assignments.get(unit=world.lead_unit).pk,
        "reply": suggestion.replies.get().pk,
        "congress": world.congress.pk,
        "session": world.session.pk,
        "unit": world.lead_unit.pk,
    }
    visitors = {}
    for label, user in (
        ("anonymous", None),
        ("deputy", world.deputy.person.user),
        ("staff", world.staff),
    ):
        client = Client()
        if user is not None:
            client.force_login(user)
        visitors[label] = client
    return addresses(objects), visitors


def check(client: Client, path: str, params: dict[str, str], who: str) -> int:
    response = client.get(path, params)
    body = b"" if getattr(response, "streaming", False) else response.content
    assert response.status_code < 500, (who, path, params, response.status_code, body[:500])
    assert b"Traceback" not in body, (who, path, params)
    return response.status_code


def test_every_address_survives_nasty_values_from_every_visitor(seeded):
    routes, visitors = seeded
    assert len(routes) > 40, "the URL conf walk found too few addresses"
    for who, client in visitors.items():
        for address in routes:
            check(client, address.path, {}, who)
            for value in SHORT_LIST:
                every = dict.fromkeys((*UNKNOWN_PARAMETERS, *address.parameters), value)
                check(client, address.path, every, who)


def test_every_known_parameter_survives_every_nasty_value(seeded):
    # One visitor who can open the address (anonymous first, then the deputy, then the
    # clerk) tries each value in each parameter alone, so that no refusal of one parameter
    # hides a failure in another. A redirect to login, a 403 or a 404 reads no parameter.
    routes, visitors = seeded
    tried = 0
    for address in routes:
        opener = next(
            (who for who, client in visitors.items() if check(client, address.path, {}, who) < 300),
            None,
        )
        if opener is None:
            continue
        for parameter in address.parameters:
            for value in NASTY_VALUES:
                check(visitors[opener], address.path, {parameter: value}, opener)
                tried += 1
    assert tried > 500, "too few parameters were tried to be meaningful"


parameter_names = st.sampled_from(
    sorted({*UNKNOWN_PARAMETERS, *FACETS, "q", "from", "to", "next", "session", "term"})
) | st.text(min_size=1, max_size=12)
parameter_values = (
    st.text(max_size=60)
    | st.integers(min_value=-(2**80), max_value=2**80).map(str)
    | st.dates().map(lambda d: d.isoformat())
    | st.sampled_from(NASTY_VALUES)
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pick=st.integers(min_value=0),
    who=st.sampled_from(["anonymous", "staff", "deputy"]),
    params=st.dictionaries(parameter_names, parameter_values, max_size=4),
)
def test_random_parameters_never_fail(seeded, pick, who, params):
    routes, visitors = seeded
    address = routes[pick % len(routes)]
    check(visitors[who], address.path, params, who)
