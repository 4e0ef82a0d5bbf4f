"""Each entity's number of current articles, kept at write time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

Adds `entities.articles`: how many articles name the entity in their current version. The writer
keeps it (and the role history) up to date from what each write adds and takes away
(`store.summaries`), so entity lists read a column instead of counting over all mentions. Existing
rows are counted here once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("entities", sa.Column("articles", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE entities SET articles = ("
        "SELECT COUNT(DISTINCT v.article_id) FROM article_entities e"
        " JOIN article_versions v ON v.id = e.article_version_id"
        " WHERE e.entity_id = entities.id AND v.is_current)"
    )


def downgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("articles")
