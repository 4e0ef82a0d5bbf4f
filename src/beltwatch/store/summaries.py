"""Summaries kept at write time: role history and the number of articles naming an entity, and the
number of events per month and type.

Both are functions of the current article versions. A write changes them by what it adds (the
new version) and what it takes away (the version it supersedes, of the same article), so the
writer updates them from those versions alone, a batch's writes together and in order
(`update_summaries`, a few queries per batch); its cost follows the articles, not the store. `rebuild_summaries` recomputes them from every current version: for
entities merged during a write, for the rare change that removes the only article known to hold
a role's last date or its evidence, and as the reference the incremental updates must equal.

A role row groups an entity's roles by their normalised text (case and spacing ignored). Its
evidence is the first statement in (dated before undated, publication date, article id, row
order) and gives the row its text; `first_seen`/`last_seen` are the earliest and latest dates,
`articles` the number of articles stating it.

Events per month and type (`event_months`: the timeline's and the overview's counts; events with no
date at all count in the month "") and the financing ledger's dollars per lender, recipient and year
(`financing_totals`, with how many events each sums and how many have no dollar figure) follow the
same rule: a write adds its new version's events and takes away those of the version it supersedes
(`update_event_summaries`); `rebuild_event_summaries` counts all current events. Both are kept over
events as stored; the reads apply corrections to the few corrected events (`EventTally`). So are the
events naming each entity and placed in each country, by type (`event_counts`), which the event
lists' totals read (without corrections, as their filters do); what changes them without a new event
(entities merged, a stored place given its country) is counted again for those entities and countries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from beltwatch.model import PLACE_TYPES
from beltwatch.store.corrections import WRONG
from beltwatch.store.schema import (
    article_entities,
    article_versions,
    claims,
    entities,
    event_arguments,
    event_counts,
    event_months,
    events,
    financing_totals,
    role_history,
)


def role_key(role: str) -> str:
    return " ".join(role.casefold().split())


@dataclass(frozen=True)
class Statement:
    """One article version's statement of one role of one entity: its first row of that role."""

    entity_id: int
    key: str  # role_key of the role
    role: str  # the role as that row writes it
    published: date | None
    article_id: int
    version_id: int

    @property
    def order(self) -> tuple[bool, date, int]:
        """Where it stands among the role's statements: dated first, then by date, then by article."""
        return (self.published is None, self.published or date.min, self.article_id)


@dataclass(frozen=True)
class RoleRow:
    """A stored role_history row, with the article of its evidence."""

    id: int | None
    entity_id: int
    role: str
    first_seen: date | None
    last_seen: date | None
    evidence: Statement
    articles: int


# --- incremental ------------------------------------------------------------------------------


def update_summaries(
    conn: Connection, changes: Sequence[tuple[int | None, int]], merged: Iterable[int]
) -> None:
    """Bring the summaries from before to after the writes `changes`, in order: each stored a new
    version (superseding the old one, if given). Entities in `merged` took over others during the
    writes: they are rebuilt."""
    rebuild = set(merged)
    versions = sorted({v for pair in changes for v in pair if v is not None})
    said = _statements(conn, versions, rebuild)
    named = _named(conn, versions, rebuild)
    _update_counts(conn, [(named.get(old, set()), named.get(new, set())) for old, new in changes])
    stored = _role_rows(conn, {entity for version in said.values() for entity, _ in version})
    rows: dict[tuple[int, str], RoleRow] = dict(stored)
    for old, new in changes:
        before, after = said.get(old, {}), said.get(new, {})
        for group in before.keys() | after.keys():
            if group[0] in rebuild:
                continue
            row = rows.get(group)
            row = _changed(None if row is _GONE else row, before.get(group), after.get(group))
            if row is None:
                rebuild.add(group[0])
            else:
                rows[group] = row
    kept = {group: row for group, row in rows.items() if group[0] not in rebuild}
    _write_role_rows(
        conn,
        inserts=[row for group, row in kept.items() if group not in stored and row is not _GONE],
        updates=[
            replace(row, id=stored[g].id)
            for g, row in kept.items()
            if g in stored and row not in (_GONE, stored[g])
        ],
        deletes=[stored[group].id for group, row in kept.items() if group in stored and row is _GONE],
    )
    if rebuild:
        rebuild_summaries(conn, rebuild)


