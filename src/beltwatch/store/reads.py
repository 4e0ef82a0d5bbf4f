"""Reading the store: search, events, entities, stories, statistics, and a canonical content dump.

Every function returns plain JSON-ready data (dicts, lists, ISO dates); the CLI, API and
exports render it. Only current article versions are read unless said otherwise. All user
input reaches SQL as bound parameters; search text is turned into quoted FTS5 terms (SQLite)
or `plainto_tsquery` (PostgreSQL), never into query syntax.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beltwatch.errors import UsageError
from beltwatch.model import DATE_LENGTHS, EVENT_TYPES, PARTY_ARGUMENTS, PLACE_TYPES, StorySignal
from beltwatch.store.entities import normalise
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
    role_history,
    sources,
    stories,
    story_members,
)
from beltwatch.store.writes import signal_from_json

HIT_START, HIT_END = "\u27e6", "\u27e7"  # ⟦ ⟧ around search hits in snippets
# SCHEMA.md's order of event arguments; PostgreSQL's JSONB does not keep the order they were stored in
ARGUMENT_ORDER = (
    "name",
    *PARTY_ARGUMENTS,
    "target",
    "victim_nationality",
    "killed",
    "injured",
    "disputed",
    "claims",
    "value",
    "currency",
    "usd_stated",
    "instrument",
    "purpose",
    "status",
    "sectors",
    "locations",
    "subject",
    "measure",
    "topic",
    "form",
    "reason",
    "date",
    "location",
)

_current = (article_versions.c.article_id == articles.c.id) & article_versions.c.is_current


def iso(value: date | str | None) -> str | None:
    """A stored date or time as ISO text (a driver may already give text), None for None."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def iso_day(value: date | str) -> date:
    """A stored date as a date (a driver may give text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def published_iso(day: date | str | None, precision: str | None) -> str | None:
    """A stored publication date as the source gave it: "2022-11" for a month, "2022" for a year."""
    text = iso(day)
    return text[: DATE_LENGTHS[precision or "day"]] if text else None


def _evidence(text: str, start: int | None, end: int | None) -> dict[str, Any] | None:
    if start is None or end is None:
        return None
    return {"text": text[start:end], "start": start, "end": end}


# --- story signals ----------------------------------------------------------------------------


def load_signals(conn: Connection, scope: sa.Select | None = None) -> list[StorySignal]:
    """The story signal of every current article (of those whose id `scope` selects), in the order
    the articles were first stored."""
    query = sa.select(articles.c.key, article_versions.c.text, article_versions.c.signal).join(
        article_versions, _current
    )
    if scope is not None:
        query = query.where(articles.c.id.in_(scope))
    return [signal_from_json(r.key, r.text, r.signal) for r in conn.execute(query.order_by(articles.c.id))]


# `is_current` as the partial index of the current versions (uq_article_versions_current) says it:
# SQLite reads that index instead of the table only for a condition written as the index's own,
# and SQLAlchemy writes the column as "is_current = 1"
_IS_CURRENT = sa.literal_column("article_versions.is_current")


def unassigned() -> sa.Select:
    """The ids of the current articles not in a story (new, changed, or left by an interrupted run)."""
    return (
        sa.select(article_versions.c.article_id)
        .outerjoin(story_members, story_members.c.article_version_id == article_versions.c.id)
        .where(_IS_CURRENT, story_members.c.id.is_(None))
    )


def unassigned_now(conn: Connection) -> sa.Select:
    """`unassigned`, found once (`materialised`).

    This reads every current version of the store: in article order, SQLite takes them from the
    partial index of the current versions (0.1 s at 504,000 articles, warm), not from the table,
    whose rows hold the texts (0.7 s warm, 1.8 s cold)."""
    return materialised(conn, unassigned().order_by(article_versions.c.article_id))


def unassigned_signals(conn: Connection) -> list[StorySignal]:
    """The story signals of the current articles not yet in a story."""
    return load_signals(conn, unassigned_now(conn))


def story_scope(days: Sequence[tuple[date, date]], new: sa.Select | None = None) -> sa.Select:
    """The ids of the articles to cluster again with those not yet in a story (`new`, by default
    `unassigned`): those, the current articles published on `days` (intervals; a month or a year
    counts as all its days), the undated, and every story any of them is in, whole, so that a
    story is either clustered again with all its reports or left as it is."""
    published, precision = article_versions.c.published, article_versions.c.published_precision
    near = sa.or_(
        published.is_(None),
        *(
            published.between(first - timedelta(days=longest), last) & sa.or_(*kinds)
            for first, last in days
            for longest, kinds in (
                (0, [precision.is_(None), precision == "day"]),
                (31, [precision == "month"]),
                (366, [precision == "year"]),
            )
        ),
    )
    near_ones = sa.select(article_versions.c.article_id).where(article_versions.c.is_current, near)
    # read once, for itself and for the stories it touches: the versions near are rows of the
    # largest table, read one by one (0.5 s for 4,000 of 504,000 when they are not in memory)
    reached = sa.union(near_ones, unassigned() if new is None else new).cte("reached")
    touched = sa.select(story_members.c.story_id).where(story_members.c.article_id.in_(sa.select(*reached.c)))
    their_stories = sa.select(story_members.c.article_id).where(story_members.c.story_id.in_(touched))
    return sa.union(sa.select(*reached.c), their_stories)


def materialised(conn: Connection, ids: sa.Select) -> sa.Select:
    """The article ids `ids` selects now, as a select of those ids, so that what reads them again
    (the story step reads the signals of its scope, then writes with three more queries) does
    not evaluate `ids` again: `unassigned` reads every current version each time.

    The ids are written into the statement, not bound: a scope can hold more articles than a
    statement can bind parameters (SQLite: 32,766), and they are integers the store gave."""
    found = sorted(conn.execute(ids).scalars())
    return sa.select(articles.c.id).where(
        articles.c.id.in_(sa.bindparam("ids", found, unique=True, expanding=True, literal_execute=True))
    )


# --- search -----------------------------------------------------------------------------------

# a search ranks the most recently stored matches of each kind, and counts them, not all: a common word
# is in most articles of a large store (Gwadar in 494,481 of 504,000), and ranking each one, then
# cutting its snippet, took 0.6 s; past these, a search says there are more than it ranked
SEARCH_RANKED = 1_000


@dataclass(frozen=True)
class Matches:
    """How many matched: `total`, or more than it when `more` (only the `total` stored last were ranked)."""

    total: int
    more: bool


@dataclass(frozen=True)
class SearchResult:
    """Entities then articles, best first, and how many of each matched."""

    hits: list[dict[str, Any]]
    entities: Matches
    articles: Matches

    @classmethod
    def nothing(cls) -> SearchResult:
        return cls([], Matches(0, False), Matches(0, False))


def search_terms(query: str) -> list[str]:
    """The words of a search query (punctuation and spaces are no part of any)."""
    return re.findall(r"\w+", query)


def search(conn: Connection, query: str, limit: int = 20) -> SearchResult:
    """Entities whose names match, then articles whose title or text match, best first: ranked by
    relevance (PostgreSQL: entities by name) among the `SEARCH_RANKED` most recently stored matches of
    each, which are all of them when fewer match."""
    terms = search_terms(query)
    if not terms:
        raise UsageError("search needs at least one word")
    ranked = max(SEARCH_RANKED, limit)
    if conn.dialect.name == "sqlite":
        words, sql = " ".join(f'"{t}"' for t in terms), _SQLITE_SEARCH  # quoted: never FTS5 syntax
    else:
        words, sql = " ".join(terms), _POSTGRESQL_SEARCH
    params = {"q": words, "newest": ranked + 1}  # one more than ranked: whether there are more
    entity_rows = conn.execute(sa.text(sql.entities), params).all()
    article_rows = conn.execute(sa.text(sql.articles), params).all()
    best = [r.id for r in sorted(article_rows[:ranked], key=lambda r: (r.rank, r.id))[:limit]]
    shown = (
        conn.execute(
            sa.text(sql.shown).bindparams(sa.bindparam("ids", expanding=True)), {"q": words, "ids": best}
        ).all()
        if best
        else []
    )
    hits: list[dict[str, Any]] = [
        {"kind": "entity", "id": r.id, "name": r.name, "type": r.type, "country": r.country}
        for r in sorted(entity_rows[:ranked], key=lambda r: (r.rank, r.id))[:limit]
    ]
    place = {id_: i for i, id_ in enumerate(best)}
    for r in sorted(shown, key=lambda r: place[r.id]):
        published = iso_day(r.published) if r.published is not None else None
        hits.append(
            {
                "kind": "article",
                "id": r.key,
                "title": r.title,
                "published": iso(published),
                "source": r.source,
                "origin": r.origin,
                "url": r.url,
                "snippet": " ".join((r.snippet or "").split()),
            }
        )
    return SearchResult(hits, _matches(entity_rows, ranked), _matches(article_rows, ranked))


def _matches(rows: Sequence[Any], ranked: int) -> Matches:
    return Matches(min(len(rows), ranked), len(rows) > ranked)


@dataclass(frozen=True)
class _SearchSql:
    """A dialect's search: the `:newest` matching entities and current article versions stored last,
    each with a rank (lower is better), and the articles `:ids` with a snippet (which reads the text)."""

    entities: str
    articles: str
    shown: str


# FTS5 reads matches in rowid order, and an entity's or a version's id grows as it is stored
_SQLITE_SEARCH = _SearchSql(
    entities="SELECT e.id, e.name, e.type, e.country, hit.rank FROM ("
    "  SELECT rowid AS id, bm25(entity_fts) AS rank FROM entity_fts WHERE entity_fts MATCH :q"
    "  ORDER BY rowid DESC LIMIT :newest"
    ") AS hit JOIN entities e ON e.id = hit.id",
    articles="SELECT article_fts.rowid AS id, bm25(article_fts) AS rank"
    " FROM article_fts JOIN article_versions av ON av.id = article_fts.rowid"
    " WHERE article_fts MATCH :q AND av.is_current ORDER BY article_fts.rowid DESC LIMIT :newest",
    shown="SELECT av.id, a.key, av.title, av.published, av.origin, av.url, s.name AS source,"
    f" snippet(article_fts, 1, '{HIT_START}', '{HIT_END}', '…', 16) AS snippet"
    " FROM article_fts JOIN article_versions av ON av.id = article_fts.rowid"
    " JOIN articles a ON a.id = av.article_id LEFT JOIN sources s ON s.id = av.source_id"
    " WHERE article_fts MATCH :q AND article_fts.rowid IN :ids",
)
# the versions' stored tsvector and its GIN index; entities, far fewer than articles, by name
_POSTGRESQL_SEARCH = _SearchSql(
    entities="SELECT e.id, e.name, e.type, e.country, e.name AS rank FROM entities e"
    " WHERE to_tsvector('simple', e.name || ' ' || coalesce((SELECT string_agg(al.alias, ' ')"
    " FROM aliases al WHERE al.entity_id = e.id), '')) @@ plainto_tsquery('simple', :q)"
    " ORDER BY e.id DESC LIMIT :newest",
    articles="SELECT av.id, -ts_rank(av.search_vector, plainto_tsquery('english', :q)) AS rank"
    " FROM article_versions av WHERE av.is_current AND av.search_vector @@ plainto_tsquery('english', :q)"
    " ORDER BY av.id DESC LIMIT :newest",
    shown="SELECT av.id, a.key, av.title, av.published, av.origin, av.url, s.name AS source,"
    " ts_headline('english', av.text, plainto_tsquery('english', :q),"
    f" 'StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=24, MinWords=10, MaxFragments=1') AS snippet"
    " FROM article_versions av JOIN articles a ON a.id = av.article_id"
    " LEFT JOIN sources s ON s.id = av.source_id WHERE av.id IN :ids",
)


def split_snippet(snippet: str) -> tuple[str, list[list[int]]]:
    """The snippet without its hit markers, and the [start, end) offsets of the hits in it."""
    out, spans, pos = [], [], 0
    for part in re.split(f"({HIT_START}.*?{HIT_END})", snippet):
        if part.startswith(HIT_START) and part.endswith(HIT_END):
            inner = part[1:-1]
            spans.append([pos, pos + len(inner)])
            part = inner
        else:
            part = part.replace(HIT_START, "").replace(HIT_END, "")
        out.append(part)
        pos += len(part)
    return "".join(out), spans


# --- entities ---------------------------------------------------------------------------------


def find_entities(conn: Connection, name: str) -> list[int]:
    """Entity ids for a name: exact (normalised) names, else aliases, else names containing it."""
    norm = normalise(name)
    if not norm:
        return []
    exact = conn.scalars(
        sa.select(entities.c.id).where(entities.c.norm_name == norm).order_by(entities.c.id)
    ).all()
    if exact:
        return list(exact)
    by_alias = conn.scalars(
        sa.select(aliases.c.entity_id)
        .where(aliases.c.norm_alias == norm)
        .distinct()
        .order_by(aliases.c.entity_id)
    ).all()
    if by_alias:
        return list(by_alias)
    pattern = "%" + norm.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        conn.scalars(
            sa.select(entities.c.id)
            .where(entities.c.norm_name.like(pattern, escape="\\"))
            .order_by(entities.c.id)
        ).all()
    )


def entity_details(conn: Connection, name: str, *, with_events: bool = True) -> list[dict[str, Any]]:
    """Each entity the name finds: attributes, aliases, roles over time, article count, and (`with_events`)
    every event that names it."""
    out = []
    for entity_id in find_entities(conn, name):
        row = conn.execute(sa.select(entities).where(entities.c.id == entity_id)).one()
        spellings = conn.scalars(
            sa.select(aliases.c.alias).where(aliases.c.entity_id == entity_id).order_by(aliases.c.alias)
        ).all()
        roles = conn.execute(
            sa.select(role_history, articles.c.key)
            .join(article_versions, article_versions.c.id == role_history.c.evidence_version_id)
            .join(articles, articles.c.id == article_versions.c.article_id)
            .where(role_history.c.entity_id == entity_id)
            .order_by(role_history.c.first_seen.is_(None), role_history.c.first_seen, role_history.c.role)
        ).all()
        out.append(
            {
                "id": row.id,
                "name": row.name,
                "type": row.type,
                "country": row.country,
                "kind": row.kind,
                "aliases": list(spellings),
                "roles": [
                    {
                        "role": r.role,
                        "first_seen": iso(r.first_seen),
                        "last_seen": iso(r.last_seen),
                        "article": r.key,
                        "articles": r.articles,
                    }
                    for r in roles
                ],
                "articles": row.articles,
                **({"events": list_events(conn, entity_ids=[entity_id])} if with_events else {}),
            }
        )
    return out


# --- events -----------------------------------------------------------------------------------


def list_events(
    conn: Connection,
    *,
    type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    country: str | None = None,
    entity: str | None = None,
    entity_ids: Iterable[int] | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Events of current articles, oldest first, filtered; an undated event counts as of its article's date.

    `country` is an ISO code: the event's place, or a place among its arguments, is in it.
    `entity` is a name, found as `find_entities` finds it: the event names it as an argument,
    its location or a claimant.
    """
    when_start = sa.func.coalesce(events.c.date_start, article_versions.c.published)
    when_end = sa.func.coalesce(events.c.date_end, article_versions.c.published)
    query = (
        sa.select(
            events,
            articles.c.key,
            article_versions.c.published,
            article_versions.c.text,
        )
        .join(article_versions, article_versions.c.id == events.c.article_version_id)
        .join(articles, articles.c.id == article_versions.c.article_id)
        .where(article_versions.c.is_current)
    )
    if type:
        wanted = type.upper()
        if wanted not in EVENT_TYPES:
            raise UsageError(f"--type must be one of {', '.join(EVENT_TYPES)}, not {type!r}")
        query = query.where(events.c.type == wanted)
    if since:
        query = query.where(when_end >= since)
    if until:
        query = query.where(when_start <= until)
    if country:
        query = query.where(in_country(country))
    ids: list[int] | None = list(entity_ids) if entity_ids is not None else None
    if entity is not None:
        ids = (ids or []) + find_entities(conn, entity)
    if ids is not None:
        query = query.where(involves(ids))
    query = query.order_by(when_start.is_(None), when_start, articles.c.key, events.c.position)
    if limit:
        query = query.limit(limit)
    out = []
    for r in conn.execute(query):
        out.append(
            {
                "id": r.id,
                "article": r.key,
                "type": r.type,
                "date": r.date,
                "location": r.location,
                "published": iso(r.published),
                "arguments": _ordered(r.arguments),
                "evidence": _evidence(r.text, r.sentence_start, r.sentence_end),
                "corridor": corridor_of(r._mapping),
            }
        )
    return out


