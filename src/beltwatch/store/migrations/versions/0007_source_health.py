"""Following outlets: each source's health and the items it listed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

Creates `source_health` (one row per outlet of a `beltwatch follow` sources file: polls, errors,
backoff, Retry-After, feed validators) and `source_items` (every item an outlet listed, by canonical URL, and
what became of it).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "source_health",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("first_poll_at", TIMESTAMP, nullable=True),
        sa.Column("last_poll_at", TIMESTAMP, nullable=True),
        sa.Column("last_success_at", TIMESTAMP, nullable=True),
        sa.Column("last_error_at", TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_poll_at", TIMESTAMP, nullable=True),
        sa.Column("not_before", TIMESTAMP, nullable=True),
        sa.Column("validators", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_health")),
        sa.UniqueConstraint("name", name=op.f("uq_source_health_name")),
    )
    op.create_table(
        "source_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("published_at", TIMESTAMP, nullable=True),
        sa.Column("seen_at", TIMESTAMP, nullable=False),
        sa.Column("stored_at", TIMESTAMP, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source_health.id"], name=op.f("fk_source_items_source_id_source_health"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_items")),
        sa.UniqueConstraint("source_id", "url", name=op.f("uq_source_items_source_id_url")),
    )
    op.create_index(op.f("ix_source_items_source_id"), "source_items", ["source_id"], unique=False)


def downgrade() -> None:
    op.drop_table("source_items")
    op.drop_table("source_health")