_GONE = RoleRow(None, 0, "", None, None, Statement(0, "", "", None, 0, 0), 0)  # the row is to be deleted


def _changed(row: RoleRow | None, old: Statement | None, new: Statement | None) -> RoleRow | None:
    """The row once the article's statement `old` is replaced by `new` (either may be absent);
    None when that cannot be known without the role's other statements."""
    if row is None:
        return None if new is None else _first(new)
    if old is not None and new is not None and old.published == new.published:
        # the article keeps its place in the order: only the evidence's version and wording can move
        return replace(row, role=new.role, evidence=new) if row.evidence.article_id == old.article_id else row
    if old is not None:
        if row.articles == 1:
            return _GONE if new is None else replace(_first(new), id=row.id)
        if _held_extreme(row, old, new):
            return None
        row = replace(row, articles=row.articles - 1)
    return row if new is None else _added(row, new)


def _held_extreme(row: RoleRow, old: Statement, new: Statement | None) -> bool:
    """Whether dropping `old` may move the first date or the evidence, or the last date, beyond what
    `new` restores (another article may share the last date: only a re-read can tell)."""
    new_date = new.published if new is not None else None
    lost_first = row.evidence.article_id == old.article_id and not (
        new_date is not None and (old.published is None or new_date < old.published)
    )
    lost_last = (
        old.published is not None
        and old.published == row.last_seen
        and not (new_date is not None and new_date >= old.published)
    )
    return lost_first or lost_last


def _first(statement: Statement) -> RoleRow:
    return RoleRow(
        None, statement.entity_id, statement.role, statement.published, statement.published, statement, 1
    )


def _added(row: RoleRow, statement: Statement) -> RoleRow:
    dates = [d for d in (row.first_seen, row.last_seen, statement.published) if d is not None]
    earlier = statement.order < row.evidence.order
    return replace(
        row,
        role=statement.role if earlier else row.role,
        evidence=statement if earlier else row.evidence,
        first_seen=min(dates, default=None),
        last_seen=max(dates, default=None),
        articles=row.articles + 1,
    )


def _statements(
    conn: Connection, version_ids: Sequence[int], skip: set[int]
) -> dict[int, dict[tuple[int, str], Statement]]:
    """Each version's role statements by (entity, role key), leaving out the entities in `skip`."""
    if not version_ids:
        return {}
    rows = conn.execute(
        sa.select(
            article_entities.c.article_version_id,
            article_entities.c.entity_id,
            article_entities.c.role,
            article_versions.c.published,
            article_versions.c.article_id,
        )
        .join(article_versions, article_versions.c.id == article_entities.c.article_version_id)
        .where(article_entities.c.article_version_id.in_(version_ids), article_entities.c.role.is_not(None))
        .order_by(article_entities.c.id)
    )
    out: dict[int, dict[tuple[int, str], Statement]] = defaultdict(dict)
    for r in rows:
        if r.entity_id not in skip:
            key = role_key(r.role)
            out[r.article_version_id].setdefault(
                (r.entity_id, key),
                Statement(r.entity_id, key, r.role, r.published, r.article_id, r.article_version_id),
            )
    return out


def _role_rows(conn: Connection, entity_ids: set[int]) -> dict[tuple[int, str], RoleRow]:
    if not entity_ids:
        return {}
    rows = conn.execute(
        sa.select(role_history, article_versions.c.article_id, article_versions.c.published)
        .join(article_versions, article_versions.c.id == role_history.c.evidence_version_id)
        .where(role_history.c.entity_id.in_(sorted(entity_ids)))
    )
    out = {}
    for r in rows:
        key = role_key(r.role)
        evidence = Statement(r.entity_id, key, r.role, r.published, r.article_id, r.evidence_version_id)
        out[(r.entity_id, key)] = RoleRow(
            r.id, r.entity_id, r.role, r.first_seen, r.last_seen, evidence, r.articles
        )
    return out


