"""Who may read what: the one read policy of the tracker.

Every channel — pages, API, admin, exports, search, statistics, the inbox, attachments —
derives its querysets and its fetch-and-check from this module; none restates a rule.
(Who may *act* is `suggestions.rules`; what a citizen reads of a public suggestion is
`suggestions.public_projection`.)

Audiences of a suggestion (README, "Who sees what"):

- public: anyone, signed in or not — `Suggestion.objects.public()`;
- lead deputy: their own suggestions from the first draft on;
- co-signer: suggestions they were invited to co-sign — the text and the public record;
- unit: suggestions assigned to one of their units, also after the unit replied, returned
  the assignment or the assignment ended (read-only then: writing is `rules`' business);
- staff: their congress's suggestions from submission on — never a draft, and never the
  text of a revision the deputy has not submitted yet;
- leader: the suggestions of the supervision plans they lead;
- superuser: everything.

`suggestion_for` and `assignment_for` are the single fetch-and-check: missing and forbidden
answer the same 404, so nobody learns that someone else's draft exists.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.http import Http404
from django.utils.translation import gettext as _

from congress.models import (
    Congress,
    CongressStaff,
    Deputy,
    HandlingUnit,
    Person,
    Session,
    StaffRole,
)
from suggestions.models import (
    PUBLIC_STATES,
    Assignment,
    CoSignature,
    Event,
    LedgerExport,
    Reply,
    State,
    Suggestion,
    SupervisionPlan,
    Version,
)
from suggestions.public_projection.timeline import actors_of, public_actor, public_event_text


class Audience(StrEnum):
    PUBLIC = "public"
    LEAD_DEPUTY = "lead_deputy"
    COSIGNER = "cosigner"
    UNIT = "unit"
    STAFF = "staff"
    LEADER = "leader"
    SUPERUSER = "superuser"


@dataclass(frozen=True)
class Projection:
    """Which confidential parts of one suggestion's record a reader may see. Everything not
    listed here (title, current submitted text, public events, published replies as
    redacted, outcomes, public supervision) is the public projection."""

    unsubmitted_text: bool = False  # a draft, or a revision not yet resubmitted
    versions: bool = False
    internal_events: bool = False  # review comments, drafting, co-handling notices …
    co_opinions: bool = False
    contacts: bool = False
    unpublished_replies: bool = False  # also the full text of published ones
    evaluation_comments: bool = False
    extension_reasons: bool = False
    return_reasons: bool = False
    withheld_reason: bool = False
    deputy_contacts: bool = False
    account_names: bool = False
    internal_supervision: bool = False  # non-public supervision activities, the leader
    may_see_at_all: bool = True

    def __or__(self, other: Projection) -> Projection:
        return Projection(
            **{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        )


NOTHING = Projection(may_see_at_all=False)
PUBLIC = Projection()
EVERYTHING = Projection(**{f.name: True for f in fields(Projection)})

PROJECTIONS: dict[Audience, Projection] = {
    Audience.PUBLIC: PUBLIC,
    Audience.LEAD_DEPUTY: Projection(
        unsubmitted_text=True,
        versions=True,
        internal_events=True,
        unpublished_replies=True,
        evaluation_comments=True,
        extension_reasons=True,  # the deputy is told why the reply comes later
    ),
    Audience.COSIGNER: Projection(unsubmitted_text=True),
    Audience.UNIT: Projection(
        versions=True,
        co_opinions=True,
        contacts=True,
        unpublished_replies=True,
        evaluation_comments=True,  # a unit re-handling after 不满意 must know why
        extension_reasons=True,
        return_reasons=True,
        deputy_contacts=True,  # the unit must contact the deputy
    ),
    Audience.STAFF: Projection(
        **{f.name: True for f in fields(Projection) if f.name != "unsubmitted_text"}
    ),
    Audience.LEADER: Projection(
        versions=True,
        internal_events=True,
        co_opinions=True,
        contacts=True,
        unpublished_replies=True,
        evaluation_comments=True,
        extension_reasons=True,
        return_reasons=True,
        withheld_reason=True,
        deputy_contacts=True,
        internal_supervision=True,
    ),
    Audience.SUPERUSER: EVERYTHING,
}

# Internal events of these actions need one more flag than `internal_events`: the
# withholding decision is the congress's, a non-public supervision activity the
# supervisors'.
INTERNAL_EVENT_NEEDS = {
    "withhold": "withheld_reason",
    "release": "withheld_reason",
    "supervision_activity": "internal_supervision",
}

# The projection flag a reader needs to read the text (`reason`) of an event of these
# actions; the event itself (what happened, when) stays on the timeline.
REASON_NEEDS = {
    "reassign": "return_reasons",
    "extend": "extension_reasons",
    "contact": "contacts",
    "co_opinion": "co_opinions",
    "evaluate": "evaluation_comments",
    "withhold": "withheld_reason",
    # They name the other suggestion of a merger, which may itself be withheld.
    "merge_in": "withheld_reason",
    "merged_reply": "withheld_reason",
    "merge": "withheld_reason",
}


# ---- the people behind the audiences ----


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def staff_congresses(user) -> QuerySet[Congress]:
    """The congresses whose deputy-work office `user` works in (all, for a superuser)."""
    if not _signed_in(user):
        return Congress.objects.none()
    if user.is_superuser:
        return Congress.objects.all()
    return Congress.objects.filter(
        pk__in=CongressStaff.objects.filter(user=user, role=StaffRole.STAFF).values("congress_id")
    )


def is_staff_of(user, congress_id: int | None) -> bool:
    if not _signed_in(user) or congress_id is None:
        return False
    return user.is_superuser or staff_congresses(user).filter(pk=congress_id).exists()


def units_of(user) -> QuerySet[HandlingUnit]:
    if not _signed_in(user):
        return HandlingUnit.objects.none()
    return HandlingUnit.objects.filter(members=user)


def mandates_of(user) -> QuerySet[Deputy]:
    if not _signed_in(user):
        return Deputy.objects.none()
    return Deputy.objects.filter(person__user=user)


# ---- suggestions ----


def _reached_the_congress() -> Q:
    """Submitted at least once: not a draft, and not withdrawn before it was ever submitted."""
    ever_submitted = Exists(
        Version.objects.filter(suggestion=OuterRef("pk"), submitted_at__isnull=False)
    )
    return ~Q(state=State.DRAFT) & (~Q(state=State.WITHDRAWN) | Q(ever_submitted))


def unsubmitted_revisions() -> Q:
    """Versions (a filter on Version) the deputy is still writing after a return."""
    return Q(
        submitted_at__isnull=True,
        suggestion__returned_at_version__isnull=False,
        number__gt=F("suggestion__returned_at_version"),
    )


def with_submitted_text(suggestions: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """Annotate `submitted_title` and `submitted_body`: the text the congress received. While
    a returned suggestion is being revised, its own title and body are the deputy's
    unsubmitted revision, so the text returned is given instead."""
    being_revised = Exists(
        Version.objects.filter(
            suggestion=OuterRef("pk"),
            number=OuterRef("current_version_number"),
            number__gt=OuterRef("returned_at_version"),
            submitted_at__isnull=True,
        )
    )
    returned = Version.objects.filter(
        suggestion=OuterRef("pk"), number=OuterRef("returned_at_version")
    ).order_by()
    return suggestions.annotate(
        submitted_title=Case(
            When(being_revised, then=Subquery(returned.values("title")[:1])), default=F("title")
        ),
        submitted_body=Case(
            When(being_revised, then=Subquery(returned.values("body")[:1])), default=F("body")
        ),
    )


def with_readable_title(suggestions: QuerySet[Suggestion], user) -> QuerySet[Suggestion]:
    """Annotate `readable_title` for a list of `user`'s working set: the title as it stands
    for the suggestion's deputies (and superusers), the submitted one for everyone else."""
    if _signed_in(user) and user.is_superuser:
        return suggestions.annotate(readable_title=F("title"))
    annotated = with_submitted_text(suggestions)
    if not _signed_in(user):
        return annotated.annotate(readable_title=F("submitted_title"))
    own = _audience_condition(user, Audience.LEAD_DEPUTY) | _audience_condition(
        user, Audience.COSIGNER
    )
    return annotated.annotate(
        readable_title=Case(When(own, then=F("title")), default=F("submitted_title"))
    )


