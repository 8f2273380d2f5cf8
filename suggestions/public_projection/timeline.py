"""The public timeline: public events, each with only the public part of its text and its
actor named as the public reads it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from suggestions.models import Event, Rating, State, Suggestion

from .records import PublicDate

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
        # A withdrawn suggestion is never public; its co-signers read why it was withdrawn.
        "withdraw",
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


@dataclass(frozen=True)
class Actors:
    """What naming an event's actor needs of one suggestion, read once for its whole
    timeline: its deputies' persons and its units' names."""

    deputy_person_ids: frozenset[int]
    unit_names: dict[int, str]


def actors_of(suggestion: Suggestion) -> Actors:
    """`suggestion`'s deputies and units: from its co-signatures and assignments when they
    were prefetched (`detail_queryset`), else in two queries, whatever the number of events."""
    prefetched = getattr(suggestion, "_prefetched_objects_cache", {})
    if "cosignatures" in prefetched:
        cosigners = {c.deputy.person_id for c in suggestion.cosignatures.all()}
    else:
        cosigners = set(suggestion.cosignatures.values_list("deputy__person_id", flat=True))
    if "assignments" in prefetched:
        units = {a.unit_id: a.unit.name for a in suggestion.assignments.all()}
    else:
        units = dict(suggestion.assignments.values_list("unit_id", "unit__name"))
    return Actors(frozenset({suggestion.lead_deputy.person_id} | cosigners), units)


def public_actor(event: Event, actors: Actors) -> str:
    """Who acted, as the public reads it: a deputy by name, a unit's clerk as the unit (by
    name when the clerk belongs to exactly one of the suggestion's units), a congress clerk
    as the office; a historical step keeps the body its article names. The event's actor
    should come with `person` selected and `handling_units` prefetched."""
    if event.actor_id is None:
        return event.actor_name
    person = getattr(event.actor, "person", None)
    if person is not None and person.pk in actors.deputy_person_ids:
        return person.name
    if event.action in UNIT_ACTIONS:
        names = {
            actors.unit_names[unit.pk]
            for unit in event.actor.handling_units.all()
            if unit.pk in actors.unit_names
        }
        return names.pop() if len(names) == 1 else _("承办单位")
    return _("人大常委会代表工作机构")


def public_timeline(suggestion: Suggestion) -> list[PublicEvent]:
    """The public steps in the order they happened. Live steps are recorded as they happen and
    seeded ones in their article's order, so insertion order is the chronology; sorting by
    date would misplace the steps the articles leave undated."""
    events = sorted(suggestion.events.all(), key=lambda event: event.pk)
    actors = actors_of(suggestion)
    return [
        PublicEvent(
            id=event.pk,
            action=event.action,
            action_label=event.action_label,
            from_state=event.from_state,
            from_state_label=state_label(event.from_state),
            to_state=event.to_state,
            to_state_label=state_label(event.to_state),
            actor=public_actor(event, actors),
            text=public_event_text(event),
            occurred_at=event.occurred_at,
            date=PublicDate(event.date, event.date_precision),
            source=event.source.title if event.source_id else None,
        )
        for event in events
        if event.is_public
    ]


def state_label(value: str) -> str:
    """A state's label in the active language; '' for none."""
    return str(State(value).label) if value else ""