def _write_role_rows(
    conn: Connection, inserts: Sequence[RoleRow], updates: Sequence[RoleRow], deletes: Sequence[int]
) -> None:
    # deletes first: a row whose wording changes may take the (entity, role) of one going away
    if deletes:
        conn.execute(role_history.delete().where(role_history.c.id.in_(sorted(set(deletes)))))
    if updates:
        conn.execute(
            role_history.update().where(role_history.c.id == sa.bindparam("row_id")),
            [{"row_id": r.id, **_values(r)} for r in updates],
        )
    if inserts:
        conn.execute(role_history.insert(), [_values(r) for r in inserts])


def _values(row: RoleRow) -> dict[str, object]:
    return {
        "entity_id": row.entity_id,
        "role": row.role,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "evidence_version_id": row.evidence.version_id,
        "articles": row.articles,
    }


def _named(conn: Connection, version_ids: Sequence[int], skip: set[int]) -> dict[int, set[int]]:
    """The entities each version names, leaving out those in `skip`."""
    out: dict[int, set[int]] = defaultdict(set)
    if version_ids:
        for r in conn.execute(
            sa.select(article_entities.c.article_version_id, article_entities.c.entity_id).where(
                article_entities.c.article_version_id.in_(version_ids)
            )
        ):
            if r.entity_id not in skip:
                out[r.article_version_id].add(r.entity_id)
    return out


def _update_counts(conn: Connection, moves: Iterable[tuple[set[int], set[int]]]) -> None:
    """Each article moves from naming `before` to naming `after`: each entity gains or loses it."""
    change: Counter[int] = Counter()
    for before, after in moves:
        change.update(after - before)
        change.subtract(before - after)
    changes = [{"entity": e, "change": n} for e, n in sorted(change.items()) if n]
    if changes:
        conn.execute(
            entities.update()
            .where(entities.c.id == sa.bindparam("entity"))
            .values(articles=entities.c.articles + sa.bindparam("change")),
            changes,
        )


# --- full recompute ---------------------------------------------------------------------------


def rebuild_summaries(conn: Connection, entity_ids: Iterable[int] | None = None) -> None:
    """Recompute the summaries of these entities (of all, without `entity_ids`) from the current versions."""
    only = None if entity_ids is None else sorted(set(entity_ids))
    _rebuild_counts(conn, only)
    _rebuild_roles(conn, only)


def _rebuild_counts(conn: Connection, only: list[int] | None) -> None:
    count = (
        sa.select(sa.func.count(sa.distinct(article_versions.c.article_id)))
        .select_from(article_entities)
        .join(article_versions, article_versions.c.id == article_entities.c.article_version_id)
        .where(article_entities.c.entity_id == entities.c.id, article_versions.c.is_current)
        .scalar_subquery()
    )
    update = entities.update().values(articles=count)
    conn.execute(update if only is None else update.where(entities.c.id.in_(only)))


def _rebuild_roles(conn: Connection, only: list[int] | None) -> None:
    current = (
        sa.select(
            article_entities.c.entity_id,
            article_entities.c.role,
            article_versions.c.published,
            article_versions.c.article_id,
            article_versions.c.id.label("version_id"),
        )
        .join(article_versions, article_versions.c.id == article_entities.c.article_version_id)
        .where(article_versions.c.is_current, article_entities.c.role.is_not(None))
        .order_by(
            article_entities.c.entity_id,
            article_versions.c.published.is_(None),
            article_versions.c.published,
            article_versions.c.article_id,
            article_entities.c.id,
        )
    )
    delete = role_history.delete()
    if only is not None:
        current = current.where(article_entities.c.entity_id.in_(only))
        delete = delete.where(role_history.c.entity_id.in_(only))
    conn.execute(delete)
    groups: dict[tuple[int, str], list[Statement]] = {}
    for r in conn.execute(current):
        statement = Statement(r.entity_id, role_key(r.role), r.role, r.published, r.article_id, r.version_id)
        groups.setdefault((statement.entity_id, statement.key), []).append(statement)
    rows = [_from_all(statements) for statements in groups.values()]
    if rows:
        conn.execute(role_history.insert(), [_values(r) for r in rows])


