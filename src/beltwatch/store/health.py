"""What `beltwatch follow` keeps of each outlet: its polls and the items it listed (revision 0007).

Writes: `ensure_sources`, `record_poll`, `record_items`. Reads: `load_health` (what a poll needs:
backoff, due time, validators), `unseen` (which leads are new to an outlet, and which of those an
article already holds), and `source_health_view`, the table `beltwatch sources` and the dashboard
show, worst first:

- `failing`: the last poll failed (its error and when), however long ago the last success was;
- `silent`: polled without error, but no new article for `SILENT_DAYS` days;
- `pending`: never polled yet;
- `ok`.

New articles per day are counted over the last `RATE_DAYS` days (or the days followed, if fewer);
the delay from publication to storage is the median over the articles published after the outlet
was first polled (an outlet's backlog at the first poll would say nothing of how fast it is followed).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beltwatch.store.database import Database
from beltwatch.store.schema import articles, source_health, source_items

SILENT_DAYS = 3
RATE_DAYS = 7
STATUS_ORDER = ("failing", "silent", "pending", "ok")
NEW = "new"


@dataclass(frozen=True)
class Health:
    """What the next poll of an outlet needs to know."""

    id: int
    failures: int
    next_poll_at: datetime | None
    not_before: datetime | None  # a server's Retry-After
    validators: dict[str, dict[str, str]]


@dataclass(frozen=True)
class ItemRecord:
    """One listed item as recorded: its canonical URL and what became of it."""

    url: str
    published_at: datetime | None
    outcome: str  # new, updated, unchanged, known, failed
    note: str | None = None


def utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands it back without its zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def ensure_sources(db: Database, names: Iterable[str]) -> dict[str, Health]:
    """A health row for every outlet (new ones start due), and what each row holds."""
    wanted = list(names)
    with db.engine.begin() as conn:
        known = set(conn.scalars(sa.select(source_health.c.name).where(source_health.c.name.in_(wanted))))
        for name in wanted:
            if name not in known:
                conn.execute(source_health.insert().values(name=name, validators={}))
    with db.engine.connect() as conn:
        return load_health(conn, wanted)


def load_health(conn: Connection, names: Sequence[str]) -> dict[str, Health]:
    rows = conn.execute(sa.select(source_health).where(source_health.c.name.in_(list(names))))
    return {
        row.name: Health(
            row.id, row.failures, utc(row.next_poll_at), utc(row.not_before), dict(row.validators or {})
        )
        for row in rows
    }


def record_poll(
    db: Database,
    source_id: int,
    *,
    at: datetime,
    error: str | None,
    next_poll_at: datetime,
    not_before: datetime | None,
    validators: dict[str, dict[str, str]],
) -> None:
    """One poll of an outlet: a success resets its failures, an error counts one more."""
    values: dict[str, Any] = {
        "last_poll_at": at,
        "next_poll_at": next_poll_at,
        "not_before": not_before,
        "validators": validators,
    }
    if error is None:
        values |= {"last_success_at": at, "failures": 0}
    else:
        values |= {"last_error_at": at, "last_error": error, "failures": source_health.c.failures + 1}
    with db.engine.begin() as conn:
        conn.execute(
            source_health.update()
            .where(source_health.c.id == source_id, source_health.c.first_poll_at.is_(None))
            .values(first_poll_at=at)
        )
        conn.execute(source_health.update().where(source_health.c.id == source_id).values(**values))


def record_items(db: Database, source_id: int, records: Iterable[ItemRecord], at: datetime) -> None:
    """Items an outlet listed, each once (an item recorded before keeps its first record)."""
    with db.engine.begin() as conn:
        for record in records:
            exists = conn.scalar(
                sa.select(source_items.c.id).where(
                    source_items.c.source_id == source_id, source_items.c.url == record.url
                )
            )
            if exists is None:
                conn.execute(
                    source_items.insert().values(
                        source_id=source_id,
                        url=record.url,
                        published_at=record.published_at,
                        seen_at=at,
                        stored_at=at if record.outcome in ("new", "updated", "unchanged") else None,
                        outcome=record.outcome,
                        note=record.note,
                    )
                )


def unseen(conn: Connection, source_id: int, urls: Sequence[str]) -> tuple[list[str], set[str]]:
    """Of `urls`, those the outlet never listed (in order, once each), and which of them an article holds."""
    fresh: list[str] = []
    known: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = list(dict.fromkeys(urls[start : start + 500]))
        listed = set(
            conn.scalars(
                sa.select(source_items.c.url).where(
                    source_items.c.source_id == source_id, source_items.c.url.in_(chunk)
                )
            )
        )
        new = [u for u in chunk if u not in listed and u not in fresh]
        fresh += new
        known |= set(conn.scalars(sa.select(articles.c.url).where(articles.c.url.in_(new))))
    return fresh, known


# --- the view --------------------------------------------------------------------------------------


def source_health_view(conn: Connection, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every followed outlet with its health (see the module docstring), worst first, then by name."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=RATE_DAYS)
    out = []
    for row in conn.execute(sa.select(source_health).order_by(source_health.c.name)):
        counts = dict(
            conn.execute(
                sa.select(source_items.c.outcome, sa.func.count())
                .where(source_items.c.source_id == row.id)
                .group_by(source_items.c.outcome)
            ).all()
        )
        recent = conn.execute(
            sa.select(source_items.c.published_at, source_items.c.stored_at).where(
                source_items.c.source_id == row.id,
                source_items.c.outcome == NEW,
                source_items.c.stored_at >= since,
            )
        ).all()
        last_new = utc(
            conn.scalar(
                sa.select(sa.func.max(source_items.c.stored_at)).where(
                    source_items.c.source_id == row.id, source_items.c.outcome == NEW
                )
            )
        )
        first = utc(row.first_poll_at)
        fallbacks = conn.scalar(
            sa.select(sa.func.count()).where(
                source_items.c.source_id == row.id, source_items.c.note.is_not(None)
            )
        )
        out.append(
            {
                "name": row.name,
                "status": _status(row.failures, first, last_new, now),
                "last_poll": _iso(row.last_poll_at),
                "last_success": _iso(row.last_success_at),
                "last_error": row.last_error if row.failures else None,
                "last_error_at": _iso(row.last_error_at) if row.failures else None,
                "failures_in_a_row": row.failures,
                "next_poll": _iso(row.next_poll_at),
                "items_seen": sum(counts.values()),
                "new_articles": counts.get(NEW, 0),
                "new_per_day": _per_day(len(recent), first, now),
                "median_delay_s": _median_delay(recent, first),
                "feed_text_kept": fallbacks,
                "last_new_article": _iso(last_new),
            }
        )
    return sorted(out, key=lambda s: STATUS_ORDER.index(s["status"]))


def _status(failures: int, first: datetime | None, last_new: datetime | None, now: datetime) -> str:
    if failures:
        return "failing"
    if first is None:
        return "pending"
    quiet_since = last_new or first
    return "silent" if now - quiet_since > timedelta(days=SILENT_DAYS) else "ok"


def _per_day(count: int, first: datetime | None, now: datetime) -> float:
    if first is None:
        return 0.0
    days = min(max((now - first).total_seconds() / 86_400, 1.0), float(RATE_DAYS))
    return round(count / days, 2)


def _median_delay(rows: Sequence[Any], first: datetime | None) -> float | None:
    delays = [
        (utc(stored) - utc(published)).total_seconds()  # type: ignore[operator]
        for published, stored in rows
        if published is not None and stored is not None and first is not None and utc(published) >= first
    ]
    return round(statistics.median(delays), 1) if delays else None


def _iso(value: datetime | None) -> str | None:
    stamp = utc(value)
    return stamp.isoformat(timespec="seconds") if stamp else None
