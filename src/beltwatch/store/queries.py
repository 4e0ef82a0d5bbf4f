"""Reads the API and the pages share, on top of `store.reads`: filtered, sorted, paginated events with
their article, story, place and dollars, corrections applied; articles with every extracted fact;
entities by id; stories with differing figures.

Every value from a request reaches SQL as a bound parameter (LIKE patterns are escaped too).
Columns added by later revisions (`lat`, `lon`, `usd`, ...) are used when the table has them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beltwatch.errors import UsageError
from beltwatch.model import EVENT_TYPES
from beltwatch.store import reads
from beltwatch.store.corrections import (
    OK,
    WRONG,
    CorrectionIndex,
    EventState,
    NotFoundError,
    apply_state,
)
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
    event_counts,
    event_months,
    events,
    mentions,
    sources,
    stories,
    story_members,
)
from beltwatch.store.summaries import (
    UNDATED_MONTH,
    EventTally,
    event_rows,
    ledger_keys,
    stored_event,
    usd_of,
)

MAX_LIMIT = 500
# a page with a text filter counts this many matches at most: a common word is in a fifth of the
# synthetic events (600,000 at 504,000 articles), and counting and sorting them all took 1.8 s; past
# it, a page by day tests events in listed order: a page of 50 within 15,000 tests at 3 million events
TEXT_COUNTED = 10_000
STORY_PAGE = 20  # member articles of a story shown at once, each beside the others with its events
SORTS = ("date", "-date", "type", "-type", "published", "-published")
# an entity shows its latest events, not all: China or Pakistan are in most articles of a large store
ENTITY_EVENTS = 100
GEO_COLUMNS = ("lat", "lon", "precision", "place_id", "region", "placed_by")
USD_COLUMNS = ("usd", "usd_constant")
NUMERIC_ARGUMENTS = ("killed", "injured", "value", "usd_stated")


CURRENT = (article_versions.c.article_id == articles.c.id) & article_versions.c.is_current
_RANK = {name: i for i, name in enumerate(reads.ARGUMENT_ORDER)}


def ordered(arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments in SCHEMA.md's order (PostgreSQL's JSONB does not keep the stored order)."""
    return dict(sorted(arguments.items(), key=lambda kv: (_RANK.get(kv[0], len(_RANK)), kv[0])))


def evidence_of(text: str, start: int | None, end: int | None) -> dict[str, Any] | None:
    if start is None or end is None:
        return None
    return {"text": text[start:end], "start": start, "end": end}


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards in `text` escaped (escape character: backslash)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def check_type(value: str | None) -> str | None:
    if not value:
        return None
    wanted = value.strip().upper()
    if wanted not in EVENT_TYPES:
        raise UsageError(f"type must be one of {', '.join(EVENT_TYPES)}, not {value!r}")
    return wanted


# --- corrections in force -----------------------------------------------------------------------


@dataclass
class Corrections:
    """The correction index and, for every current event of a corrected article, its state by event id."""

    index: CorrectionIndex
    states: dict[int, EventState] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection) -> Corrections:
        index = CorrectionIndex.load(conn)
        states: dict[int, EventState] = {}
        keys = sorted(index.articles())
        if keys:
            rows = conn.execute(
                sa.select(
                    events.c.id,
                    events.c.position,
                    events.c.type,
                    articles.c.key,
                    _evidence_column().label("evidence"),
                )
                .join(article_versions, article_versions.c.id == events.c.article_version_id)
                .join(articles, articles.c.id == article_versions.c.article_id)
                .where(article_versions.c.is_current, articles.c.key.in_(keys))
            ).all()
            grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for r in rows:
                grouped[r.key].append(
                    {"id": r.id, "position": r.position, "type": r.type, "evidence": {"text": r.evidence}}
                )
            for key, found in grouped.items():
                by_position = {e["position"]: e["id"] for e in found}
                for position, state in index.event_states(key, found).items():
                    states[by_position[position]] = state
        return cls(index, states)

    def rejected_ids(self) -> list[int]:
        return sorted(i for i, s in self.states.items() if s.status == WRONG)

    def apply(self, event: dict[str, Any]) -> dict[str, Any]:
        return apply_state(event, self.states.get(event["id"]))


def _evidence_column() -> sa.ColumnElement:
    return sa.func.substr(
        article_versions.c.text, events.c.sentence_start + 1, events.c.sentence_end - events.c.sentence_start
    )


# --- events -------------------------------------------------------------------------------------


@dataclass
class EventFilter:
    type: str | None = None
    since: date | None = None
    until: date | None = None
    country: str | None = None  # a code or a name
    entity: str | None = None  # a name
    entity_id: int | None = None
    story: str | None = None  # a story key
    article: str | None = None  # an article key
    article_keys: list[str] | None = None  # any of these articles
    text: str | None = None
    include_rejected: bool = False