CORRIDOR_COLUMNS = ("alignment", "alignment_km", "site", "site_km")


def corridor_of(mapping: Mapping[str, Any]) -> dict[str, Any] | None:
    """An event row's (`row._mapping`) nearest corridor alignment and project site with their km (None
    when it has no place)."""
    if mapping.get("alignment") is None:
        return None
    return {name: mapping[name] for name in CORRIDOR_COLUMNS}


def latest_event_day(conn: Connection) -> date | None:
    """The latest day an event of a current article is dated to, never after the latest publication
    (a project "to be finished in 2030" is not news from 2030); None for an empty database.

    Each is read from the top of an index down to the first that qualifies, not by joining every event
    to its version: a dated event's listed day is its date (revision 0013), so the latest is near the
    top of the index on (current, listed day)."""
    latest_event = (
        sa.select(events.c.date_start)
        .where(events.c.is_current, events.c.sort_day < UNDATED, events.c.date_start.is_not(None))
        .order_by(events.c.sort_day.desc())
        .limit(1)
    )
    with_events = sa.exists().where(events.c.article_version_id == article_versions.c.id)
    latest_published = (
        sa.select(article_versions.c.published)
        .where(article_versions.c.is_current, article_versions.c.published.is_not(None), with_events)
        .order_by(article_versions.c.published.desc())
        .limit(1)
    )
    days = [conn.execute(query).scalar() for query in (latest_event, latest_published)]
    known = [iso_day(d) for d in days if d is not None]
    return min(known) if known else None


