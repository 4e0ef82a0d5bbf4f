"""The page routes: each reads the store through `store.queries` and renders one template."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from beltwatch.errors import UsageError
from beltwatch.model import EVENT_TYPES
from beltwatch.store import corrections as corr
from beltwatch.store import queries, reads
from beltwatch.store.database import snapshot
from beltwatch.store.queries import Corrections, EventFilter
from beltwatch.web import render, url_key

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def connection(request: Request) -> Iterator[Connection]:
    with snapshot(request.app.state.db) as conn:
        yield conn


Conn = Annotated[Connection, Depends(connection)]
PAGE = 50
SEARCH_HITS = 30  # the entities, and the articles, a search page shows at most
MAP_EVENTS = queries.MAX_LIMIT


def page(request: Request, name: str, title: str, **context: Any) -> HTMLResponse:
    config = request.app.state.config
    return request.app.state.templates.TemplateResponse(
        request, name, {"title": title, "writes_enabled": bool(config.token), **context}
    )


@router.get("/")
def overview(request: Request, conn: Conn) -> HTMLResponse:
    fixes = Corrections.load(conn)
    counted = queries.tally(conn, fixes)
    ledger = counted.ledger()
    _, latest = queries.incident_page(conn, fixes, limit=5)
    by_type = queries.events_by_type(counted)
    return page(
        request,
        "overview.html",
        "Overview",
        numbers={**reads.headline_counts(conn), "events": sum(by_type.values())},
        corrections=corr.count_corrections(conn),
        latest=latest,
        ledger=ledger,
        lender_chart=render.bar_chart(ledger["by_lender"][:12], title="Financing by lender (USD)"),
        by_type=by_type,
    )


@router.get("/map")
def event_map(
    request: Request,
    conn: Conn,
    view: Annotated[str, Query(pattern="^(all|corridor|world)$")] = "all",
    type: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    wanted = queries.check_type(type)
    # the latest events only: a store of years holds more than a map can show or a browser draw
    matching, found = queries.list_events(
        conn, EventFilter(type=wanted), corrections=Corrections.load(conn), limit=MAP_EVENTS, sort="-date"
    )
    located, unplaced = [], []
    for e in reversed(found):  # oldest first: the newest is drawn last, on top
        place = place_of(e)
        if place is None:
            unplaced.append(e)
        else:
            located.append((e, place))
    types = [t for t in EVENT_TYPES if any(e["type"] == t for e, _ in located)]
    frame = render.view_for([(p.lon, p.lat) for _, p in located], view)
    assets = request.app.state.map_assets
    return page(
        request,
        "map.html",
        "Map",
        assets=assets,
        map_data=map_data(located, frame) if assets else None,
        svg=None if assets else render.event_map([svg_point(e, p) for e, p in located], view),
        legend=render.legend(types),
        points=len(located),
        shown=len(found),
        total=matching.total,
        placed_by=Counter(p.placed_by for _, p in located),
        unplaced=unplaced,
        view=view,
        type=wanted,
    )


@dataclass(frozen=True)
class Place:
    """Where the map puts an event, how precisely (1 town … 4 country) and what tied it there."""

    lat: float
    lon: float
    precision: int | None
    placed_by: str  # resolve.PLACED_BY: "sentence" is the event's own place, the others fallbacks

    @property
    def approximate(self) -> bool:
        return self.placed_by != "sentence"


def place_of(event: dict[str, Any]) -> Place | None:
    """The store's place of an event (revision 0002, `placed_by` since 0006) when it has one; else,
    for an event stored before 0002 with a named location, the offline gazetteer's reading of it."""
    geo = event.get("geo")
    if geo and geo.get("lat") is not None and geo.get("lon") is not None:
        return Place(
            float(geo["lat"]), float(geo["lon"]), geo.get("precision"), geo.get("placed_by") or "sentence"
        )
    location = event.get("location")
    if not isinstance(location, str) or not location.strip():
        return None
    from beltwatch.resolve.places import resolve_place

    found = resolve_place(location)
    return None if found is None else Place(found.lat, found.lon, found.precision, "sentence")


def svg_point(e: dict[str, Any], place: Place) -> dict[str, Any]:
    """One event as the server-drawn map (used when the map's scripts are not installed) takes it."""
    return {
        "lat": place.lat,
        "lon": place.lon,
        "type": e["type"],
        "href": f"/events/{e['id']}",
        "approximate": place.approximate,
        "label": f"{e['type']} · {e.get('date') or e.get('published') or 'undated'} · "
        f"{e.get('location') or ''} · {corr.summary(e)}"[:300],
    }


def map_data(located: list[tuple[dict[str, Any], Place]], frame: render.View) -> dict[str, Any]:
    """What static/map.js draws: the events as GeoJSON, the first view's bounds, the colours."""
    features = [
        {
            "type": "Feature",
            "id": e["id"],
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            "properties": {
                "type": e["type"],
                "date": e.get("date") or e.get("published"),
                "location": e.get("location"),
                "evidence": (e.get("evidence") or {}).get("text"),
                "title": e.get("title") or e["article"],
                "article": f"/articles/{url_key(e['article'])}",
                "event": f"/events/{e['id']}",
                "precision": place.precision,
                "placed_by": place.placed_by,
            },
        }
        for e, place in located
    ]
    return {
        "events": {"type": "FeatureCollection", "features": features},
        "bounds": [frame.west, frame.south, frame.east, frame.north],
        "colours": render.TYPE_COLOURS,
        "routes": [asdict(render.route_style(i)) for i in range(len(render.corridor()["alignments"]))],
    }


