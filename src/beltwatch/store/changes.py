"""The count of writes the views read (`schema.store_changes`, revision 0017): what a view computed
from the store is kept by, and is computed again when it has moved."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from beltwatch.store.schema import store_changes


def note_change(conn: Connection) -> None:
    """One more write, in the writer's transaction: a reader sees it with the rows it wrote."""
    conn.execute(store_changes.update().values(changes=store_changes.c.changes + 1))


def stamp(conn: Connection) -> tuple[str, int]:
    """The database's own id and its count of changes. Read before the rows a view is computed from:
    the view then holds at least every change counted (a change made meanwhile counts again)."""
    row = conn.execute(store_changes.select()).one()
    return row.store, row.changes
