"""The resolver finds people by surname and fuzzy candidates through indexes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

Each batch the writer stored looked up the full names with a surname by matching the end of every
PERSON's name (`LIKE '% sharif'`, which no index serves), and fetched every PERSON and ORG name and
alias sharing a first character with a new name to score it: both grew with the store. A PERSON
whose name has more than one word keeps its last word (`surname`, indexed with the type; filled
here for the stored people), and names (with their type) and aliases are indexed on their first
character and length, which bound the fuzzy candidates (`store.entities`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from beltwatch.store.entities import surname_of
    from beltwatch.store.schema import fuzzy_block

    with op.batch_alter_table("entities") as batch:
        batch.add_column(sa.Column("surname", sa.Text(), nullable=True))
    conn = op.get_bind()
    people = conn.execute(sa.text("SELECT id, norm_name FROM entities WHERE type = 'PERSON'")).all()
    surnames = [{"id": p.id, "surname": surname_of(p.norm_name)} for p in people]
    filled = [s for s in surnames if s["surname"] is not None]
    if filled:
        conn.execute(sa.text("UPDATE entities SET surname = :surname WHERE id = :id"), filled)
    op.create_index("ix_entities_type_surname", "entities", ["type", "surname"])
    op.create_index("ix_entities_fuzzy", "entities", ["type", *fuzzy_block(sa.column("norm_name")), "norm_name"])
    op.create_index(
        "ix_aliases_fuzzy", "aliases", [*fuzzy_block(sa.column("norm_alias")), "norm_alias", "entity_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_aliases_fuzzy", table_name="aliases")
    op.drop_index("ix_entities_fuzzy", table_name="entities")
    op.drop_index("ix_entities_type_surname", table_name="entities")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("surname")
