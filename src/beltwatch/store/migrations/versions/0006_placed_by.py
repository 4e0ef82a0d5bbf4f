"""How each event got its place: its own sentence, or a fallback from its paragraph, dateline or article.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

Adds `events.placed_by` ("sentence", "paragraph", "dateline" or "article": `resolve.placement`).
Every event stored with a place before this revision was placed by its own location, so those
rows get "sentence"; events stored without a place get a fallback when their article is
ingested again after a change (an unchanged article is not extracted again).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("placed_by", sa.String(length=16), nullable=True))
    op.execute("UPDATE events SET placed_by = 'sentence' WHERE lat IS NOT NULL AND lon IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("placed_by")
