"""The records hanging off one seeded suggestion: versions, assignments, historical events,
outcomes, citizen opinions and follow-up reviews.

Rows without an explicit `key` get `<suggestion key>.<list>.<position>` (versions:
`<suggestion key>.v<number>`), so reloading the same file finds the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from suggestions.models import (
    Assignment,
    CitizenOpinion,
    FollowUpReview,
    Outcome,
    OutcomeKind,
    Suggestion,
    Version,
)

from .reader import Loc
from .schema import OutcomeRow, SuggestionRow

if TYPE_CHECKING:
    from .writer import SeedWriter


def write_suggestion_children(
    writer: SeedWriter, suggestion: Suggestion, row: SuggestionRow, loc: Loc
) -> None:
    from .writer import partial_date

    key = row.key
    congress, term = suggestion.congress, suggestion.term

    for i, version in enumerate(row.versions):
        vloc = [*loc, "versions", i]
        writer.create_once(
            Version,
            vloc,
            version.key or f"{key}.v{version.number}",
            {
                "suggestion": suggestion,
                "number": version.number,
                "title": version.title,
                "body": version.body,
                "revised_by_kind": version.revised_by_kind,
                "revised_by_name": version.revised_by_name,
                "reason": version.reason,
                "source": writer.source(version, vloc),
            },
        )

    for i, assignment in enumerate(row.assignments):
        aloc = [*loc, "assignments", i]
        writer.upsert_sourced(
            Assignment,
            aloc,
            assignment.key or f"{key}.assignments.{i + 1}",
            {
                "suggestion": suggestion,
                "unit": writer.unit(congress, assignment.unit, [*aloc, "unit"]),
                "role": assignment.role,
                "assigned_on": assignment.assigned_on,
                "due_on": assignment.due_on,
                "source": writer.source(assignment, aloc),
            },
        )

    for i, event in enumerate(row.events):
        eloc = [*loc, "events", i]
        writer.event(
            suggestion,
            eloc,
            event.key or f"{key}.events.{i + 1}",
            action=event.action,
            action_label=event.action_label,
            actor_name=event.actor_name,
            reason=event.reason,
            is_public=event.is_public,
            source=writer.source(event, eloc),
            **partial_date(event.date),
        )

    for i, outcome in enumerate(row.outcomes):
        oloc = [*loc, "outcomes", i]
        okey = outcome.key or f"{key}.outcomes.{i + 1}"
        source = writer.source(outcome, oloc)
        writer.upsert_sourced(
            Outcome,
            oloc,
            okey,
            {
                "suggestion": suggestion,
                "kind": outcome.kind,
                "title": outcome.title,
                "issuing_body": outcome.issuing_body,
                "description": outcome.description,
                "source": source,
                **partial_date(outcome.date),
            },
        )
        # The timeline entry that outcome_record() writes for a live outcome.
        writer.event(
            suggestion,
            oloc,
            f"{okey}.event",
            action="outcome",
            action_label=_("办理成果"),
            actor_name=outcome.issuing_body,
            reason=_outcome_reason(outcome),
            source=source,
            **partial_date(outcome.date),
        )

    for i, opinion in enumerate(row.citizen_opinions):
        cloc = [*loc, "citizen_opinions", i]
        station = None
        if opinion.contact_station:
            station = congress.contact_stations.filter(name=opinion.contact_station).first()
            if station is None:
                raise writer.error(
                    [*cloc, "contact_station"],
                    _("%(c)s没有名为「%(n)s」的代表联络站")
                    % {"c": congress, "n": opinion.contact_station},
                )
        writer.upsert_sourced(
            CitizenOpinion,
            cloc,
            opinion.key or f"{key}.citizen_opinions.{i + 1}",
            {
                "suggestion": suggestion,
                "deputy": writer.deputy(term, opinion.collected_by, [*cloc, "collected_by"])
                if opinion.collected_by
                else None,
                "contact_station": station,
                "summary": opinion.summary,
                "source": writer.source(opinion, cloc),
                **partial_date(opinion.date),
            },
        )

    for i, review in enumerate(row.follow_up_reviews):
        rloc = [*loc, "follow_up_reviews", i]
        rkey = review.key or f"{key}.follow_up_reviews.{i + 1}"
        source = writer.source(review, rloc)
        writer.upsert_sourced(
            FollowUpReview,
            rloc,
            rkey,
            {
                "suggestion": suggestion,
                "due_on": review.due_on,
                "conducted_by": review.conducted_by,
                "findings": review.findings,
                "is_done": review.is_done,
                "source": source,
                **partial_date(review.date),
            },
        )
        writer.event(
            suggestion,
            rloc,
            f"{rkey}.event",
            action="follow_up_review",
            action_label=_("回头看"),
            actor_name=review.conducted_by,
            reason=review.findings,
            source=source,
            **partial_date(review.date),
        )


DOCUMENT_KINDS = (
    OutcomeKind.DECISION,
    OutcomeKind.POLICY,
    OutcomeKind.NOTICE,
    OutcomeKind.STANDARD,
)


def _outcome_reason(outcome: OutcomeRow) -> str:
    """'湖南省人民政府《…若干措施》' for a document; '住房和城乡建设部：…' for anything else."""
    is_document = (
        outcome.document if outcome.document is not None else outcome.kind in DOCUMENT_KINDS
    )
    title = f"《{outcome.title}》" if is_document and "《" not in outcome.title else outcome.title
    if not outcome.issuing_body:
        return title
    return (
        f"{outcome.issuing_body}{title}"
        if title.startswith("《")
        else f"{outcome.issuing_body}：{title}"
    )
