"""The project registry: projects and the facts each article gives about them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

Adds `projects` (one row per project, its state kept by the writer) and `project_facts` (what each
current article version says about a project, with its event and sentence). The writer fills them
for the articles it stores from now on (`store.projects`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("programme", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("sector", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("status_date", sa.String(length=10), nullable=True),
        sa.Column("confidence", sa.String(length=16), nullable=True),
        sa.Column("cost_usd", sa.Double(), nullable=True),
        sa.Column("committed_usd", sa.Double(), nullable=True),
        sa.Column("articles", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_reported", sa.Date(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("precision", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["projects.id"], name=op.f("fk_projects_parent_id_projects"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("key", name=op.f("uq_projects_key")),
    )
    for column in ("programme", "parent_id", "country", "status"):
        op.create_index(op.f(f"ix_projects_{column}"), "projects", [column])
    op.create_table(
        "project_facts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("article_version_id", sa.Integer(), nullable=False),
        sa.Column("event_position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("sentence_start", sa.Integer(), nullable=True),
        sa.Column("sentence_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_version_id"], ["article_versions.id"],
            name=op.f("fk_project_facts_article_version_id_article_versions"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_facts_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_facts")),
    )
    for column in ("project_id", "article_version_id"):
        op.create_index(op.f(f"ix_project_facts_{column}"), "project_facts", [column])


def downgrade() -> None:
    op.drop_table("project_facts")
    op.drop_table("projects")
