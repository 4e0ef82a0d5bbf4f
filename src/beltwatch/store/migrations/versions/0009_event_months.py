"""Events per month and type, kept at write time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

Adds `event_months`: how many current events of each type fall in each month (an event's own date
when it names a month, else its article's publication month). The writer keeps it up to date from
what each write adds and supersedes (`store.summaries`), so the timeline reads a few hundred rows
instead of every event. Existing events are counted here once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from beltwatch.store.schema import event_months
    from beltwatch.store.summaries import rebuild_event_summaries

    op.create_table(
        "event_months",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "type", name=op.f("pk_event_months")),
    )
    rebuild_event_summaries(op.get_bind(), [event_months])


def downgrade() -> None:
    op.drop_table("event_months")
