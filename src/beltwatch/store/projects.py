"""The project registry in the store: kept as articles are written, read for the faces.

The writer hands `update_projects` the facts of each article version it stores (`beltwatch.projects`)
and the version that one supersedes: the superseded version's facts go, the new ones come, and the
record of every project either concerned is recomputed from its own facts. A write touches the
projects its article is about and no other, whatever the size of the store.

A record's identity (programme, country, sector, coordinates) is what the knowledge files say of it;
for a project only articles know, it is what its facts say most often (coordinates: the most
precise place its events were placed at).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beltwatch.model import (
    DATE_LENGTHS,
    Article,
    ArticleMeta,
    Entity,
    Event,
    Evidence,
    Extraction,
    Mention,
    ProjectFact,
    ProjectRef,
    first_day,
)
from beltwatch.projects import (
    SAME_MOMENT,
    STATUS_OF_EVENT,
    StatusClaim,
    current_state,
    load_registry,
    new_commitment,
    usd_total,
)
from beltwatch.projects import project_facts as facts_of
from beltwatch.resolve.places import normalize, place_by_id
from beltwatch.store.corrections import WRONG, CorrectionIndex, corrections
from beltwatch.store.schema import (
    article_entities,
    article_versions,
    articles,
    events,
    mentions,
    project_facts,
    projects,
    sources,
)

# what facts say of a project's identity: kept from earlier facts (or the first event) when they say nothing
_IDENTITY = ("programme", "country", "lat", "lon", "precision")
# what one write stores of an article: the version it supersedes (if any), the new version and its facts
VersionFacts = tuple[int | None, int, Sequence[ProjectFact]]


# --- writing ----------------------------------------------------------------------------------


def update_projects(conn: Connection, changes: Sequence[VersionFacts], stamp: datetime) -> set[int]:
    """Replace the facts of each superseded version by those of the version that supersedes it, and bring
    the records they concern up to date; returns the ids of the projects refreshed.

    A record whose facts only grew is updated from its tally and the new facts alone; one that lost facts
    (a superseded version took them away) is recomputed from all its facts, which happens only when an
    article changes."""
    lost: set[int] = set()
    for old_version, _, _ in changes:
        if old_version is not None:
            where = project_facts.c.article_version_id == old_version
            lost |= set(conn.scalars(sa.select(project_facts.c.project_id).where(where).distinct()))
            conn.execute(project_facts.delete().where(where))
    ids: dict[str, int] = {}
    rows = []
    for _, new_version, facts in changes:
        for fact in facts:
            if fact.project.key not in ids:
                ids[fact.project.key] = _project_id(conn, fact.project, stamp)
            rows.append(_fact_row(fact, ids[fact.project.key], new_version))
    if rows:
        conn.execute(project_facts.insert(), rows)
    added: dict[int, list[SimpleNamespace]] = {}
    if ids:
        new_versions = [new_version for _, new_version, facts in changes if facts]
        for fact in facts_in_force(conn, project_facts.c.article_version_id.in_(new_versions), sentences=False):
            added.setdefault(fact.project_id, []).append(fact)
    touched = lost | set(ids.values())
    for project_id in sorted(touched):
        _refresh(conn, project_id, stamp, None if project_id in lost else added.get(project_id, []))
    return touched


def _fact_row(fact: ProjectFact, project_id: int, version_id: int) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "article_version_id": version_id,
        "event_position": fact.event_position,
        "kind": fact.kind,
        "value": fact.value,
        "date": fact.date,
        "sentence_start": fact.evidence.start,
        "sentence_end": fact.evidence.end,
    }


def _project_id(conn: Connection, ref: ProjectRef, stamp: datetime) -> int:
    """The stored project of `ref`, created (with its parent) when first met."""
    found = conn.execute(sa.select(projects.c.id).where(projects.c.key == ref.key)).scalar()
    if found is not None:
        return found
    parent_id = None
    if ref.parent:
        parent = load_registry().find(ref.parent) or ProjectRef(key=normalize(ref.parent), name=ref.parent)
        parent_id = _project_id(conn, parent, stamp)
    return conn.execute(
        projects.insert()
        .values(key=ref.key, name=ref.name, parent_id=parent_id, updated_at=stamp, **_identity(ref))
        .returning(projects.c.id)
    ).scalar_one()


def _identity(ref: ProjectRef | None) -> dict[str, Any]:
    names = ("programme", "country", "sector", "lat", "lon", "precision")
    return {name: getattr(ref, name) if ref is not None else None for name in names}


def _refresh(conn: Connection, project_id: int, stamp: datetime, added: list[Any] | None = None) -> None:
    """Bring one record up to date: from its tally and the facts `added` since, or (without them, or
    without a tally) from all its facts. The row is written only when something changed."""
    row = conn.execute(sa.select(projects).where(projects.c.id == project_id)).one()
    if added is not None and row.tally is not None:
        tally = Tally.load(row.tally).add(added)
    else:
        tally = Tally().add(facts_in_force(conn, project_facts.c.project_id == project_id, sentences=False))
    derived = {k: v for k, v in tally.record().items() if v is not None or k not in _IDENTITY}
    values = {**derived, **_known(row), "tally": tally.dump()}
    if any(getattr(row, name) != value for name, value in values.items()):
        conn.execute(projects.update().where(projects.c.id == project_id).values(updated_at=stamp, **values))


def _known(row: Any) -> dict[str, Any]:
    """What the knowledge files say of the project, where they say it (a part inherits its programme)."""
    ref = load_registry().find(row.name)
    return {name: value for name, value in _identity(ref).items() if value is not None}


@dataclass
class Tally:
    """What a record is computed from, kept with it so that new facts update it without the old ones being
    read again: every count and extreme the record's fields take, the distinct commitments, and of the
    status claims only those that can still vote (within SAME_MOMENT of the latest, as `current_state`
    counts them). Folding facts in in the order they were stored gives the same tally whichever way they
    are split between writes."""

    articles: int = 0
    last_reported: str | None = None
    programmes: dict[str, int] = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)
    place: dict[str, Any] | None = None  # the most precise location, the first of equals
    cost: dict[str, Any] | None = None  # the latest cost, the last of equals
    commitments: list[dict[str, Any]] = field(default_factory=list)
    own_status: bool = False  # any claim of the project's own status, dated or not
    own_claims: list[list[Any]] = field(default_factory=list)  # [status, date, source] that still vote
    all_claims: list[list[Any]] = field(default_factory=list)

    @classmethod
    def load(cls, stored: dict[str, Any]) -> Tally:
        return cls(**stored)

    def dump(self) -> dict[str, Any]:
        return dict(vars(self))

    def add(self, facts: Sequence[Any]) -> Tally:
        """The tally with `facts` (in the order stored) folded in; each fact's article is new to the record."""
        self.articles += len({f.article_key for f in facts})
        for f in facts:
            if f.published and (self.last_reported is None or f.published.isoformat() > self.last_reported):
                self.last_reported = f.published.isoformat()
            self._add(f)
        return self

    def _add(self, f: Any) -> None:
        if f.kind == "programme" and f.value["name"]:
            self.programmes[f.value["name"]] = self.programmes.get(f.value["name"], 0) + 1
        elif f.kind == "location" and f.value.get("lat") is not None:
            if f.value.get("country"):
                self.countries[f.value["country"]] = self.countries.get(f.value["country"], 0) + 1
            if self.place is None or f.value["precision"] < self.place["precision"]:
                self.place = {k: f.value[k] for k in ("lat", "lon", "precision")}
        elif f.kind == "cost" and (self.cost is None or _cost_order(f.date) >= _cost_order(self.cost["date"])):
            self.cost = {"date": f.date, "usd": f.value.get("usd")}
        elif f.kind == "financing" and new_commitment(f.value, self.commitments):
            self.commitments.append({k: f.value.get(k) for k in ("lender", "currency", "value", "usd")})
        elif f.kind == "status":
            claim = [f.value["status"], f.date, f.outlet or f.article_key]
            if claim[0] not in STATUS_OF_EVENT.values():
                self.own_status = True
                self.own_claims = _still_voting(self.own_claims, claim)
            self.all_claims = _still_voting(self.all_claims, claim)

    def record(self) -> dict[str, Any]:
        """The record's fields that its facts give."""
        state = current_state(StatusClaim(*c) for c in (self.own_claims if self.own_status else self.all_claims))
        place = self.place or {}
        return {
            "programme": _most_common(self.programmes),
            "country": _most_common(self.countries),
            "status": state.status,
            "status_date": state.date,
            "confidence": state.confidence,
            "cost_usd": self.cost["usd"] if self.cost else None,
            "committed_usd": usd_total(self.commitments),
            "articles": self.articles,
            "last_reported": date.fromisoformat(self.last_reported) if self.last_reported else None,
            "lat": place.get("lat"),
            "lon": place.get("lon"),
            "precision": place.get("precision"),
        }