def _from_all(statements: list[Statement]) -> RoleRow:
    """A role's row from all its statements, in order (the first is the evidence)."""
    dates = [s.published for s in statements if s.published is not None]
    first = statements[0]
    articles = len({s.article_id for s in statements})
    return RoleRow(
        None, first.entity_id, first.role, min(dates, default=None), max(dates, default=None), first, articles
    )


# --- events per month and type, and the financing ledger's totals ------------------------------

UNDATED_MONTH = ""  # the month row of events with neither a date of their own nor a publication date
LEDGER_DIMENSIONS = ("lender", "recipient", "year")
UNPRICED = ("unpriced", "")  # the ledger row counting financing events without a dollar figure


def event_month(*dates: object) -> str | None:
    """The month of the first of `dates` that names one ("2023-10-19" and "2023-10" -> "2023-10"): an
    event counts in its own date's month, else in its article's publication month."""
    for value in dates:
        if isinstance(value, str) and len(value) >= 7 and value[4] == "-":
            return value[:7]
    return None


def usd_of(event: dict[str, Any]) -> tuple[float | None, str]:
    """Dollars of a financing event and where they come from: the usd column, a stated conversion, or USD."""
    args = event["arguments"]
    if "value" in event.get("original", {}) or "currency" in event.get("original", {}):
        pass  # an edited value: the stored conversion is stale; fall through to the stated figures
    elif isinstance(event.get("usd"), int | float):
        return float(event["usd"]), "converted"
    if isinstance(args.get("usd_stated"), int | float):
        return float(args["usd_stated"]), "stated"
    if args.get("currency") == "USD" and isinstance(args.get("value"), int | float):
        return float(args["value"]), "USD"
    return None, ""


def year_of(event: dict[str, Any]) -> str | None:
    for value in (event.get("date"), event.get("published")):
        if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
            return value[:4]
    return None


def ledger_keys(event: dict[str, Any]) -> dict[str, str]:
    """Where a financing event stands in the ledger: its lender, recipient and year."""
    args = event["arguments"]
    return {
        "lender": str(args.get("funder") or "unknown"),
        "recipient": str(args.get("recipient") or "unknown"),
        "year": year_of(event) or "undated",
    }


@dataclass
class EventTally:
    """Current events counted per month and type, and financing events' dollars per lender, recipient
    and year (with how many events each sums, and how many have no dollar figure): the rows of `event_months` and
    `financing_totals`. An event marked wrong by a correction counts nowhere."""

    months: Counter[tuple[str, str]] = field(default_factory=Counter)
    usd: defaultdict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    events: Counter[tuple[str, str]] = field(default_factory=Counter)
    involved: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (dimension, key, type)

    def add(self, event: dict[str, Any], change: int = 1) -> None:
        if event.get("status") == WRONG:
            return
        month = event_month(event.get("date"), event.get("published")) or UNDATED_MONTH
        self.months[(month, event["type"])] += change
        for dimension, key in event.get("involves", ()):
            self.involved[(dimension, key, event["type"])] += change
        if event["type"] != "FINANCING":
            return
        usd, _ = usd_of(event)
        if usd is None:
            self.events[UNPRICED] += change
            return
        for dimension, key in ledger_keys(event).items():
            self.usd[(dimension, key)] += change * usd
            self.events[(dimension, key)] += change

    def ledger(self) -> dict[str, Any]:
        """The totals as the finance page shows them: each dimension's keys by dollars, the year in order."""
        totals: dict[str, list[tuple[str, float]]] = {d: [] for d in LEDGER_DIMENSIONS}
        for (dimension, key), n in self.events.items():
            if n > 0 and dimension in totals:
                totals[dimension].append((key, self.usd[(dimension, key)]))
        return {
            "by_lender": sorted(totals["lender"], key=lambda kv: (-kv[1], kv[0])),
            "by_recipient": sorted(totals["recipient"], key=lambda kv: (-kv[1], kv[0])),
            "by_year": sorted(totals["year"]),
            "unpriced": max(self.events[UNPRICED], 0),
            "total": sum(usd for _, usd in totals["lender"]),
        }

    @classmethod
    def stored(cls, conn: Connection) -> EventTally:
        tally = cls()
        for r in conn.execute(sa.select(event_months).where(event_months.c.events != 0)):
            tally.months[(r.month, r.type)] = r.events
        for r in conn.execute(sa.select(financing_totals).where(financing_totals.c.events != 0)):
            tally.usd[(r.dimension, r.key)] = r.usd
            tally.events[(r.dimension, r.key)] = r.events
        return tally