def list_events(
    conn: Connection,
    filters: EventFilter,
    *,
    corrections: Corrections | None = None,
    limit: int | None = 50,
    offset: int = 0,
    sort: str = "date",
    evidence: bool = True,
) -> tuple[reads.Matches, list[dict[str, Any]]]:
    """(how many match, one page of events), corrections applied; rejected events left out unless asked.
    How many is exact but for a page (`limit`) with a text filter, whose matches are counted up to
    `TEXT_COUNTED`: past it, the total is "more than" (`more`). Without `evidence` the sentences' text
    is not read (their place still is): each is cut from its article's text, which a long list reads
    again for every event."""
    if sort not in SORTS:
        raise UsageError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if limit is not None and not (1 <= limit <= MAX_LIMIT):
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise UsageError("offset must not be negative")
    corrections = corrections or Corrections.load(conn)
    extra = [
        events.c[name] for name in (*GEO_COLUMNS, *USD_COLUMNS, *reads.CORRIDOR_COLUMNS) if name in events.c
    ]
    columns = (
        events.c.id,
        events.c.position,
        events.c.type,
        events.c.date,
        events.c.date_start,
        events.c.date_end,
        events.c.location,
        events.c.location_entity_id,
        events.c.arguments,
        events.c.sentence_start,
        events.c.sentence_end,
        *extra,
        (_evidence_column() if evidence else sa.null()).label("evidence"),
        articles.c.key.label("article"),
        article_versions.c.title,
        article_versions.c.published,
        sa.func.coalesce(article_versions.c.url, articles.c.url).label("url"),
        sources.c.name.label("source"),
        stories.c.key.label("story"),
    )
    # the events' own columns (revision 0013: their version's state and listed day, their type) carry
    # most filters; a filter on the article or its text joins the versions and articles, and the
    # page alone joins the outlet and story, so that a count does not join them for every match
    wanted = check_type(filters.type)
    rejected = corrections.rejected_ids() if not filters.include_rejected else []
    where = [events.c.is_current, *_days(conn, filters), *([events.c.type == wanted] if wanted else [])]
    code = reads.country_code(filters.country) if filters.country else None
    ids: list[int] | None = None
    if filters.entity is not None:
        ids = reads.find_entities(conn, filters.entity)
    if filters.entity_id is not None:
        ids = (ids or []) + [filters.entity_id]
    if ids is not None:
        ids = with_merged(conn, corrections.index, ids)
    kept = _kept_total(conn, filters, wanted, ids, code)
    by_day = limit is not None and sort.lstrip("-") == "date"  # a page read in order from an index
    # a page of a text in more events than TEXT_COUNTED counts no further, and tests each event it finds for
    # the other filters (then a few matches are read by their ids)
    common = bool(filters.text) and limit is not None and _common_text(conn, filters.text)
    probe = common or (by_day and kept is not None and _probing_pays(conn, kept, offset + (limit or 0)))
    if code:
        where.append(reads.in_country(code, probe=probe))
    if ids is not None:
        where.append(reads.involves(ids, probe=probe))
    if filters.story:  # as the set of its versions' ids, so that the database starts from the story's few
        members = sa.select(story_members.c.article_id).join(stories).where(stories.c.key == filters.story)
        versions = sa.select(article_versions.c.id).where(
            article_versions.c.is_current, article_versions.c.article_id.in_(members)
        )
        where.append(events.c.article_version_id.in_(versions))
    if filters.article:
        where.append(articles.c.key == filters.article)
    if filters.article_keys is not None:
        where.append(articles.c.key.in_(filters.article_keys))
    of_articles = events.join(article_versions, article_versions.c.id == events.c.article_version_id).join(
        articles, articles.c.id == article_versions.c.article_id
    )
    joined = bool(filters.story or filters.article or filters.article_keys is not None)

    def listing(*conditions: sa.ColumnElement[bool]) -> sa.Select:
        query = sa.select(events.c.sort_day).where(*conditions)
        return query.select_from(of_articles) if joined else query

    def count(query: sa.Select) -> int:
        return conn.execute(query.with_only_columns(sa.func.count())).scalar_one()

    unrejected = [events.c.id.not_in(rejected)] if rejected else []
    few = _few_text_matches(conn, filters.text or "", listing(*where, *unrejected)) if common else None
    if few is not None:  # the common text's events the other filters keep, all of them (ids the store gave)
        written = sa.bindparam("few", few, unique=True, expanding=True, literal_execute=True)
        where.append(events.c.id.in_(written))
    elif filters.text:
        # more than counted: a page in an order an index of events gives (by day, by type) is found sooner by
        # testing events in that order than by reading and sorting all matches
        in_order = common and sort.lstrip("-") in ("date", "type")
        where.append(_mentions_text(conn, filters.text, probe=in_order))
    if common:
        total = reads.Matches(TEXT_COUNTED, True) if few is None else reads.Matches(len(few), False)
    elif kept is not None:  # of a kept total, the rejected events are few: counted, not all the others
        rejected_kept = count(listing(*where, events.c.id.in_(rejected))) if rejected else 0
        total = reads.Matches(kept - rejected_kept, False)
    else:
        total = reads.Matches(count(listing(*where, *unrejected)), False)
    where += unrejected
    if by_day:  # before the window's own bounds: SQLite reads an index by the first bound of each side given
        where.insert(1, _listed_up_to(conn, listing(*where), offset + limit, descending=sort.startswith("-")))
    query = (
        sa.select(*columns)
        .select_from(of_articles)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        .outerjoin(story_members, story_members.c.article_id == articles.c.id)
        .outerjoin(stories, stories.c.id == story_members.c.story_id)
        .where(*where)
    )
    order: list[Any]
    day = events.c.sort_day  # the event's date, else its article's publication, else UNDATED (last)
    if sort.lstrip("-") == "date":
        order = [day == UNDATED, day.desc()] if sort.startswith("-") else [day]
    elif sort.lstrip("-") == "published":
        published = article_versions.c.published
        order = [published.is_(None), published.desc() if sort.startswith("-") else published]
    else:
        order = [events.c.type.desc() if sort.startswith("-") else events.c.type, day]
    query = query.order_by(*order, articles.c.key, events.c.position)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return total, [corrections.apply(_event_json(r)) for r in conn.execute(query)]


