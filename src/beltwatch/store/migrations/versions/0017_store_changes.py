"""A count of the writes the views read, so that the risk view is computed once per change.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

The risk view merged every ATTACK report of its two windows on every request (50,156 at 504,000
articles). Whether anything it reads has changed since it was last computed is one row here:
`changes`, which storing articles, computing stories and recording corrections add one to in their
own transaction, and `state`, which each of them draws afresh (a write rolled back leaves no state
behind that a later one could repeat). A later revision that rewrites rows the views read does the
same.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "store_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_changes")),
    )
    op.bulk_insert(table, [{"id": 1, "state": uuid.uuid4().hex, "changes": 0}])


def downgrade() -> None:
    op.drop_table("store_changes")
