"""Opening the database: engines for SQLite and PostgreSQL, and the schema brought up to date.

SQLite runs in WAL mode (readers never block the writer) with foreign keys on, and every
transaction is a real one: pysqlite's own transaction handling would commit DDL as it goes
and begin DML lazily, so it is switched off and `BEGIN` issued explicitly (`BEGIN IMMEDIATE`
for writers, which then wait for each other instead of failing on a lock upgrade). A process
killed at any point therefore leaves the database as of its last commit.

A database that cannot be written (disk full, a read-only file, folder or server) is a
`StoreError` (exit code 5) with one line saying why, raised from the failing statement (engine
`handle_error` hook), so an ingest stops at once instead of failing every article in turn; the
open transaction is rolled back and what was committed stays whole.

The schema is created and upgraded by the Alembic revisions in `store/migrations`, run
programmatically (no alembic.ini, so it works from an installed package) inside one
transaction under a lock, so two processes starting on a fresh database do not both
create it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from beltwatch.errors import StoreError, UsageError

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
# pg_advisory_xact_lock keys: one for schema changes, one that serialises ingest writers
SCHEMA_LOCK = 0x62656C74  # "belt"
WRITE_LOCK = 0x77617463  # "watc"
# pg_try_advisory_lock key (held for a session) of the one `beltwatch follow` a database may have
FOLLOW_LOCK = 0x666F6C6C  # "foll"


@dataclass
class Database:
    """An engine and what kind of database is behind it."""

    engine: Engine
    url: str

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def close(self) -> None:
        self.engine.dispose()

    def refresh_statistics(self) -> None:
        """Let SQLite's planner know the tables' sizes (PostgreSQL's autovacuum does this itself). Without
        statistics it reads a story's events through the index on event types, all of them, rather than
        through the story's members: seconds instead of milliseconds on a large store. Done once a store
        has some thousands of articles and again each time it has doubled since; a sample of each index
        is enough, which keeps it to a fraction of a second at any size."""
        if not self.is_sqlite:
            return
        with self.engine.begin() as conn:
            stored = conn.exec_driver_sql("SELECT max(rowid) FROM articles").scalar() or 0
            known = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).scalar()
            stat = (
                known
                and conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'articles'").scalar()
            )
            analysed = int(stat.split()[0]) if stat else 0
            # an index a migration made since has no statistics, and the planner takes it for a selective one
            unanalysed = known and conn.exec_driver_sql(
                "SELECT EXISTS (SELECT 1 FROM events) AND EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index'"
                " AND m.tbl_name = 'events' AND m.name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL))"
            ).scalar()
            if stored >= _ANALYSE_FROM and (stored >= 2 * analysed or unanalysed):
                conn.exec_driver_sql(f"PRAGMA analysis_limit = {_ANALYSIS_ROWS}")
                conn.exec_driver_sql("ANALYZE")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_ANALYSIS_ROWS = 1000  # rows of each index SQLite's ANALYZE samples
_ANALYSE_FROM = 2000  # articles: below, any plan answers at once


@contextmanager
def snapshot(db: Database) -> Iterator[Connection]:
    """A connection in one read transaction: on PostgreSQL REPEATABLE READ, so every query sees one snapshot."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def open_database(url: str, *, create: bool = True, writer: bool = False) -> Database:
    """Connect to `url` and bring its schema to the latest revision.

    With `create=False` a SQLite file that does not exist is a `UsageError` rather than a new,
    empty database (query commands use this, so a mistyped path does not leave a file behind).
    `writer=True` makes SQLite transactions take the write lock when they begin.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not create and not path.exists():
            raise UsageError(f"no database at {path} (run `beltwatch ingest` first, or pass --db)")
        if create and path.parent and not path.parent.exists():
            raise UsageError(f"cannot create database {path}: folder {path.parent} does not exist")
        engine = _sqlite_engine(url, writer)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    sa.event.listen(engine, "handle_error", _unwritable)
    db = Database(engine, url)
    try:
        upgrade_schema(db)
    except sa.exc.OperationalError as exc:
        db.close()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise UsageError(
            f"cannot open database {parsed.render_as_string(hide_password=True)}: {reason}"
        ) from None
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def scratch_postgres(server: str, prefix: str = "beltwatch_scratch") -> Iterator[str]:
    """The URL of a new, empty database on the PostgreSQL `server`, dropped (with its sessions) on exit.

    `server` is a URL whose role may create databases; tests and benchmarks get a database each.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _sqlite_engine(url: str, writer: bool) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process in WAL mode
        cursor.execute("PRAGMA foreign_keys=ON")
        # 64 MB of pages: with the default 2 MB, once the store outgrows it every lookup of the
        # writer (entities, aliases, role rows) goes to the file and writing slows as the store grows
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = writer or conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# SQLite's messages and PostgreSQL's SQLSTATEs for a database that cannot take a write
_SQLITE_UNWRITABLE = {
    "database or disk is full": "the disk is full",
    "disk i/o error": "disk I/O error (the disk may be full or failing)",
    "attempt to write a readonly database": "the database file or its folder is read-only",
    "unable to open database file": "cannot open the database file for writing (is it or its folder read-only?)",
}
_POSTGRES_UNWRITABLE = {
    "53100": "the server's disk is full",
    "25006": "the server is read-only (a standby, or default_transaction_read_only)",
    "42501": "the database user may not write",
}


def _unwritable(context: sa.engine.ExceptionContext) -> None:
    raise_if_unwritable(context.original_exception)


def raise_if_unwritable(error: BaseException) -> None:
    """Turn a write the database refuses for good into a one-line `StoreError` (for statements run on
    the driver's own connection, which the engine's hook does not see, such as PostgreSQL's COPY)."""
    message = str(error).strip().lower()
    why = next((why for key, why in _SQLITE_UNWRITABLE.items() if message.startswith(key)), None)
    why = why or _POSTGRES_UNWRITABLE.get(getattr(error, "sqlstate", None) or "")
    if why:
        raise StoreError(f"cannot write to the database: {why}") from None


def lock_for_writing(conn: Connection, key: int = WRITE_LOCK) -> None:
    """Serialise writers on PostgreSQL until the transaction ends (on SQLite, BEGIN IMMEDIATE does it)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def exclusive(db: Database, key: int, what: str) -> Iterator[None]:
    """Hold the one lock of its kind a database has, or `UsageError` (exit 2) if another process holds it.

    Both forms die with their process, however it ends (SIGKILL included), so a killed holder
    never leaves a stale lock: on SQLite an exclusive `flock` on a file next to the database
    (`NAME.db.lock-KEY`: SQLite's own locks last a transaction, not a process), on PostgreSQL a
    session-level advisory lock held by a connection kept open for the purpose.
    """
    if db.is_sqlite:
        import fcntl

        path = Path(make_url(db.url).database or "")
        lock_path = path.with_name(f"{path.name}.lock-{key:x}")
        with open(lock_path, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UsageError(f"{what} is already running on {path} (it holds {lock_path})") from None
            yield
        return
    with db.engine.connect() as conn:
        if not conn.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
            raise UsageError(f"{what} is already running on this database (it holds advisory lock {key})")
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            conn.commit()


# --- Alembic ------------------------------------------------------------------------------


def alembic_config(url: str | None = None, connection: Connection | None = None):
    """An Alembic Config for `store/migrations`, built in code; `connection` is used by env.py when given.

    For a new revision: `command.revision(alembic_config(url), message="...", autogenerate=True)`.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade_schema(db: Database) -> None:
    """Create or upgrade the schema to the head revision, in one transaction, if it is behind."""
    from alembic import command

    head = head_revision()
    with db.engine.connect() as conn:
        if current_revision(conn) == head:  # the common case: nothing to do, no lock taken
            return
    with db.engine.connect() as conn:
        conn.execution_options(sqlite_immediate=True)  # SQLite: hold the write lock from BEGIN on
        with without_foreign_keys(conn), conn.begin():
            lock_for_writing(conn, SCHEMA_LOCK)
            if current_revision(conn) != head:  # another process may have done it meanwhile
                command.upgrade(alembic_config(db.url, conn), "head")
                check_references(conn)


@contextmanager
def without_foreign_keys(conn: Connection) -> Iterator[None]:
    """Run a schema change on SQLite with foreign keys off (`check_references` before it commits).

    SQLite alters a table by copying it and dropping the old one, and with foreign keys on, the drop
    first deletes every row that refers to the old table (or sets its reference to NULL): altering
    `events` would empty `event_arguments` and `claims`. The pragma only takes effect outside a
    transaction, so it is set on the driver's connection before the change begins.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def check_references(conn: Connection) -> None:
    """`StoreError` if a schema change run without foreign keys left a row referring to nothing."""
    if conn.dialect.name == "sqlite":
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(3)
        if broken:
            raise StoreError(
                f"the schema change left rows referring to nothing (table, row, parent): {broken}"
            )
