"""Exports with the corrections applied: the export module's rows, corrected, written by its format writers.

Applied to every format: events marked wrong are left out; edited arguments replace the
extracted ones (an edited `date` or `location` also replaces that column); argument values
naming an entity merged into another are renamed to that entity, and values naming an entity
marked wrong are dropped. A `corrections` column (JSON) lists the corrections applied to each
event, null where none were.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from sqlalchemy.engine import Connection

from beltwatch.errors import UsageError
from beltwatch.export import FORMATS, Column, EventRows, ExportResult, event_types, read_events
from beltwatch.export import export_events as write_events
from beltwatch.store.corrections import WRONG, apply_state, rewrite_names
from beltwatch.store.queries import Corrections

CORRECTIONS_COLUMN = Column("corrections", "json")


def corrected_rows(conn: Connection, types: Iterable[str] | None = None) -> EventRows:
    """`read_events` rows with the corrections in force applied (see the module docstring)."""
    rows = read_events(conn, types)
    fixes = Corrections.load(conn)
    rewrites, rejected = fixes.index.name_rewrites()
    columns = [*rows.columns, CORRECTIONS_COLUMN]

    def iterate() -> Iterator[dict[str, Any]]:
        for row in rows:
            state = fixes.states.get(row["id"])
            if state is not None and state.status == WRONG:
                continue
            out = dict(row)
            if state is not None and state.corrected:
                fixed = apply_state(row, state)
                out["arguments"], out["date"], out["location"] = (
                    fixed["arguments"],
                    fixed["date"],
                    fixed["location"],
                )
                out[CORRECTIONS_COLUMN.name] = fixed["corrections"]
            else:
                out[CORRECTIONS_COLUMN.name] = None
            if isinstance(out.get("arguments"), dict):
                out["arguments"] = rewrite_names(out["arguments"], rewrites, rejected)
            yield out

    return EventRows(columns, iterate)


def export_corrected(
    conn: Connection, format: str, out: IO[bytes], types: Iterable[str] | None = None, corrected: bool = True
) -> ExportResult:
    """Write the events in `format` to `out`, corrected unless `corrected=False`."""
    if format not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    wanted = event_types(types)
    rows = corrected_rows(conn, wanted) if corrected else read_events(conn, wanted)
    return write_events(conn, format, out, rows=rows)