def in_country(code: str, *, probe: bool = False) -> sa.ColumnElement[bool]:
    """Events placed in a country: by their location, or by a place among their arguments. See
    `involves` for `probe`."""
    places = sa.select(entities.c.id).where(entities.c.country == code)
    if not probe:
        placed = sa.select(event_arguments.c.event_id).where(
            event_arguments.c.entity_id.in_(places.where(entities.c.type.in_(PLACE_TYPES)))
        )
        return events.c.location_entity_id.in_(places) | events.c.id.in_(placed)
    place = entities.alias("place")
    in_location = (
        sa.select(place.c.id)
        .where(place.c.id == events.c.location_entity_id, place.c.country == code)
        .exists()
    )
    in_arguments = (
        sa.select(event_arguments.c.id)
        .join(place, place.c.id == event_arguments.c.entity_id)
        .where(
            event_arguments.c.event_id == events.c.id,
            place.c.type.in_(PLACE_TYPES),
            place.c.country == code,
        )
        .exists()
    )
    return in_location | in_arguments


def involves(entity_ids: list[int], *, probe: bool = False) -> sa.ColumnElement[bool]:
    """Events that name one of the entities: as their place, an argument or a claimant.

    Two ways to ask, the same answer. As sets of events (the default), which the database reads once
    from the entities' indexes: right for a few events, and for counting. Or tested for each event
    (`probe`), which a list read in order from the index on (current, day) stops asking once its page
    is full: right for the first pages of an entity or country named by a good share of all events,
    whose sets alone take longer to read than such a page."""
    if not probe:
        named = sa.select(event_arguments.c.event_id).where(event_arguments.c.entity_id.in_(entity_ids))
        claimed = sa.select(claims.c.event_id).where(claims.c.claimant_entity_id.in_(entity_ids))
        return events.c.location_entity_id.in_(entity_ids) | events.c.id.in_(named) | events.c.id.in_(claimed)
    named_exists = (
        sa.select(event_arguments.c.id)
        .where(event_arguments.c.event_id == events.c.id, event_arguments.c.entity_id.in_(entity_ids))
        .exists()
    )
    claimed_exists = (
        sa.select(claims.c.id)
        .where(claims.c.event_id == events.c.id, claims.c.claimant_entity_id.in_(entity_ids))
        .exists()
    )
    return events.c.location_entity_id.in_(entity_ids) | named_exists | claimed_exists