def _audience_condition(user, audience: Audience) -> Q | None:
    """The rows `audience` admits for `user`, as a filter; None when it admits none."""
    if audience is Audience.PUBLIC:
        return Q(state__in=PUBLIC_STATES, withheld_reason="")
    if not _signed_in(user):
        return None
    if audience is Audience.SUPERUSER:
        return Q() if user.is_superuser else None
    if audience is Audience.LEAD_DEPUTY:
        return Q(lead_deputy__person__user=user)
    if audience is Audience.COSIGNER:
        return Q(
            pk__in=CoSignature.objects.filter(deputy__person__user=user).values("suggestion_id")
        )
    if audience is Audience.UNIT:
        return Q(pk__in=Assignment.objects.filter(unit__members=user).values("suggestion_id"))
    if audience is Audience.STAFF:
        return Q(congress__in=staff_congresses(user).values("pk")) & _reached_the_congress()
    if audience is Audience.LEADER:
        return Q(
            pk__in=SupervisionPlan.suggestions.through.objects.filter(
                supervisionplan__leader=user
            ).values("suggestion_id")
        )
    raise ValueError(audience)


def readable_suggestions(
    user, audience: Audience | None = None, *, include_public: bool = False
) -> QuerySet[Suggestion]:
    """The suggestions `user` may open in `audience` (or in any of their audiences but the
    public one; add the public ones with `include_public`)."""
    wanted = [audience] if audience else [a for a in Audience if a is not Audience.PUBLIC]
    if include_public and Audience.PUBLIC not in wanted:
        wanted.append(Audience.PUBLIC)
    if _signed_in(user) and user.is_superuser and audience in (None, Audience.SUPERUSER):
        return Suggestion.objects.all()
    condition = None
    for each in wanted:
        admitted = _audience_condition(user, each)
        if admitted is not None:
            condition = admitted if condition is None else condition | admitted
    if condition is None:
        return Suggestion.objects.none()
    return Suggestion.objects.filter(condition)


