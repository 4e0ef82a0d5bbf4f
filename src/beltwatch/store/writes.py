"""Writing to the store: a batch of articles (and everything extracted from them) per transaction.

An article is identified by its URL when it has one that is already stored, else by its id.
Its cleaned text's sha256 decides what happens: the same as the current version's -> nothing
is written; different -> a new version, the previous one kept and marked superseded; no
article yet -> a new one. Because a batch is one transaction, a process killed at any moment
leaves whole batches or none, and running the same ingest again completes the job. Within the
transaction a batch costs a few statements per table, not per article: the stored articles it
names are looked up at once, rows get their ids as they are made (so rows that refer to them need
no round trip), each table's rows are inserted in one statement, the summaries are updated for
the batch together, and the entity resolver looks up the batch's names at once and remembers
what it found (`store.entities`).
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

from beltwatch.model import (
    Article,
    Event,
    EventSignature,
    Extraction,
    Geo,
    StoryAssignment,
    StorySignal,
)
from beltwatch.projects import project_facts
from beltwatch.store.changes import note_change
from beltwatch.store.database import Database, lock_for_writing, raise_if_unwritable
from beltwatch.store.entities import EntityResolver, normalise
from beltwatch.store.projects import VersionFacts, update_projects
from beltwatch.store.schema import (
    UNDATED,
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
from beltwatch.store.summaries import update_event_summaries, update_summaries

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
    db.refresh_statistics()


# --- articles ---------------------------------------------------------------------------------


# a stored article with its current version
_CURRENT = sa.select(
    articles.c.id,
    articles.c.key,
    articles.c.url,
    article_versions.c.id.label("version_id"),
    article_versions.c.version,
    article_versions.c.content_hash,
).join(article_versions, (article_versions.c.article_id == articles.c.id) & article_versions.c.is_current)


def _find(conn: Connection, article: Article) -> sa.Row | None:
    """The stored article and its current version: by URL first, then by id."""
    if article.meta.url:
        row = conn.execute(_CURRENT.where(articles.c.url == article.meta.url)).first()
        if row is not None:
            return row
    return conn.execute(_CURRENT.where(articles.c.key == article.id)).first()


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
        batch.find([extraction.article for extraction, _ in items])
        batch.resolver.prefetch([entity for extraction, _ in items for entity in extraction.entities])
        stored = [batch.store(extraction, signal, run_id) for extraction, signal in items]
        batch.flush()
        if any(s.status != UNCHANGED for s in stored):
            note_change(conn)
        return stored


@dataclass
class _Current:
    """A stored article and its current version, as the batch knows them."""

    id: int
    key: str
    url: str | None
    version_id: int
    version: int
    content_hash: str


# the tables a batch inserts into, in an order that puts every row after the rows it refers to
_INSERT_ORDER = (
    articles, article_versions, article_entities, events, mentions, amounts, event_arguments, claims
)
# the column of each such table that names a global entity
_ENTITY_COLUMN = {
    article_entities: "entity_id",
    events: "location_entity_id",
    mentions: "entity_id",
    event_arguments: "entity_id",
    claims: "claimant_entity_id",
}


class _Batch:
    """The articles of one transaction. Rows get their ids when made (`_Ids`), so the rows that refer
    to them can be made at once; `flush` then inserts each table's rows in one statement and brings
    the per-entity summaries up to date for all the batch's versions together."""

    def __init__(self, conn: Connection, is_sqlite: bool, stamp: datetime) -> None:
        self.conn = conn
        self.is_sqlite = is_sqlite
        self.stamp = stamp
        self.ids = _Ids(conn, is_sqlite)
        self.resolver = EntityResolver(conn, stamp)
        self.by_url: dict[str, _Current] = {}
        self.by_key: dict[str, _Current] = {}
        self.pending: dict[sa.Table, list[dict[str, Any]]] = defaultdict(list)
        self.superseded: list[dict[str, int]] = []  # old version -> the new one that supersedes it
        self.changes: list[tuple[int | None, int]] = []  # (superseded version, new version) per write
        self.facts: list[VersionFacts] = []  # the registry's, per write
        self.fts: list[dict[str, Any]] = []  # SQLite's full-text rows of the new versions
        self.event_fts: list[dict[str, Any]] = []  # and of their events
        self.sources: dict[str, int] = {}

    def find(self, batch: Sequence[Article]) -> None:
        """Look up the stored articles the batch may name, by URL and by id, and its sources."""
        urls = sorted({a.meta.url for a in batch if a.meta.url})
        keys = sorted({a.id for a in batch})
        for column, values in ((articles.c.url, urls), (articles.c.key, keys)):
            if values:
                for r in self.conn.execute(_CURRENT.where(column.in_(values))):
                    self._remember(_Current(r.id, r.key, r.url, r.version_id, r.version, r.content_hash))
        names = sorted({a.meta.source for a in batch if a.meta.source})
        if names:
            found = sa.select(sources.c.name, sources.c.id).where(sources.c.name.in_(names))
            self.sources.update((r.name, r.id) for r in self.conn.execute(found))

    def _remember(self, current: _Current) -> None:
        self.by_key[current.key] = current
        if current.url:
            self.by_url[current.url] = current

    def _current(self, article: Article) -> _Current | None:
        """The article as stored: by URL first, then by id (as `_find`)."""
        found = self.by_url.get(article.meta.url) if article.meta.url else None
        return found or self.by_key.get(article.id)

    def store(self, extraction: Extraction, signal: StorySignal, run_id: int | None) -> Stored:
        article = extraction.article
        digest = content_hash(article.text)
        found = self._current(article)
        if found is not None and found.content_hash == digest:
            return Stored(UNCHANGED, found.key, found.version)
        if found is not None and any(found.version_id == new for _, new in self.changes):
            self.flush()  # written earlier in this batch: its rows go in before they are superseded
        article_id, key, number = self._article(article, found)
        version_id = self._version(extraction, signal, run_id, article_id, number, digest)
        if found is not None:
            self.superseded.append({"old": found.version_id, "new": version_id})
        url = (found.url if found is not None else None) or article.meta.url
        self._remember(_Current(article_id, key, url, version_id, number, digest))
        if self.is_sqlite:
            self.fts.append({"id": version_id, "title": article.meta.title, "text": article.text})
        names = self._entities(extraction, version_id)
        self.pending[amounts] += _amount_rows(extraction, version_id)
        self._events(extraction.events, version_id, names, extraction.article.meta.published_first_day)
        self.changes.append((found.version_id if found is not None else None, version_id))
        self.facts.append((*self.changes[-1], project_facts(extraction)))
        return Stored(NEW if found is None else UPDATED, key, number)

    def flush(self) -> None:
        """Insert the rows made so far, table by table, and update the summaries they change."""
        for table in _INSERT_ORDER:
            rows = self.pending.pop(table, [])
            column = _ENTITY_COLUMN.get(table)
            for row in rows if column else ():  # an entity may have been merged after its row was made
                if row[column] is not None:
                    row[column] = self.resolver.current(row[column])
            if rows:
                _insert(self.conn, table, rows)
            if table is article_versions and self.superseded:
                self.conn.execute(
                    article_versions.update()
                    .where(article_versions.c.id == sa.bindparam("old"))
                    .values(superseded_by=sa.bindparam("new")),
                    self.superseded,
                )
                self.superseded = []
        if self.fts:
            self.conn.execute(
                sa.text("INSERT INTO article_fts(rowid, title, text) VALUES (:id, :title, :text)"), self.fts
            )
            self.fts = []
        if self.event_fts:
            self.conn.execute(sa.text("INSERT INTO event_fts(rowid, text) VALUES (:id, :text)"), self.event_fts)
            self.event_fts = []
        merged = {self.resolver.current(target) for target in self.resolver.merged_into.values()}
        update_summaries(self.conn, self.changes, merged)
        update_event_summaries(
            self.conn,
            self.changes,
            entity_ids={*self.resolver.merged_into, *merged},
            countries=self.resolver.recount_countries,
        )
        self.resolver.recount_countries.clear()
        update_projects(self.conn, self.facts, self.stamp)
        self.changes, self.facts = [], []
        if self.is_sqlite:
            _refresh_entity_fts(self.conn, self.resolver.touched, self.resolver.merged_into)

    def _article(self, article: Article, found: _Current | None) -> tuple[int, str, int]:
        """The stored article's id, key and the number of the version to write (its old one retired)."""
        if found is None:
            article_id = self.ids.take(articles)
            self.pending[articles].append(
                {"id": article_id, "key": article.id, "url": article.meta.url, "created_at": self.stamp}
            )
            return article_id, article.id, 1
        if found.url is None and article.meta.url:
            self.conn.execute(articles.update().where(articles.c.id == found.id).values(url=article.meta.url))
        # the partial unique index allows one current version: retire the old one first
        self.conn.execute(
            article_versions.update()
            .where(article_versions.c.id == found.version_id)
            .values(is_current=False, superseded_at=self.stamp)
        )
        self.conn.execute(events.update().where(events.c.article_version_id == found.version_id).values(is_current=False))
        return found.id, found.key, found.version + 1

    def _version(
        self, extraction: Extraction, signal: StorySignal, run_id: int | None, article_id: int, number: int,
        digest: str,
    ) -> int:
        article = extraction.article
        version_id = self.ids.take(article_versions)
        self.pending[article_versions].append(
            {
                "id": version_id,
                "article_id": article_id,
                "version": number,
                "content_hash": digest,
                "is_current": True,
                "title": article.meta.title,
                "text": article.text,
                "published": article.meta.published_first_day,
                "published_precision": article.meta.published_precision,
                "language": article.meta.language,
                "source_id": self._source_id(article.meta.source),
                "url": article.meta.url,
                "origin": article.origin,
                "boilerplate_removed": article.meta.boilerplate_removed,
                "signal": signal_to_json(signal),
                "run_id": run_id,
                "created_at": self.stamp,
            }
        )
        return version_id

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
        names: dict[str, int] = {}
        for position, entity in enumerate(extraction.entities):
            entity_id = self.resolver.resolve(entity)
            local_id = self.ids.take(article_entities)
            self.pending[article_entities].append(
                {
                    "id": local_id,
                    "article_version_id": version_id,
                    "entity_id": entity_id,
                    "position": position,
                    "name": entity.name,
                    "type": entity.type,
                    "aliases": list(entity.aliases),
                    "role": entity.role,
                    "country": entity.country,
                    "kind": entity.kind,
                    **_geo_columns(entity.geo),
                }
            )
            self.pending[mentions] += [
                {
                    "article_version_id": version_id,
                    "article_entity_id": local_id,
                    "entity_id": entity_id,
                    "text": m.text,
                    "char_start": m.start,
                    "char_end": m.end,
                    "sentence_start": m.evidence.start,
                    "sentence_end": m.evidence.end,
                }
                for m in entity.mentions
            ]
            for spelling in (entity.name, *entity.aliases):
                names.setdefault(normalise(spelling), entity_id)
        return names

    def _events(self, found: list[Event], version_id: int, names: dict[str, int], published: date | None) -> None:
        def entity_of(value: Any) -> int | None:
            return names.get(normalise(value)) if isinstance(value, str) else None

        for position, event in enumerate(found):
            args = _arguments(event)
            event_id = self.ids.take(events)
            row = _event_row(event, args, position, version_id, entity_of)
            arguments = []
            for name, value in args.items():
                if value is None or name == "claims":
                    continue
                evidence = event.argument_evidence.get(name, event.evidence)
                arguments += [
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
            row["search_text"] = search_text(event.evidence.text, row["location"], (a["value_text"] for a in arguments))
            self.pending[events].append(
                {"id": event_id, **row, "is_current": True, "sort_day": row["date_start"] or published or UNDATED}
            )
            self.pending[event_arguments] += arguments
            if self.is_sqlite:
                self.event_fts.append({"id": event_id, "text": row["search_text"]})
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


def _insert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (all with the same columns) together: on PostgreSQL by COPY, which sends them in
    one stream where an INSERT goes row by row; elsewhere in one multi-row INSERT. COPY gets each
    value as the column's type would bind it (JSON serialised)."""
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    names = list(rows[0])
    binds = [table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for name in names]
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)
    try:
        with (
            conn.connection.driver_connection.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([bind(row[n]) if bind else row[n] for n, bind in zip(names, binds)])
    except Exception as exc:
        raise_if_unwritable(exc)
        raise


class _Ids:
    """Ids for the rows a batch inserts, taken as the rows are made.

    SQLite: one past the table's largest id, counted on from there (the transaction holds the write
    lock, so nothing else inserts meanwhile; it is the id SQLite itself would give). PostgreSQL:
    values of the table's id sequence, fetched in growing blocks; the ones a batch leaves unused are
    gaps, as a rolled-back insert leaves.
    """

    def __init__(self, conn: Connection, is_sqlite: bool) -> None:
        self.conn = conn
        self.is_sqlite = is_sqlite
        self.last: dict[sa.Table, int] = {}  # SQLite: the last id taken
        self.free: dict[sa.Table, list[int]] = defaultdict(list)  # PostgreSQL: sequence values, last first
        self.block: dict[sa.Table, int] = defaultdict(lambda: 16)  # grown fourfold, to few round trips

    def take(self, table: sa.Table) -> int:
        if self.is_sqlite:
            if table not in self.last:
                self.last[table] = self.conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
            self.last[table] += 1
            return self.last[table]
        free = self.free[table]
        if not free:
            self.block[table] = min(self.block[table] * 4, 4096)
            values = self.conn.scalars(_NEXT_IDS, {"table": table.name, "n": self.block[table]}).all()
            free.extend(sorted(values, reverse=True))
        return free.pop()


_NEXT_IDS = sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


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


def search_text(sentence: str | None, location: str | None, values: Iterable[str]) -> str:
    """What a text filter on events reads: the sentence, the place and each argument's value, casefolded,
    one to a line (a filter's words are matched within one of them, not across two)."""
    return "\n".join(part for part in (sentence, location, *values) if part).casefold()


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


def _stories_in(scope: sa.Select | None) -> sa.Select:
    """The stored stories of the articles `scope` selects; all of them, memberless ones too, without it."""
    if scope is None:
        return sa.select(stories)
    return sa.select(stories).where(
        stories.c.id.in_(sa.select(story_members.c.story_id).where(story_members.c.article_id.in_(scope)))
    )


def write_stories(db: Database, assignments: Iterable[StoryAssignment], scope: sa.Select | None = None) -> None:
    """Replace the stored stories by these assignments, touching only the rows that change; with
    `scope` (`reads.story_scope`), only the stories of the articles it selects, which the
    assignments then cover whole."""
    with db.engine.begin() as conn:
        lock_for_writing(conn)
        query = sa.select(
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
        in_scope = (lambda column: column.in_(scope)) if scope is not None else (lambda column: sa.true())
        current = {r.key: r for r in conn.execute(query.where(in_scope(articles.c.id)))}
        groups: dict[str, list[StoryAssignment]] = defaultdict(list)
        for assignment in assignments:
            if assignment.article_id in current:
                groups[assignment.story_id].append(assignment)

        existing = {r.key: r for r in conn.execute(_stories_in(scope))}
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

        members = {
            r.article_id: r
            for r in conn.execute(sa.select(story_members).where(in_scope(story_members.c.article_id)))
        }
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
        note_change(conn)