def _cost_order(when: str | None) -> tuple[bool, Any]:
    """Costs by date, an undated one before any dated one."""
    day = first_day(when)
    return (day is not None, day)


def _still_voting(claims: list[list[Any]], claim: list[Any]) -> list[list[Any]]:
    """The claims that can still vote once `claim` is in: those within SAME_MOMENT of the latest day, and
    of one source's claims of one status only the latest (an earlier one adds no vote and no date)."""
    day = first_day(claim[1])
    if day is None:
        return claims
    latest = max((first_day(c[1]) for c in claims), default=day)
    same = [c for c in claims if c[0] == claim[0] and c[2] == claim[2]]
    if latest - day > SAME_MOMENT or any(first_day(c[1]) >= day for c in same):
        return claims
    latest = max(latest, day)
    return [c for c in claims if c not in same and latest - first_day(c[1]) <= SAME_MOMENT] + [claim]


def _most_common(counts: dict[str, int]) -> Any:
    """The value counted most often, the first met of equals."""
    return max(counts, key=counts.__getitem__) if counts else None


def _facts_query(sentences: bool) -> sa.Select:
    """Facts with their article (key, outlet, publication) and, with `sentences`, the article's title and
    URL and the text of the fact's sentence (what the faces show and the records do not need)."""
    shown = (
        article_versions.c.title,
        article_versions.c.url,
        sa.func.substr(
            article_versions.c.text,
            project_facts.c.sentence_start + 1,
            project_facts.c.sentence_end - project_facts.c.sentence_start,
        ).label("evidence"),
    )
    return (
        sa.select(
            project_facts,
            articles.c.key.label("article_key"),
            sources.c.name.label("outlet"),
            article_versions.c.published,
            article_versions.c.published_precision,
            *(shown if sentences else ()),
        )
        .join(article_versions, article_versions.c.id == project_facts.c.article_version_id)
        .join(articles, articles.c.id == article_versions.c.article_id)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        .where(article_versions.c.is_current)
        .order_by(project_facts.c.id)
    )


