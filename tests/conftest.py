"""Shared fixtures: real databases, SQLite in a temporary folder and PostgreSQL on a real server.

`db_url` runs a test once per database. The PostgreSQL runs need a server: set
`BELTWATCH_TEST_POSTGRES` to a URL whose role may create databases (`.ci/run` does, e.g.
`postgresql+psycopg://beltwatch:beltwatch@localhost:5432/beltwatch`); each test then gets a
database of its own, dropped afterwards. Without the variable those runs are skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

# CI draws the same examples every run, so a property test fails for a change, not for a seed
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

POSTGRES_ENV = "BELTWATCH_TEST_POSTGRES"
BACKENDS = ("sqlite", "postgresql")


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database of `backend`; a PostgreSQL one is dropped on exit."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'beltwatch.db'}"
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV}=postgresql+psycopg://USER:PASSWORD@HOST/DB (see .ci/run)"
        )
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    name = f"beltwatch_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database per test, once on SQLite and once on PostgreSQL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url
