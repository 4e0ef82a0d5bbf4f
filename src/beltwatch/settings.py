"""One Settings object, built once from flags, the environment and defaults, and passed explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from beltwatch.errors import UsageError

DEFAULT_DB = "sqlite:///beltwatch.db"
DB_ENV = "BELTWATCH_DB"
SUPPORTED_BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Settings:
    """What a command needs to know about its environment; nothing reads os.environ after this."""

    db_url: str = DEFAULT_DB

    @classmethod
    def load(cls, db: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """The database URL from `--db`, else `BELTWATCH_DB`, else `sqlite:///beltwatch.db`."""
        env = os.environ if environ is None else environ
        url = db or env.get(DB_ENV) or DEFAULT_DB
        return cls(db_url=normalise_db_url(url))


def normalise_db_url(url: str) -> str:
    """Check a database URL; plain `postgresql://` and `postgres://` mean the psycopg 3 driver.

    Raises `UsageError` for a URL that is not one, or for a database other than SQLite and PostgreSQL.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if text.startswith(prefix):
            text = "postgresql+psycopg://" + text[len(prefix) :]
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise UsageError(f"--db: not a database URL: {url!r} (e.g. sqlite:///beltwatch.db)") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise UsageError(
            f"--db: unsupported database {parsed.get_backend_name()!r}; use sqlite or postgresql"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise UsageError(f"--db: use the psycopg driver: postgresql+psycopg://..., not {parsed.drivername}")
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise UsageError("--db: an in-memory SQLite database would be lost on exit; give a file path")
    return parsed.render_as_string(hide_password=False)