def suggestion_for(
    user,
    pk,
    audience: Audience | None = None,
    *,
    queryset: QuerySet[Suggestion] | None = None,
    include_public: bool = False,
) -> Suggestion:
    """The one fetch-and-check: the suggestion if `user` may open it in `audience`, else a
    404 that reads the same whether it is missing or forbidden. `queryset` adds the
    select_related/prefetch a page needs (it is narrowed, never widened)."""
    readable = readable_suggestions(user, audience, include_public=include_public)
    base = queryset if queryset is not None else Suggestion.objects.all()
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("没有找到这件建议。")) from None
    suggestion = base.filter(pk=key, pk__in=readable.values("pk")).first()
    if suggestion is None:
        raise Http404(_("没有找到这件建议。"))
    return suggestion


def audiences_of(user, suggestion: Suggestion) -> frozenset[Audience]:
    """Every audience in which `user` reads `suggestion` (a clerk may also be a deputy)."""
    found = set()
    if suggestion.state in PUBLIC_STATES and not suggestion.withheld_reason:
        found.add(Audience.PUBLIC)
    if not _signed_in(user):
        return frozenset(found)
    for audience in Audience:
        if audience is Audience.PUBLIC or audience in found:
            continue
        condition = _audience_condition(user, audience)
        if condition is not None and (
            Suggestion.objects.filter(condition).filter(pk=suggestion.pk).exists()
        ):
            found.add(audience)
    return frozenset(found)


def projection_for(user, suggestion: Suggestion) -> Projection:
    """What of `suggestion` `user` may read: the union of their audiences' projections."""
    audiences = audiences_of(user, suggestion)
    if not audiences:
        return NOTHING
    projection = PUBLIC
    for audience in audiences:
        projection = projection | PROJECTIONS[audience]
    return projection


def readable_events(projection: Projection, suggestion: Suggestion) -> QuerySet[Event]:
    """The timeline `projection` admits, in the order things happened."""
    events = suggestion.events.all()
    if not projection.internal_events:
        events = events.filter(is_public=True)
    hidden = [
        action for action, flag in INTERNAL_EVENT_NEEDS.items() if not getattr(projection, flag)
    ]
    if hidden:
        events = events.exclude(action__in=hidden, is_public=False)
    return events.order_by("pk")


def event_text(projection: Projection, event: Event) -> str:
    """The text of `event` this reader may read: the full text where their projection
    admits it, else its public part (the public projection's)."""
    needed = REASON_NEEDS.get(event.action)
    allowed = getattr(projection, needed) if needed else projection.internal_events
    return event.reason if allowed else public_event_text(event)


def present_events(projection: Projection, suggestion: Suggestion, events) -> list[Event]:
    """`suggestion`'s events with `display_reason` and `display_actor` set for this reader:
    account names only for the congress's own staff; everyone else reads who acted as the
    public does (a body, or a deputy by name). A constant number of queries: the actors'
    units are prefetched, the suggestion's deputies and units read once."""
    if projection.account_names:
        shown = list(events)
        for event in shown:
            event.display_reason = event_text(projection, event)
            event.display_actor = event.actor_name
        return shown
    shown = list(events.select_related("actor__person").prefetch_related("actor__handling_units"))
    actors = actors_of(suggestion)
    for event in shown:
        event.display_reason = event_text(projection, event)
        event.display_actor = public_actor(event, actors)
    return shown