# --- analysts' corrections -----------------------------------------------------------------------

# the fact fields an edit of an event's argument changes, by the kind of fact
_EDITED = {
    "status": {"status": "status"},
    "value": {"cost": "value", "financing": "value", "investment": "value"},
    "currency": {"cost": "currency", "financing": "currency", "investment": "currency"},
    "usd": {"cost": "usd", "financing": "usd", "investment": "usd"},
    "usd_constant": {"cost": "usd_constant", "financing": "usd_constant", "investment": "usd_constant"},
    "funder": {"financing": "lender", "investment": "lender"},
    "recipient": {"financing": "recipient", "investment": "recipient"},
    "instrument": {"financing": "instrument", "investment": "instrument"},
}


def facts_in_force(
    conn: Connection, where: sa.ColumnElement[bool], *, sentences: bool = True
) -> list[SimpleNamespace]:
    """The facts `where` selects (with their article, and with `sentences` their sentence), with the
    analysts' corrections of their events in force, as everywhere else the store is read: a fact of an
    event marked wrong is left out, and an edited argument (a status, a date, an amount, a lender) is
    what the fact says."""
    facts = [SimpleNamespace(**row._mapping) for row in conn.execute(_facts_query(sentences).where(where))]
    if not facts or conn.execute(sa.select(corrections.c.id).limit(1)).first() is None:
        return facts
    index = CorrectionIndex.load(conn)
    corrected = {f.article_key for f in facts} & index.articles()
    states = {key: index.event_states(key, _events_of(conn, key)) for key in sorted(corrected)}
    kept = []
    for fact in facts:
        state = states.get(fact.article_key, {}).get(fact.event_position)
        if state is not None and state.status == WRONG:
            continue
        for argument, value in (state.arguments if state is not None else {}).items():
            field = _EDITED.get(argument, {}).get(fact.kind)
            if field is not None:
                fact.value = {**fact.value, field: value}
            elif argument == "date":
                fact.date = value
        kept.append(fact)
    return kept