PROBED_EVENTS = 20_000  # what a page may test one by one, read in order, rather than read a set


def _probing_pays(conn: Connection, matching: int, wanted: int) -> bool:
    """Whether a page of `wanted` events among `matching` of all current ones is found sooner by testing
    events in the order listed (about wanted × all / matching of them) than by reading the set."""
    every = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(event_months.c.events), 0))).scalar_one()
    return matching > 0 and wanted * every <= PROBED_EVENTS * matching


def _kept_total(
    conn: Connection, filters: EventFilter, wanted: str | None, ids: list[int] | None, code: str | None
) -> int | None:
    """The number of current events (of the type `wanted`) of one entity or one country, or of all, as kept
    at write time (`event_counts`, `event_months`), or of a date window that holds most of them; None for
    any other filter, which is counted."""
    if filters.story or filters.article or filters.article_keys or filters.text:
        return None
    if ids is None and code is None:  # every current event: counting them read 3 million index entries
        every = sa.select(sa.func.coalesce(sa.func.sum(event_months.c.events), 0))
        kept = conn.execute(every.where(event_months.c.type == wanted) if wanted else every).scalar_one()
        return _window_total(conn, filters, wanted, kept) if filters.since or filters.until else kept
    if filters.since or filters.until or (ids is not None and (len(ids) != 1 or code is not None)):
        return None
    dimension, key = ("entity", str(ids[0])) if ids is not None else ("country", code)
    kept = sa.select(sa.func.coalesce(sa.func.sum(event_counts.c.events), 0)).where(
        event_counts.c.dimension == dimension, event_counts.c.key == key
    )
    if wanted:
        kept = kept.where(event_counts.c.type == wanted)
    return conn.execute(kept).scalar_one()


def _window_total(conn: Connection, filters: EventFilter, wanted: str | None, every: int) -> int | None:
    """The events (of the type `wanted`) of the date window, of `every` current one, counted as those outside
    it taken from all when the month summaries say that most are inside: a window of years counted 2.8
    million index entries (0.25 s at 504,000 articles). None when most are outside, which are counted."""
    since, until = filters.since, filters.until
    if since and until and since > until:
        return None  # its count is of a few days at most
    months = [event_months.c.month != UNDATED_MONTH, *([event_months.c.type == wanted] if wanted else [])]
    if since:
        months.append(event_months.c.month >= since.isoformat()[:7])
    if until:
        months.append(event_months.c.month <= until.isoformat()[:7])
    summed = sa.select(sa.func.coalesce(sa.func.sum(event_months.c.events), 0))
    inside = conn.execute(summed.where(*months)).scalar_one()
    if inside <= every - inside:
        return None
    day, end = events.c.sort_day, sa.func.coalesce(events.c.date_end, events.c.sort_day)
    outside = []  # apart from each other
    if since:  # listed before the window, and not reaching into it
        outside.append((day < since) & (end < since))
    if until:
        outside.append((day > until) & (day != UNDATED))
    if since or (until and until < UNDATED):
        outside.append(day == UNDATED)
    kind = [events.c.type == wanted] if wanted else []
    counted = sa.select(sa.func.count()).select_from(events).where(events.c.is_current, *kind)
    return every - sum(conn.execute(counted.where(part)).scalar_one() for part in outside)


def _mentions_text(conn: Connection, text: str, *, probe: bool = False) -> sa.ColumnElement[bool]:
    """Events whose sentence, place or an argument holds `text` (case and spacing ignored): as the set the
    trigram index of their `search_text` finds (SQLite: `event_fts`; PostgreSQL: pg_trgm), or tested on
    each event's own `search_text` (`probe`; and always where SQLite's index cannot find `text`)."""
    phrase = None if probe else _fts_phrase(conn, text)
    if phrase is not None:
        return events.c.id.in_(_fts_rows(phrase))
    return events.c.search_text.like(like_pattern(_searched(text)), escape="\\")


