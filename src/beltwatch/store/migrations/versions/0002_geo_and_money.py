"""Places on the map and money in dollars: coordinates on article entities and events, USD on
amounts and events.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GEO = (("place_id", sa.Text), ("lat", sa.Double), ("lon", sa.Double), ("precision", sa.Integer), ("region", sa.Text))
USD = (("usd", sa.Double), ("usd_constant", sa.Double))
COLUMNS = {
    "article_entities": GEO,
    "events": GEO + USD,
    "amounts": USD + (("stated_disagrees", sa.Boolean),),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        for name, kind in columns:
            op.add_column(table, sa.Column(name, kind(), nullable=True))


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, _ in reversed(columns):
                batch.drop_column(name)
