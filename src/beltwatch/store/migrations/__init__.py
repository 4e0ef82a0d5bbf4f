"""Alembic migrations of the beltwatch schema, run programmatically by `store.database.upgrade_schema`."""
