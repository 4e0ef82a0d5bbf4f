"""What each project record is updated from: its tally.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

The writer used to recompute a record from all its facts whenever an article named the project, so
storing grew with the number of reports of the most reported projects. The tally (`store.projects.Tally`)
holds what the record's fields are computed from; a write folds the new facts into it. A record without
a tally (every record of an older store) is recomputed from its facts the first time a write touches it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("tally", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("tally")