def _ordered(arguments: dict[str, Any]) -> dict[str, Any]:
    rank = {name: i for i, name in enumerate(ARGUMENT_ORDER)}
    return dict(sorted(arguments.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code from a code or a country name; `UsageError` if it is neither."""
    import pycountry

    text = value.strip()
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        raise UsageError(f"--country: not a country code or name: {value!r}") from None


# --- stories ----------------------------------------------------------------------------------


_STORY_ORDER = (stories.c.first_published.is_(None), stories.c.first_published, stories.c.key)


def list_stories(
    conn: Connection,
    key: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    members: int | None = None,
) -> list[dict[str, Any]]:
    """Every story (or the one of `key`, or a page of `limit` from `offset`), earliest story first, with how
    many member articles and duplicates it has (`counts`), its member articles (originals first, earliest
    first; the first `members` of each when given) and the events merged across these. Members and
    events are read for the stories listed only."""
    chosen = stories.c.key == key if key is not None else sa.true()
    listed = conn.execute(sa.select(stories).where(chosen).order_by(*_STORY_ORDER).limit(limit).offset(offset)).all()
    ids = [s.id for s in listed] if key is not None or limit is not None else None
    shown = _story_members(conn, ids, per_story=members)
    keys = [m["id"] for found in shown.values() for m in found] if members is not None else None
    merged = {} if keys is not None and not keys else story_events(conn, ids, article_keys=keys)
    counts = _story_counts(conn, ids)
    return [
        {
            "story": s.key,
            "title": s.title,
            "first_published": iso(s.first_published),
            "last_published": iso(s.last_published),
            "size": s.size,
            "counts": counts.get(s.id, {"articles": 0, "duplicates": 0}),
            "articles": shown.get(s.id, []),
            "events": merged.get(s.id, []),
        }
        for s in listed
    ]


def count_stories(conn: Connection) -> int:
    return conn.scalar(sa.select(sa.func.count()).select_from(stories)) or 0


def story_page(conn: Connection, key: str, limit: int, offset: int = 0) -> dict[str, Any] | None:
    """The story of `key` (None if there is none) with how many member articles it has and how many are
    duplicates, `limit` of its members from `offset` (originals first, earliest first), and the events
    merged across these members: the largest synthetic story has 2,163 reports, and merging all their
    events took a second."""
    found = conn.execute(sa.select(stories).where(stories.c.key == key)).first()
    if found is None:
        return None
    members = _story_members(conn, [found.id], limit=limit, offset=offset).get(found.id, [])
    merged = story_events(conn, [found.id], article_keys=[m["id"] for m in members]) if members else {}
    return {
        "story": found.key,
        "title": found.title,
        "first_published": iso(found.first_published),
        "last_published": iso(found.last_published),
        "size": found.size,
        "counts": _story_counts(conn, [found.id]).get(found.id, {"articles": 0, "duplicates": 0}),
        "articles": members,
        "events": merged.get(found.id, []),
    }


def _story_counts(conn: Connection, ids: list[int] | None) -> dict[int, dict[str, int]]:
    """How many member articles and duplicates each of the stories `ids` (None: every story) has."""
    rows = conn.execute(
        sa.select(story_members.c.story_id, sa.func.count(), sa.func.count(story_members.c.duplicate_of))
        .where(story_members.c.story_id.in_(ids) if ids is not None else sa.true())
        .group_by(story_members.c.story_id)
    )
    return {r[0]: {"articles": r[1], "duplicates": r[2]} for r in rows}


def _story_members(
    conn: Connection,
    ids: list[int] | None,
    limit: int | None = None,
    offset: int = 0,
    per_story: int | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """The member articles of the stories `ids` (None: of every story), originals first, earliest first;
    `limit` of them from `offset` when given (of one story), the first `per_story` of each when given."""
    original = articles.alias("original")
    order = (
        story_members.c.duplicate_of.is_not(None),
        article_versions.c.published.is_(None),
        article_versions.c.published,
        articles.c.key,
    )
    query = (
        sa.select(
            story_members.c.story_id,
            articles.c.key,
            article_versions.c.title,
            article_versions.c.published,
            article_versions.c.origin,
            article_versions.c.url,
            sources.c.name.label("source"),
            original.c.key.label("duplicate_of"),
            story_members.c.duplicate_kind,
        )
        .select_from(story_members)
        .join(articles, articles.c.id == story_members.c.article_id)
        .join(article_versions, _current)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        .outerjoin(original, original.c.id == story_members.c.duplicate_of)
        .where(story_members.c.story_id.in_(ids) if ids is not None else sa.true())
    )
    if per_story is None:
        rows = conn.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    else:  # numbered within each story in the same order
        place = sa.func.row_number().over(partition_by=story_members.c.story_id, order_by=order)
        numbered = query.add_columns(place.label("place")).subquery()
        first = sa.select(numbered).where(numbered.c.place <= per_story)
        rows = conn.execute(first.order_by(numbered.c.story_id, numbered.c.place)).all()
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        members[r.story_id].append(
            {
                "id": r.key,
                "title": r.title,
                "published": iso(r.published),
                "source": r.source,
                "origin": r.origin,
                "url": r.url,
                "duplicate_of": r.duplicate_of,
                "duplicate_kind": r.duplicate_kind,
            }
        )
    return members


FIGURES = ("killed", "injured", "value", "currency", "disputed")


MERGED_TYPES = ("ATTACK", "FINANCING", "MEETING")


def story_events(
    conn: Connection,
    story_ids: Iterable[int] | None = None,
    types: Iterable[str] = MERGED_TYPES,
    article_keys: Iterable[str] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """Each story's events merged across its reports: one entry per happening (same type, dates within
    two days, same place), listing every source article (and its event's id) with the figures it gives,
    and every figure that differs between sources as claims (claimant, figures, article), kept apart
    rather than blended. `story_ids` limits the stories (story row ids), `types` the event types,
    `article_keys` the member articles."""
    query = (
        sa.select(
            story_members.c.story_id,
            articles.c.key,
            sources.c.name.label("source"),
            events.c.id,
            events.c.type,
            events.c.date,
            events.c.date_start,
            events.c.location,
            events.c.arguments,
        )
        .select_from(story_members)
        .join(articles, articles.c.id == story_members.c.article_id)
        .join(article_versions, _current)
        .join(events, events.c.article_version_id == article_versions.c.id)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        # originals as "no original of theirs" (0 is no row's id): SQLite's sampled statistics take
        # `duplicate_of IS NULL` to be a handful of rows of its index, when it is nearly every member
        .where(sa.func.coalesce(story_members.c.duplicate_of, 0) == 0, events.c.type.in_(tuple(types)))
        .order_by(
            story_members.c.story_id,
            events.c.date_start.is_(None),  # undated last on both databases (their NULL orders differ)
            events.c.date_start,
            articles.c.key,
            events.c.position,
        )
    )
    if story_ids is not None:
        query = query.where(story_members.c.story_id.in_(list(story_ids)))
    if article_keys is not None:
        query = query.where(articles.c.key.in_(list(article_keys)))
    rows = conn.execute(query).all()
    by_story: dict[int, list[dict[str, Any]]] = defaultdict(list)
    of_type: dict[tuple[int, str], _Happenings] = defaultdict(_Happenings)  # a story's, by type
    for r in rows:
        happenings = of_type[(r.story_id, r.type)]
        merged = happenings.find(r)
        if merged is None:
            merged = {
                "type": r.type,
                "date": r.date,
                "location": r.location,
                "_start": r.date_start,
                "sources": [],
            }
            by_story[r.story_id].append(merged)
            happenings.add(merged)
        merged["date"] = merged["date"] or r.date
        if merged["location"] is None and r.location:
            merged["location"] = r.location
            happenings.placed(merged)
        figures = {k: r.arguments[k] for k in FIGURES if k in r.arguments}
        in_article = [dict(c, article=r.key) for c in r.arguments.get("claims", [])]
        merged["sources"].append(
            {"article": r.key, "source": r.source, "event": r.id, **figures, "claims": in_article}
        )
    for merged_events in by_story.values():
        for merged in merged_events:
            merged.pop("_start")
            _mark_differences(merged)
    return by_story


class _Happenings:
    """A story's happenings of one type, in the order begun, and by place: a row with a place can only
    join one at that place or at none, so it is compared with those alone (the largest synthetic story,
    2,163 reports, compared each event with every happening of its days: 2.3 s)."""

    def __init__(self) -> None:
        self.begun: list[dict[str, Any]] = []
        self.order: dict[int, int] = {}  # id of a happening -> its place in `begun`
        self.at: dict[str | None, list[dict[str, Any]]] = defaultdict(list)  # place (None: none yet) -> happenings

    def add(self, merged: dict[str, Any]) -> None:
        self.order[id(merged)] = len(self.begun)
        self.begun.append(merged)
        self.at[merged["location"]].append(merged)

    def placed(self, merged: dict[str, Any]) -> None:
        """A happening begun without a place now has one (it stays among the placeless too)."""
        self.at[merged["location"]].append(merged)

    def find(self, row: Any) -> dict[str, Any] | None:
        """The first happening the row reports. Rows come in date order, undated last, so a dated row can only
        join those begun within two days before it, at the end of each list (undated happenings begin after
        every dated row)."""
        if row.location:
            candidates = [self.at.get(row.location, []), self.at.get(None, [])]
        else:
            candidates = [self.begun]
        found = [m for happenings in candidates for m in _recent(happenings, row) if _same_happening(m, row)]
        return min(found, key=lambda m: self.order[id(m)], default=None)


def _recent(happenings: list[dict[str, Any]], row: Any) -> Iterable[dict[str, Any]]:
    """The happenings a row may join: for a dated row, those begun within two days before it."""
    if row.date_start is None:
        return happenings
    recent = []
    for merged in reversed(happenings):
        if (row.date_start - merged["_start"]).days > 2:
            break
        recent.append(merged)
    return recent


def _same_happening(merged: dict[str, Any], row: Any) -> bool:
    if merged["type"] != row.type:
        return False
    if merged["_start"] and row.date_start and abs((merged["_start"] - row.date_start).days) > 2:
        return False
    return not (merged["location"] and row.location and merged["location"] != row.location)


def _mark_differences(merged: dict[str, Any]) -> None:
    """Figures on which the sources disagree, each source's version a claim of its own."""
    differing = [
        k for k in ("killed", "injured", "value")
        if len({json_key(s.get(k)) for s in merged["sources"] if k in s}) > 1
        or (k in ("killed", "injured") and any(s.get("claims") for s in merged["sources"]))
    ]  # fmt: skip
    merged["differing"] = differing
    claims: list[dict[str, Any]] = []
    for source in merged["sources"]:
        claims.extend(source["claims"])
        stated = {k: source[k] for k in differing if k in source}
        if stated:
            claims.append(
                {"claimant": source["source"] or source["article"], **stated, "article": source["article"]}
            )
    merged["claims"] = claims
    merged["disputed"] = bool(differing)


def json_key(value: Any) -> str:
    return repr(value)


# how a happening's figure was arrived at, by the number of distinct figures its reports state as fact
FIGURE_BASES = ("not stated", "stated", "lowest of differing figures")


def happening_figures(reports: Iterable[Mapping[str, Any]], name: str) -> dict[str, Any]:
    """One happening's figure `name` (killed, injured, value, currency) over every report of it, each
    distinct figure once however many reports give it: what `beltwatch risk` counts and alerts judge.

    A report maps its `article` key, the figures it states as fact and its `claims` (a claimant's own
    figures): `story_events`' sources, or an event's arguments with its article. The result:
    - `value`: the lowest number stated as fact, the conservative reading; None when none is;
    - `basis`: "not stated", "stated" (the reports agree) or "lowest of differing figures";
    - `stated`: each figure stated as fact with the article of each report stating it, lowest first;
    - `claimed`: each figure claims give, with its claimants and articles;
    - `highest`: the highest number stated or claimed, None when none is;
    - `agreed`: the figure every report and claim gives, None when they differ or none is given.
    """
    stated: dict[str, dict[str, Any]] = {}
    claimed: dict[str, dict[str, Any]] = {}
    for report in reports:
        if report.get(name) is not None:
            _figure_entry(stated, report[name])["articles"].append(report["article"])
        for claim in report.get("claims") or []:
            if isinstance(claim, dict) and claim.get(name) is not None:
                entry = _figure_entry(claimed, claim[name], claimants=[])
                entry["claimants"].append(claim.get("claimant"))
                entry["articles"].append(claim.get("article", report["article"]))
    everything = {**claimed, **stated}  # one entry per distinct figure, stated or claimed
    return {
        "value": lowest_stated(e["value"] for e in stated.values()),
        "basis": FIGURE_BASES[min(len(stated), 2)],
        "stated": sorted(stated.values(), key=_figure_order),
        "claimed": sorted(claimed.values(), key=_figure_order),
        "highest": max((e["value"] for e in everything.values() if _is_number(e["value"])), default=None),
        "agreed": next(iter(everything.values()))["value"] if len(everything) == 1 else None,
    }


def lowest_stated(values: Iterable[Any]) -> int | float | None:
    """`happening_figures`' value of the figures its reports state as fact: the lowest number among
    them, without building the rest of its answer."""
    return min((v for v in values if _is_number(v)), default=None)


def _figure_entry(entries: dict[str, dict[str, Any]], value: Any, **more: Any) -> dict[str, Any]:
    # keyed by repr: 2 and 2.0 (or 1 and True) are different figures, as JSON writes them
    return entries.setdefault(json_key(value), {"value": value, "articles": [], **more})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _figure_order(entry: dict[str, Any]) -> tuple[bool, Any]:
    value = entry["value"]
    return (False, value) if _is_number(value) else (True, json_key(value))


# --- statistics -------------------------------------------------------------------------------


def count_rows(conn: Connection, table: sa.Table, *where: Any) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


HEADLINE_TABLES = {"articles": articles, "entities": entities, "stories": stories, "claims": claims}


def headline_counts(conn: Connection) -> dict[str, int]:
    """What the overview heads with: counts of whole tables (its events come from the kept summaries)."""
    return {name: count_rows(conn, table) for name, table in HEADLINE_TABLES.items()}


def stats(conn: Connection) -> dict[str, Any]:
    def by(column: sa.Column, *joins: Any) -> dict[str, int]:
        query = sa.select(column, sa.func.count()).group_by(column).order_by(column)
        for join in joins:
            query = join(query)
        return {k: v for k, v in conn.execute(query)}

    def current_version(query: sa.Select) -> sa.Select:
        return query.join(
            article_versions,
            (article_versions.c.id == events.c.article_version_id) & article_versions.c.is_current,
        )

    last = conn.execute(sa.select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(1)).first()
    return {
        "database": conn.engine.url.render_as_string(hide_password=True),
        "articles": count_rows(conn, articles),
        "versions": count_rows(conn, article_versions),
        "superseded": count_rows(conn, article_versions, sa.not_(article_versions.c.is_current)),
        "sources": count_rows(conn, sources),
        "entities": count_rows(conn, entities),
        "entities_by_type": by(entities.c.type),
        "mentions": count_rows(conn, mentions),
        "amounts": conn.execute(
            sa.select(sa.func.count())
            .select_from(amounts)
            .join(article_versions, article_versions.c.id == amounts.c.article_version_id)
            .where(article_versions.c.is_current)
        ).scalar_one(),
        "events": sum(by(events.c.type, current_version).values()),
        "events_by_type": by(events.c.type, current_version),
        "claims": count_rows(conn, claims),
        "stories": count_rows(conn, stories),
        "duplicates": count_rows(conn, story_members, story_members.c.duplicate_of.is_not(None)),
        "runs": count_rows(conn, ingest_runs),
        "errors": count_rows(conn, ingest_errors),
        "last_run": None
        if last is None
        else {
            "id": last.id,
            "started": last.started_at.isoformat() if last.started_at else None,
            "finished": last.finished_at.isoformat() if last.finished_at else None,
            "new": last.new,
            "unchanged": last.unchanged,
            "updated": last.updated,
            "duplicates": last.duplicates,
            "failed": last.failed,
        },
    }


def run_errors(conn: Connection, run_id: int) -> list[dict[str, str]]:
    rows = conn.execute(
        sa.select(ingest_errors.c.source, ingest_errors.c.reason)
        .where(ingest_errors.c.run_id == run_id)
        .order_by(ingest_errors.c.id)
    )
    return [{"source": r.source, "reason": r.reason} for r in rows]


# --- canonical dump ---------------------------------------------------------------------------


def content_dump(conn: Connection) -> dict[str, Any]:
    """Everything the database says about the news, without ids, timestamps or runs, in a fixed order.

    Two databases with equal dumps hold the same content, whatever order or process wrote it
    (used to check crash recovery, and SQLite against PostgreSQL).
    """
    version_keys = {
        r.id: (r.key, r.version)
        for r in conn.execute(
            sa.select(article_versions.c.id, article_versions.c.version, articles.c.key).join(
                articles, articles.c.id == article_versions.c.article_id
            )
        )
    }
    entity_keys = {
        r.id: (r.type, r.name)
        for r in conn.execute(sa.select(entities.c.id, entities.c.type, entities.c.name))
    }

    def ent(entity_id: int | None) -> list[str] | None:
        return list(entity_keys[entity_id]) if entity_id is not None else None

    def ver(version_id: int) -> list[Any]:
        return list(version_keys[version_id])

    out: dict[str, Any] = {}
    out["articles"] = sorted(
        (
            [
                r.key,
                r.article_url,
                r.version,
                r.content_hash,
                r.is_current,
                r.superseded_by is not None,
                r.title,
                iso(r.published),
                r.language,
                r.source,
                r.origin,
                r.boilerplate_removed,
                r.signal,
            ]
            for r in conn.execute(
                sa.select(
                    articles.c.key,
                    articles.c.url.label("article_url"),
                    article_versions,
                    sources.c.name.label("source"),
                )
                .join(article_versions, article_versions.c.article_id == articles.c.id)
                .outerjoin(sources, sources.c.id == article_versions.c.source_id)
            )
        ),
        key=lambda row: (row[0], row[2]),
    )
    alias_map: dict[int, list[str]] = defaultdict(list)
    for r in conn.execute(sa.select(aliases)):
        alias_map[r.entity_id].append(r.norm_alias)
    out["entities"] = sorted(
        [r.type, r.name, r.norm_name, r.country, r.kind, sorted(alias_map[r.id]), r.articles]
        for r in conn.execute(sa.select(entities))
    )
    out["roles"] = sorted(
        [
            ent(r.entity_id),
            r.role,
            iso(r.first_seen),
            iso(r.last_seen),
            ver(r.evidence_version_id),
            r.articles,
        ]
        for r in conn.execute(sa.select(role_history))
    )
    out["article_entities"] = sorted(
        [
            ver(r.article_version_id),
            r.position,
            ent(r.entity_id),
            r.name,
            r.type,
            r.aliases,
            r.role,
            r.country,
            r.kind,
        ]
        for r in conn.execute(sa.select(article_entities))
    )
    out["mentions"] = sorted(
        [
            ver(r.article_version_id),
            ent(r.entity_id),
            r.text,
            r.char_start,
            r.char_end,
            r.sentence_start,
            r.sentence_end,
        ]
        for r in conn.execute(sa.select(mentions))
    )
    out["amounts"] = sorted(
        [
            ver(r.article_version_id),
            r.position,
            r.text,
            r.value,
            r.currency,
            r.usd_stated,
            r.char_start,
            r.char_end,
            r.sentence_start,
            r.sentence_end,
        ]
        for r in conn.execute(sa.select(amounts))
    )
    event_keys = {}
    rows = []
    for r in conn.execute(sa.select(events)):
        event_keys[r.id] = [*ver(r.article_version_id), r.position]
        rows.append(
            [
                event_keys[r.id],
                r.type,
                r.date,
                iso(r.date_start),
                iso(r.date_end),
                r.location,
                ent(r.location_entity_id),
                r.arguments,
                r.sentence_start,
                r.sentence_end,
            ]
        )
    out["events"] = sorted(rows, key=lambda row: row[0])
    out["event_arguments"] = sorted(
        (
            [
                event_keys[r.event_id],
                r.name,
                r.position,
                r.value,
                r.value_text,
                ent(r.entity_id),
                r.sentence_start,
            ]
            for r in conn.execute(sa.select(event_arguments))
        ),
        key=lambda row: (row[0], row[1], row[2]),
    )
    out["claims"] = sorted(
        [event_keys[r.event_id], r.position, r.claimant, ent(r.claimant_entity_id), r.killed, r.injured]
        for r in conn.execute(sa.select(claims))
    )
    article_keys = {r.id: r.key for r in conn.execute(sa.select(articles.c.id, articles.c.key))}
    story_rows = {r.id: r for r in conn.execute(sa.select(stories))}
    members: dict[int, list[list[Any]]] = defaultdict(list)
    for r in conn.execute(sa.select(story_members)):
        members[r.story_id].append(
            [
                article_keys[r.article_id],
                ver(r.article_version_id),
                article_keys.get(r.duplicate_of),
                r.duplicate_kind,
            ]
        )
    out["stories"] = sorted(
        [s.key, s.title, iso(s.first_published), iso(s.last_published), s.size, sorted(members[s.id])]
        for s in story_rows.values()
    )
    out["sources"] = sorted(conn.scalars(sa.select(sources.c.name)))
    return out