def _common_text(conn: Connection, text: str) -> bool:
    """Whether more than TEXT_COUNTED events (of any version) hold `text`, counted up to there from the
    trigram index alone."""
    phrase = _fts_phrase(conn, text)
    found = sa.select(events.c.id).where(_mentions_text(conn, text)) if phrase is None else _fts_rows(phrase)
    most = TEXT_COUNTED + 1
    counted = conn.execute(sa.select(sa.func.count()).select_from(found.limit(most).subquery())).scalar_one()
    return counted >= most


def _few_text_matches(conn: Connection, text: str, others: sa.Select) -> list[int] | None:
    """The ids of the events `others` lists that hold `text` when they are TEXT_COUNTED or fewer, else None.
    SQLite reads the trigram index in its order, tests each event it finds for the other filters and stops
    past the count: 10 ms for 10,000 matches, where its planner put the index in the inner loop of the other
    filters' (7 s for a quarter's events)."""
    phrase = _fts_phrase(conn, text)
    if phrase is not None:
        fts = sa.table("event_fts", sa.column("rowid"))
        found = (
            sa.select(fts.c.rowid)
            .where(sa.text("event_fts MATCH :phrase").bindparams(phrase=phrase))
            .where(others.where(events.c.id == fts.c.rowid).exists())
        )
    else:
        found = others.with_only_columns(events.c.id).where(_mentions_text(conn, text, probe=True))
    ids = sorted(conn.scalars(found.limit(TEXT_COUNTED + 1)))
    return ids if len(ids) <= TEXT_COUNTED else None


def _searched(text: str) -> str:
    """`text` as the events' `search_text` holds words: casefolded, one space between them."""
    return " ".join(text.split()).casefold()


def _fts_phrase(conn: Connection, text: str) -> str | None:
    """`text` as one FTS5 phrase of trigrams (the text as it stands) on SQLite, where `event_fts` finds it:
    three characters or more, the least a trigram needs, and no NUL, which FTS5 refuses."""
    wanted = _searched(text)
    if conn.dialect.name != "sqlite" or len(wanted) < 3 or not wanted.isprintable():
        return None
    return '"' + wanted.replace('"', '""') + '"'


def _fts_rows(phrase: str) -> sa.Select:
    return sa.select(sa.column("rowid")).select_from(sa.table("event_fts")).where(
        sa.text("event_fts MATCH :phrase").bindparams(phrase=phrase)
    )


def _days(conn: Connection, filters: EventFilter) -> list[sa.ColumnElement[bool]]:
    """The date window on the events' own columns: the day an event is listed at is the first of its span,
    and an event without a date of its own spans its article's publication day."""
    day, end = events.c.sort_day, sa.func.coalesce(events.c.date_end, events.c.sort_day)
    found = []
    if filters.since:
        found += [end >= filters.since, day >= _first_reaching(conn, filters.since), day != UNDATED]
    if filters.until:
        found.append(day <= filters.until)
    return found


def _first_reaching(conn: Connection, since: date) -> date:
    """The first day an event reaching into `since` is listed at. A span is a day, a month or a year
    (`writes.date_span`), so one listed before `since` that reaches it starts the first of its year or of
    its month: the index is read from the earlier of these that starts such an event, else from `since`,
    not from a year before (a quarter's window from 1 January counted 73 ms of index entries before it)."""
    for start in sorted({since.replace(month=1, day=1), since.replace(day=1)} - {since}):
        reaching = sa.select(events.c.id).where(
            events.c.is_current, events.c.sort_day == start, events.c.date_end >= since
        )
        if conn.execute(reaching.limit(1)).first() is not None:
            return start
    return since


def _listed_up_to(conn: Connection, alone: sa.Select, count: int, *, descending: bool) -> sa.ColumnElement[bool]:
    """The events a list of the first `count` events by day can hold: those up to the day of the
    `count`-th (an index gives it at once), ties included, so the page's full order is unchanged."""
    day = events.c.sort_day
    if descending:
        alone = alone.where(day != UNDATED).order_by(day.desc())
    else:
        alone = alone.order_by(day)
    edge = conn.execute(alone.offset(count - 1).limit(1)).scalar()
    if edge is None:
        return sa.true()
    return day >= edge if descending else day <= edge


