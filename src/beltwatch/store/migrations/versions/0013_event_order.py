"""Each event keeps whether its version is current and the day it is listed at.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Event lists were sorted on the event's date, falling back to its article's publication, which no
index can serve: every request sorted every current event. `sort_day` (that day, or 9999-12-31 for an
undated event, which lists last) and `is_current` (the version's) let the lists be read in order from
an index; the writer keeps them, and this revision fills them for stored events.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("is_current", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.add_column(
            sa.Column("sort_day", sa.Date(), server_default=sa.text("'9999-12-31'"), nullable=False)
        )
    version = "(SELECT {} FROM article_versions v WHERE v.id = events.article_version_id)"
    op.execute(
        f"UPDATE events SET is_current = {version.format('is_current')},"
        f" sort_day = coalesce(date_start, {version.format('published')}, '9999-12-31')"
    )
    op.create_index("ix_events_current_day", "events", ["is_current", "sort_day"], unique=False)
    op.create_index("ix_events_current_type_day", "events", ["is_current", "type", "sort_day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_current_type_day", table_name="events")
    op.drop_index("ix_events_current_day", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("sort_day")
        batch.drop_column("is_current")