@router.get("/timeline")
def timeline(request: Request, conn: Conn) -> HTMLResponse:
    data = queries.timeline(queries.tally(conn, Corrections.load(conn)))
    rows = [(m, data["counts"][m]) for m in data["months"] if data["counts"][m]]
    types = [t for t in EVENT_TYPES if any(c.get(t) for _, c in rows)]
    return page(
        request,
        "timeline.html",
        "Timeline",
        chart=render.timeline_chart(data),
        legend=render.legend(types),
        rows=list(reversed(rows)),
        types=types,
    )


@router.get("/finance")
def finance(request: Request, conn: Conn, offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    fixes = Corrections.load(conn)
    ledger = queries.tally(conn, fixes).ledger()
    matching, found = queries.list_events(
        conn, EventFilter(type="FINANCING"), corrections=fixes, limit=PAGE, offset=offset, sort="-date"
    )
    return page(
        request,
        "finance.html",
        "Finance ledger",
        ledger=ledger,
        rows=[queries.ledger_row(e) for e in found],
        total=matching.total,
        offset=offset,
        size=PAGE,
        lender_chart=render.bar_chart(ledger["by_lender"][:20], title="Commitments by lender (USD)"),
        recipient_chart=render.bar_chart(ledger["by_recipient"][:20], title="Commitments by recipient (USD)"),
        year_chart=render.bar_chart(ledger["by_year"], title="Commitments by year (USD)"),
    )


@router.get("/incidents")
def incidents(request: Request, conn: Conn, offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    total, found = queries.incident_page(
        conn, Corrections.load(conn), limit=PAGE, offset=offset, include_rejected=True
    )
    return page(request, "incidents.html", "Incidents", incidents=found, total=total, offset=offset, size=PAGE)


@router.get("/risk")
def risk(
    request: Request,
    conn: Conn,
    days: Annotated[int, Query(ge=1, le=36_500)] = 90,
    until: Annotated[date | None, Query()] = None,
) -> HTMLResponse:
    from beltwatch.risk import TRENDS, collector_paused, risk_view

    # the page is written from a million objects, emptied once it is written, while the collector is still
    # paused: freed later, they were first scanned by the collection it resumed with (served at 504,000: p50
    # 427 -> 356 ms); a test client, which keeps each page's context, freed them in a full collection every
    # ninth request or so (3 s)
    with collector_paused():
        view = risk_view(conn, days, until)
        bars = [(row["area"], float(row["incidents"])) for row in view["areas"] if row["incidents"]]
        written = page(
            request,
            "risk.html",
            "Risk along the corridor",
            view=view,
            trends=TRENDS,
            chart=render.bar_chart(bars, title="Incidents per area in the window", fmt=render.number),
        )
        view.clear()
    return written


@router.get("/sources")
def sources(request: Request, conn: Conn) -> HTMLResponse:
    from beltwatch.store.health import RATE_DAYS, SILENT_DAYS, source_health_view

    return page(
        request,
        "sources.html",
        "Sources",
        sources=source_health_view(conn),
        silent_days=SILENT_DAYS,
        rate_days=RATE_DAYS,
    )


@router.get("/projects")
def projects(
    request: Request,
    conn: Conn,
    country: Annotated[str | None, Query(max_length=100)] = None,
    sector: Annotated[str | None, Query(max_length=32)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    from beltwatch.knowledge import SECTORS
    from beltwatch.projects import INTERRUPTIONS, PROGRESS
    from beltwatch.store.projects import list_projects

    found = list_projects(conn, country=country or None, sector=sector or None, status=status or None)
    return page(
        request,
        "projects.html",
        "Projects",
        projects=found,
        by_status=Counter(p["status"] or "no status reported" for p in found).most_common(),
        by_country=Counter(p["country"] or "unknown" for p in found).most_common(),
        filters={"country": country or "", "sector": sector or "", "status": status or ""},
        sectors=SECTORS,
        statuses=(*PROGRESS, *INTERRUPTIONS),
    )


@router.get("/projects/{project_id}")
def project(request: Request, conn: Conn, project_id: int) -> HTMLResponse:
    from beltwatch.registry import project_view
    from beltwatch.store.corrections import NotFoundError

    found = project_view(conn, project_id)
    if found is None:
        raise NotFoundError(f"no project {project_id}")
    return page(request, "project.html", found["name"], project=found, map=project_map(found))


def project_map(found: dict[str, Any]) -> Any:
    """The project's site and the incidents near it on the server-drawn map; None without a site."""
    if found["lat"] is None:
        return None
    site = {
        "lat": found["lat"],
        "lon": found["lon"],
        "type": "PROJECT",
        "href": f"/projects/{found['id']}",
        "approximate": (found["precision"] or 4) > 1,
        "label": found["name"],
    }
    incidents = [
        {
            "lat": i["lat"],
            "lon": i["lon"],
            "type": "ATTACK",
            "href": f"/events/{i['event']}",
            "approximate": False,
            "label": f"ATTACK · {i['date'] or 'undated'} · {i['location'] or ''} · killed {i['killed']}",
        }
        for i in found["incidents"]
    ]
    return render.event_map([site, *incidents], "around")


@router.get("/entities")
def entities(
    request: Request,
    conn: Conn,
    q: Annotated[str | None, Query(max_length=200)] = None,
    type: Annotated[str | None, Query(max_length=16)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    total, found = queries.list_entities(conn, q=q, type=type or None, limit=PAGE, offset=offset)
    return page(
        request,
        "entities.html",
        "Entities",
        entities=found,
        total=total,
        q=q or "",
        type=type or "",
        offset=offset,
        size=PAGE,
    )


@router.get("/entities/{entity_id}")
def entity(request: Request, conn: Conn, entity_id: int) -> HTMLResponse:
    found = queries.get_entity(conn, entity_id)
    return page(request, "entity.html", found["name"], entity=found)


@router.get("/stories")
def stories(request: Request, conn: Conn, offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    total, found = queries.list_stories(conn, limit=PAGE, offset=offset)
    return page(request, "stories.html", "Stories", stories=found, total=total, offset=offset, size=PAGE)


@router.get("/stories/{key:path}")
def story(request: Request, conn: Conn, key: str, offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    found = queries.get_story(conn, key, limit=queries.STORY_PAGE, offset=offset)
    return page(
        request,
        "story.html",
        found["title"] or found["story"],
        story=found,
        differing=queries.differing_keys(found["differences"]),
    )


@router.get("/articles")
def articles(
    request: Request,
    conn: Conn,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    total, found = queries.list_articles(conn, limit=PAGE, offset=offset, q=q)
    return page(
        request, "articles.html", "Articles", articles=found, total=total, q=q or "", offset=offset, size=PAGE
    )


@router.get("/articles/{key:path}")
def article(request: Request, conn: Conn, key: str) -> HTMLResponse:
    found = queries.get_article(conn, key)
    spans = []
    for e in found["entities"]:
        label = f"{e['type']}: {e['entity_name']}" + (f" ({e['role']})" if e.get("role") else "")
        for m in e["mentions"]:
            spans.append(render.Span(m["start"], m["end"], f"hl hl-ent hl-{e['type']}", label))
    for a in found["amounts"]:
        label = f"amount: {render.number(a['value'])} {a['currency']}"
        spans.append(render.Span(a["start"], a["end"], "hl hl-amt", label))
    for e in found["events"]:
        if e["evidence"]:
            css = "hl hl-ev" + (" hl-wrong" if e["status"] == corr.WRONG else "")
            spans.append(
                render.Span(
                    e["evidence"]["start"], e["evidence"]["end"], css, f"{e['type']} (event {e['id']})"
                )
            )
    return page(
        request,
        "article.html",
        found["title"] or found["id"],
        article=found,
        body=render.highlight(found["text"], spans),
        editable=corr.EDITABLE,
    )


@router.get("/events/{event_id}")
def event(request: Request, conn: Conn, event_id: int) -> HTMLResponse:
    found = queries.get_event(conn, event_id)
    return page(
        request, "event.html", f"{found['type']} event {found['id']}", event=found, editable=corr.EDITABLE
    )


@router.get("/search")
def search(
    request: Request, conn: Conn, q: Annotated[str | None, Query(max_length=200)] = None
) -> HTMLResponse:
    found = reads.SearchResult.nothing()
    message = None
    if q and q.strip():
        try:
            found = reads.search(conn, q, limit=SEARCH_HITS)
        except UsageError as exc:
            message = exc.message
        for hit in found.hits:
            if hit["kind"] == "article":
                text, spans = reads.split_snippet(hit["snippet"])
                hit["snippet_html"] = render.snippet_html(text, spans)
        _, events = queries.list_events(conn, EventFilter(text=q.strip()), limit=30)
    else:
        events = []
    return page(request, "search.html", "Search", q=q or "", result=found, events=events, message=message)


@router.get("/corrections")
def corrections(request: Request, conn: Conn, offset: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    found = corr.list_corrections(conn, limit=100, offset=offset)
    return page(
        request,
        "corrections.html",
        "Corrections",
        corrections=found,
        total=corr.count_corrections(conn),
        offset=offset,
        size=100,
    )


@router.get("/ingest")
def ingest_form(request: Request) -> HTMLResponse:
    return page(request, "ingest.html", "Add an article")


@router.get("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    """The API described from its OpenAPI document, rendered here (no Swagger UI from a CDN)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "required": p.get("required", False),
                    "description": p.get("description") or p.get("schema", {}).get("description") or "",
                }
                for p in op.get("parameters", [])
            ]
            body = "requestBody" in op
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "params": params,
                    "body": body,
                }
            )
    return page(
        request, "api.html", "API", operations=operations, version=spec.get("info", {}).get("version")
    )