def stored_event(r: Any) -> dict[str, Any]:
    """An event row of `event_rows` as the tally (and the corrections) take it."""
    return {
        "id": r.id,
        "type": r.type,
        "date": r.date,
        "published": r.published.isoformat() if r.published else None,
        "arguments": r.arguments or {},
        "usd": r.usd,
    }


def event_rows() -> sa.Select:
    """What the tally reads of an event: the columns `stored_event` takes, and its version."""
    return sa.select(
        events.c.id,
        events.c.article_version_id,
        events.c.type,
        events.c.date,
        events.c.arguments,
        events.c.usd,
        article_versions.c.published,
    ).join(article_versions, article_versions.c.id == events.c.article_version_id)


def update_event_summaries(
    conn: Connection,
    changes: Sequence[tuple[int | None, int]],
    entity_ids: Iterable[int] = (),
    countries: Iterable[str] = (),
) -> None:
    """Count the events of the new versions of `changes` in, and those of the versions they supersede
    out; then count the events of `entity_ids` and `countries` again (what merges and places given a
    country changed)."""
    sign = {new: 1 for _, new in changes} | {old: -1 for old, _ in changes if old is not None}
    found = [
        (stored_event(r), sign[r.article_version_id])
        for r in conn.execute(event_rows().where(events.c.article_version_id.in_(sorted(sign))))
    ]
    involves = _involvement(conn, [event["id"] for event, _ in found])
    tally = EventTally()
    for event, change in found:
        tally.add({**event, "involves": involves.get(event["id"], set())}, change)
    _upsert(conn, event_months, ["month", "type"], _month_rows(tally))
    _upsert(conn, financing_totals, ["dimension", "key"], _money_rows(tally))
    _upsert(conn, event_counts, ["dimension", "key", "type"], _involved_rows(tally))
    for dimension, keys in zip(DIMENSIONS, ({str(i) for i in entity_ids}, set(countries))):
        if keys:
            _recount_involved(conn, dimension, sorted(keys))


def _involvement(conn: Connection, event_ids: Sequence[int]) -> dict[int, set[tuple[str, str]]]:
    """Each event's ("entity", id) for the entities it names and ("country", code) for the countries it
    is placed in (`_pairs`), for a few events."""
    out: dict[int, set[tuple[str, str]]] = defaultdict(set)
    if event_ids:
        for dimension in DIMENSIONS:
            for r in conn.execute(_pairs(dimension, event_ids=sorted(event_ids))):
                out[r.event_id].add((dimension, r.key))
    return out


DIMENSIONS = ("entity", "country")  # of `event_counts`

# the ways an event names an entity: (the event's column, the entity's, whether it is the event's place)
_NAMING = (
    (events.c.id, events.c.location_entity_id, True),
    (event_arguments.c.event_id, event_arguments.c.entity_id, False),
    (claims.c.event_id, claims.c.claimant_entity_id, False),
)


