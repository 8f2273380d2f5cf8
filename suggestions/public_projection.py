"""The one public projection of a suggestion (DESIGN.md §8): everything a citizen may read
about it, decided here and nowhere else. The public pages (suggestions/web/public.py), the
public API (suggestions/api/serializers/public.py, api/views/public.py, api/public_rows.py)
and the public search (`Reply.public_text`, suggestions/search.py) render what this module
returns; the public statistics count `Suggestion.objects.public()` only
(suggestions/statistics.py).

Never shown: deputies' contact details, drafts and earlier versions, review comments,
internal events, the internal part of a public event's text (evaluation comments, extension
and return reasons, contact records, the titles of merged suggestions, …), co-handling
opinions, unpublished or withheld replies and the passages staff marked in published ones,
internal supervision activities, the withheld reason, and the accounts of staff and unit
clerks (the public reads the acting body; deputies are named).

`project()` and the `public_*` functions work on a suggestion loaded with
`detail_queryset()` and run no further queries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from suggestions.models import (
    PUBLIC_STATES,
    Assignment,
    AssignmentStatus,
    DatePrecision,
    Event,
    Rating,
    Reply,
    State,
    Suggestion,
    SuggestionLink,
    SupervisionActivity,
    SupervisionPlan,
    format_partial_date,
)
from suggestions.progress import NextStep, next_steps

# ---- Which suggestions ----


def is_public(suggestion: Suggestion) -> bool:
    """The instance form of `Suggestion.objects.public()`."""
    return suggestion.state in PUBLIC_STATES and not suggestion.withheld_reason


def detail_queryset() -> QuerySet[Suggestion]:
    """Public suggestions with everything `project()` reads, in a constant number of queries.
    Replies are all prefetched (who must reply next depends on unpublished ones too); the
    projection keeps only the published ones."""
    return (
        Suggestion.objects.public()
        .select_related(
            "congress",
            "session",
            "lead_deputy__person",
            "lead_deputy__delegation",
            "merged_into",
            "source",
        )
        .prefetch_related(
            "cosignatures__deputy__person",
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
            Prefetch("replies", queryset=Reply.objects.select_related("assignment__unit")),
            "outcomes",
            Prefetch(
                "events",
                queryset=Event.objects.public()
                .select_related("source", "actor__person")
                .prefetch_related("actor__handling_units"),
            ),
            Prefetch(
                "supervision_plans",
                queryset=SupervisionPlan.objects.select_related("committee", "lead_unit"),
            ),
            Prefetch(
                "supervision_plans__activities",
                queryset=SupervisionActivity.objects.filter(is_public=True),
            ),
            "follow_up_reviews",
            Prefetch(
                "links_out",
                queryset=SuggestionLink.objects.select_related("to_suggestion__congress"),
            ),
            Prefetch(
                "links_in",
                queryset=SuggestionLink.objects.select_related("from_suggestion__congress"),
            ),
        )
    )


# ---- Dates with their precision ----


@dataclass(frozen=True)
class PublicDate:
    """A date known to the day, the month or the year. Never shown with an invented day."""

    value: dt.date | None
    precision: str = DatePrecision.DAY

    @property
    def iso(self) -> str:
        """ISO 8601 at the known precision: '2023-01-05', '2023-01' or '2023'; '' if unknown."""
        if self.value is None:
            return ""
        if self.precision == DatePrecision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()

    @property
    def display(self) -> str:
        """For pages, in the active language: '2023年1月' (English 'January 2023')."""
        return format_partial_date(self.value, self.precision)

    def __str__(self) -> str:
        return self.display


# ---- Reply text as published ----

# Mainland mobile numbers and landlines with their area code.
PHONE_PATTERN = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}[-－ ]?\d{7,8})(?!\d)")
ADDRESS_PATTERN = re.compile(r"(?:地址|住址|通讯地址|联系地址)[:：][^\n。；;]*")


def redact_reply_text(text: str, redactions: str, private_values: Iterable[str]) -> str:
    """A reply's text as the public reads it: the passages staff marked (one per line of
    `redactions`), the `private_values` (the deputies' contact details), addresses and phone
    numbers removed. Pure: no database, so migrations may call it."""
    for passage in (line.strip() for line in redactions.splitlines()):
        if passage:
            text = text.replace(passage, _("［已删除］"))
    for value in private_values:
        if len(value) >= 3:
            text = text.replace(value, _("［已隐去］"))
    text = ADDRESS_PATTERN.sub(_("［地址已隐去］"), text)
    return PHONE_PATTERN.sub(_("［电话已隐去］"), text)


def searchable_reply_text(text: str, redactions: str, private_values: Iterable[str]) -> str:
    """What `Reply.public_text` stores: `redact_reply_text` in the site's language, so the
    stored text does not depend on the language of whoever published the reply."""
    with translation.override(settings.LANGUAGE_CODE):
        return redact_reply_text(text, redactions, private_values)


def deputy_contact_values(suggestion: Suggestion) -> tuple[str, ...]:
    """The phone numbers, addresses and e-mail addresses of the suggestion's lead deputy and
    co-signers. Uses `lead_deputy.person` and `cosignatures`: prefetch them for lists."""
    persons = [suggestion.lead_deputy.person]
    persons += [c.deputy.person for c in suggestion.cosignatures.all()]
    return tuple(
        value
        for person in persons
        for value in (person.phone, person.address, person.email)
        if value
    )


def public_reply_text(reply: Reply, private_values: tuple[str, ...] | None = None) -> str:
    """The reply as the public reads it, in the active language. `private_values` defaults
    to the deputies' contact details (`deputy_contact_values(reply.suggestion)`)."""
    if private_values is None:
        private_values = deputy_contact_values(reply.suggestion)
    return redact_reply_text(reply.text, reply.redactions, private_values)


def stored_public_text(reply: Reply) -> str:
    """The value `reply.public_text` must hold: its published text, '' while not public."""
    if reply.published_at is None or reply.withheld:
        return ""
    return searchable_reply_text(
        reply.text, reply.redactions, deputy_contact_values(reply.suggestion)
    )


def refresh_public_texts(replies: QuerySet[Reply]) -> int:
    """Recompute `public_text` of `replies` (after a deputy's contact details changed);
    returns how many changed."""
    changed = []
    for reply in replies.select_related("suggestion__lead_deputy__person").prefetch_related(
        "suggestion__cosignatures__deputy__person"
    ):
        value = stored_public_text(reply)
        if value != reply.public_text:
            reply.public_text = value
            changed.append(reply)
    Reply.objects.bulk_update(changed, ["public_text"])
    return len(changed)


CONTACT_FIELDS = frozenset({"phone", "email", "address"})


def refresh_public_texts_on_contact_change(
    sender, instance, update_fields=None, raw=False, **kwargs
) -> None:
    """post_save of `congress.Person`: a deputy's new phone, address or e-mail must vanish
    from the searchable text of the published replies to their suggestions at once."""
    if raw or (update_fields is not None and not CONTACT_FIELDS & set(update_fields)):
        return
    lead_or_cosigner = Q(suggestion__lead_deputy__person=instance) | Q(
        suggestion__cosignatures__deputy__person=instance
    )
    ids = Reply.objects.published().filter(lead_or_cosigner).values("pk")
    refresh_public_texts(Reply.objects.filter(pk__in=ids))


def connect() -> None:
    from django.db.models.signals import post_save

    from congress.models import Person

    post_save.connect(
        refresh_public_texts_on_contact_change,
        sender=Person,
        dispatch_uid="refresh_public_texts_on_contact_change",
    )


# ---- The timeline ----

# Actions whose stored `reason` is written for the public: the registration number, the
# units and their deadlines, the reply's unit and category, the supervision theme, a public
# activity's title (internal activities make internal events), the outcome, the follow-up
# findings. Every other action (contact, extend, reassign, merge, merge_in, merged_reply,
# withdraw, refuse, lapse_evaluation, deadline_recomputed, …) shows its label only; an
# evaluation shows its rating only (`_rating_label`).
PUBLIC_TEXT_ACTIONS = frozenset(
    {
        "register",
        "assign",
        "reply",
        "partial_reply",
        "key_supervision",
        "supervision_activity",
        "outcome",
        "follow_up_review",
        "start_follow_up",
        "complete",
    }
)
UNIT_ACTIONS = frozenset({"contact", "reply", "partial_reply", "co_opinion"})


@dataclass(frozen=True)
class PublicEvent:
    id: int
    action: str
    action_label: str
    from_state: str
    from_state_label: str
    to_state: str
    to_state_label: str
    actor: str
    text: str
    occurred_at: dt.datetime | None
    date: PublicDate
    source: str | None

    @property
    def when_display(self) -> str:
        """For pages: local time of a live step, else the step's date at its precision."""
        if self.occurred_at:
            return timezone.localtime(self.occurred_at).strftime("%Y-%m-%d %H:%M")
        return self.date.display

    @property
    def when_iso(self) -> str:
        if self.occurred_at:
            return timezone.localtime(self.occurred_at).strftime("%Y-%m-%d %H:%M")
        return self.date.iso


def _rating_label(reason: str) -> str:
    """The rating of an evaluation event, in the active language, without the comment that
    events written before the comment was kept out of them carry ('不满意：…')."""
    head = re.split("[:：]", reason, maxsplit=1)[0].strip()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels = {str(rating.label): rating for rating in Rating}
        if head in labels:
            return str(labels[head].label)
    return ""


def public_event_text(event: Event) -> str:
    """The public part of an event's text. A step taken from a source article quotes a
    published article, so its text is public whatever its action."""
    if event.action == "evaluate":
        return _rating_label(event.reason)
    if event.action in PUBLIC_TEXT_ACTIONS or event.source_id is not None:
        return event.reason
    return ""


def public_actor(event: Event, suggestion: Suggestion) -> str:
    """Who acted, as the public reads it: a deputy by name, a unit's clerk as the unit (by
    name when the clerk belongs to exactly one of the suggestion's units), a congress clerk
    as the office; a historical step keeps the body its article names."""
    if event.actor_id is None:
        return event.actor_name
    person = getattr(event.actor, "person", None)
    deputies = {suggestion.lead_deputy.person_id} | {
        c.deputy.person_id for c in suggestion.cosignatures.all()
    }
    if person is not None and person.pk in deputies:
        return person.name
    if event.action in UNIT_ACTIONS:
        unit_ids = {unit.pk for unit in event.actor.handling_units.all()}
        names = {a.unit.name for a in suggestion.assignments.all() if a.unit_id in unit_ids}
        return names.pop() if len(names) == 1 else _("承办单位")
    return _("人大常委会代表工作机构")


def public_timeline(suggestion: Suggestion) -> list[PublicEvent]:
    """The public steps in the order they happened. Live steps are recorded as they happen and
    seeded ones in their article's order, so insertion order is the chronology; sorting by
    date would misplace the steps the articles leave undated."""
    events = sorted(suggestion.events.all(), key=lambda event: event.pk)
    return [
        PublicEvent(
            id=event.pk,
            action=event.action,
            action_label=event.action_label,
            from_state=event.from_state,
            from_state_label=_state_label(event.from_state),
            to_state=event.to_state,
            to_state_label=_state_label(event.to_state),
            actor=public_actor(event, suggestion),
            text=public_event_text(event),
            occurred_at=event.occurred_at,
            date=PublicDate(event.date, event.date_precision),
            source=event.source.title if event.source_id else None,
        )
        for event in events
        if event.is_public
    ]


def _state_label(value: str) -> str:
    return str(State(value).label) if value else ""


# ---- Replies, assignments, outcomes, supervision, follow-up, links ----


@dataclass(frozen=True)
class PublicReply:
    id: int
    unit: str
    round: int
    category: str
    category_label: str
    text: str
    signer: str
    replied_at: dt.datetime
    published_at: dt.datetime


def public_replies(suggestion: Suggestion) -> list[PublicReply]:
    private_values = deputy_contact_values(suggestion)
    replies = sorted(suggestion.replies.all(), key=lambda r: (r.round, r.replied_at, r.pk))
    return [
        PublicReply(
            id=reply.pk,
            unit=reply.assignment.unit.name,
            round=reply.round,
            category=reply.category,
            category_label=str(reply.get_category_display()),
            text=public_reply_text(reply, private_values),
            signer=reply.signer,
            replied_at=reply.replied_at,
            published_at=reply.published_at,
        )
        for reply in replies
        if reply.published_at is not None and not reply.withheld
    ]


@dataclass(frozen=True)
class PublicRef:
    id: int
    name: str


@dataclass(frozen=True)
class PublicAssignment:
    """An active assignment, with its deadlines but never its extension or return reason."""

    unit: PublicRef
    role: str
    role_label: str
    status: str
    status_label: str
    assigned_on: dt.date | None
    due_on: dt.date | None
    due_explanation: str
    extended: bool
    rehandling_due_on: dt.date | None
    current_due_on: dt.date | None


def public_assignments(suggestion: Suggestion) -> list[PublicAssignment]:
    active = [a for a in suggestion.assignments.all() if a.status == AssignmentStatus.ACTIVE]
    return [
        PublicAssignment(
            unit=PublicRef(a.unit_id, a.unit.name),
            role=a.role,
            role_label=str(a.get_role_display()),
            status=a.status,
            status_label=str(a.get_status_display()),
            assigned_on=a.assigned_on,
            due_on=a.due_on,
            due_explanation=a.due_explanation,
            extended=a.extended,
            rehandling_due_on=a.rehandling_due_on,
            current_due_on=a.current_due_on,
        )
        for a in sorted(active, key=lambda a: (a.role, a.unit.name))
    ]


@dataclass(frozen=True)
class PublicOutcome:
    id: int
    kind: str
    kind_label: str
    title: str
    issuing_body: str
    date: PublicDate
    description: str


def public_outcomes(suggestion: Suggestion) -> list[PublicOutcome]:
    outcomes = sorted(suggestion.outcomes.all(), key=lambda o: (o.date or dt.date.min, o.pk))
    return [
        PublicOutcome(
            id=o.pk,
            kind=o.kind,
            kind_label=str(o.get_kind_display()),
            title=o.title,
            issuing_body=o.issuing_body,
            date=PublicDate(o.date, o.date_precision),
            description=o.description,
        )
        for o in outcomes
    ]


@dataclass(frozen=True)
class PublicActivity:
    kind: str
    kind_label: str
    title: str
    conducted_by: str
    description: str
    date: PublicDate


@dataclass(frozen=True)
class PublicPlan:
    id: int
    theme: str
    decided_by: str
    leader_title: str
    committee: str | None
    supervising_body: str
    lead_unit: str | None
    deadline: dt.date | None
    activities: list[PublicActivity]


def public_plans(suggestion: Suggestion) -> list[PublicPlan]:
    return [
        PublicPlan(
            id=plan.pk,
            theme=plan.theme,
            decided_by=plan.decided_by,
            leader_title=plan.leader_title,
            committee=plan.committee.name if plan.committee_id else None,
            supervising_body=plan.supervising_body,
            lead_unit=plan.lead_unit.name if plan.lead_unit_id else None,
            deadline=plan.deadline,
            activities=[
                PublicActivity(
                    kind=a.kind,
                    kind_label=str(a.get_kind_display()),
                    title=a.title,
                    conducted_by=a.conducted_by,
                    description=a.description,
                    date=PublicDate(a.date, a.date_precision),
                )
                for a in plan.activities.all()
                if a.is_public
            ],
        )
        for plan in suggestion.supervision_plans.all()
    ]


@dataclass(frozen=True)
class PublicFollowUp:
    date: PublicDate
    conducted_by: str
    findings: str
    is_done: bool
    due_on: dt.date | None


def public_follow_ups(suggestion: Suggestion) -> list[PublicFollowUp]:
    return [
        PublicFollowUp(
            date=PublicDate(r.date, r.date_precision),
            conducted_by=r.conducted_by,
            findings=r.findings,
            is_done=r.is_done,
            due_on=r.due_on,
        )
        for r in suggestion.follow_up_reviews.all()
    ]


@dataclass(frozen=True)
class PublicLink:
    kind: str
    kind_label: str
    direction: str  # "out": this suggestion → the other; "in": the other → this one
    suggestion: PublicRef
    congress: str
    note: str


def public_links(suggestion: Suggestion) -> list[PublicLink]:
    """Links to public suggestions only: a withheld or unpublished one is not named."""
    pairs = [("out", link, link.to_suggestion) for link in suggestion.links_out.all()]
    pairs += [("in", link, link.from_suggestion) for link in suggestion.links_in.all()]
    return [
        PublicLink(
            kind=link.kind,
            kind_label=str(link.get_kind_display()),
            direction=direction,
            suggestion=PublicRef(other.pk, other.title),
            congress=other.congress.name,
            note=link.note,
        )
        for direction, link, other in pairs
        if is_public(other)
    ]


# ---- The whole suggestion ----


@dataclass(frozen=True)
class PublicSuggestion:
    id: int
    title: str
    body: str
    topic: str
    state: str
    state_label: str
    number: int | None
    number_display: str
    congress: PublicRef
    session: PublicRef | None
    lead_deputy: str
    delegation: str
    cosigners: list[str]
    filed: PublicDate
    source: str
    is_key: bool
    merged_into: PublicRef | None
    next_steps: list[NextStep]
    assignments: list[PublicAssignment]
    replies: list[PublicReply]
    outcomes: list[PublicOutcome]
    timeline: list[PublicEvent]
    supervision_plans: list[PublicPlan]
    follow_up_reviews: list[PublicFollowUp]
    links: list[PublicLink]


def project(suggestion: Suggestion) -> PublicSuggestion:
    """The public projection of `suggestion` (loaded with `detail_queryset()`)."""
    deputy = suggestion.lead_deputy
    target = suggestion.merged_into
    source = suggestion.source
    return PublicSuggestion(
        id=suggestion.pk,
        title=suggestion.title,
        body=suggestion.body,
        topic=suggestion.topic,
        state=suggestion.state,
        state_label=_state_label(suggestion.state),
        number=suggestion.number,
        number_display=suggestion.number_display,
        congress=PublicRef(suggestion.congress_id, suggestion.congress.name),
        session=(
            PublicRef(suggestion.session_id, suggestion.session.name)
            if suggestion.session_id
            else None
        ),
        lead_deputy=deputy.person.name,
        delegation=deputy.delegation.name if deputy.delegation_id else "",
        cosigners=[c.deputy.person.name for c in suggestion.cosignatures.all() if c.confirmed_at],
        filed=PublicDate(suggestion.filed_on, suggestion.filed_precision),
        source=(
            f"{source.title}（{source.publication}）"
            if source and source.publication
            else source.title
            if source
            else ""
        ),
        is_key=bool(suggestion.supervision_plans.all()),
        merged_into=PublicRef(target.pk, target.title) if target and is_public(target) else None,
        next_steps=next_steps(suggestion),
        assignments=public_assignments(suggestion),
        replies=public_replies(suggestion),
        outcomes=public_outcomes(suggestion),
        timeline=public_timeline(suggestion),
        supervision_plans=public_plans(suggestion),
        follow_up_reviews=public_follow_ups(suggestion),
        links=public_links(suggestion),
    )
