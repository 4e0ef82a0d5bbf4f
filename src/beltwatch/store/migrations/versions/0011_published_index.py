"""An index on publication dates, for the story step's reach.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Ingest re-clusters only the stored articles published near the new ones (`reads.story_scope`);
the index lets it find them without reading every version.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_article_versions_published"), "article_versions", ["published"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_article_versions_published"), table_name="article_versions")