def readable_replies(projection: Projection, suggestion: Suggestion) -> QuerySet[Reply]:
    """Replies with their full text for those who may read unpublished replies; otherwise
    only published ones (whose text must then be read through `publication`)."""
    replies = suggestion.replies.all()
    if not projection.unpublished_replies:
        replies = replies.published()
    return replies


# ---- assignments (a unit's working objects) ----


def readable_assignments(user) -> QuerySet[Assignment]:
    """Assignments of the user's units, whatever their status (returned and finished ones
    stay readable); all assignments of readable suggestions for staff and superusers."""
    if not _signed_in(user):
        return Assignment.objects.none()
    if user.is_superuser:
        return Assignment.objects.all()
    return Assignment.objects.filter(
        Q(unit__members=user)
        | Q(suggestion__in=readable_suggestions(user, Audience.STAFF).values("pk"))
    ).distinct()


def assignment_for(user, pk, *, queryset: QuerySet[Assignment] | None = None) -> Assignment:
    """Fetch-and-check for one assignment: the same 404 for missing and forbidden."""
    base = queryset if queryset is not None else Assignment.objects.all()
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("没有找到这项交办。")) from None
    assignment = base.filter(pk=key, pk__in=readable_assignments(user).values("pk")).first()
    if assignment is None:
        raise Http404(_("没有找到这项交办。"))
    return assignment


def own_unit_assignments(user) -> QuerySet[Assignment]:
    """The assignments a unit member works on (their own units only, any status)."""
    if not _signed_in(user):
        return Assignment.objects.none()
    return Assignment.objects.filter(unit__members=user)


# ---- the parts of one suggestion a projection admits ----


def readable_versions(projection: Projection, suggestion: Suggestion) -> QuerySet[Version]:
    """Versions in order; only submitted ones for readers of submitted text."""
    if not projection.versions:
        return Version.objects.none()
    versions = suggestion.versions.order_by("number")
    if not projection.unsubmitted_text:
        versions = versions.filter(submitted_at__isnull=False)
    return versions


def readable_text(projection: Projection, suggestion: Suggestion) -> tuple[str, str]:
    """(title, body) as this reader may read them: the text as it stands for the deputies,
    the text the congress received (`with_submitted_text`) for everyone else — staff never
    read a revision in progress, nor a draft."""
    if projection.unsubmitted_text or suggestion.state not in (State.DRAFT, State.RETURNED):
        return suggestion.title, suggestion.body
    if suggestion.state == State.DRAFT:
        return "", ""
    submitted = with_submitted_text(Suggestion.objects.filter(pk=suggestion.pk))
    return submitted.values_list("submitted_title", "submitted_body").get()


def readable_supervision_plans(user) -> QuerySet[SupervisionPlan]:
    """The plans a leader leads, and every plan of the congresses a clerk works for."""
    if not _signed_in(user):
        return SupervisionPlan.objects.none()
    return SupervisionPlan.objects.filter(
        Q(leader=user) | Q(congress__in=staff_congresses(user).values("pk"))
    ).distinct()


