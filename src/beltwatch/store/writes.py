"""Writing to the store: a batch of articles (and everything extracted from them) per transaction.

An article is identified by its URL when it has one that is already stored, else by its id.
Its cleaned text's sha256 decides what happens: the same as the current version's -> nothing
is written; different -> a new version, the previous one kept and marked superseded; no
article yet -> a new one. Because a batch is one transaction, a process killed at any moment
leaves whole batches or none, and running the same ingest again completes the job. Within the
transaction the rows of each table are written together (one statement per table and article
for rows whose ids others need, one per table and batch for the rest), and the entity resolver
remembers its lookups (`store.entities`), so a batch costs far fewer statements than its articles
one by one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beltwatch.model import Article, Event, EventSignature, Extraction, Geo, StoryAssignment, StorySignal
from beltwatch.projects import project_facts
from beltwatch.store.database import Database, lock_for_writing
from beltwatch.store.entities import EntityResolver, normalise
from beltwatch.store.projects import update_projects
from beltwatch.store.schema import (
    aliases,
    amounts,
    article_entities,
    article_versions,
    articles,
    claims,
    entities,
    event_arguments,
    events,
    ingest_errors,
    ingest_runs,
    mentions,
    sources,
    stories,
    story_members,
)
from beltwatch.store.summaries import update_summaries

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"


@dataclass(frozen=True)
class Stored:
    """What storing one article did."""

    status: str  # NEW, UPDATED or UNCHANGED
    key: str  # the stored article's id
    version: int


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


# --- ingest runs ------------------------------------------------------------------------------


def start_run(db: Database, specs: Sequence[str]) -> int:
    with db.engine.begin() as conn:
        return conn.execute(
            ingest_runs.insert().values(started_at=now(), sources=list(specs)).returning(ingest_runs.c.id)
        ).scalar_one()


def record_error(db: Database, run_id: int, source: str, reason: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            ingest_errors.insert().values(run_id=run_id, source=source, reason=reason, created_at=now())
        )


def finish_run(db: Database, run_id: int, counts: dict[str, int]) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            ingest_runs.update().where(ingest_runs.c.id == run_id).values(finished_at=now(), **counts)
        )


# --- articles ---------------------------------------------------------------------------------


def _find(conn: Connection, article: Article) -> sa.Row | None:
    """The stored article and its current version: by URL first, then by id."""
    query = sa.select(
        articles.c.id,
        articles.c.key,
        articles.c.url,
        article_versions.c.id.label("version_id"),
        article_versions.c.version,
        article_versions.c.content_hash,
        article_versions.c.title,
        article_versions.c.text,
    ).join(article_versions, (article_versions.c.article_id == articles.c.id) & article_versions.c.is_current)
    if article.meta.url:
        row = conn.execute(query.where(articles.c.url == article.meta.url)).first()
        if row is not None:
            return row
    return conn.execute(query.where(articles.c.key == article.id)).first()


def is_unchanged(db: Database, article: Article) -> bool:
    """Whether the article is stored with exactly this cleaned text (a read-only check before extraction)."""
    with db.engine.connect() as conn:
        row = _find(conn, article)
    return row is not None and row.content_hash == content_hash(article.text)


def store_extraction(db: Database, extraction: Extraction, signal: StorySignal, run_id: int | None) -> Stored:
    """Store one article with its entities, mentions, amounts, events and claims, in one transaction."""
    return store_extractions(db, [(extraction, signal)], run_id)[0]


def store_extractions(
    db: Database, items: Sequence[tuple[Extraction, StorySignal]], run_id: int | None
) -> list[Stored]:
    """Store these articles in order, in one transaction: all of them or, if anything fails, none."""
    with db.engine.begin() as conn:
        lock_for_writing(conn)
        batch = _Batch(conn, db.is_sqlite, now())
        stored = [batch.store(extraction, signal, run_id) for extraction, signal in items]
        batch.flush()
        return stored


class _Batch:
    """The articles of one transaction: rows whose ids later rows need are written at once (one
    statement per table and article), the rest collected per table and written by `flush`."""

    def __init__(self, conn: Connection, is_sqlite: bool, stamp: datetime) -> None:
        self.conn = conn
        self.is_sqlite = is_sqlite
        self.stamp = stamp
        self.resolver = EntityResolver(conn, stamp)
        self.pending: dict[sa.Table, list[dict[str, Any]]] = defaultdict(list)
        self.fts: list[dict[str, Any]] = []  # SQLite's full-text rows of the new versions
        self.sources: dict[str, int] = {}

    def store(self, extraction: Extraction, signal: StorySignal, run_id: int | None) -> Stored:
        article = extraction.article
        digest = content_hash(article.text)
        found = _find(self.conn, article)
        if found is not None and found.content_hash == digest:
            return Stored(UNCHANGED, found.key, found.version)
        article_id, key, number = self._article(article, found)
        version_id = self._version(extraction, signal, run_id, article_id, number, digest)
        if found is not None:
            self.conn.execute(
                article_versions.update()
                .where(article_versions.c.id == found.version_id)
                .values(superseded_by=version_id)
            )
        if self.is_sqlite:
            self.fts.append({"id": version_id, "title": article.meta.title, "text": article.text})
        names = self._entities(extraction, version_id)
        self.pending[amounts] += _amount_rows(extraction, version_id)
        self._events(extraction.events, version_id, names)
        merged = {self.resolver.current(target) for target in self.resolver.merged_into.values()}
        update_summaries(self.conn, found.version_id if found is not None else None, version_id, merged)
        update_projects(
            self.conn, found.version_id if found is not None else None, version_id, project_facts(extraction), self.stamp
        )
        return Stored(NEW if found is None else UPDATED, key, number)

    def flush(self) -> None:
        for table, rows in self.pending.items():
            column = _ENTITY_COLUMN.get(table)
            for row in rows if column else ():  # an entity may have been merged after its row was made
                if row[column] is not None:
                    row[column] = self.resolver.current(row[column])
            if rows:
                self.conn.execute(table.insert(), rows)
        if self.fts:
            self.conn.execute(
                sa.text("INSERT INTO article_fts(rowid, title, text) VALUES (:id, :title, :text)"), self.fts
            )
        if self.is_sqlite:
            _refresh_entity_fts(self.conn, self.resolver.touched, self.resolver.merged_into)

    def _article(self, article: Article, found: sa.Row | None) -> tuple[int, str, int]:
        """The stored article's id, key and the number of the version to write (its old one retired)."""
        if found is None:
            article_id = self.conn.execute(
                articles.insert()
                .values(key=article.id, url=article.meta.url, created_at=self.stamp)
                .returning(articles.c.id)
            ).scalar_one()
            return article_id, article.id, 1
        if found.url is None and article.meta.url:
            self.conn.execute(articles.update().where(articles.c.id == found.id).values(url=article.meta.url))
        # the partial unique index allows one current version: retire the old one first
        self.conn.execute(
            article_versions.update()
            .where(article_versions.c.id == found.version_id)
            .values(is_current=False, superseded_at=self.stamp)
        )
        return found.id, found.key, found.version + 1

    def _version(
        self, extraction: Extraction, signal: StorySignal, run_id: int | None, article_id: int, number: int,
        digest: str,
    ) -> int:
        article = extraction.article
        return self.conn.execute(
            article_versions.insert()
            .values(
                article_id=article_id,
                version=number,
                content_hash=digest,
                is_current=True,
                title=article.meta.title,
                text=article.text,
                published=article.meta.published_first_day,
                published_precision=article.meta.published_precision,
                language=article.meta.language,
                source_id=self._source_id(article.meta.source),
                url=article.meta.url,
                origin=article.origin,
                boilerplate_removed=article.meta.boilerplate_removed,
                signal=signal_to_json(signal),
                run_id=run_id,
                created_at=self.stamp,
            )
            .returning(article_versions.c.id)
        ).scalar_one()

    def _source_id(self, name: str | None) -> int | None:
        if not name:
            return None
        if name not in self.sources:
            existing = self.conn.execute(sa.select(sources.c.id).where(sources.c.name == name)).scalar()
            if existing is None:
                existing = self.conn.execute(
                    sources.insert().values(name=name).returning(sources.c.id)
                ).scalar_one()
            self.sources[name] = existing
        return self.sources[name]

    def _entities(self, extraction: Extraction, version_id: int) -> dict[str, int]:
        """Article entities and their mentions; returns normalised name or alias -> global entity id."""
        resolved = [(entity, self.resolver.resolve(entity)) for entity in extraction.entities]
        rows = [
            {
                "article_version_id": version_id,
                "entity_id": self.resolver.current(entity_id),
                "position": position,
                "name": entity.name,
                "type": entity.type,
                "aliases": list(entity.aliases),
                "role": entity.role,
                "country": entity.country,
                "kind": entity.kind,
                **_geo_columns(entity.geo),
            }
            for position, (entity, entity_id) in enumerate(resolved)
        ]
        local_ids = _insert_returning_ids(self.conn, article_entities, rows)
        names: dict[str, int] = {}
        for (entity, _), row, local_id in zip(resolved, rows, local_ids, strict=True):
            self.pending[mentions] += [
                {
                    "article_version_id": version_id,
                    "article_entity_id": local_id,
                    "entity_id": row["entity_id"],
                    "text": m.text,
                    "char_start": m.start,
                    "char_end": m.end,
                    "sentence_start": m.evidence.start,
                    "sentence_end": m.evidence.end,
                }
                for m in entity.mentions
            ]
            for spelling in (entity.name, *entity.aliases):
                names.setdefault(normalise(spelling), row["entity_id"])
        return names

    def _events(self, found: list[Event], version_id: int, names: dict[str, int]) -> None:
        def entity_of(value: Any) -> int | None:
            return names.get(normalise(value)) if isinstance(value, str) else None

        arguments = [_arguments(event) for event in found]
        rows = [
            _event_row(event, args, position, version_id, entity_of)
            for position, (event, args) in enumerate(zip(found, arguments, strict=True))
        ]
        event_ids = _insert_returning_ids(self.conn, events, rows)
        for event, args, event_id in zip(found, arguments, event_ids, strict=True):
            for name, value in args.items():
                if value is None or name == "claims":
                    continue
                evidence = event.argument_evidence.get(name, event.evidence)
                self.pending[event_arguments] += [
                    {
                        "event_id": event_id,
                        "name": name,
                        "position": index,
                        "value": item,
                        "value_text": _as_text(item),
                        "entity_id": entity_of(item),
                        "sentence_start": evidence.start,
                        "sentence_end": evidence.end,
                    }
                    for index, item in enumerate(value if isinstance(value, list) else [value])
                ]
            self.pending[claims] += [
                {
                    "event_id": event_id,
                    "article_version_id": version_id,
                    "position": index,
                    "claimant": str(claim.get("claimant") or "unknown"),
                    "claimant_entity_id": entity_of(claim.get("claimant")),
                    "killed": claim.get("killed"),
                    "injured": claim.get("injured"),
                }
                for index, claim in enumerate(args.get("claims") or [])
                if isinstance(claim, dict)
            ]


