"""The JSON API under /api: events, entities, stories, articles, search, stats, exports, corrections, ingest."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.engine import Connection

from beltwatch.api.deps import connection, writer
from beltwatch.api.errors import error_body, error_responses
from beltwatch.api.models import (
    MAX_ROW_ID,
    Day,
    EntityCorrection,
    EntityType,
    EventCorrection,
    EventType,
    ProjectStatus,
    Sector,
    UrlIngest,
)
from beltwatch.errors import UsageError
from beltwatch.store import corrections as corr
from beltwatch.store import queries, reads
from beltwatch.store.corrections import NotFoundError
from beltwatch.store.projects import refresh_corrected
from beltwatch.store.queries import MAX_LIMIT, EventFilter
from beltwatch.store.writes import now

# every operation can fail validation or fail unexpectedly; the other errors are declared where they happen
router = APIRouter(responses=error_responses(422, 500))
NOT_FOUND = error_responses(404)
WRITE = error_responses(400, 401, 403, 413)

Conn = Annotated[Connection, Depends(connection)]
Writer = Annotated[str, Depends(writer)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]
MAX_LOG = 100_000  # rows of the correction log in one CSV download

EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson", "jsonl"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
    "geojson": ("application/geo+json", "geojson"),
    "ftm": ("application/x-ndjson", "ftm.json"),
}
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".rss", ".atom", ".xml", ".jsonl", ".warc", ".warc.gz")
CHUNK = 64 * 1024


def page(total: int, limit: int, offset: int, items: list[Any]) -> dict[str, Any]:
    return {"total": total, "limit": limit, "offset": offset, "items": items}


# --- events ---------------------------------------------------------------------------------------


@router.get(
    "/events",
    summary="Events, filtered, sorted and paginated (corrections applied)",
    description=(
        "`total` is how many events match, exactly, but with `text`: then the matches are counted up to"
        f" {queries.TEXT_COUNTED:,}, and past that `total` is {queries.TEXT_COUNTED:,} and `more` is true"
        " (more than `total` match; the pages still list them all in order)."
    ),
    responses=NOT_FOUND,
)
def events(
    conn: Conn,
    type: Annotated[EventType | None, Query(description="Only events of this type.")] = None,
    since: Annotated[Day | None, Query(description="On or after YYYY-MM-DD.")] = None,
    until: Annotated[Day | None, Query(description="On or before YYYY-MM-DD.")] = None,
    country: Annotated[
        str | None,
        Query(description="ISO code or country name (404 if it names no country).", max_length=100),
    ] = None,
    entity: Annotated[str | None, Query(description="An entity name or alias.", max_length=200)] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    story: Annotated[str | None, Query(description="A story key.", max_length=500)] = None,
    article: Annotated[str | None, Query(description="An article key.", max_length=500)] = None,
    text: Annotated[
        str | None, Query(description="Words in the evidence or an argument.", max_length=200)
    ] = None,
    include_rejected: Annotated[bool, Query(description="Include events marked wrong.")] = False,
    sort: Annotated[Literal["date", "-date", "type", "-type", "published", "-published"], Query()] = "date",
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    filters = EventFilter(
        type=type,
        since=since,
        until=until,
        country=known_country(country),
        entity=entity,
        entity_id=entity_id,
        story=story,
        article=article,
        text=text,
        include_rejected=include_rejected,
    )
    matching, found = queries.list_events(conn, filters, limit=limit, offset=offset, sort=sort)
    return {**page(matching.total, limit, offset, found), "more": matching.more}


def known_country(name: str | None) -> str | None:
    """The ISO code of the country `name` names; a country that does not exist is a resource not found."""
    if name is None:
        return None
    try:
        return reads.country_code(name)
    except UsageError:
        raise NotFoundError(f"no country {name!r}: give an ISO 3166 code or a country name") from None


@router.get(
    "/events/{event_id}", summary="One event with its claims and argument evidence", responses=NOT_FOUND
)
def event(conn: Conn, event_id: RowId) -> dict[str, Any]:
    return queries.get_event(conn, event_id)


# --- entities -------------------------------------------------------------------------------------


@router.get("/entities", summary="Entities, most reported first")
def entities(
    conn: Conn,
    q: Annotated[str | None, Query(description="Part of a name or alias.", max_length=200)] = None,
    type: Annotated[EntityType | None, Query(description="Only entities of this type.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    total, found = queries.list_entities(conn, q=q, type=type, limit=limit, offset=offset)
    return page(total, limit, offset, found)


@router.get(
    "/entities/{entity_id}",
    summary="One entity: aliases, roles over time, events, corrections",
    responses=NOT_FOUND,
)
def entity(conn: Conn, entity_id: RowId) -> dict[str, Any]:
    return queries.get_entity(conn, entity_id)


# --- stories --------------------------------------------------------------------------------------


@router.get(
    "/stories",
    summary="Stories with their member articles and duplicates",
    description=(
        "Stories, earliest first, each with its dates, `counts` (member articles, duplicates), its first"
        f" {queries.STORY_PAGE} member articles (originals first, earliest first) and `events`, the"
        " happenings these articles report; `/api/stories/{key}` pages through all of a story's articles."
    ),
)
def stories(conn: Conn, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    total, found = queries.list_stories(conn, limit=limit, offset=offset)
    return page(total, limit, offset, found)


@router.get(
    "/stories/{key:path}",
    summary="One story: members side by side, events, differing figures",
    description=(
        "The story's dates and `counts` (member articles, duplicates), and one page of its member"
        " articles, originals first, earliest first (`limit` from `offset`; `counts.articles` says how"
        " many there are), each with its events; `events` merges the events these articles report into"
        " happenings, and `differences` lists the figures they disagree on."
    ),
    responses=NOT_FOUND,
)
def story(conn: Conn, key: str, limit: Limit = queries.STORY_PAGE, offset: Offset = 0) -> dict[str, Any]:
    return queries.get_story(conn, key, limit=limit, offset=offset)


# --- articles -------------------------------------------------------------------------------------


@router.get("/articles", summary="Current articles, newest first")
def articles(
    conn: Conn,
    q: Annotated[str | None, Query(description="Part of the title or key.", max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    total, found = queries.list_articles(conn, limit=limit, offset=offset, q=q)
    return page(total, limit, offset, found)


@router.get(
    "/articles/{key:path}",
    summary="One article: cleaned text and every extracted fact with evidence",
    responses=NOT_FOUND,
)
def article(conn: Conn, key: str) -> dict[str, Any]:
    return queries.get_article(conn, key)


# --- search and stats -----------------------------------------------------------------------------


@router.get(
    "/search",
    summary="Full-text search of entities and articles (SQLite FTS5 / PostgreSQL)",
    description=(
        f"Entities, then articles, best first: ranked by relevance among the {reads.SEARCH_RANKED:,} most"
        " recently stored matches of each (all of them when fewer match; PostgreSQL lists entities by"
        " name). `entities` and `articles` say how many match: `total`, or more than it when `more`"
        " (then the ones ranked are those stored last)."
    ),
)
def search(
    conn: Conn,
    q: Annotated[
        str,
        Query(min_length=1, max_length=200, description="Words to find; without a word, nothing is found."),
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    # nothing to look for is an empty answer: which text holds a word depends on Unicode tables that the
    # document's regular expressions (ECMA-262) and Python's read differently, so no schema could say
    found = reads.search(conn, q, limit=limit) if reads.search_terms(q) else reads.SearchResult.nothing()
    for hit in found.hits:
        if hit["kind"] == "article":
            hit["snippet"], hit["highlights"] = reads.split_snippet(hit["snippet"])
    return {
        "query": q,
        "items": found.hits,
        "entities": asdict(found.entities),
        "articles": asdict(found.articles),
    }


@router.get("/stats", summary="What the database holds")
def stats(conn: Conn) -> dict[str, Any]:
    numbers = reads.stats(conn)
    numbers.pop("database", None)  # the server's file path or URL is nobody's business
    numbers["corrections"] = corr.count_corrections(conn)
    return numbers


@router.get(
    "/risk",
    summary="Incidents and casualties per district over a rolling window, and the trend",
    response_model=dict[str, Any],
)
def risk(
    conn: Conn,
    days: Annotated[int, Query(ge=1, le=36_500, description="Window length in days.")] = 90,
    until: Annotated[
        Day | None, Query(description="Last day of the window [default: the latest event date stored].")
    ] = None,
) -> Response:
    from beltwatch.risk import risk_view_json

    # the text kept with the view: a million objects would be made and written out again otherwise
    return Response(risk_view_json(conn, days, until), media_type="application/json")


# --- projects -------------------------------------------------------------------------------------

@router.get("/projects", summary="The project registry: one record per project, most recently reported first",
            responses=NOT_FOUND)  # fmt: skip
def projects(
    conn: Conn,
    country: Annotated[
        str | None,
        Query(description="ISO code or country name of the host country (404 if it names no country).", max_length=100),
    ] = None,
    sector: Annotated[Sector | None, Query(description="Only projects of this sector.")] = None,
    status: Annotated[ProjectStatus | None, Query(description="Only projects in this state.")] = None,
    programme: Annotated[str | None, Query(description="A programme's name or alias (CPEC).", max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    from beltwatch.store.projects import list_projects, programme_named

    found = list_projects(
        conn,
        country=known_country(country),
        sector=sector,
        status=status,
        programme=programme and (programme_named(programme) or programme),
    )
    return page(len(found), limit, offset, found[offset : offset + limit])


@router.get(
    "/projects/{project_id}",
    summary="One project: state, lifecycle, costs, financing, parties, parts and nearby incidents, with evidence",
    responses=NOT_FOUND,
)
def project(conn: Conn, project_id: RowId) -> dict[str, Any]:
    from beltwatch.registry import project_view

    found = project_view(conn, project_id)
    if found is None:
        raise NotFoundError(f"no project {project_id}")
    return found


# --- exports --------------------------------------------------------------------------------------


@router.get("/exports", summary="The export formats")
def export_formats() -> dict[str, Any]:
    return {
        "formats": [
            {"format": f, "media_type": m, "url": f"/api/exports/{f}"} for f, (m, _) in EXPORT_TYPES.items()
        ]
    }


@router.get(
    "/exports/{format}",
    summary="Stream the events in an export format, corrections applied",
    response_class=StreamingResponse,
    responses={200: {"content": {m: {} for m, _ in EXPORT_TYPES.values()}}},
)
def export(
    conn: Conn,
    format: Literal["csv", "jsonl", "parquet", "geojson", "ftm"],
    type: Annotated[list[EventType] | None, Query(description="Only these event types (repeatable).")] = None,
    corrected: Annotated[
        bool, Query(description="Apply corrections (default) or export as extracted.")
    ] = True,
) -> StreamingResponse:
    from beltwatch.export.corrected import export_corrected

    media_type, suffix = EXPORT_TYPES[format]
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by the stream
    try:
        export_corrected(conn, format, spool, types=type, corrected=corrected)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return StreamingResponse(
        _chunks(spool),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="beltwatch-events.{suffix}"'},
    )


def _chunks(spool: Any) -> Iterator[bytes]:
    try:
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()


# --- corrections ----------------------------------------------------------------------------------


def _write_connection(request: Request) -> Any:
    from beltwatch.store.database import lock_for_writing

    conn = request.app.state.db.engine.connect()
    conn.execution_options(sqlite_immediate=True)
    return conn, lock_for_writing


CORRECTED = {**WRITE, **error_responses(404, 409)}


@router.post(
    "/events/{event_id}/corrections",
    status_code=201,
    summary="Correct an event (token needed)",
    responses=CORRECTED,
)
def correct_event(
    request: Request, token_name: Writer, event_id: RowId, body: EventCorrection
) -> dict[str, Any]:
    conn, lock = _write_connection(request)
    with conn, conn.begin():
        lock(conn)
        found = queries.get_event(conn, event_id)
        record = corr.record_event_correction(
            conn, found, token_name=token_name, current=found, **body.model_dump()
        )
        refresh_corrected(conn, found["article"], now())  # the project records the event's facts concern
    with request.app.state.db.engine.connect() as conn:
        return {"correction": record, "event": queries.get_event(conn, event_id)}


@router.post(
    "/entities/{entity_id}/corrections",
    status_code=201,
    summary="Correct an entity (token needed)",
    responses=CORRECTED,
)
def correct_entity(
    request: Request, token_name: Writer, entity_id: RowId, body: EntityCorrection
) -> dict[str, Any]:
    conn, lock = _write_connection(request)
    with conn, conn.begin():
        lock(conn)
        record = corr.record_entity_correction(conn, entity_id, token_name=token_name, **body.model_dump())
    with request.app.state.db.engine.connect() as conn:
        found = queries.get_entity(conn, entity_id)
    found.pop("events", None)
    return {"correction": record, "entity": found}


Target = Annotated[
    Literal["event", "entity"] | None, Query(description="Only corrections of events or entities.")
]


@router.get("/corrections", summary="The correction log, newest first (as CSV: /api/corrections.csv)")
def corrections(conn: Conn, target: Target = None, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    total = corr.count_corrections(conn, target)
    return page(total, limit, offset, corr.list_corrections(conn, target=target, limit=limit, offset=offset))


@router.get(
    "/corrections.csv",
    summary="The correction log as CSV, newest first",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def corrections_csv(
    conn: Conn,
    target: Target = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LOG, description=f"Rows, at most {MAX_LOG}.")] = MAX_LOG,
    offset: Offset = 0,
) -> StreamingResponse:
    rows = corr.list_corrections(conn, target=target, limit=limit, offset=offset)
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(corr.LOG_COLUMNS)
    for r in rows:
        out.writerow([_cell(r.get(c)) for c in corr.LOG_COLUMNS])
    return StreamingResponse(
        iter([buffer.getvalue().encode()]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="beltwatch-corrections.csv"'},
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# --- ingest ---------------------------------------------------------------------------------------


INGESTED = {
    **WRITE,
    200: {"description": "Nothing new: every article read was stored already."},
    201: {"description": "Articles were stored, new or updated."},
}
# a client can only learn from the document that the file name matters: it picks the reader
UPLOAD_NAME = {
    "description": f"The file name must end with one of {', '.join(UPLOAD_SUFFIXES)} (else a 400).",
    "schema": {"type": "string"},
    "example": 'form-data; name="file"; filename="article.txt"',
}


@router.post(
    "/ingest",
    status_code=201,
    summary="Ingest an uploaded article file (token needed; 5 MB at most)",
    responses=INGESTED,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "encoding": {"file": {"headers": {"Content-Disposition": UPLOAD_NAME}}}
                }
            }
        }
    },
)
def ingest_upload(
    request: Request,
    token_name: Writer,
    file: Annotated[UploadFile, File(description="A .txt/.md/.html article, a feed, .jsonl or WARC.")],
    title: Annotated[str | None, Form(max_length=1000)] = None,
    published: Annotated[Day | None, Form(description="Publication date YYYY-MM-DD.")] = None,
    source: Annotated[str | None, Form(max_length=300)] = None,
    url: Annotated[str | None, Form(max_length=2000)] = None,
    language: Annotated[str | None, Form(max_length=16)] = None,
) -> JSONResponse:
    del token_name
    name = _safe_name(file.filename or "")
    day = published.isoformat() if published else None
    given = {"title": title, "published": day, "source": source, "url": url, "language": language}
    meta = {k: v for k, v in given.items() if v}
    with tempfile.TemporaryDirectory(prefix="beltwatch-upload-") as folder:
        path = Path(folder) / name
        with open(path, "wb") as out:
            while chunk := file.file.read(CHUNK):
                out.write(chunk)
        if meta:
            path.with_name(_stem(name) + ".meta.json").write_text(json.dumps(meta), encoding="utf-8")
        summary = _run_ingest(request, [str(path)], None)
    return _ingest_response(summary, article=_stem(name))


@router.post(
    "/ingest/url",
    status_code=201,
    summary="Ingest an article or feed from a URL (token needed)",
    responses=INGESTED,
)
def ingest_url(request: Request, token_name: Writer, body: UrlIngest) -> JSONResponse:
    del token_name
    published = body.published.isoformat() if body.published else None
    return _ingest_response(_run_ingest(request, [body.url], published), article=None)


def _safe_name(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    lower = base.lower()
    if not any(lower.endswith(s) for s in UPLOAD_SUFFIXES) or lower.endswith(".meta.json"):
        raise UsageError(f"file must end with one of {', '.join(UPLOAD_SUFFIXES)}")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-")
    if not cleaned or cleaned.startswith(".") or len(cleaned) > 200:
        raise UsageError("not a usable file name")
    return cleaned


def _stem(name: str) -> str:
    lower = name.lower()
    for suffix in sorted(UPLOAD_SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _run_ingest(request: Request, specs: list[str], published: str | None) -> Any:
    from beltwatch.ingest import ingest

    return ingest(specs, request.app.state.settings, published=published, allow_private=False)


def _ingest_response(summary: Any, article: str | None) -> JSONResponse:
    body = summary.to_json()
    for failure in body.get("failures", []):
        failure["source"] = (
            Path(failure["source"]).name if failure["source"].startswith("/") else failure["source"]
        )
    if article is not None:
        body["article"] = article
    if summary.failed and not (summary.new or summary.updated or summary.unchanged):
        reason = body["failures"][0]["reason"] if body.get("failures") else "nothing could be read"
        return JSONResponse(error_body(422, f"nothing ingested: {reason}"), status_code=422)
    return JSONResponse(body, status_code=201 if (summary.new or summary.updated) else 200)
