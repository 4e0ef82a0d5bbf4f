"""The dashboard: server-rendered pages (Jinja2, autoescaped) over the same reads as the API.

Pages: overview, map, timeline, finance ledger, incidents, entities, stories, articles (text
with every extracted fact highlighted), events, search, corrections. Every asset (CSS, the
little JavaScript, the Natural Earth basemap, and the map's Leaflet scripts that `make install`
fetches: `web.vendor`) is served by beltwatch itself from `/static`; the Content-Security-Policy
allows nothing else. Correction forms post to the API with the
token the analyst types into the page (sent as a Bearer header by `static/app.js`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import Response

log = logging.getLogger("beltwatch.web")
HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def url_key(value: object) -> str:
    """A key (article, story) as one URL path segment."""
    return quote(str(value), safe="")


def _safe_url(value: object) -> str | None:
    """An http(s) URL to link to; anything else (javascript:, data:, relative) is not linked."""
    if not isinstance(value, str):
        return None
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return None
    return value.strip() if scheme in ("http", "https") else None


def environment() -> Environment:
    from beltwatch.web import render

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template, whatever its name
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        urlkey=url_key,
        safe_url=_safe_url,
        money=render.money,
        number=render.number,
        colour=render.colour,
    )
    env.globals.update(event_types=list(render.TYPE_COLOURS))
    return env


def templates():
    from fastapi.templating import Jinja2Templates

    return Jinja2Templates(env=environment())


def install(app: FastAPI) -> None:
    """Mount the static assets and the pages on `app`."""
    from fastapi.staticfiles import StaticFiles

    from beltwatch.web import vendor
    from beltwatch.web.pages import router

    app.state.templates = templates()
    app.state.map_assets = vendor.assets()  # None: the map page draws its SVG map instead
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(router)


def render_error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    from fastapi.responses import HTMLResponse
    from markupsafe import escape

    engine = getattr(request.app.state, "templates", None)
    config = getattr(request.app.state, "config", None)
    context = {
        "status": status,
        "message": message,
        "title": f"Error {status}",
        "writes_enabled": bool(config and config.token),
    }
    if engine is not None:
        try:
            return engine.TemplateResponse(
                request, "error.html", context, status_code=status, headers=headers
            )
        except Exception:
            log.exception("error page failed")
    return HTMLResponse(
        f"<!doctype html><title>Error {status}</title><h1>Error {status}</h1><p>{escape(message)}</p>",
        status_code=status,
        headers=headers,
    )