def _event_json(r: Any) -> dict[str, Any]:
    mapping = r._mapping
    arguments = ordered(r.arguments or {})
    geo = None
    if mapping.get("lat") is not None and mapping.get("lon") is not None:
        geo = {name: mapping.get(name) for name in GEO_COLUMNS}
    elif isinstance(arguments.get("geo"), dict) and arguments["geo"].get("lat") is not None:
        geo = {name: arguments["geo"].get(name) for name in GEO_COLUMNS}
    usd = mapping.get("usd")
    if usd is None and isinstance(arguments.get("usd"), int | float):
        usd = arguments["usd"]
    return {
        "id": r.id,
        "article": r.article,
        "position": r.position,
        "type": r.type,
        "date": r.date,
        "date_start": reads.iso(r.date_start),
        "date_end": reads.iso(r.date_end),
        "location": r.location,
        "location_entity_id": r.location_entity_id,
        "published": reads.iso(r.published),
        "title": r.title,
        "source": r.source,
        "url": r.url,
        "story": r.story,
        "arguments": arguments,
        "evidence": None
        if r.sentence_start is None
        else {"text": r.evidence, "start": r.sentence_start, "end": r.sentence_end},
        "geo": geo,
        "corridor": reads.corridor_of(mapping),
        "usd": usd,
        "usd_constant": mapping.get("usd_constant"),
    }


def get_event(conn: Connection, event_id: int, corrections: Corrections | None = None) -> dict[str, Any]:
    """One event of a current article version, with its claims and argument evidence."""
    corrections = corrections or Corrections.load(conn)
    article_key = conn.execute(
        sa.select(articles.c.key)
        .join(article_versions, article_versions.c.article_id == articles.c.id)
        .join(events, events.c.article_version_id == article_versions.c.id)
        .where(events.c.id == event_id, article_versions.c.is_current)
    ).scalar_one_or_none()
    if article_key is None:
        raise NotFoundError(f"no event {event_id}")
    _, found = list_events(
        conn, EventFilter(article=article_key, include_rejected=True), corrections=corrections, limit=None
    )
    event = next(e for e in found if e["id"] == event_id)
    event["claims"] = [
        {
            "claimant": c.claimant,
            "claimant_entity_id": c.claimant_entity_id,
            "killed": c.killed,
            "injured": c.injured,
        }
        for c in conn.execute(
            sa.select(claims).where(claims.c.event_id == event_id).order_by(claims.c.position)
        )
    ]
    text = conn.execute(
        sa.select(article_versions.c.text)
        .join(events, events.c.article_version_id == article_versions.c.id)
        .where(events.c.id == event_id)
    ).scalar_one()
    event["argument_evidence"] = {}
    for a in conn.execute(
        sa.select(event_arguments)
        .where(event_arguments.c.event_id == event_id)
        .order_by(event_arguments.c.name, event_arguments.c.position)
    ):
        if a.sentence_start is None or (
            event["evidence"]
            and (a.sentence_start, a.sentence_end) == (event["evidence"]["start"], event["evidence"]["end"])
        ):
            continue  # only arguments stated outside the event's own sentence carry their own evidence
        event["argument_evidence"].setdefault(
            a.name,
            {
                "text": text[a.sentence_start : a.sentence_end],
                "start": a.sentence_start,
                "end": a.sentence_end,
            },
        )
    return event


def all_events(
    conn: Connection, corrections: Corrections, type: str | None = None, include_rejected: bool = False
) -> list[dict[str, Any]]:
    """Every current event (of a type), corrections applied: what the pages aggregate."""
    _, found = list_events(
        conn,
        EventFilter(type=type, include_rejected=include_rejected),
        corrections=corrections,
        limit=None,
    )
    return found


# --- entities -----------------------------------------------------------------------------------


def with_merged(conn: Connection, index: CorrectionIndex, ids: list[int]) -> list[int]:
    """`ids` plus the ids of every entity merged (by a correction) into one of them."""
    if not index.by_entity or not ids:
        return ids
    out = list(ids)
    rows = conn.execute(
        sa.select(entities.c.id, entities.c.type, entities.c.norm_name).where(entities.c.id.in_(ids))
    )
    keys = [(r.type, r.norm_name) for r in rows]
    merged = [k for key in keys for k in index.merged_from(*key)]
    if merged:
        pair = sa.tuple_(entities.c.type, entities.c.norm_name)
        out += conn.scalars(sa.select(entities.c.id).where(pair.in_(merged))).all()
    return sorted(set(out))


def entity_ref(conn: Connection, type: str, norm_name: str) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(entities.c.id, entities.c.name, entities.c.type).where(
            entities.c.type == type, entities.c.norm_name == norm_name
        )
    ).first()
    return None if row is None else {"id": row.id, "name": row.name, "type": row.type}


def list_entities(
    conn: Connection,
    *,
    q: str | None = None,
    type: str | None = None,
    limit: int = 50,
    offset: int = 0,
    corrections: Corrections | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    if not (1 <= limit <= MAX_LIMIT):
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}")
    corrections = corrections or Corrections.load(conn)
    query = sa.select(entities)
    if type:
        query = query.where(entities.c.type == type.strip().upper())
    if q and q.strip():
        pattern = like_pattern(normalise(q) or q.strip())
        alias_hit = (
            sa.select(aliases.c.id)
            .where(aliases.c.entity_id == entities.c.id, aliases.c.norm_alias.like(pattern, escape="\\"))
            .exists()
        )
        query = query.where(entities.c.norm_name.like(pattern, escape="\\") | alias_hit)
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    query = query.order_by(entities.c.articles.desc(), entities.c.name, entities.c.id).limit(limit).offset(offset)
    out = []
    for r in conn.execute(query):
        state = corrections.index.entity_state(r.type, r.norm_name)
        out.append(
            {
                "id": r.id,
                "name": r.name,
                "type": r.type,
                "country": r.country,
                "kind": r.kind,
                "articles": r.articles,
                "status": state.status,
                "merged_into": _merged_ref(conn, corrections.index, r.type, r.norm_name),
            }
        )
    return total, out


