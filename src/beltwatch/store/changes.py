"""The writes the views read (`schema.store_changes`, revision 0017): what a view computed from the
store is kept by, and is computed again when it has moved."""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Connection

from beltwatch.store.schema import store_changes


def note_change(conn: Connection) -> None:
    """One more write, in the writer's transaction: a reader sees it with the rows it wrote. The state
    is drawn afresh, so that one rolled back, which a reader inside its transaction may have seen, is
    never the store's state again."""
    conn.execute(store_changes.update().values(changes=store_changes.c.changes + 1, state=uuid.uuid4().hex))


def stamp(conn: Connection) -> tuple[str, int]:
    """The store's state and its count of changes. Read before the rows a view is computed from: the
    view then holds at least every change counted (a change made meanwhile draws another state)."""
    row = conn.execute(store_changes.select()).one()
    return row.state, row.changes
