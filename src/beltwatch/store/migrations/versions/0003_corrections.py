"""Corrections: analysts' versioned records of what they marked wrong, edited or merged.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

The table is defined in `beltwatch.store.corrections` on the schema's metadata. Corrections are
keyed by the article key and event position and type, or by the entity type and normalised
name, so they survive re-ingest; nothing references them, and they reference nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Loading this revision (Alembic loads every revision to find the head, which `open_database` does
# before anything else) puts the corrections table on the schema's metadata, so that the metadata
# and a migrated database agree even where nothing else imported `store.corrections`.
import beltwatch.store.corrections  # noqa: F401

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target", sa.String(length=8), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("article_key", sa.Text(), nullable=True),
        sa.Column("event_position", sa.Integer(), nullable=True),
        sa.Column("event_type", sa.String(length=32), nullable=True),
        sa.Column("entity_type", sa.String(length=16), nullable=True),
        sa.Column("entity_norm_name", sa.Text(), nullable=True),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("token_name", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
        sa.UniqueConstraint("key", "field", "version", name=op.f("uq_corrections_key_field_version")),
    )
    op.create_index(op.f("ix_corrections_key"), "corrections", ["key"], unique=False)
    op.create_index(op.f("ix_corrections_article_key"), "corrections", ["article_key"], unique=False)


def downgrade() -> None:
    op.drop_table("corrections")  # its indexes go with it