def _pairs(
    dimension: str, *, event_ids: Sequence[int] | None = None, keys: Sequence[str] | None = None
) -> sa.Select:
    """Distinct (event_id, key) of a dimension, of these events or these keys (or all): the entities an
    event names (as its place, an argument or a claimant), or the countries it is placed in (its
    place's, or a place argument's), as `reads.involves` and `reads.in_country` select them."""
    ways = []
    for event, entity, as_place in _NAMING:
        named = sa.select(
            event.label("event_id"),
            entity.label("entity_id"),
            entities.c.type,
            entities.c.country,
            sa.literal(as_place).label("as_place"),
        ).join(entities, entities.c.id == entity)
        if event_ids is not None:
            named = named.where(event.in_(event_ids))
        if keys is not None:
            named = named.where(
                entity.in_([int(k) for k in keys]) if dimension == "entity" else entities.c.country.in_(keys)
            )
        ways.append(named)
    named = sa.union_all(*ways).subquery()
    if dimension == "entity":
        return sa.select(named.c.event_id, sa.cast(named.c.entity_id, sa.String).label("key")).distinct()
    return (
        sa.select(named.c.event_id, named.c.country.label("key"))
        .where(named.c.country.is_not(None), named.c.as_place | named.c.type.in_(PLACE_TYPES))
        .distinct()
    )


def _recount_involved(conn: Connection, dimension: str, keys: Sequence[str] | None = None) -> None:
    """Count the current events of these entities or countries (all of them, without `keys`) again."""
    pairs = _pairs(dimension, keys=keys).subquery()
    delete = event_counts.delete().where(event_counts.c.dimension == dimension)
    conn.execute(delete if keys is None else delete.where(event_counts.c.key.in_(keys)))
    counted = (
        sa.select(sa.literal(dimension), pairs.c.key, events.c.type, sa.func.count())
        .join(events, events.c.id == pairs.c.event_id)
        .where(events.c.is_current)
        .group_by(pairs.c.key, events.c.type)
    )
    conn.execute(event_counts.insert().from_select(["dimension", "key", "type", "events"], counted))


def rebuild_event_summaries(conn: Connection, tables: Sequence[sa.Table] = ()) -> None:
    """Count every current event again, into `tables` (every summary when none is named)."""
    tables = tables or (event_months, financing_totals, event_counts)
    if event_counts in tables:
        for dimension in DIMENSIONS:
            _recount_involved(conn, dimension)
        tables = [t for t in tables if t is not event_counts]
    tally = EventTally()
    for r in conn.execute(event_rows().where(article_versions.c.is_current)):
        tally.add(stored_event(r))
    for table in tables:
        conn.execute(table.delete())
    rows = {
        event_months: _month_rows(tally),
        financing_totals: _money_rows(tally),
    }
    for table in tables:
        if rows[table]:
            conn.execute(table.insert(), rows[table])


def _month_rows(tally: EventTally) -> list[dict[str, Any]]:
    return [{"month": m, "type": t, "events": n} for (m, t), n in sorted(tally.months.items()) if n]


def _money_rows(tally: EventTally) -> list[dict[str, Any]]:
    keys = sorted(tally.events.keys() | tally.usd.keys())
    return [
        {"dimension": d, "key": k, "usd": tally.usd.get((d, k), 0.0), "events": tally.events[(d, k)]}
        for d, k in keys
        if tally.events[(d, k)] or tally.usd.get((d, k))
    ]


def _involved_rows(tally: EventTally) -> list[dict[str, Any]]:
    return [
        {"dimension": d, "key": k, "type": t, "events": n} for (d, k, t), n in sorted(tally.involved.items()) if n
    ]


def _upsert(conn: Connection, table: sa.Table, key: list[str], rows: list[dict[str, Any]]) -> None:
    """Add each row's numbers to the stored row of its key (inserting it if there is none)."""
    if not rows:
        return
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
    added = [c for c in rows[0] if c not in key]
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c[k] for k in key],
            set_={c: table.c[c] + insert.excluded[c] for c in added},
        ),
        rows,
    )
