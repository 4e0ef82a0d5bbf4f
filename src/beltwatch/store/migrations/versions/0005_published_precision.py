"""Publication dates at their precision: a source that gives only a month or a year says so.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

Adds `article_versions.published_precision` ("day", "month" or "year"). `published` keeps a
date column (the first day of the period), so ranges and sorting work as before; rows stored
before this revision were all read to the day.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("article_versions", sa.Column("published_precision", sa.String(length=5), nullable=True))
    op.execute("UPDATE article_versions SET published_precision = 'day' WHERE published IS NOT NULL")


def downgrade() -> None:
    op.drop_column("article_versions", "published_precision")