def _events_of(conn: Connection, article_key: str) -> list[dict[str, Any]]:
    """The current events of an article as the correction index matches them: position, type, sentence."""
    rows = conn.execute(
        sa.select(
            events.c.position,
            events.c.type,
            sa.func.substr(
                article_versions.c.text, events.c.sentence_start + 1, events.c.sentence_end - events.c.sentence_start
            ).label("evidence"),
        )
        .join(article_versions, article_versions.c.id == events.c.article_version_id)
        .join(articles, articles.c.id == article_versions.c.article_id)
        .where(articles.c.key == article_key, article_versions.c.is_current)
    )
    return [{"position": r.position, "type": r.type, "evidence": {"text": r.evidence}} for r in rows]


def refresh_corrected(conn: Connection, article_key: str, stamp: datetime) -> list[int]:
    """Refresh the records an article's current facts concern, after an analyst corrected one of its events."""
    ids = conn.scalars(
        sa.select(project_facts.c.project_id)
        .join(article_versions, article_versions.c.id == project_facts.c.article_version_id)
        .join(articles, articles.c.id == article_versions.c.article_id)
        .where(articles.c.key == article_key, article_versions.c.is_current)
        .distinct()
    ).all()
    for project_id in sorted(ids):
        _refresh(conn, project_id, stamp)
    return sorted(ids)


# --- rebuilding -------------------------------------------------------------------------------


def rebuild_projects(conn: Connection, stamp: datetime) -> int:
    """Every fact recomputed from the stored events and entities of the current article versions, and
    every record from its facts: for a store written before revision 0010, and the reference the
    writer's incremental updates must equal. Returns the number of records."""
    conn.execute(project_facts.delete())
    for version_id, extraction in _current_extractions(conn):
        facts = facts_of(extraction)
        if facts:
            conn.execute(
                project_facts.insert(),
                [_fact_row(f, _project_id(conn, f.project, stamp), version_id) for f in facts],
            )
    ids = conn.scalars(sa.select(projects.c.id).order_by(projects.c.id)).all()
    for project_id in ids:
        _refresh(conn, project_id, stamp)
    return len(ids)


def stored_extractions(conn: Connection) -> Iterator[Extraction]:
    """What the projects stage reads of each current article version, in the order stored."""
    return (extraction for _, extraction in _current_extractions(conn))


def _current_extractions(conn: Connection) -> Iterator[tuple[int, Extraction]]:
    versions = conn.execute(  # every current version: one that names a project without an event mentions it
        sa.select(article_versions, articles.c.key, sources.c.name.label("outlet"))
        .join(articles, articles.c.id == article_versions.c.article_id)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        .where(article_versions.c.is_current)
        .order_by(article_versions.c.id)
    ).all()
    return ((version.id, _stored_extraction(conn, version)) for version in versions)


def _stored_extraction(conn: Connection, version: Any) -> Extraction:
    """What the projects stage reads of an extraction, as the store keeps it: the article, its entities
    with their mentions, its events with their sentences and places."""
    text = version.text
    published = version.published.isoformat() if version.published else None
    if published:  # as the source gave it: "2022-11" for a month
        published = published[: DATE_LENGTHS[version.published_precision or "day"]]
    meta = ArticleMeta(published=published, source=version.outlet, url=version.url, title=version.title)
    found = {
        row.id: Entity(row.name, row.type, list(row.aliases or []), country=row.country, kind=row.kind)
        for row in conn.execute(
            sa.select(article_entities).where(article_entities.c.article_version_id == version.id)
            .order_by(article_entities.c.position)
        )
    }  # fmt: skip
    for m in conn.execute(sa.select(mentions).where(mentions.c.article_version_id == version.id)):
        evidence = Evidence(text[m.sentence_start : m.sentence_end], m.sentence_start, m.sentence_end)
        found[m.article_entity_id].mentions.append(Mention(m.text, m.char_start, m.char_end, evidence))
    stored = conn.execute(
        sa.select(events).where(events.c.article_version_id == version.id).order_by(events.c.position)
    ).all()
    return Extraction(
        Article(version.key, text, meta), list(found.values()), [], [_stored_event(e, text) for e in stored]
    )


def _stored_event(row: Any, text: str) -> Event:
    start, end = row.sentence_start or 0, row.sentence_end or 0
    geo = place_by_id(row.place_id) if row.place_id else None
    if geo is not None:
        geo = replace(geo, lat=row.lat, lon=row.lon, precision=row.precision, region=row.region)
    return Event(row.type, dict(row.arguments), Evidence(text[start:end], start, end), geo=geo,
                 placed_by=row.placed_by)  # fmt: skip


# --- reading ----------------------------------------------------------------------------------


