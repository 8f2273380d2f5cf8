"""The world of the perimeter test (tests/test_perimeter_matrix.py): two congresses, a reader
for every role, one suggestion in every state, and a unique marker string planted in every
kind of confidential data, each marker tagged with the projection flag
(`suggestions.access.Projection`) that decides who may read it.

Everything is driven through the real services, so the records (events, versions, actor
names) are the ones production writes.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from congress.models import StaffRole
from congress.services import congress_staff_grant
from suggestions import services
from suggestions.access import Audience
from suggestions.models import Assignment, Event, Suggestion, UnitRole
from suggestions.reminders.delivery import deliver_all
from suggestions.reminders.sweep import run_sweep
from tests.factories import (
    CongressFactory,
    DeputyFactory,
    HandlingUnitFactory,
    SessionFactory,
    TermFactory,
    UserFactory,
)

# Every reader the test signs in as (None: not signed in).
ROLES = (
    "anonymous",
    "lead_deputy",
    "cosigner",
    "other_deputy",  # a deputy of the same congress, not involved
    "lead_unit",
    "co_unit",
    "foreign_unit",  # a member of a unit of the other congress
    "staff",
    "foreign_staff",  # staff of the other congress
    "supervising_leader",
    "other_leader",  # a leader of the congress who does not supervise
    "superuser",
)

# The suggestions of congress A, by the state (or situation) they were driven to.
A_STATES = (
    "draft",
    "withdrawn_draft",  # withdrawn before it was ever submitted
    "submitted",
    "returned",  # returned for revision, with an unsubmitted revision
    "registered",
    "unit_returned",  # the lead unit returned it (退办); reassigned to another unit
    "assigned",
    "replied",
    "published",
    "closed",
    "withheld",
    "withdrawn",
)
# Congress B's own suggestion, handled by its own staff and unit.
B_STATES = ("foreign_assigned",)
STATES = A_STATES + B_STATES

SUBMITTED_ON = frozenset(A_STATES) - {"draft", "withdrawn_draft"}
HANDLED = frozenset({"unit_returned", "assigned", "replied", "published", "closed"})
SUPERVISED = frozenset(
    {"registered", "unit_returned", "assigned", "replied", "published", "closed", "withheld"}
)

# Who is who, stated once: each role's audiences on each suggestion, besides the public
# audience, which everybody has on a public suggestion.
ROLE_AUDIENCES: dict[str, dict[str, Audience]] = {
    "anonymous": {},
    "lead_deputy": {s: Audience.LEAD_DEPUTY for s in A_STATES},
    "cosigner": {s: Audience.COSIGNER for s in A_STATES},
    "other_deputy": {},
    "lead_unit": {s: Audience.UNIT for s in HANDLED},
    "co_unit": {s: Audience.UNIT for s in HANDLED},
    "foreign_unit": {"foreign_assigned": Audience.UNIT},
    "staff": {s: Audience.STAFF for s in SUBMITTED_ON},
    "foreign_staff": {"foreign_assigned": Audience.STAFF},
    "supervising_leader": {s: Audience.LEADER for s in SUPERVISED},
    "other_leader": {},
    "superuser": {s: Audience.SUPERUSER for s in STATES},
}

# The public suggestions: accepted and not withheld (the public audience's rule).
PUBLIC_SUGGESTIONS = frozenset(
    {"registered", "unit_returned", "assigned", "replied", "published", "closed"}
) | frozenset(B_STATES)

SEE = "may_see_at_all"  # the public projection's part: title, submitted text, public events


@dataclass
class Marker:
    """A unique string planted in one kind of data. `states`: the suggestions whose record
    holds it; `flag`: the Projection attribute that must be true to read it there; `owner`:
    the role whose own data it is (their own username or phone); `searchable`: in a text
    that search looks at; `skip`: channels that show it for unrelated reasons; `only`: the
    only channels that can carry it at all (a file's content)."""

    key: str
    text: str
    flag: str
    states: frozenset[str] = frozenset()
    owner: str | None = None
    searchable: bool = False
    skip: frozenset[str] = frozenset()
    only: frozenset[str] | None = None  # the only channels that can carry it (a file's text)


@dataclass
class PerimeterWorld:
    users: dict[str, object]
    suggestions: dict[str, Suggestion]
    markers: dict[str, Marker] = field(default_factory=dict)
    sessions: dict[str, object] = field(default_factory=dict)
    units: dict[str, object] = field(default_factory=dict)
    congresses: dict[str, object] = field(default_factory=dict)

    def assignments(self) -> list[Assignment]:
        return list(
            Assignment.objects.filter(suggestion__in=self.suggestions.values()).order_by("pk")
        )

    def state_of(self, suggestion_id: int) -> str:
        return next(k for k, s in self.suggestions.items() if s.pk == suggestion_id)


class _Planter:
    def __init__(self, world: PerimeterWorld):
        self.world = world
        self.numbers = itertools.count(101)

    def __call__(self, key: str, flag: str, state: str | None = None, **kwargs) -> str:
        # "mk" + a three-digit number + a letter slug: no marker occurs inside another.
        slug = "".join(c for c in key if c.isalpha())
        text = kwargs.pop("text", None) or f"mk{next(self.numbers)}{slug}q"
        states = frozenset(kwargs.pop("states", {state} if state else set()))
        self.world.markers[key] = Marker(key, text, flag, states, **kwargs)
        return text


def _user(username: str, **extra):
    # No full name: the services record such a clerk's username as the actor's name.
    return UserFactory(username=username, first_name="", last_name="", **extra)


def build_world() -> PerimeterWorld:
    congress_a = CongressFactory(name="郴州市人民代表大会", short_name="郴州市")
    congress_b = CongressFactory(name="巍山县人民代表大会", short_name="巍山县")
    term_a, term_b = TermFactory(congress=congress_a), TermFactory(congress=congress_b)
    session_a, session_b = SessionFactory(term=term_a), SessionFactory(term=term_b)
    world = PerimeterWorld(users={"anonymous": None}, suggestions={})
    world.congresses = {"a": congress_a, "b": congress_b}
    world.sessions = {"a": session_a, "b": session_b}
    plant = _Planter(world)
    users = world.users

    def deputy(role: str, username: str, name: str, term, *, phone: str = ""):
        person = {"person__name": name, "person__user": _user(username)}
        if phone:  # a real-looking number, so that it is also redacted as a phone number
            person["person__phone"] = plant(
                f"{role}.phone", "deputy_contacts", owner=role, text=phone
            )
            email = plant(f"{role}.email", "deputy_contacts", owner=role)
            person["person__email"] = f"{email}@example.org"
            person["person__address"] = "郴州市" + plant(
                f"{role}.address", "deputy_contacts", owner=role
            )
        made = DeputyFactory(term=term, **person)
        users[role] = made.person.user
        return made

    lead = deputy("lead_deputy", "dep_tang", "汤欣平", term_a, phone="13911110001")
    cosigner = deputy("cosigner", "dep_liu", "刘杨", term_a, phone="13911110002")
    deputy("other_deputy", "dep_zhao", "赵敏", term_a)
    foreign_deputy = deputy("foreign_deputy", "dep_su", "苏素馨", term_b, phone="13911110003")
    del users["foreign_deputy"]  # the other congress's deputy is not a reader here

    for role, username, congress, grant in (
        ("staff", "clerk_zx9", congress_a, StaffRole.STAFF),
        ("foreign_staff", "clerk_ws4", congress_b, StaffRole.STAFF),
        ("supervising_leader", "leader_lead7", congress_a, StaffRole.LEADER),
        ("other_leader", "leader_idle8", congress_a, StaffRole.LEADER),
    ):
        users[role] = _user(username)
        congress_staff_grant(user=users[role], congress=congress, role=grant)
    users["superuser"] = _user("root_k2", is_superuser=True, is_staff=True)
    for role, username in (
        ("lead_unit", "uclerk_lead_k4"),
        ("co_unit", "uclerk_co_p7"),
        ("foreign_unit", "uclerk_ws_t3"),
    ):
        users[role] = _user(username)
    next_unit_user = _user("uclerk_next_r5")
    units = {
        "lead": HandlingUnitFactory(
            congress=congress_a, name="郴州市人民政府", members=[users["lead_unit"]]
        ),
        "co": HandlingUnitFactory(
            congress=congress_a, name="郴州高新区", members=[users["co_unit"]]
        ),
        "next": HandlingUnitFactory(
            congress=congress_a, name="郴州经开区", members=[next_unit_user]
        ),
        "foreign": HandlingUnitFactory(
            congress=congress_b, name="巍山县公安局", members=[users["foreign_unit"]]
        ),
    }
    world.units = units
    staff, lead_user, cosigner_user = users["staff"], users["lead_deputy"], users["cosigner"]

    def text(state: str, *, flag: str = SEE, searchable: bool = True) -> tuple[str, str]:
        return (
            plant(f"{state}.title", flag, state, searchable=searchable),
            plant(f"{state}.body", flag, state, searchable=searchable),
        )

    def draft(state: str, flag: str = SEE) -> Suggestion:
        title, body = text(state, flag=flag)
        made = services.suggestion_create_draft(
            actor=lead_user,
            lead_deputy=lead,
            title=title,
            body=body,
            session=session_a,
            cosigners=[cosigner],
        )
        services.cosigner_confirm(suggestion=made, actor=cosigner_user)
        world.suggestions[state] = made
        return made

    def submitted(state: str) -> Suggestion:
        made = draft(state)
        services.suggestion_submit(suggestion=made, actor=lead_user)
        return made

    def registered(state: str) -> Suggestion:
        made = submitted(state)
        services.suggestion_register(suggestion=made, actor=staff)
        return made

    def assigned(state: str, **kwargs) -> Suggestion:
        made = registered(state)
        services.suggestion_assign(
            suggestion=made,
            actor=staff,
            lead_unit=units["lead"],
            co_units=[units["co"]],
            assigned_on=kwargs.get("assigned_on", dt.date(2025, 7, 1)),
        )
        return made

    def handled(state: str, method: str = "meeting") -> tuple[Suggestion, Assignment]:
        made = assigned(state)
        lead_assignment = made.assignments.get(role=UnitRole.LEAD)
        services.contact_record(
            assignment=lead_assignment,
            actor=users["lead_unit"],
            method=method,
            contacted_on=dt.date(2025, 7, 10),
            notes=plant(f"{state}.contact_notes", "contacts", state),
        )
        services.co_opinion_submit(
            assignment=made.assignments.get(role=UnitRole.CO),
            actor=users["co_unit"],
            text=plant(f"{state}.co_opinion", "co_opinions", state),
        )
        return made, lead_assignment

    def replied(state: str, reply_text: str) -> Suggestion:
        made, _lead = handled(state)
        letter = plant(
            f"{state}.attachment", "unpublished_replies", state, only=frozenset({"attachment"})
        )
        services.suggestion_reply(
            suggestion=made,
            actor=users["lead_unit"],
            category="B",
            text=reply_text,
            signer="张三",
            attachment=ContentFile(f"答复函 {letter}".encode(), name="letter.txt"),
        )
        return made

    # -- drafts and the submission --
    draft("draft", flag="unsubmitted_text")
    withdrawn_draft = draft("withdrawn_draft", flag="unsubmitted_text")
    services.suggestion_withdraw(
        suggestion=withdrawn_draft,
        actor=lead_user,
        reason=plant("withdrawn_draft.reason", "unsubmitted_text", "withdrawn_draft"),
    )
    submitted("submitted")
    returned = submitted("returned")
    services.suggestion_return_for_revision(
        suggestion=returned,
        actor=staff,
        comments=plant("returned.review_comment", "internal_events", "returned"),
    )
    services.suggestion_update_draft(
        suggestion=returned,
        actor=lead_user,
        title=plant("returned.revision_title", "unsubmitted_text", "returned", searchable=True),
        body=plant("returned.revision_body", "unsubmitted_text", "returned", searchable=True),
        reason=plant("returned.revision_reason", "unsubmitted_text", "returned"),
    )
    withdrawn = submitted("withdrawn")
    services.suggestion_withdraw(
        suggestion=withdrawn,
        actor=lead_user,
        reason=plant("withdrawn.reason", SEE, "withdrawn"),
    )

    # -- registered, withheld, returned by a unit --
    registered("registered")
    withheld = registered("withheld")
    services.suggestion_withhold(
        suggestion=withheld,
        actor=staff,
        reason=plant("withheld.reason", "withheld_reason", "withheld"),
    )
    unit_returned = assigned("unit_returned", assigned_on=None)
    services.suggestion_reassign(
        suggestion=unit_returned,
        actor=staff,
        assignment=unit_returned.assignments.get(role=UnitRole.LEAD),
        reason=plant("unit_returned.return_reason", "return_reasons", "unit_returned"),
    )
    services.suggestion_assign(suggestion=unit_returned, actor=staff, lead_unit=units["next"])

    # -- in handling: contact (method 现场协商), co-handling opinion, extension --
    _assigned, lead_assignment = handled("assigned", method="site_visit")
    plant(
        "assigned.contact_method",
        "contacts",
        "assigned",
        text="现场协商",
        # Pages with the contact form, the admin's filters: the choice is listed there.
        skip={"unit-page", "staff-page", "admin"},
    )
    services.assignment_extend(
        assignment=lead_assignment,
        actor=staff,
        reason=plant("assigned.extension_reason", "extension_reasons", "assigned"),
    )

    # -- replies --
    replied("replied", plant("replied.reply", "unpublished_replies", "replied", searchable=True))

    def reply_part(name: str, flag: str = "unpublished_replies") -> str:
        return plant(f"published.{name}", flag, "published", searchable=True)

    phone = plant(
        "published.phone", "unpublished_replies", "published", text="13877770001", searchable=True
    )
    passage = reply_part("staff_marked_passage")
    published_text = (
        f"{reply_part('public_sentence', SEE)}。经办人电话：{phone}。"
        f"地址：{reply_part('address')}\n{passage}\n代表邮箱 {lead.person.email}。"
    )
    published = replied("published", published_text)
    services.reply_publish(reply=published.replies.get(), actor=staff, redactions=passage)
    closed = replied(
        "closed", plant("closed.reply", "unpublished_replies", "closed", searchable=True)
    )
    services.suggestion_evaluate(
        suggestion=closed,
        actor=lead_user,
        rating="satisfied",
        comment=plant("closed.evaluation_comment", "evaluation_comments", "closed"),
    )

    # -- the other congress's own suggestion, handled by its own clerks --
    foreign = services.suggestion_create_draft(
        actor=foreign_deputy.person.user,
        lead_deputy=foreign_deputy,
        title=plant("foreign_assigned.title", SEE, "foreign_assigned", searchable=True),
        body=plant("foreign_assigned.body", SEE, "foreign_assigned", searchable=True),
        session=session_b,
    )
    world.suggestions["foreign_assigned"] = foreign
    services.suggestion_submit(suggestion=foreign, actor=foreign_deputy.person.user)
    services.suggestion_register(suggestion=foreign, actor=users["foreign_staff"])
    services.suggestion_assign(
        suggestion=foreign, actor=users["foreign_staff"], lead_unit=units["foreign"]
    )
    services.contact_record(
        assignment=foreign.assignments.get(),
        actor=users["foreign_unit"],
        method="phone",
        contacted_on=timezone.localdate(),
        notes=plant("foreign_assigned.contact_notes", "contacts", "foreign_assigned"),
    )

    # -- key supervision, with an activity that is not public --
    plan = services.supervision_plan_create(
        actor=staff,
        congress=congress_a,
        theme="电池产业重点督办",
        suggestions=[world.suggestions[s] for s in sorted(SUPERVISED)],
        leader=users["supervising_leader"],
        leader_title="市人大常委会副主任",
    )
    services.supervision_activity_log(
        plan=plan,
        actor=staff,
        kind="research",
        title=plant("supervision.activity_title", "internal_supervision", states=SUPERVISED),
        date=dt.date(2025, 9, 1),
        description=plant(
            "supervision.activity_description", "internal_supervision", states=SUPERVISED
        ),
        is_public=False,
    )

    # -- whose contact details and account names are in which suggestion's record --
    for key, marker in world.markers.items():
        if marker.flag == "deputy_contacts":
            person = {
                "lead_deputy": lead,
                "cosigner": cosigner,
                "foreign_deputy": foreign_deputy,
            }[key.split(".")[0]].person
            marker.states = frozenset(
                state
                for state, s in world.suggestions.items()
                if s.lead_deputy.person_id == person.pk
                or s.cosignatures.filter(deputy__person=person).exists()
            )
            if marker.owner == "foreign_deputy":
                marker.owner = None
    for role in ("staff", "foreign_staff", "lead_unit", "co_unit", "foreign_unit"):
        acted = set(Event.objects.filter(actor=users[role]).values_list("suggestion_id", flat=True))
        plant(
            f"{role}.username",
            "account_names",
            text=users[role].username,
            owner=role,
            states={world.state_of(pk) for pk in acted},
        )

    # -- the inbox: sweeps and deliveries as the beat schedule runs them, today (replies
    # overdue) and a day before the revision is due (a reminder naming the revision) --
    for now in (timezone.now(), timezone.now() + dt.timedelta(days=9)):
        run_sweep(now=now)
        deliver_all(now=now)
    for suggestion in world.suggestions.values():
        suggestion.refresh_from_db()
    return world