def _merged_ref(conn: Connection, index: CorrectionIndex, type: str, norm_name: str) -> dict[str, Any] | None:
    if index.entity_state(type, norm_name).merged_into is None:
        return None
    final = index.final_entity(type, norm_name)
    return entity_ref(conn, final["type"], final["norm_name"]) or {
        "id": None,
        "name": final.get("name"),
        "type": final["type"],
    }


def get_entity(conn: Connection, entity_id: int, corrections: Corrections | None = None) -> dict[str, Any]:
    """One entity: attributes, aliases, roles over time, and its latest ENTITY_EVENTS events with the number
    of all (those of entities merged into it included; `/api/events?entity_id=` pages through them)."""
    corrections = corrections or Corrections.load(conn)
    row = conn.execute(sa.select(entities).where(entities.c.id == entity_id)).first()
    if row is None:
        raise NotFoundError(f"no entity {entity_id}")
    details = next((d for d in reads.entity_details(conn, row.name, with_events=False) if d["id"] == entity_id), None)
    spellings = (
        details["aliases"]
        if details
        else list(conn.scalars(sa.select(aliases.c.alias).where(aliases.c.entity_id == entity_id)))
    )
    index = corrections.index
    state = index.entity_state(row.type, row.norm_name)
    merged_from = []
    for type_, norm in index.merged_from(row.type, row.norm_name):
        ref = entity_ref(conn, type_, norm)
        if ref is not None:
            merged_from.append(ref)
            spellings = [
                *spellings,
                *conn.scalars(sa.select(aliases.c.alias).where(aliases.c.entity_id == ref["id"])),
            ]
    matching, found = list_events(
        conn,
        EventFilter(entity_id=entity_id, include_rejected=True),
        corrections=corrections,
        limit=ENTITY_EVENTS,
        sort="-date",
    )
    return {
        "id": row.id,
        "name": row.name,
        "type": row.type,
        "norm_name": row.norm_name,
        "country": row.country,
        "kind": row.kind,
        "aliases": sorted(set(spellings)),
        "roles": details["roles"] if details else [],
        "articles": details["articles"] if details else 0,
        "status": state.status,
        "merged_into": _merged_ref(conn, index, row.type, row.norm_name),
        "merged_from": merged_from,
        "corrections": list(reversed(state.history)),
        "events": found,
        "events_total": matching.total,
    }


# --- articles -----------------------------------------------------------------------------------


def list_articles(
    conn: Connection, *, limit: int = 50, offset: int = 0, q: str | None = None
) -> tuple[int, list[dict[str, Any]]]:
    if not (1 <= limit <= MAX_LIMIT):
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}")
    n_events = (
        sa.select(sa.func.count())
        .select_from(events)
        .where(events.c.article_version_id == article_versions.c.id)
        .scalar_subquery()
    )
    query = (
        sa.select(
            articles.c.key,
            article_versions.c.title,
            article_versions.c.published,
            article_versions.c.published_precision,
            article_versions.c.language,
            article_versions.c.version,
            sa.func.coalesce(article_versions.c.url, articles.c.url).label("url"),
            sources.c.name.label("source"),
            stories.c.key.label("story"),
            n_events.label("events"),
        )
        .join(article_versions, CURRENT)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        .outerjoin(story_members, story_members.c.article_id == articles.c.id)
        .outerjoin(stories, stories.c.id == story_members.c.story_id)
    )
    if q and q.strip():
        pattern = like_pattern(q.strip())
        query = query.where(
            article_versions.c.title.ilike(pattern, escape="\\") | articles.c.key.ilike(pattern, escape="\\")
        )
        total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    else:  # every article has one current version (a new one retires the old in its transaction)
        total = conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one()
        query = query.where(_published_since(conn, offset + limit))
    query = query.order_by(
        article_versions.c.published.is_(None), article_versions.c.published.desc(), articles.c.key
    )
    rows = conn.execute(query.limit(limit).offset(offset)).all()
    return total, [
        {
            "id": r.key,
            "title": r.title,
            "published": reads.published_iso(r.published, r.published_precision),
            "language": r.language,
            "version": r.version,
            "url": r.url,
            "source": r.source,
            "story": r.story,
            "events": r.events,
        }
        for r in rows
    ]


