"""Exports: the events of current article versions as CSV, JSON Lines, Parquet, GeoJSON or FollowTheMoney.

One reader, `read_events`, yields every event of a current article version as a plain,
JSON-ready dict (ISO dates, nested `arguments`) with its evidence sentence, article, source
and story; each format module only writes those rows:

- `csv_format`: one row per event, `arguments` as a JSON string;
- `jsonl_format`: one JSON object per event, `arguments` nested;
- `parquet_format`: a table with an explicit schema, `arguments` as a JSON string;
- `geojson_format`: a FeatureCollection of the events that have coordinates;
- `ftm_format`: FollowTheMoney entities (events, the people and organisations involved,
  payments, articles), one JSON object per line.

Columns are fixed (`BASE_COLUMNS`, always in that order) followed by every other column of the
`events` table in table order, read from the database itself: columns a later migration adds
(`lat`, `lon`, `precision`, `place_id`, `usd`, `usd_constant`, ...) are exported as soon as the
table has them, with types taken from the schema, and are simply absent before.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from beltwatch.errors import BeltwatchError, UsageError
from beltwatch.model import EVENT_TYPES

if TYPE_CHECKING:  # SQLAlchemy is imported when an export runs, not whenever the CLI starts
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection

FORMATS = ("csv", "jsonl", "parquet", "geojson", "ftm")
STDOUT = "-"


@dataclass(frozen=True)
class Column:
    """One exported column: its name and its kind (int, float, bool, date, text or json)."""

    name: str
    kind: str


# The columns every export has, in this order; `events` columns not named here follow them.
BASE_COLUMNS: tuple[Column, ...] = (
    Column("id", "int"),
    Column("type", "text"),
    Column("date", "text"),  # as extracted: YYYY-MM-DD, YYYY-MM or YYYY
    Column("date_start", "date"),
    Column("date_end", "date"),
    Column("location", "text"),
    Column("arguments", "json"),
    Column("evidence", "text"),  # the sentence stating the event: text[sentence_start:sentence_end]
    Column("sentence_start", "int"),
    Column("sentence_end", "int"),
    Column("article", "text"),  # the article key
    Column("version", "int"),  # the article version the event was extracted from (always the current one)
    Column("position", "int"),  # the event's index within that version
    Column("title", "text"),
    Column("url", "text"),
    Column("source", "text"),
    Column("published", "date"),
    Column("story", "text"),  # the story key
    Column("duplicate_of", "text"),  # the article key this article copies, when it is a duplicate
)
_BASE_NAMES = {c.name for c in BASE_COLUMNS}
# the base columns that are the events table's own (the others come from the article and story)
_EVENT_BASE = {
    "id", "type", "date", "date_start", "date_end", "location", "arguments", "sentence_start", "sentence_end", "position"
}  # fmt: skip
# events columns that are the store's own: row ids (replaced by the article key and version above), the
# copies of a version's state that order event lists, and the text a filter searches (the sentence, place
# and arguments exported as they are)
_INTERNAL = {"article_version_id", "location_entity_id", "is_current", "sort_day", "search_text"}


@dataclass
class ExportResult:
    format: str
    events: int = 0  # events read
    written: int = 0  # records written: events, features, or FTM entities
    left_out: int = 0  # geojson: events without (valid) coordinates


def event_types(types: Iterable[str] | None) -> list[str] | None:
    """The `--type` values upper-cased and checked; None or empty means every type."""
    wanted = [t.strip().upper() for t in types or ()]
    unknown = [t for t in wanted if t not in EVENT_TYPES]
    if unknown:
        raise UsageError(f"--type must be one of {', '.join(EVENT_TYPES)}, not {unknown[0]!r}")
    return list(dict.fromkeys(wanted)) or None


class EventRows:
    """The rows `read_events` yields, with their `columns` known before the first row; `table` names
    what a row is (the events, or the project registry of `export.projects`)."""

    def __init__(
        self, columns: list[Column], rows: Callable[[], Iterator[dict[str, Any]]], table: str = "events"
    ) -> None:
        self.columns = columns
        self._rows = rows
        self.table = table

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._rows()


def read_events(conn: Connection, types: Iterable[str] | None = None) -> EventRows:
    """Every event of a current article version, as plain dicts keyed by `columns`, oldest article first.

    `types` limits the event types (see `event_types`). Values are JSON-ready: dates as ISO
    strings, `arguments` nested as stored, non-finite numbers as None. The query runs when the
    result is iterated, and streams.
    """
    import sqlalchemy as sa

    from beltwatch.store.schema import article_versions, articles, events, sources, stories, story_members

    wanted = event_types(types)
    reflected = [(c["name"], c["type"]) for c in sa.inspect(conn).get_columns("events")]
    names = {name for name, _ in reflected}
    missing = sorted(_EVENT_BASE - names)
    if missing:
        raise BeltwatchError(
            f"the events table has no column {missing[0]!r}: is the database schema up to date?"
        )
    # the schema's own types where it knows the column (JSON, dates), the database's otherwise
    table = sa.table(
        "events",
        *(sa.column(name, events.c[name].type if name in events.c else type_) for name, type_ in reflected),
    )
    extras: list[tuple[Column, sa.ColumnElement]] = []
    for name, type_ in reflected:
        if name in _EVENT_BASE or name in _INTERNAL:
            continue
        label = name if name not in _BASE_NAMES else f"event_{name}"  # e.g. a later events.url
        extras.append((Column(label, _kind(table.c[name].type)), table.c[name]))
    columns = [*BASE_COLUMNS, *(column for column, _ in extras)]

    ev = table.c
    original = articles.alias("original")
    query = (
        sa.select(
            ev.id,
            ev.type,
            ev.date,
            ev.date_start,
            ev.date_end,
            ev.location,
            ev.arguments,
            sa.func.substr(
                article_versions.c.text, ev.sentence_start + 1, ev.sentence_end - ev.sentence_start
            ).label("evidence"),
            ev.sentence_start,
            ev.sentence_end,
            articles.c.key.label("article"),
            article_versions.c.version,
            ev.position,
            article_versions.c.title,
            sa.func.coalesce(article_versions.c.url, articles.c.url).label("url"),
            sources.c.name.label("source"),
            article_versions.c.published,
            stories.c.key.label("story"),
            original.c.key.label("duplicate_of"),
            *(element.label(column.name) for column, element in extras),
        )
        .select_from(table)
        .join(
            article_versions, (article_versions.c.id == ev.article_version_id) & article_versions.c.is_current
        )
        .join(articles, articles.c.id == article_versions.c.article_id)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        .outerjoin(story_members, story_members.c.article_id == articles.c.id)
        .outerjoin(stories, stories.c.id == story_members.c.story_id)
        .outerjoin(original, original.c.id == story_members.c.duplicate_of)
        .order_by(
            article_versions.c.published.is_(None), article_versions.c.published, articles.c.key, ev.position
        )
    )
    if wanted:
        query = query.where(ev.type.in_(wanted))

    def rows() -> Iterator[dict[str, Any]]:
        for record in conn.execute(query.execution_options(stream_results=True, yield_per=500)):
            mapping = record._mapping
            yield {column.name: _plain(mapping[column.name]) for column in columns}

    return EventRows(columns, rows)


def _kind(type_: sa.types.TypeEngine) -> str:
    import sqlalchemy as sa

    if isinstance(type_, sa.JSON):
        return "json"
    if isinstance(type_, sa.Boolean):
        return "bool"
    if isinstance(type_, sa.Integer):
        return "int"
    if isinstance(type_, sa.Float | sa.Numeric):  # Double is a Float; in SQLAlchemy 2.1 Float is no Numeric
        return "float"
    if isinstance(type_, sa.Date) and not isinstance(type_, sa.DateTime):
        return "date"
    return "text"  # text, and timestamps as ISO strings


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- writing -----------------------------------------------------------------------------------


def export_events(
    conn: Connection,
    format: str,
    out: IO[bytes],
    types: Iterable[str] | None = None,
    rows: EventRows | None = None,
) -> ExportResult:
    """Write the events (of `types`, default all; or the given `rows`) in `format` to the binary file `out`."""
    if format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {format!r}")
    rows = read_events(conn, types) if rows is None else rows
    if format == "ftm":  # the one format that also reads the entities the events involve
        from beltwatch.export import ftm_format

        return ftm_format.write(rows, out, conn)
    if format == "csv":
        from beltwatch.export import csv_format as writer
    elif format == "jsonl":
        from beltwatch.export import jsonl_format as writer
    elif format == "parquet":
        from beltwatch.export import parquet_format as writer
    else:
        from beltwatch.export import geojson_format as writer
    return writer.write(rows, out)


def export_to_path(
    db_url: str, format: str, out: Path, types: Sequence[str] | None = None, projects: bool = False
) -> ExportResult:
    """Open the database at `db_url` and export to `out` (`-`: stdout), replacing it only when complete:
    the events (of `types`), or with `projects` the project registry."""
    from beltwatch.store.database import open_database, snapshot

    wanted = event_types(types)  # a usage error before the database is opened
    if format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {format!r}")
    if projects and (wanted or format == "ftm"):
        raise UsageError("--projects exports the registry as csv, jsonl, parquet or geojson, without --type")
    to_stdout = str(out) == STDOUT
    if to_stdout and format == "parquet":
        raise UsageError("--out: Parquet needs a file, not stdout")
    if not to_stdout:
        if out.is_dir():
            raise UsageError(f"--out: {out} is a folder")
        if not out.parent.is_dir():
            raise UsageError(f"--out: folder {out.parent} does not exist")
    from beltwatch.export.corrected import corrected_rows  # analysts' corrections apply to every export
    from beltwatch.export.projects import read_projects

    with open_database(db_url, create=False) as db, snapshot(db) as conn:  # one snapshot for every query
        rows = read_projects(conn) if projects else corrected_rows(conn, wanted)
        if to_stdout:
            result = export_events(conn, format, sys.stdout.buffer, rows=rows)
            sys.stdout.buffer.flush()
            return result
        partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
        try:
            with open(partial, "wb") as fh:
                result = export_events(conn, format, fh, rows=rows)
            os.replace(partial, out)
        except OSError as exc:
            raise UsageError(f"--out: cannot write {out}: {exc.strerror or exc}") from None
        finally:
            partial.unlink(missing_ok=True)
        return result


# --- the command -------------------------------------------------------------------------------


class Format(str, Enum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    geojson = "geojson"
    ftm = "ftm"


def register(app: typer.Typer) -> None:
    """Add the `export` command to `app`."""

    @app.command("export")
    def export(
        format: Annotated[
            Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
        ],
        out: Annotated[
            Path, typer.Option("--out", "-o", help="File to write (replaced when complete); - for stdout.")
        ],
        type: Annotated[
            list[str] | None,
            typer.Option(
                "--type", "-t", help=f"Only events of this type ({', '.join(EVENT_TYPES)}); repeatable."
            ),
        ] = None,
        db: Annotated[
            str | None,
            typer.Option("--db", help="Database URL (default: $BELTWATCH_DB, else sqlite:///beltwatch.db)."),
        ] = None,
        projects: Annotated[
            bool, typer.Option("--projects", help="Export the project registry (one row per project) instead.")
        ] = False,
    ) -> None:
        """Export the events of current articles: csv, jsonl, parquet, geojson or ftm (FollowTheMoney);
        with --projects, the project registry."""
        from beltwatch.settings import Settings

        settings = Settings.load(db)
        result = export_to_path(settings.db_url, format.value, out, type, projects)
        where = "stdout" if str(out) == STDOUT else str(out)
        if projects:
            message = f"{result.written} projects written to {where}"
        elif result.format == "ftm":
            message = (
                f"{result.written} FollowTheMoney entities for {result.events} events written to {where}"
            )
        else:
            message = f"{result.written} events written to {where}"
        if result.left_out:
            what = "projects" if projects else "events"
            message += f"; {result.left_out} of {result.events} {what} have no coordinates and were left out"
        typer.echo(f"beltwatch: export: {message}", err=True)
