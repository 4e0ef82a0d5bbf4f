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

Events per month and type (`event_months`, the timeline's counts) follow the same rule: a write
adds its new version's events and takes away those of the version it supersedes
(`update_event_months`); `rebuild_event_months` counts all current events.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from beltwatch.store.schema import (
    article_entities,
    article_versions,
    entities,
    event_months,
    events,
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


# --- events per month and type -------------------------------------------------------------------


def event_month(*dates: object) -> str | None:
    """The month of the first of `dates` that names one ("2023-10-19" and "2023-10" -> "2023-10"): an
    event counts in its own date's month, else in its article's publication month."""
    for value in dates:
        if isinstance(value, str) and len(value) >= 7 and value[4] == "-":
            return value[:7]
    return None


def update_event_months(conn: Connection, changes: Sequence[tuple[int | None, int]]) -> None:
    """Count the events of the new versions of `changes` in, and those of the versions they supersede out."""
    sign = {new: 1 for _, new in changes} | {old: -1 for old, _ in changes if old is not None}
    change: Counter[tuple[str, str]] = Counter()
    for r in conn.execute(_event_dates().where(events.c.article_version_id.in_(sorted(sign)))):
        month = event_month(r.date, r.published.isoformat() if r.published else None)
        if month:
            change[(month, r.type)] += sign[r.article_version_id]
    rows = [{"month": m, "type": t, "events": n} for (m, t), n in sorted(change.items()) if n]
    if rows:
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(event_months)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=[event_months.c.month, event_months.c.type],
                set_={"events": event_months.c.events + insert.excluded.events},
            ),
            rows,
        )


def rebuild_event_months(conn: Connection) -> None:
    """Count every current event again."""
    counts: Counter[tuple[str, str]] = Counter()
    for r in conn.execute(_event_dates().where(article_versions.c.is_current)):
        month = event_month(r.date, r.published.isoformat() if r.published else None)
        if month:
            counts[(month, r.type)] += 1
    conn.execute(event_months.delete())
    if counts:
        conn.execute(
            event_months.insert(), [{"month": m, "type": t, "events": n} for (m, t), n in sorted(counts.items())]
        )


def _event_dates() -> sa.Select:
    return sa.select(
        events.c.article_version_id, events.c.type, events.c.date, article_versions.c.published
    ).join(article_versions, article_versions.c.id == events.c.article_version_id)
