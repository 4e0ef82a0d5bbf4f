"""The REST API and the dashboard: one FastAPI application over the store, and `beltwatch serve`.

`create_app(settings_or_db_url)` opens the database (bringing its schema up to date) and
returns the application: the JSON API under `/api` (OpenAPI description at
`/api/openapi.json`, a plain documentation page at `/api/docs`), and the server-rendered pages
(`beltwatch.web`) with their static assets.

It is read-only by default. Writes (ingest, corrections) need `Authorization: Bearer <token>`
equal to `BELTWATCH_TOKEN`; without that variable every write answers 403. The name recorded
in the correction log is `BELTWATCH_TOKEN_NAME`, else "analyst". Request bodies are limited
to 5 MB. There is no CORS middleware: other origins' pages cannot read or write.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

    from beltwatch.settings import Settings

TOKEN_ENV = "BELTWATCH_TOKEN"
TOKEN_NAME_ENV = "BELTWATCH_TOKEN_NAME"
DEFAULT_TOKEN_NAME = "analyst"


@dataclass(frozen=True)
class ServerConfig:
    """What the application knows besides the database: the write token and its name, the body limit."""

    token: str | None
    token_name: str
    max_body: int


def create_app(
    settings_or_db_url: Settings | str,
    *,
    token: str | None = None,
    token_name: str | None = None,
    environ: Mapping[str, str] | None = None,
    max_body: int | None = None,
    create: bool = False,
) -> FastAPI:
    """The application over the database of `settings_or_db_url` (a `Settings` or a database URL).

    `token`/`token_name` default to `BELTWATCH_TOKEN`/`BELTWATCH_TOKEN_NAME` from `environ`
    (default `os.environ`); an empty token means writes are disabled. `create=False` refuses a
    SQLite file that does not exist (a `UsageError`).
    """
    from contextlib import asynccontextmanager

    from beltwatch.api import errors
    from beltwatch.api.middleware import MAX_BODY, GuardedApp
    from beltwatch.api.routes import router
    from beltwatch.settings import Settings
    from beltwatch.store import open_database

    settings = (
        settings_or_db_url if isinstance(settings_or_db_url, Settings) else Settings.load(settings_or_db_url)
    )
    env = os.environ if environ is None else environ
    config = ServerConfig(
        token=((token if token is not None else env.get(TOKEN_ENV)) or "").strip() or None,
        token_name=(token_name or env.get(TOKEN_NAME_ENV) or DEFAULT_TOKEN_NAME).strip()[:100]
        or DEFAULT_TOKEN_NAME,
        max_body=max_body or MAX_BODY,
    )
    db = open_database(settings.db_url, create=create)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        db.close()

    app = GuardedApp(
        title="beltwatch",
        summary="News about the Belt and Road Initiative and CPEC as evidenced, geocoded facts.",
        version=_version(),
        openapi_url="/api/openapi.json",
        docs_url=None,  # FastAPI's Swagger UI loads from a CDN: /api/docs is beltwatch's own page instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.config = config
    errors.install(app)
    app.include_router(router, prefix="/api")
    from beltwatch.web import install as install_pages

    install_pages(app)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("beltwatch")
    except PackageNotFoundError:
        return "0"


# --- the command ------------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    """Add the `serve` command to `app`."""

    @app.command("serve")
    def serve(
        db: Annotated[
            str | None,
            typer.Option("--db", help="Database URL (default: $BELTWATCH_DB, else sqlite:///beltwatch.db)."),
        ] = None,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
        workers: Annotated[
            int, typer.Option(min=1, max=64, help="Processes answering requests (each with its own connections).")
        ] = 1,
    ) -> None:
        """Serve the REST API (/api) and the dashboard; writes need BELTWATCH_TOKEN (see /api/docs)."""
        import uvicorn

        from beltwatch.settings import DB_ENV, Settings

        settings = Settings.load(db)
        application = create_app(settings)  # in this process too, so that a bad database stops it at once
        where = f"http://{host}:{port}/"
        writes = "enabled (Bearer token)" if application.state.config.token else f"disabled (no {TOKEN_ENV})"
        typer.echo(f"beltwatch: serving {where} (API {where}api/docs); writes {writes}; {workers} worker(s)", err=True)
        if workers == 1:
            uvicorn.run(application, host=host, port=port, log_level="warning", proxy_headers=False)
            return
        # uvicorn starts each worker process afresh and builds its app from an import string: the
        # database reaches them as the environment variable `Settings.load` reads
        application.state.db.close()
        os.environ[DB_ENV] = settings.db_url
        uvicorn.run(f"{__name__}:app_from_environment", factory=True, workers=workers, host=host, port=port,
                    log_level="warning", proxy_headers=False)  # fmt: skip


def app_from_environment() -> FastAPI:
    """The application over $BELTWATCH_DB: what each worker of `beltwatch serve --workers N` serves."""
    from beltwatch.settings import Settings

    return create_app(Settings.load(None))