def reply_for(user, pk) -> Reply:
    """Fetch-and-check for one reply as the unit wrote it (its full text, its signed letter):
    those who read a suggestion's replies in full. A published reply is read by everyone
    else through the public projection, redacted; its letter cannot be redacted, so it is not
    theirs."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("没有找到这份答复。")) from None
    reply = Reply.objects.select_related("suggestion").filter(pk=key).first()
    if reply is not None and projection_for(user, reply.suggestion).unpublished_replies:
        return reply
    raise Http404(_("没有找到这份答复。"))


# ---- search: which texts of which suggestions a reader's search may match ----


@dataclass(frozen=True)
class SearchScope:
    """For a signed-in reader's search: the suggestions whose current text, whose versions and
    whose full reply texts their projections admit. A match elsewhere would reveal text the
    reader may not read."""

    current_text: Q
    versions: Q  # on Version
    full_replies: Q  # on Reply


def search_scope(user) -> SearchScope:
    nothing = Q(pk__in=[])
    current_text, versions, full_replies = nothing, nothing, nothing
    audiences = [a for a in Audience if a is not Audience.PUBLIC]
    for audience in audiences:
        admitted = _audience_condition(user, audience)
        if admitted is None:
            continue
        projection = PROJECTIONS[audience]
        ids = Suggestion.objects.filter(admitted).values("pk")
        unsubmitted = ~Q(state__in=(State.DRAFT, State.RETURNED))
        current_text |= Q(pk__in=ids) & (Q() if projection.unsubmitted_text else unsubmitted)
        if projection.versions:
            submitted = Q() if projection.unsubmitted_text else Q(submitted_at__isnull=False)
            versions |= Q(suggestion__in=ids) & submitted
        if projection.unpublished_replies:
            full_replies |= Q(suggestion__in=ids)
    return SearchScope(current_text, versions, full_replies)


# ---- reminders (the outbox staff watch over) ----


def readable_reminders(user):
    """Reminders of the congresses a clerk works for — those about their suggestions and
    their supervision plans; all for a superuser. The recipient is not consulted: a person
    who works for two congresses must not show one congress's reminders to the other's staff.
    """
    from suggestions.reminders.models import Reminder, ReminderObject

    if not _signed_in(user):
        return Reminder.objects.none()
    if user.is_superuser:
        return Reminder.objects.all()
    congresses = staff_congresses(user).values("pk")
    plans = SupervisionPlan.objects.filter(congress__in=congresses).values("pk")
    return Reminder.objects.filter(
        Q(suggestion__congress__in=congresses)
        | Q(object_type=ReminderObject.SUPERVISION_PLAN, object_id__in=plans)
    )


# ---- ledger exports (台账) ----


def ledger_readable(
    user, *, session: Session | None = None, unit: HandlingUnit | None = None
) -> QuerySet[Suggestion] | None:
    """The suggestions `user`'s ledger of `session` or `unit` is read from, or None when that
    ledger is not theirs: staff of the scope's congress (and superusers) read it as staff, a
    member of `unit` reads their own unit's ledger as the unit."""
    congress_id = session.term.congress_id if session is not None else unit.congress_id
    if is_staff_of(user, congress_id):
        return readable_suggestions(user, Audience.STAFF)
    if unit is not None and units_of(user).filter(pk=unit.pk).exists():
        return readable_suggestions(user, Audience.UNIT)
    return None


def ledger_scopes(user) -> tuple[QuerySet[Session], QuerySet[HandlingUnit]]:
    """The sessions and the units whose ledgers `user` may export (`ledger_readable`)."""
    congresses = staff_congresses(user).values("pk")
    sessions = Session.objects.filter(term__congress__in=congresses)
    units = HandlingUnit.objects.filter(
        Q(congress__in=congresses) | Q(pk__in=units_of(user).values("pk"))
    )
    return sessions, units


def readable_ledger_exports(user) -> QuerySet[LedgerExport]:
    """Export jobs are their owner's alone (all, for a superuser): a file is the ledger as
    its owner may read it."""
    if not _signed_in(user):
        return LedgerExport.objects.none()
    if user.is_superuser:
        return LedgerExport.objects.all()
    return LedgerExport.objects.filter(owner=user)


def ledger_export_for(user, pk, *, queryset: QuerySet[LedgerExport] | None = None) -> LedgerExport:
    """Fetch-and-check for one export job: the same 404 for missing and someone else's."""
    base = queryset if queryset is not None else LedgerExport.objects.all()
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("没有找到这项导出。")) from None
    job = base.filter(pk=key, pk__in=readable_ledger_exports(user).values("pk")).first()
    if job is None:
        raise Http404(_("没有找到这项导出。"))
    return job


# ---- institutions: the people and accounts of a congress ----


def accounts_of(congresses: QuerySet[Congress]) -> QuerySet:
    """Accounts tied to `congresses`: a person holding a mandate in one of their terms, a
    member of one of their handling units, or someone working for one of them."""
    congress_ids = congresses.values("pk")
    return get_user_model().objects.filter(
        Q(
            pk__in=Person.objects.filter(
                mandates__term__congress__in=congress_ids, user__isnull=False
            ).values("user")
        )
        | Q(
            pk__in=HandlingUnit.members.through.objects.filter(
                handlingunit__congress__in=congress_ids
            ).values("user")
        )
        | Q(pk__in=CongressStaff.objects.filter(congress__in=congress_ids).values("user"))
    )


def people_of(congresses: QuerySet[Congress]) -> QuerySet[Person]:
    """Persons of `congresses`: deputies of their terms, and the people behind their accounts
    (unit members, staff, leaders). A person tied to none is nobody's but a superuser's."""
    return Person.objects.filter(
        Q(pk__in=Deputy.objects.filter(term__congress__in=congresses.values("pk")).values("person"))
        | Q(user__in=accounts_of(congresses))
    )
