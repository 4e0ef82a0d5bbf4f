"""The store: one schema for SQLite and PostgreSQL, Alembic migrations, writes and reads.

`open_database(url)` connects and brings the schema up to date; `writes` stores one article
per transaction; `reads` answers the query commands; `entities` maps article entities to
global ones.
"""

from beltwatch.store import corrections  # noqa: F401 - the corrections table joins the schema's metadata
from beltwatch.store.database import Database, open_database

__all__ = ["Database", "open_database"]
