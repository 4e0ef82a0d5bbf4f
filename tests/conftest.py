"""Shared fixtures: real databases, SQLite in a temporary folder and PostgreSQL on a real server.

`db_url` runs a test once per database. The PostgreSQL runs need a server: set
`BELTWATCH_TEST_POSTGRES` to a URL whose role may create databases (`.ci/run` does, e.g.
`postgresql+psycopg://beltwatch:beltwatch@localhost:5432/beltwatch`); each test then gets a
database of its own, dropped afterwards. Without the variable those runs are skipped.
"""

from __future__ import annotations

import os
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
    from beltwatch.store.database import scratch_postgres

    with scratch_postgres(server, prefix="beltwatch_test") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database per test, once on SQLite and once on PostgreSQL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


# What a skip means for the reader of `make test`: one line per kind of test that did not run, with
# what makes it run (the skip reasons of tests/test_web.py and `fresh_database` above).
SKIPPED_KINDS = (
    ("browser tests need Debian's chromium", "browser tests", "apt-get install chromium (as .ci/run does)"),
    (f"PostgreSQL tests need {POSTGRES_ENV}", "PostgreSQL tests", f"set {POSTGRES_ENV} to a server's URL (see .ci/run)"),
)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)  # outermost: after pytest's own list of skips
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Iterator[None]:
    yield
    reasons = [str(report.longrepr) for report in terminalreporter.stats.get("skipped", [])]
    for needle, kind, remedy in SKIPPED_KINDS:
        count = sum(needle in reason for reason in reasons)
        if count:
            terminalreporter.write_line(f"{count} {kind} did not run: {remedy}")