# the column of each collected table that names a global entity
_ENTITY_COLUMN = {mentions: "entity_id", event_arguments: "entity_id", claims: "claimant_entity_id"}


def _insert_returning_ids(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one statement and return their ids in the order of `rows`."""
    if not rows:
        return []
    inserted = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(inserted.scalars())


def _geo_columns(geo: Geo | None) -> dict[str, Any]:
    """Where a place or an event is; every column named, so that the rows of one insert match."""
    if geo is None:
        return dict.fromkeys(("place_id", "lat", "lon", "precision", "region"))
    return {
        "place_id": geo.place_id,
        "lat": geo.lat,
        "lon": geo.lon,
        "precision": geo.precision,
        "region": geo.region,
    }


def _amount_rows(extraction: Extraction, version_id: int) -> list[dict[str, Any]]:
    return [
        {
            "article_version_id": version_id,
            "position": position,
            "text": a.text,
            "value": float(a.value),
            "currency": a.currency,
            "usd_stated": None if a.usd_stated is None else float(a.usd_stated),
            "char_start": a.start,
            "char_end": a.end,
            "sentence_start": a.evidence.start,
            "sentence_end": a.evidence.end,
            "usd": a.usd,
            "usd_constant": a.usd_constant,
            "stated_disagrees": a.stated_disagrees if a.usd_stated is not None else None,
        }
        for position, a in enumerate(extraction.amounts)
    ]


def _arguments(event: Event) -> dict[str, Any]:
    return {
        k: v
        for k, v in event.to_json().items()
        if k not in ("type", "evidence", "argument_evidence", "geo", "corridor")
    }


def _event_row(
    event: Event, args: dict[str, Any], position: int, version_id: int, entity_of: Any
) -> dict[str, Any]:
    when = args.get("date") if isinstance(args.get("date"), str) else None
    start, end = date_span(when)
    location = args.get("location") if isinstance(args.get("location"), str) else None
    usd, usd_constant = args.get("usd"), args.get("usd_constant")
    return {
        "article_version_id": version_id,
        "position": position,
        "type": event.type,
        "date": when,
        "date_start": start,
        "date_end": end,
        "location": location,
        "location_entity_id": entity_of(location),
        "arguments": args,
        "sentence_start": event.evidence.start,
        "sentence_end": event.evidence.end,
        "usd": usd if isinstance(usd, (int, float)) else None,
        "usd_constant": usd_constant if isinstance(usd_constant, (int, float)) else None,
        **_geo_columns(event.geo),
        "placed_by": event.placed_by,
        **(
            asdict(event.corridor)
            if event.corridor is not None
            else dict.fromkeys(("alignment", "alignment_km", "site", "site_km"))
        ),
    }


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def date_span(value: str | None) -> tuple[date | None, date | None]:
    """The days a date covers: "2023-10-19" itself, "2023-10" all of October, "2023" the year."""
    if not value:
        return None, None
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 3:
            day = date(*parts)
            return day, day
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first, date.fromordinal(following.toordinal() - 1)
        if len(parts) == 1:
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
    except ValueError:
        pass
    return None, None


def _first_line(text: str | None) -> str | None:
    """An article's headline when it has no title: its first line, for a text that starts with one,
    passing over a section label above it (a kicker such as "ANALYSIS" or "BALOCHISTAN")."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()][:3]
    headline = next((line for line in lines if not _is_section_label(line)), lines[0] if lines else "")
    return headline[:200] or None


def _is_section_label(line: str) -> bool:
    return line.isupper() and len(line.split()) <= 3


def _refresh_entity_fts(conn: Connection, touched: Iterable[int], merged_into: dict[int, int]) -> None:
    """Keep SQLite's `entity_fts` (name and aliases of each entity) in step with the entities."""
    for entity_id in merged_into:
        conn.execute(sa.text("DELETE FROM entity_fts WHERE rowid = :id"), {"id": entity_id})
    for entity_id in sorted(set(touched) - set(merged_into)):
        name = conn.execute(sa.select(entities.c.name).where(entities.c.id == entity_id)).scalar_one()
        spellings = conn.scalars(
            sa.select(aliases.c.alias).where(aliases.c.entity_id == entity_id).order_by(aliases.c.id)
        ).all()
        conn.execute(sa.text("DELETE FROM entity_fts WHERE rowid = :id"), {"id": entity_id})
        conn.execute(
            sa.text("INSERT INTO entity_fts(rowid, name, aliases) VALUES (:id, :name, :aliases)"),
            {"id": entity_id, "name": name, "aliases": " | ".join(spellings)},
        )


# --- story signals ----------------------------------------------------------------------------


def signal_to_json(signal: StorySignal) -> dict[str, Any]:
    """A StorySignal without its text (the version row holds that)."""
    data = asdict(signal)
    data.pop("text")
    data.pop("article_id")
    return data


def signal_from_json(key: str, text: str, data: dict[str, Any] | None) -> StorySignal:
    data = data or {}
    return StorySignal(
        article_id=key,
        text=text,
        published=data.get("published"),
        title=data.get("title"),
        events=[
            EventSignature(e["type"], e.get("date"), e.get("location"), tuple(e.get("actors") or ()))
            for e in data.get("events") or []
        ],
        entities=list(data.get("entities") or []),
    )


# --- stories ----------------------------------------------------------------------------------


def stories_stale(db: Database) -> bool:
    """Whether any current article version is missing from the stored stories (or any member is stale)."""
    with db.engine.connect() as conn:
        current = sa.select(article_versions.c.id).where(article_versions.c.is_current)
        unassigned = conn.execute(
            sa.select(sa.func.count())
            .select_from(article_versions)
            .outerjoin(story_members, story_members.c.article_version_id == article_versions.c.id)
            .where(article_versions.c.is_current, story_members.c.id.is_(None))
        ).scalar_one()
        stale = conn.execute(
            sa.select(sa.func.count())
            .select_from(story_members)
            .where(story_members.c.article_version_id.not_in(current))
        ).scalar_one()
    return bool(unassigned or stale)


def write_stories(db: Database, assignments: Iterable[StoryAssignment]) -> None:
    """Replace the stored stories by these assignments, touching only the rows that change."""
    with db.engine.begin() as conn:
        lock_for_writing(conn)
        current = {
            r.key: r
            for r in conn.execute(
                sa.select(
                    articles.c.id,
                    articles.c.key,
                    article_versions.c.id.label("version_id"),
                    article_versions.c.title,
                    sa.func.substr(article_versions.c.text, 1, 300).label("opening"),
                    article_versions.c.published,
                ).join(
                    article_versions,
                    (article_versions.c.article_id == articles.c.id) & article_versions.c.is_current,
                )
            )
        }
        groups: dict[str, list[StoryAssignment]] = defaultdict(list)
        for assignment in assignments:
            if assignment.article_id in current:
                groups[assignment.story_id].append(assignment)

        existing = {r.key: r for r in conn.execute(sa.select(stories))}
        story_ids: dict[str, int] = {}
        for story_key, group in sorted(groups.items()):
            rows = [current[a.article_id] for a in group]
            originals = [r for r, a in zip(rows, group) if a.duplicate_of is None] or rows
            dated = [r.published for r in rows if r.published is not None]
            first = min(originals, key=lambda r: (r.published is None, r.published or date.min, r.id))
            values = {
                "title": first.title or _first_line(first.opening),
                "first_published": min(dated, default=None),
                "last_published": max(dated, default=None),
                "size": len(rows),
            }
            old = existing.get(story_key)
            if old is None:
                story_ids[story_key] = conn.execute(
                    stories.insert().values(key=story_key, **values).returning(stories.c.id)
                ).scalar_one()
            else:
                story_ids[story_key] = old.id
                if any(getattr(old, k) != v for k, v in values.items()):
                    conn.execute(stories.update().where(stories.c.id == old.id).values(**values))

        members = {r.article_id: r for r in conn.execute(sa.select(story_members))}
        wanted: set[int] = set()
        for story_key, group in groups.items():
            for a in group:
                row = current[a.article_id]
                duplicate_of = current[a.duplicate_of].id if a.duplicate_of in current else None
                values = {
                    "story_id": story_ids[story_key],
                    "article_version_id": row.version_id,
                    "duplicate_of": duplicate_of,
                    "duplicate_kind": a.duplicate_kind if duplicate_of is not None else None,
                }
                wanted.add(row.id)
                old = members.get(row.id)
                if old is None:
                    conn.execute(story_members.insert().values(article_id=row.id, **values))
                elif any(getattr(old, k) != v for k, v in values.items()):
                    conn.execute(story_members.update().where(story_members.c.id == old.id).values(**values))
        gone = [article_id for article_id in members if article_id not in wanted]
        if gone:
            conn.execute(story_members.delete().where(story_members.c.article_id.in_(gone)))
        stale = [r.id for key, r in existing.items() if key not in groups]
        if stale:
            conn.execute(stories.delete().where(stories.c.id.in_(stale)))
