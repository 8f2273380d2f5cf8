"""Write one validated seed file to the database.

Seeds import history, so they deliberately bypass the service functions: the services check
who may act now and replay transitions whose preconditions (a reply, a rating) the articles do
not document. Instead a seeded suggestion is created directly in the last state its article
evidences (the protected FSM field accepts a value at creation), its earlier steps are recorded
as events that cite the article and name the acting body, and it gets one "imported" event.

Idempotence: institutions are matched by their natural keys (a congress by name, a unit by
congress and name, …); every SourcedModel record by `seed_key`. A second load updates the same
rows and creates nothing new; events and versions, being history, are only ever created once. A
suggestion's state is set only when it is created, so a reload never rewinds a suggestion that
has moved on since.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, models
from django.utils import timezone
from django.utils.translation import gettext as _

from congress.models import (
    Committee,
    Congress,
    ContactStation,
    Delegation,
    Deputy,
    HandlingUnit,
    Person,
    Session,
    Term,
)
from suggestions.models import (
    ActivityKind,
    DatePrecision,
    Event,
    SourceArticle,
    Suggestion,
    SuggestionLink,
    SupervisionActivity,
    SupervisionPlan,
)

from .reader import Loc, SeedError, format_loc, line_of
from .schema import (
    CongressRow,
    PartialDateValue,
    PersonRow,
    PlanRow,
    SeedFile,
    SourcedRow,
    SuggestionRow,
)

SEED_KEY_MAX = 100


@dataclass
class FileReport:
    path: Path
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        def part(counter: Counter) -> str:
            return _("，").join(f"{name} {n}" for name, n in sorted(counter.items())) or _("无")

        return _("新建：%(created)s；已有（按文件核对更新）：%(updated)s") % {
            "created": part(self.created),
            "updated": part(self.updated),
        }


def partial_date(value: PartialDateValue | None) -> dict[str, Any]:
    if value is None:
        return {"date": None, "date_precision": DatePrecision.DAY}
    return {"date": value[0], "date_precision": value[1]}


class SeedWriter:
    """Writes one file; any problem raises SeedError (the caller's transaction rolls back)."""

    def __init__(self, path: Path, seed: SeedFile, root) -> None:
        self.path = path
        self.seed = seed
        self.root = root
        self.report = FileReport(path)

    # ---- helpers ----

    def error(self, loc: Loc, message: str) -> SeedError:
        return SeedError(self.path, format_loc(loc), message, line_of(self.root, loc))

    def count(self, model: type[models.Model], created: bool) -> None:
        (self.report.created if created else self.report.updated)[model._meta.label] += 1

    def upsert(self, model, loc: Loc, lookup: dict[str, Any], values: dict[str, Any]):
        try:
            obj, created = model.objects.update_or_create(**lookup, defaults=values)
        except IntegrityError as exc:
            raise self.error(loc, _("与已有记录冲突：%(e)s") % {"e": exc}) from None
        self.count(model, created)
        return obj

    def seed_key(self, loc: Loc, key: str) -> str:
        if len(key) > SEED_KEY_MAX:
            raise self.error(loc, _("标识「%(k)s」过长，请给该行写一个较短的 key") % {"k": key})
        return key

    def upsert_sourced(self, model, loc: Loc, key: str, values: dict[str, Any]):
        return self.upsert(model, loc, {"seed_key": self.seed_key(loc, key)}, values)

    def source(self, row: SourcedRow | None, loc: Loc) -> SourceArticle:
        key = (row.source if row is not None else None) or self.seed.source
        if not key:
            raise self.error(loc, _("缺少来源：请在该行或文件顶部写 source（来源文章的 key）"))
        article = SourceArticle.objects.filter(key=key).first()
        if article is None:
            where = [*loc, "source"] if row is not None and row.source else ["source"]
            raise self.error(where, _("未知的来源文章「%(k)s」") % {"k": key})
        return article

    def create_once(self, model, loc: Loc, key: str, values: dict[str, Any]) -> None:
        """History (events, versions) is append-only, and on PostgreSQL the database refuses
        to rewrite it: create the row once, never update it on a reload."""
        key = self.seed_key(loc, key)
        if model.objects.filter(seed_key=key).exists():
            return
        model.objects.create(seed_key=key, **values)
        self.count(model, True)

    def event(self, suggestion: Suggestion, loc: Loc, key: str, **values) -> None:
        self.create_once(Event, loc, key, {"suggestion": suggestion, **values})

    def congress(self, name: str, loc: Loc) -> Congress:
        congress = Congress.objects.filter(name=name).first()
        if congress is None:
            raise self.error(loc, _("未知的人大「%(n)s」") % {"n": name})
        return congress

    def term(self, congress: Congress, name: str, loc: Loc) -> Term:
        term = congress.terms.filter(name=name).first()
        if term is None:
            raise self.error(loc, _("%(c)s没有名为「%(n)s」的届") % {"c": congress, "n": name})
        return term

    def unit(self, congress: Congress, name: str, loc: Loc) -> HandlingUnit:
        unit = congress.handling_units.filter(name=name).first()
        if unit is None:
            raise self.error(
                loc, _("%(c)s没有名为「%(n)s」的承办单位") % {"c": congress, "n": name}
            )
        return unit

    def deputy(self, term: Term, name: str, loc: Loc) -> Deputy:
        deputy = term.deputies.filter(person__name=name).order_by("pk").first()
        if deputy is None:
            raise self.error(loc, _("%(t)s没有名为「%(n)s」的代表") % {"t": term, "n": name})
        return deputy

    def suggestion(self, key: str, loc: Loc) -> Suggestion:
        suggestion = Suggestion.objects.filter(seed_key=key).first()
        if suggestion is None:
            raise self.error(loc, _("未知的建议「%(k)s」") % {"k": key})
        return suggestion

    # ---- the file ----

    def write(self) -> FileReport:
        for i, row in enumerate(self.seed.sources):
            self.upsert(
                SourceArticle,
                ["sources", i],
                {"key": row.key},
                {
                    "title": row.title,
                    "publication": row.publication,
                    "authors": row.authors,
                    "published_on": row.published[0] if row.published else None,
                    "published_precision": row.published[1] if row.published else DatePrecision.DAY,
                    "file_name": row.file_name,
                },
            )
        congresses = [
            self.write_congress(row, ["congresses", i])
            for i, row in enumerate(self.seed.congresses)
        ]
        for i, (row, congress) in enumerate(zip(self.seed.congresses, congresses, strict=True)):
            parent = self.congress(row.parent, ["congresses", i, "parent"]) if row.parent else None
            if congress.parent_id != (parent.pk if parent else None):
                congress.parent = parent
                congress.save(update_fields=["parent"])
        for i, row in enumerate(self.seed.people):
            self.write_person(row, ["people", i])
        for i, row in enumerate(self.seed.suggestions):
            self.write_suggestion(row, ["suggestions", i])
        for i, row in enumerate(self.seed.supervision_plans):
            self.write_plan(row, ["supervision_plans", i])
        for i, row in enumerate(self.seed.links):
            loc = ["links", i]
            origin = self.suggestion(row.from_, [*loc, "from"])
            target = self.suggestion(row.to, [*loc, "to"])
            if origin.pk == target.pk:
                raise self.error(loc, _("建议不能关联到自身"))
            key = row.key or f"link.{row.from_}.{row.kind}.{row.to}"
            if len(key) > SEED_KEY_MAX:
                key = "link." + hashlib.sha1(key.encode()).hexdigest()[:20]
            self.upsert_sourced(
                SuggestionLink,
                loc,
                key,
                {
                    "from_suggestion": origin,
                    "to_suggestion": target,
                    "kind": row.kind,
                    "note": row.note,
                    "source": self.source(row, loc),
                },
            )
        return self.report

    def write_congress(self, row: CongressRow, loc: Loc) -> Congress:
        congress = self.upsert(
            Congress,
            loc,
            {"name": row.name},
            {
                "short_name": row.short_name,
                "level": row.level,
                "region": row.region,
                "standing_committee_name": row.standing_committee_name,
            },
        )
        for t, term_row in enumerate(row.terms):
            term = self.upsert(
                Term,
                [*loc, "terms", t],
                {"congress": congress, "number": term_row.number},
                {
                    "name": term_row.name,
                    "started_on": term_row.started_on,
                    "ended_on": term_row.ended_on,
                },
            )
            for s, session_row in enumerate(term_row.sessions):
                self.upsert(
                    Session,
                    [*loc, "terms", t, "sessions", s],
                    {"term": term, "number": session_row.number},
                    {
                        "name": session_row.name,
                        "opened_on": session_row.opened_on,
                        "closed_on": session_row.closed_on,
                    },
                )
        for d, name in enumerate(row.delegations):
            self.upsert(
                Delegation, [*loc, "delegations", d], {"congress": congress, "name": name}, {}
            )
        for c, committee in enumerate(row.committees):
            self.upsert(
                Committee,
                [*loc, "committees", c],
                {"congress": congress, "name": committee.name},
                {"short_name": committee.short_name},
            )
        for u, name in enumerate(row.handling_units):
            self.upsert(
                HandlingUnit, [*loc, "handling_units", u], {"congress": congress, "name": name}, {}
            )
        for s, station in enumerate(row.contact_stations):
            self.upsert(
                ContactStation,
                [*loc, "contact_stations", s],
                {"congress": congress, "name": station.name},
                {"address": station.address},
            )
        return congress

    def write_person(self, row: PersonRow, loc: Loc) -> None:
        # A person's natural key is the name: the seeds name each person once.
        person = Person.objects.filter(name=row.name).order_by("pk").first()
        if person is None:
            person = Person.objects.create(name=row.name)
            self.count(Person, True)
        for m, mandate in enumerate(row.mandates):
            mloc = [*loc, "mandates", m]
            congress = self.congress(mandate.congress, [*mloc, "congress"])
            term = self.term(congress, mandate.term, [*mloc, "term"])
            delegation = None
            if mandate.delegation:
                delegation = congress.delegations.filter(name=mandate.delegation).first()
                if delegation is None:
                    raise self.error(
                        [*mloc, "delegation"],
                        _("%(c)s没有名为「%(n)s」的代表团")
                        % {"c": congress, "n": mandate.delegation},
                    )
            self.upsert(
                Deputy,
                mloc,
                {"person": person, "term": term},
                {"delegation": delegation, "occupation": mandate.occupation},
            )

    def write_suggestion(self, row: SuggestionRow, loc: Loc) -> None:
        from .children import write_suggestion_children

        congress = self.congress(row.congress, [*loc, "congress"])
        term = self.term(congress, row.term, [*loc, "term"])
        session = None
        if row.session:
            session = term.sessions.filter(name=row.session).first()
            if session is None:
                raise self.error(
                    [*loc, "session"],
                    _("%(t)s没有名为「%(n)s」的会议") % {"t": term, "n": row.session},
                )
        source = self.source(row, loc)
        current = row.versions[-1]
        values = {
            "congress": congress,
            "term": term,
            "session": session,
            "title": current.title,
            "body": current.body,
            "topic": row.topic,
            "lead_deputy": self.deputy(term, row.lead_deputy, [*loc, "lead_deputy"]),
            "filed_on": row.filed[0] if row.filed else None,
            "filed_precision": row.filed[1] if row.filed else DatePrecision.DAY,
            "current_version_number": len(row.versions),
            "source": source,
        }
        key = self.seed_key([*loc, "key"], row.key)
        suggestion = Suggestion.objects.filter(seed_key=key).first()
        try:
            if suggestion is None:
                # The protected state field accepts its value only at creation.
                suggestion = Suggestion.objects.create(seed_key=key, state=row.state, **values)
                self.count(Suggestion, True)
            else:
                if suggestion.state != row.state:
                    self.report.warnings.append(
                        _("%(row)s：建议「%(k)s」当前状态为 %(s)s，种子文件为 %(f)s；状态保持不变")
                        % {"row": format_loc(loc), "k": key, "s": suggestion.state, "f": row.state}
                    )
                for name, value in values.items():
                    setattr(suggestion, name, value)
                suggestion.save()
                self.count(Suggestion, False)
        except IntegrityError as exc:
            raise self.error(loc, _("与已有记录冲突：%(e)s") % {"e": exc}) from None
        write_suggestion_children(self, suggestion, row, loc)
        # Written past the services: bring the imported assignments' open work up to date.
        suggestion.assignments.refresh_open_work()
        self.event(
            suggestion,
            loc,
            f"{key}.imported",
            action="imported",
            action_label=_("导入历史记录"),
            actor_name=_("系统"),
            to_state=suggestion.state,
            reason="".join(
                part
                for part in (_("据《%(t)s》整理导入。") % {"t": source.title}, row.import_note)
                if part
            ),
            occurred_at=timezone.now(),
            source=source,
        )

    def write_plan(self, row: PlanRow, loc: Loc) -> None:
        congress = self.congress(row.congress, [*loc, "congress"])
        committee = None
        if row.committee:
            committee = (
                congress.committees.filter(name=row.committee).first()
                or congress.committees.filter(short_name=row.committee).first()
            )
            if committee is None:
                raise self.error(
                    [*loc, "committee"],
                    _("%(c)s没有名为「%(n)s」的专门委员会") % {"c": congress, "n": row.committee},
                )
        suggestions: list[Suggestion] = []
        for s, key in enumerate(row.suggestions):
            suggestion = self.suggestion(key, [*loc, "suggestions", s])
            if suggestion.congress_id != congress.pk:
                raise self.error(
                    [*loc, "suggestions", s],
                    _("建议「%(k)s」不是%(c)s的建议") % {"k": key, "c": congress},
                )
            suggestions.append(suggestion)
        plan = self.upsert_sourced(
            SupervisionPlan,
            loc,
            row.key,
            {
                "congress": congress,
                "theme": row.theme,
                "decided_by": row.decided_by,
                "leader_title": row.leader_title,
                "committee": committee,
                "supervising_body": row.supervising_body,
                "lead_unit": self.unit(congress, row.lead_unit, [*loc, "lead_unit"])
                if row.lead_unit
                else None,
                "deadline": row.deadline,
                "notes": row.notes,
                "source": self.source(row, loc),
            },
        )
        plan.suggestions.set(suggestions)
        for a, activity in enumerate(row.activities):
            aloc = [*loc, "activities", a]
            akey = activity.key or f"{row.key}.activities.{a + 1}"
            source = self.source(activity, aloc)
            self.upsert_sourced(
                SupervisionActivity,
                aloc,
                akey,
                {
                    "plan": plan,
                    "kind": activity.kind,
                    "title": activity.title,
                    "conducted_by": activity.conducted_by,
                    "description": activity.description,
                    "is_public": activity.is_public,
                    "source": source,
                    **partial_date(activity.date),
                },
            )
            # The timeline entry the service would write for a logged activity.
            for s, suggestion in enumerate(suggestions):
                self.event(
                    suggestion,
                    aloc,
                    f"{akey}.event.{s + 1}",
                    action="supervision_activity",
                    action_label=str(ActivityKind(activity.kind).label),
                    actor_name=activity.conducted_by,
                    reason=activity.title,
                    is_public=activity.is_public,
                    source=source,
                    **partial_date(activity.date),
                )
