"""One perimeter: every role × every suggestion state × every channel × every kind of
confidential data, asserted on response bodies.

The world (tests/perimeter_world.py) plants a unique marker in each kind of confidential data.
What a role may read is derived from `suggestions.access.PROJECTIONS` for the audiences the
role has on the suggestion (stated once, in `ROLE_AUDIENCES`); on public channels it is the
public projection for everyone. For each response:

- every marker the role may not read there is absent from the body;
- a suggestion (or assignment, reply, admin object) the role may not open answers exactly
  like a missing id (404 on pages and in the API), and one it may open answers 200;
- on the main channels a marker the role may read is present (`MUST_SHOW`), so the test
  cannot pass by showing nothing.

Each test gathers every failure as `role | state | channel | marker (flag)` and fails once,
listing them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from suggestions import access
from suggestions.access import NOTHING, PROJECTIONS, Audience, Projection
from suggestions.models import (
    CoHandlingOpinion,
    ContactRecord,
    Evaluation,
    Reply,
    Suggestion,
    SupervisionActivity,
    Version,
)
from tests.perimeter_world import (
    PUBLIC_SUGGESTIONS,
    ROLE_AUDIENCES,
    ROLES,
    STATES,
    SUBMITTED_ON,
    Marker,
    PerimeterWorld,
    build_world,
)

pytestmark = pytest.mark.django_db

PUBLIC_READERS = ("anonymous", "staff")  # public pages show the same to everyone
CLERKS = ("staff", "foreign_staff", "superuser")  # the admin's users
WORKSPACE_SHOWS = frozenset(
    {
        "may_see_at_all",
        "unsubmitted_text",
        "internal_events",
        "unpublished_replies",
        "evaluation_comments",
        "extension_reasons",
        "return_reasons",
        "withheld_reason",
        "account_names",
    }
)
# Readable but not required on the workspace detail: a co-signer reads the suggestion's
# current text (the revision), not its submitted versions.
WORKSPACE_EXEMPT = frozenset(
    {
        ("cosigner", "returned.title"),
        ("cosigner", "returned.body"),
        ("cosigner", "returned.revision_reason"),
    }
)
# (role, channel, state) → markers that must be on that page (the main channels).
MUST_SHOW: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("anonymous", "public-page", "registered"): ("registered.title", "registered.body"),
    ("anonymous", "public-page", "published"): ("published.public_sentence",),
    ("anonymous", "public-api", "published"): ("published.public_sentence",),
    ("lead_deputy", "deputy-page", "draft"): ("draft.title", "draft.body"),
    ("cosigner", "deputy-page", "draft"): ("draft.body",),
    ("lead_deputy", "deputy-page", "returned"): (
        "returned.review_comment",
        "returned.revision_body",
    ),
    ("lead_deputy", "deputy-page", "replied"): ("replied.reply",),
    ("lead_deputy", "deputy-page", "published"): ("published.staff_marked_passage",),
    ("lead_deputy", "deputy-page", "closed"): ("closed.evaluation_comment",),
    ("cosigner", "deputy-page", "registered"): ("registered.body",),
    ("staff", "staff-page", "submitted"): ("submitted.body",),
    ("staff", "staff-page", "returned"): ("returned.body", "returned.review_comment"),
    ("staff", "staff-page", "assigned"): ("assigned.co_opinion", "lead_deputy.phone"),
    ("staff", "staff-page", "replied"): ("replied.reply",),
    ("staff", "staff-page", "published"): ("published.phone",),
    ("staff", "staff-page", "closed"): ("closed.evaluation_comment",),
    ("staff", "staff-page", "withheld"): ("withheld.title", "withheld.reason"),
    ("superuser", "staff-page", "withheld"): ("withheld.reason",),
    ("lead_unit", "unit-page", "assigned"): (
        "assigned.contact_notes",
        "assigned.co_opinion",
        "lead_deputy.phone",
    ),
    ("lead_unit", "unit-page", "unit_returned"): ("unit_returned.body",),
    ("lead_unit", "unit-page", "replied"): ("replied.reply",),
    ("co_unit", "unit-page", "assigned"): ("assigned.co_opinion",),
    ("foreign_unit", "unit-page", "foreign_assigned"): ("foreign_assigned.contact_notes",),
    ("staff", "admin-suggestion", "registered"): ("registered.title",),
    ("foreign_staff", "admin-suggestion", "foreign_assigned"): ("foreign_assigned.title",),
    ("superuser", "admin-suggestion", "draft"): ("draft.title",),
    ("staff", "admin-cohandlingopinion", "assigned"): ("assigned.co_opinion",),
    ("staff", "admin-contactrecord", "assigned"): ("assigned.contact_notes",),
    ("lead_unit", "attachment", "replied"): ("replied.attachment",),
    ("lead_deputy", "attachment", "published"): ("published.attachment",),
    ("staff", "attachment", "closed"): ("closed.attachment",),
}
MUST_SHOW_LISTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("anonymous", "/suggestions/"): ("registered.title", "foreign_assigned.title"),
    ("lead_deputy", "/deputy/"): ("draft.title", "returned.revision_title"),
    ("cosigner", "/deputy/"): ("draft.title",),
    ("staff", "/staff/"): ("submitted.title", "registered.title"),
    ("staff", "/staff/?queue=review"): ("submitted.title",),
    ("staff", "/staff/?queue=assign"): ("registered.title",),
    ("lead_unit", "/unit/"): ("assigned.title",),
    ("lead_unit", "/unit/?show=todo"): ("assigned.title",),
    ("supervising_leader", "/leader/"): ("assigned.title", "supervision.activity_title"),
    ("staff", "ledger-session-a"): ("registered.title",),
    ("foreign_staff", "ledger-session-b"): ("foreign_assigned.title",),
    ("staff", "admin-version-list"): ("returned.title",),
    ("lead_unit", "/inbox/"): ("assigned.title",),
    ("supervising_leader", "/inbox/"): ("assigned.title",),
    ("lead_deputy", "/inbox/"): ("returned.revision_title",),
}
MUST_HIT: tuple[tuple[str, str, str], ...] = (
    ("anonymous", "search-page", "registered.title"),
    ("anonymous", "search-api", "published.public_sentence"),
    ("lead_deputy", "search-workspace", "draft.body"),
    ("staff", "search-workspace", "replied.reply"),
    ("staff", "search-admin", "submitted.body"),
)


# ---- the world, built once for the module (rolled back at the end) ----


@pytest.fixture(scope="module")
def perimeter(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("perimeter-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def clients(perimeter):
    made = {}
    for role in ROLES:
        client = Client()
        if perimeter.users[role] is not None:
            client.force_login(perimeter.users[role])
        made[role] = client
    return made


# ---- the policy, stated once ----


def audiences(role: str, state: str) -> set[Audience]:
    found = {ROLE_AUDIENCES[role][state]} if state in ROLE_AUDIENCES[role] else set()
    if state in PUBLIC_SUGGESTIONS:
        found.add(Audience.PUBLIC)
    return found


def projection(role: str, state: str) -> Projection:
    found = audiences(role, state)
    if not found:
        return NOTHING
    result = PROJECTIONS[Audience.PUBLIC]
    for audience in found:
        result = result | PROJECTIONS[audience]
    return result


def public_projection(role: str, state: str) -> Projection:
    return PROJECTIONS[Audience.PUBLIC] if state in PUBLIC_SUGGESTIONS else NOTHING


def may_read(marker: Marker, role: str, view: Callable[[str, str], Projection]) -> bool:
    """Whether `role` may read `marker` on a channel that shows `view` of suggestions."""
    return marker.owner == role or any(getattr(view(role, s), marker.flag) for s in marker.states)


# ---- the checks ----


class Findings(list):
    def add(self, what: str, role: str, state: str, channel: str, detail: str) -> None:
        self.append(f"{what:8} {role:18} | {state:16} | {channel:22} | {detail}")

    def verdict(self) -> str:
        return f"{len(self)} perimeter failures:\n" + "\n".join(sorted(set(self)))


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def check_body(findings, world, role, state, channel, body, view) -> None:
    for marker in world.markers.values():
        if channel in marker.skip or channel.split("-")[0] in marker.skip:
            continue
        if marker.only is not None and channel not in marker.only:
            continue
        if marker.text in body and not may_read(marker, role, view):
            findings.add("LEAK", role, state, channel, f"{marker.key} ({marker.flag})")


def check_shown(findings, world, role, state, channel, body, keys: Iterable[str]) -> None:
    for key in keys:
        if world.markers[key].text not in body:
            findings.add("MISSING", role, state, channel, key)


def check_open(findings, role, state, channel, status, missing_status, may_open) -> None:
    """Forbidden answers like a missing id; allowed answers 200 (None: either)."""
    if may_open is False and status != missing_status:
        findings.add(
            "STATUS", role, state, channel, f"{status}, a missing id answers {missing_status}"
        )
    if may_open is True and status != 200:
        findings.add("DENIED", role, state, channel, f"{status} instead of 200")


class Reader:
    """Fetches pages as the roles, remembering how each channel answers a missing id."""

    def __init__(self, world: PerimeterWorld, clients: dict[str, Client]):
        self.world, self.clients = world, clients
        self.findings = Findings()
        self._missing: dict[tuple[str, str], int] = {}

    def get(self, role: str, address: str, **params):
        accept = "application/json" if address.startswith("/api/") else "*/*"
        return self.clients[role].get(address, params, HTTP_ACCEPT=accept)

    def one(self, role, state, channel, url_of, pk, may_open, view) -> str:
        """GET one object's page: status against a missing id's, leaks, MUST_SHOW."""
        response = self.get(role, url_of(pk))
        if (role, channel) not in self._missing:
            self._missing[role, channel] = self.get(role, url_of(MISSING_PK)).status_code
        missing = self._missing[role, channel]
        check_open(self.findings, role, state, channel, response.status_code, missing, may_open)
        body = body_of(response)
        must_show = MUST_SHOW.get((role, channel, state), ()) if may_open is not False else ()
        self.check(role, state, channel, body, view, must_show)
        return body

    def listing(self, role, channel, address, view, **params) -> str:
        body = body_of(self.get(role, address, **params))
        self.check(role, "(list)", channel, body, view, MUST_SHOW_LISTS.get((role, channel), ()))
        return body

    def check(self, role, state, channel, body, view, must_show=()) -> None:
        check_body(self.findings, self.world, role, state, channel, body, view)
        check_shown(self.findings, self.world, role, state, channel, body, must_show)

    def verdict(self) -> None:
        assert not self.findings, self.findings.verdict()


@pytest.fixture
def reader(perimeter, clients) -> Reader:
    return Reader(perimeter, clients)


MISSING_PK = 987654


def url(name: str, *args) -> Callable[[int], str]:
    return lambda pk: reverse(name, args=[*args, pk])


def api(path: str) -> Callable[[int], str]:
    return lambda pk: f"/api/v1/{path.format(pk=pk)}"


# ---- the tests ----


def test_the_policy_module_agrees_with_who_is_who(perimeter):
    findings = Findings()
    public = set(Suggestion.objects.public().values_list("pk", flat=True))
    for state, suggestion in perimeter.suggestions.items():
        if (suggestion.pk in public) != (state in PUBLIC_SUGGESTIONS):
            findings.add("POLICY", "public", state, "Suggestion.public()", "disagrees")
        for role in ROLES:
            user = perimeter.users[role]
            if access.projection_for(user, suggestion) != projection(role, state):
                found = sorted(access.audiences_of(user, suggestion))
                stated = sorted(audiences(role, state))
                findings.add("POLICY", role, state, "access.projection_for", f"{found}≠{stated}")
    assert not findings, findings.verdict()


PUBLIC_DETAIL_CHANNELS = {
    "public-page": url("web:suggestion-detail"),
    "public-api": api("suggestions/{pk}/"),
    "public-api-timeline": api("suggestions/{pk}/timeline/"),
    "public-api-replies": api("suggestions/{pk}/replies/"),
    "public-api-outcomes": api("suggestions/{pk}/outcomes/"),
}
PUBLIC_LISTS = (
    "/",
    "/suggestions/",
    "/stats/",
    "/api/v1/suggestions/",
    "/api/v1/statistics/congresses/{a}/",
    "/api/v1/statistics/congresses/{a}/sessions/",
    "/api/v1/statistics/congresses/{a}/units/",
    "/api/v1/statistics/sessions/{session_a}/",
    "/api/v1/statistics/units/{lead_unit}/",
)


def _list_urls(world: PerimeterWorld, templates: Iterable[str]) -> list[str]:
    ids = {
        "a": world.congresses["a"].pk,
        "session_a": world.sessions["a"].pk,
        "lead_unit": world.units["lead"].pk,
    }
    return [template.format(**ids) for template in templates]


def test_public_pages_and_public_api(perimeter, reader):
    for role in PUBLIC_READERS:
        for state, suggestion in perimeter.suggestions.items():
            for channel, url_of in PUBLIC_DETAIL_CHANNELS.items():
                is_public = state in PUBLIC_SUGGESTIONS
                reader.one(
                    role, state, channel, url_of, suggestion.pk, is_public, public_projection
                )
        for address in _list_urls(perimeter, PUBLIC_LISTS):
            reader.listing(role, address, address, public_projection)
    reader.verdict()


# ---- role pages: deputy, staff, unit, leader; the inbox ----

DEPUTY_PORTAL = ("lead_deputy", "cosigner", "other_deputy")
STAFF_PORTAL = ("staff", "foreign_staff", "superuser", "supervising_leader")
UNIT_PORTAL = ("lead_unit", "co_unit", "foreign_unit")
SUBMITTED = SUBMITTED_ON | {"foreign_assigned"}
# What a role without the portal tries to open (the answer must not depend on the id).
PROBES = ("withheld", "returned", "assigned")
ROLE_LISTS = (
    "/deputy/",
    "/staff/",
    # Each workbench queue and unit inbox view has its own pages beyond the overview.
    *(
        f"/staff/?queue={queue}"
        for queue in (
            "review",
            "register",
            "assign",
            "evaluation",
            "key",
            "follow_up",
            "overdue",
            "follow_up_due",
        )
    ),
    "/staff/dashboard/",
    "/staff/exports/",
    "/unit/",
    *(f"/unit/?show={view}" for view in ("todo", "overdue", "done", "returned", "finished")),
    "/leader/",
    "/inbox/",
)


def test_role_pages(perimeter, reader):
    pages = (
        ("deputy-page", "web:deputy-suggestion", DEPUTY_PORTAL, {"lead_deputy", "cosigner"}),
        ("staff-page", "web:staff-suggestion", STAFF_PORTAL, {"staff", "superuser"}),
    )
    for role in ROLES:
        for channel, name, portal, opening in pages:
            for state in STATES if role in portal else PROBES:
                may_open = bool({a.value for a in audiences(role, state)} & opening)
                if channel == "staff-page" and role == "superuser" and state not in SUBMITTED:
                    may_open = None  # the congress's page of a draft: the admin serves it
                pk = perimeter.suggestions[state].pk
                reader.one(role, state, channel, url(name), pk, may_open, projection)
        for assignment in perimeter.assignments():
            state = perimeter.state_of(assignment.suggestion_id)
            if role not in UNIT_PORTAL and state not in PROBES:
                continue
            may_open = assignment.unit.members.filter(pk=getattr(perimeter.users[role], "pk", None))
            reader.one(
                role,
                state,
                "unit-page",
                url("web:unit-assignment"),
                assignment.pk,
                may_open.exists(),
                projection,
            )
        for address in ROLE_LISTS:
            reader.listing(role, address, address, projection)
    reader.verdict()


# ---- the API workspace ----


def test_workspace_api(perimeter, reader):
    detail = api("workspace/suggestions/{pk}/")
    for role in ROLES:
        for state, suggestion in perimeter.suggestions.items():
            found = audiences(role, state)
            # Only the public audience: the workspace may answer 404 or the public projection.
            may_open = True if found - {Audience.PUBLIC} else (None if found else False)
            body = reader.one(
                role, state, "workspace-api", detail, suggestion.pk, may_open, projection
            )
            if may_open:
                check_shown(
                    reader.findings,
                    perimeter,
                    role,
                    state,
                    "workspace-api",
                    body,
                    _workspace_must_show(perimeter, role, state),
                )
        reader.listing(role, "workspace-api-list", "/api/v1/workspace/suggestions/", projection)
    reader.verdict()


def _workspace_must_show(world: PerimeterWorld, role: str, state: str) -> list[str]:
    """Every marker of `state` the role may read that the workspace detail carries."""
    readable = projection(role, state)
    return [
        m.key
        for m in world.markers.values()
        if state in m.states
        and m.flag in WORKSPACE_SHOWS
        and getattr(readable, m.flag)
        and m.owner != role
        and m.only is None
        and (role, m.key) not in WORKSPACE_EXEMPT
    ]


# ---- the admin, for clerks (made with congress_staff_grant) and a superuser ----

ADMIN_LISTS = (
    "suggestion",
    "version",
    "event",
    "assignment",
    "contactrecord",
    "cohandlingopinion",
    "reply",
    "evaluation",
    "supervisionactivity",
)
ADMIN_OBJECTS = (
    (Version, "suggestion_id"),
    (ContactRecord, "assignment__suggestion_id"),
    (CoHandlingOpinion, "assignment__suggestion_id"),
    (Reply, "suggestion_id"),
    (Evaluation, "suggestion_id"),
)


def test_admin_for_clerks(perimeter, reader):
    pks = [s.pk for s in perimeter.suggestions.values()]
    for role in CLERKS:
        for model in ADMIN_LISTS:
            address = reverse(f"admin:suggestions_{model}_changelist")
            reader.listing(role, f"admin-{model}-list", address, projection)
        for state, suggestion in perimeter.suggestions.items():
            may_open = bool(audiences(role, state) & {Audience.STAFF, Audience.SUPERUSER})
            change = url("admin:suggestions_suggestion_change")
            reader.one(role, state, "admin-suggestion", change, suggestion.pk, may_open, projection)
        for model, suggestion_field in ADMIN_OBJECTS:
            name = model._meta.model_name
            rows = model.objects.filter(**{f"{suggestion_field}__in": pks})
            for pk, suggestion_id in rows.values_list("pk", suggestion_field):
                state = perimeter.state_of(suggestion_id)
                may_open = bool(audiences(role, state) & {Audience.STAFF, Audience.SUPERUSER})
                if model is Version and not projection(role, state).unsubmitted_text:
                    # A revision still being written is the deputy's, not the congress's.
                    may_open = may_open and Version.objects.get(pk=pk).submitted_at is not None
                change = url(f"admin:suggestions_{name}_change")
                reader.one(role, state, f"admin-{name}", change, pk, may_open, projection)
        activity = SupervisionActivity.objects.get(plan__congress=perimeter.congresses["a"])
        reader.one(
            role,
            "(supervision)",
            "admin-supervisionactivity",
            url("admin:suggestions_supervisionactivity_change"),
            activity.pk,
            role != "foreign_staff",
            projection,
        )
    reader.verdict()


# ---- ledger exports; the staff dashboard's and the API's statistics are in the lists ----


def test_ledger_exports(perimeter, reader):
    ledgers = {"ledger-session-a": ("sessions", perimeter.sessions["a"])}
    ledgers["ledger-session-b"] = ("sessions", perimeter.sessions["b"])
    for key, unit in perimeter.units.items():
        ledgers[f"ledger-unit-{key}"] = ("units", unit)
    for role in ROLES:
        for channel, (kind, scope) in ledgers.items():
            address = f"/api/v1/exports/{kind}/{scope.pk}/ledger.csv"
            reader.listing(role, channel, address, projection)
    reader.verdict()


# ---- search: a hit on a marker reveals it ----


def _page_hits(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/suggestions/(\d+)/"', body)}


def _admin_hits(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r"/admin/suggestions/suggestion/(\d+)/change/", body)}


def _api_hits(body: str) -> set[int]:
    try:
        data = json.loads(body)
    except ValueError:
        return set()
    rows = data.get("results", []) if isinstance(data, dict) else data
    return {row["id"] for row in rows if isinstance(row, dict) and "id" in row}


def test_search(perimeter, reader):
    must_hit = {marker for _role, _channel, marker in MUST_HIT}
    searched = [
        m
        for m in perimeter.markers.values()
        if m.searchable and (m.flag != "may_see_at_all" or m.key in must_hit)
    ]
    signed_in = [role for role in ROLES if role != "anonymous"]
    channels = (
        ("search-page", ("anonymous",), "/suggestions/", "q", _page_hits, public_projection),
        (
            "search-api",
            ("anonymous",),
            "/api/v1/suggestions/",
            "search",
            _api_hits,
            public_projection,
        ),
        (
            "search-workspace",
            signed_in,
            "/api/v1/workspace/suggestions/",
            "search",
            _api_hits,
            projection,
        ),
        (
            "search-admin",
            CLERKS,
            reverse("admin:suggestions_suggestion_changelist"),
            "q",
            _admin_hits,
            projection,
        ),
    )
    states_by_pk = {s.pk: state for state, s in perimeter.suggestions.items()}
    for channel, roles, address, parameter, hits_of, view in channels:
        for role in roles:
            for marker in searched:
                body = body_of(reader.get(role, address, **{parameter: marker.text}))
                hit = {states_by_pk[pk] for pk in hits_of(body) if pk in states_by_pk}
                for state in hit & marker.states:
                    if marker.owner != role and not getattr(view(role, state), marker.flag):
                        reader.findings.add(
                            "SEARCH", role, state, channel, f"{marker.key} ({marker.flag}) hits"
                        )
                if (role, channel, marker.key) in MUST_HIT and not hit & marker.states:
                    reader.findings.add("MISSING", role, "(search)", channel, marker.key)
    reader.verdict()


# ---- reply letters ----


def test_reply_attachments(perimeter, reader):
    replies = Reply.objects.filter(suggestion__in=perimeter.suggestions.values())
    for role in ROLES:
        for reply in replies:
            state = perimeter.state_of(reply.suggestion_id)
            may_open = projection(role, state).unpublished_replies
            address = url("web:reply-attachment")
            reader.one(role, state, "attachment", address, reply.pk, may_open, projection)
    reader.verdict()