def _published_since(conn: Connection, count: int) -> sa.ColumnElement[bool]:
    """The current versions the newest `count` articles can be among: those published on or after the day of
    the `count`-th newest (read down the index on the publication day), ties included, so the list's order
    is unchanged; all of them when fewer have a day. Sorting every article for a page took 2.4 s at
    504,000."""
    edge = conn.execute(
        sa.select(article_versions.c.published)
        .where(article_versions.c.is_current, article_versions.c.published.is_not(None))
        .order_by(article_versions.c.published.desc())
        .offset(count - 1)
        .limit(1)
    ).scalar()
    return sa.true() if edge is None else article_versions.c.published >= edge


def get_article(conn: Connection, key: str, corrections: Corrections | None = None) -> dict[str, Any]:
    """A current article: text, metadata, entities with mentions, amounts, events (corrected), story."""
    corrections = corrections or Corrections.load(conn)
    row = conn.execute(
        sa.select(
            articles.c.id.label("article_id"),
            articles.c.key,
            article_versions,
            sources.c.name.label("source"),
            stories.c.key.label("story"),
            story_members.c.duplicate_kind,
        )
        .join(article_versions, CURRENT)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        .outerjoin(story_members, story_members.c.article_id == articles.c.id)
        .outerjoin(stories, stories.c.id == story_members.c.story_id)
        .where(articles.c.key == key)
    ).first()
    if row is None:
        raise NotFoundError(f"no article {key!r}")
    text = row.text
    version_id = row.id
    mention_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in conn.execute(
        sa.select(mentions).where(mentions.c.article_version_id == version_id).order_by(mentions.c.char_start)
    ):
        mention_rows[m.article_entity_id].append(
            {
                "text": m.text,
                "start": m.char_start,
                "end": m.char_end,
                "evidence": evidence_of(text, m.sentence_start, m.sentence_end),
            }
        )
    found_entities = []
    for e in conn.execute(
        sa.select(article_entities, entities.c.name.label("global_name"))
        .join(entities, entities.c.id == article_entities.c.entity_id)
        .where(article_entities.c.article_version_id == version_id)
        .order_by(article_entities.c.position)
    ):
        found_entities.append(
            {
                "entity_id": e.entity_id,
                "name": e.name,
                "entity_name": e.global_name,
                "type": e.type,
                "role": e.role,
                "country": e.country,
                "kind": e.kind,
                "aliases": e.aliases,
                "mentions": mention_rows.get(e.id, []),
            }
        )
    found_amounts = [
        {
            "text": a.text,
            "value": a.value,
            "currency": a.currency,
            "usd_stated": a.usd_stated,
            "usd": a._mapping.get("usd"),
            "start": a.char_start,
            "end": a.char_end,
            "evidence": evidence_of(text, a.sentence_start, a.sentence_end),
        }
        for a in conn.execute(
            sa.select(amounts).where(amounts.c.article_version_id == version_id).order_by(amounts.c.position)
        )
    ]
    _, found_events = list_events(
        conn,
        EventFilter(article=key, include_rejected=True),
        corrections=corrections,
        limit=None,
        sort="date",
    )
    found_events.sort(key=lambda e: e["position"])
    versions = conn.execute(
        sa.select(sa.func.count())
        .select_from(article_versions)
        .where(article_versions.c.article_id == row.article_id)
    ).scalar_one()
    return {
        "id": row.key,
        "title": row.title,
        "published": reads.published_iso(row.published, row.published_precision),
        "source": row.source,
        "url": row.url,
        "origin": row.origin,
        "language": row.language,
        "version": row.version,
        "versions": versions,
        "story": row.story,
        "duplicate_kind": row.duplicate_kind,
        "boilerplate_removed": row.boilerplate_removed,
        "text": text,
        "entities": found_entities,
        "amounts": found_amounts,
        "events": found_events,
    }


# --- stories ------------------------------------------------------------------------------------


def list_stories(conn: Connection, limit: int | None = None, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """How many stories there are, and the page of them from `offset` (all of them without `limit`), each
    with its counts, its first STORY_PAGE member articles and the events these report (`get_story` pages
    through the rest): a page of 50 stories read every report of its largest, 608 at 504,000 articles."""
    return reads.count_stories(conn), reads.list_stories(conn, limit=limit, offset=offset, members=STORY_PAGE)


def get_story(
    conn: Connection, key: str, corrections: Corrections | None = None, limit: int = STORY_PAGE, offset: int = 0
) -> dict[str, Any]:
    """A story: its dates and how many member articles and duplicates it has; and one page of
    its members (`limit` from `offset`, originals first, earliest first) side by side with their events,
    the happenings these members report and the figures they disagree on. A story that fits in a page
    is shown whole."""
    if not (1 <= limit <= MAX_LIMIT):
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}")
    corrections = corrections or Corrections.load(conn)
    story = reads.story_page(conn, key, limit=limit, offset=offset)
    if story is None:
        raise NotFoundError(f"no story {key!r}")
    keys = [member["id"] for member in story["articles"]]
    found = (
        list_events(conn, EventFilter(story=key, article_keys=keys), corrections=corrections, limit=None)[1]
        if keys
        else []
    )
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in found:
        by_article[e["article"]].append(e)
    for member in story["articles"]:
        member["events"] = by_article.get(member["id"], [])
    story["differences"] = differing_figures(found)
    return {**story, "limit": limit, "offset": offset}