def list_projects(
    conn: Connection,
    *,
    country: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    programme: str | None = None,
) -> list[dict[str, Any]]:
    """The records, filtered, most recently reported first."""
    parent = projects.alias("parent")
    query = sa.select(projects, parent.c.name.label("parent")).outerjoin(parent, parent.c.id == projects.c.parent_id)
    for column, value in (("country", country), ("sector", sector), ("status", status), ("programme", programme)):
        if value:
            query = query.where(sa.func.lower(projects.c[column]) == value.lower())
    query = query.order_by(projects.c.last_reported.desc().nulls_last(), projects.c.name)
    return [_record(r) for r in conn.execute(query)]


def _record(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "programme": row.programme,
        "parent": row.parent,
        "country": row.country,
        "sector": row.sector,
        "status": row.status,
        "status_date": row.status_date,
        "confidence": row.confidence,
        "cost_usd": row.cost_usd,
        "committed_usd": row.committed_usd,
        "articles": row.articles,
        "last_reported": row.last_reported.isoformat() if row.last_reported else None,
        "lat": row.lat,
        "lon": row.lon,
        "precision": row.precision,
    }


def find_project(conn: Connection, name: str) -> int | None:
    """The project a name gives: by id, by its name or a known alias, else by a name that contains it."""
    if name.isdigit():
        return conn.execute(sa.select(projects.c.id).where(projects.c.id == int(name))).scalar()
    known = load_registry().find(name)
    key = known.key if known is not None else normalize(name)
    found = conn.execute(sa.select(projects.c.id).where(projects.c.key == key)).scalar()
    if found is not None:
        return found
    pattern = "%" + name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = conn.scalars(
        sa.select(projects.c.id).where(sa.func.lower(projects.c.name).like(pattern, escape="\\")).limit(2)
    ).all()
    return matches[0] if len(matches) == 1 else None


def programme_named(name: str) -> str | None:
    """The umbrella programme a name gives (CPEC, the BRI), which is never a project of its own."""
    return load_registry().programme(name)


def project_detail(conn: Connection, project_id: int) -> dict[str, Any] | None:
    """A record with every fact behind it (each with its sentence and article) and its parts."""
    parent = projects.alias("parent")
    row = conn.execute(
        sa.select(projects, parent.c.name.label("parent"))
        .outerjoin(parent, parent.c.id == projects.c.parent_id)
        .where(projects.c.id == project_id)
    ).first()
    if row is None:
        return None
    facts = facts_in_force(conn, project_facts.c.project_id == project_id)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for f in facts:
        by_kind.setdefault(f.kind, []).append({**f.value, "date": f.date, "source": _source(f)})
    parts = conn.execute(
        sa.select(projects.c.id, projects.c.name, projects.c.status)
        .where(projects.c.parent_id == project_id)
        .order_by(projects.c.name)
    ).all()
    return {
        **_record(row),
        "lifecycle": sorted(by_kind.get("status", []), key=_chronological),
        "costs": sorted(by_kind.get("cost", []), key=_chronological),
        "financing": sorted(by_kind.get("financing", []), key=_chronological),
        "investments": sorted(by_kind.get("investment", []), key=_chronological),
        "parties": _parties(by_kind.get("party", [])),
        "locations": sorted({f["name"] for f in by_kind.get("location", [])}),
        "parts": [{"id": p.id, "name": p.name, "status": p.status} for p in parts],
    }


def _source(fact: Any) -> dict[str, Any]:
    """Where a fact comes from: the article, its outlet and date, and the sentence that states it."""
    return {
        "article": fact.article_key,
        "outlet": fact.outlet,
        "title": fact.title,
        "url": fact.url,
        "published": fact.published.isoformat() if fact.published else None,
        "evidence": fact.evidence,
    }


def _chronological(fact: dict[str, Any]) -> tuple[bool, Any, str]:
    day = first_day(fact.get("date"))
    return (day is None, day or "", fact["source"]["article"])


def _parties(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each party once, with the roles articles give it and how many articles name it."""
    merged: dict[str, dict[str, Any]] = {}
    for f in facts:
        party = merged.setdefault(f["name"], {"name": f["name"], "roles": [], "articles": set()})
        if f["role"] not in party["roles"]:
            party["roles"].append(f["role"])
        party["articles"].add(f["source"]["article"])
    return sorted(
        ({**p, "articles": len(p["articles"])} for p in merged.values()), key=lambda p: (-p["articles"], p["name"])
    )
