"""Schemathesis against /api/schema/: no 500s, every response matches the schema.

Bounded: a few examples per operation, anonymous and as congress staff (token), against a
small world of suggestions built through the services."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from congress.wsgi import application
from tests import lifecycle

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Ids that exist in the fixture, so that generated requests also reach real records (random
# integers alone would almost always get a 404). Filled by the fixture, read by the hook.
EXISTING_IDS: list[int] = []


@pytest.fixture
def keep_test_connection():
    """Schemathesis calls the WSGI handler directly, which closes the database connection
    after each request (close_old_connections); inside a test transaction on PostgreSQL that
    would end the test's transaction. Django's own test client suspends this the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(world, keep_test_connection):
    suggestions = [
        lifecycle.evaluated(
            world, title="关于把郴州打造成为中国电池之都的建议", category="B", publish=True
        ),
        lifecycle.assigned(world, title="关于加强巍山县古民居出租管理的建议", co_unit=True),
        lifecycle.registered(world, title="关于消防通道的建议"),
        lifecycle.draft(world, title="草稿"),
    ]
    EXISTING_IDS[:] = sorted(
        {s.pk for s in suggestions}
        | {world.congress.pk, world.session.pk, world.lead_unit.pk, world.co_unit.pk}
        | {a.pk for s in suggestions for a in s.assignments.all()}
        | {r.pk for s in suggestions for r in s.replies.all()}
    )
    loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

    @loaded.hook
    def map_path_parameters(ctx, path_parameters):
        if not path_parameters:
            return path_parameters
        value = path_parameters.get("id")
        if isinstance(value, int) and EXISTING_IDS and value % 4 != 0:
            path_parameters["id"] = EXISTING_IDS[value % len(EXISTING_IDS)]
        return path_parameters

    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")

BOUNDED = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@schema.include(method="GET").parametrize()
@BOUNDED
def test_public_reads_conform(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_every_operation_as_staff_conforms(case, world):
    # A new token per case: a generated call to revoke-all may have revoked the last one.
    _instance, token = AuthToken.objects.create(user=world.staff)
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