def differing_figures(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each event type and numeric argument, the values the story's articles give, when they differ.

    Claims count too: a claimant's figure is listed beside the figures stated as fact.
    """
    values: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in found:
        args = e["arguments"]
        for name in NUMERIC_ARGUMENTS:
            if isinstance(args.get(name), int | float) and not isinstance(args.get(name), bool):
                values[(e["type"], name)].append(
                    {"article": e["article"], "event": e["id"], "value": args[name], "claimant": None}
                )
        for claim in args.get("claims") or []:
            if not isinstance(claim, dict):
                continue
            for name in ("killed", "injured"):
                if isinstance(claim.get(name), int | float):
                    values[(e["type"], name)].append(
                        {
                            "article": e["article"],
                            "event": e["id"],
                            "value": claim[name],
                            "claimant": claim.get("claimant"),
                        }
                    )
    out = []
    for (type_, name), found_values in sorted(values.items()):
        if len({v["value"] for v in found_values}) > 1:
            out.append({"type": type_, "argument": name, "values": found_values})
    return out


def differing_keys(differences: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """(event id, argument) pairs that take part in a disagreement, for marking them on a page."""
    return {(v["event"], d["argument"]) for d in differences for v in d["values"]}


# --- aggregates for the pages ---------------------------------------------------------------------


def ledger_row(event: dict[str, Any]) -> dict[str, Any]:
    """A financing event as a row of the ledger: its dollars and their basis, lender, recipient, year."""
    usd, basis = usd_of(event)
    return {**event, "usd_value": usd, "usd_basis": basis, **ledger_keys(event)}


def finance(found: list[dict[str, Any]]) -> dict[str, Any]:
    """The financing ledger of these events: rows, and totals in USD by lender, recipient and year."""
    counted = EventTally()
    rows = []
    for e in found:
        if e["type"] == "FINANCING" and e.get("status") != WRONG:
            counted.add(e)
            rows.append(ledger_row(e))
    rows.sort(key=lambda r: (r["year"], r.get("date") or "", r["lender"]))
    return {"rows": rows, **counted.ledger()}


def incidents(conn: Connection, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The attacks of `found`, in its order, with the figures stated as fact and each claim beside them."""
    attacks = [e for e in found if e["type"] == "ATTACK"]
    ids = [e["id"] for e in attacks]
    claim_rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for c in conn.execute(
            sa.select(claims).where(claims.c.event_id.in_(ids)).order_by(claims.c.position)
        ):
            claim_rows[c.event_id].append({"claimant": c.claimant, "killed": c.killed, "injured": c.injured})
    return [
        {**e, "claims": claim_rows.get(e["id"]) or [c for c in e["arguments"].get("claims") or [] if isinstance(c, dict)]}
        for e in attacks
    ]


def incident_page(
    conn: Connection, corrections: Corrections, *, limit: int, offset: int = 0, include_rejected: bool = False
) -> tuple[int, list[dict[str, Any]]]:
    """(all attacks, one page of them newest first with their claims), read in order from the index on
    (current, type, day)."""
    matching, found = list_events(
        conn,
        EventFilter(type="ATTACK", include_rejected=include_rejected),
        corrections=corrections,
        limit=limit,
        offset=offset,
        sort="-date",
    )
    return matching.total, incidents(conn, found)


def tally(conn: Connection, corrections: Corrections) -> EventTally:
    """The summaries kept at write time (`event_months`, `financing_totals`), with the corrections in
    force applied to the events of corrected articles."""
    counted = EventTally.stored(conn)
    if corrections.states:
        rows = conn.execute(event_rows().where(events.c.id.in_(sorted(corrections.states))))
        for r in rows:
            event = stored_event(r)
            counted.add(event, -1)
            counted.add(corrections.apply(event), 1)
    return counted


def events_by_type(counted: EventTally) -> Counter[str]:
    by_type: Counter[str] = Counter()
    for (_, type_), n in counted.months.items():
        by_type[type_] += n
    return +by_type


def timeline(counted: EventTally) -> dict[str, Any]:
    """Events per month by type, over the months from the first to the last."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for (month, type_), n in counted.months.items():
        if month != UNDATED_MONTH and n:
            counts[month][type_] += n
    counts = {m: by_type for m, by_type in counts.items() if any(by_type.values())}
    if not counts:
        return {"months": [], "types": list(EVENT_TYPES), "counts": {}}
    first, last = min(counts), max(counts)
    months = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last and len(months) < 1200:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {
        "months": months,
        "types": list(EVENT_TYPES),
        "counts": {m: {t: n for t, n in counts.get(m, {}).items() if n} for m in months},
    }


def status_of(event: dict[str, Any]) -> str:
    return event.get("status") or OK
