"""The financing ledger's totals and the events per entity and country kept at write time, and undated
events in the month counts.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

The overview and the finance page summed every current financing event on each request, and the
overview counted every event by type. `financing_totals` keeps the dollars per lender, recipient and
year (and how many events have none) as `event_months` keeps the months; `event_months` now counts
events with no date at all in the month "", so that its rows add up to every current event.
`event_counts` keeps the events naming each entity and placed in each country, by type, which an
event list for one entity or country counted on each request. All are counted here once from the
stored events. The lists' indexes on (current, day) and (current, type, day) end with the span's
end as well, so that a date window is counted from them alone, and the arguments' index on the
entity holds the event too, so that an entity's events are read from it alone. On PostgreSQL each
version keeps its title and text's tsvector (`search_vector`, indexed in place of the expression):
search ranked every matching article by computing it again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as revision 0001 indexed it
PG_ARTICLE_TSVECTOR = "to_tsvector('english', coalesce(title, '') || ' ' || text)"


def upgrade() -> None:
    from beltwatch.store.summaries import rebuild_event_summaries

    op.create_table(
        "financing_totals",
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("usd", sa.Double(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "key", name=op.f("pk_financing_totals")),
    )
    op.create_table(
        "event_counts",
        sa.Column("dimension", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "key", "type", name=op.f("pk_event_counts")),
    )
    rebuild_event_summaries(op.get_bind())
    _index_days(["date_end"])
    op.drop_index("ix_event_arguments_entity_id", table_name="event_arguments")
    op.create_index("ix_event_arguments_entity_event", "event_arguments", ["entity_id", "event_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_article_versions_tsv", table_name="article_versions")
        op.execute(
            "ALTER TABLE article_versions ADD COLUMN search_vector tsvector"
            f" GENERATED ALWAYS AS ({PG_ARTICLE_TSVECTOR}) STORED"
        )
        op.execute("CREATE INDEX ix_article_versions_tsv ON article_versions USING gin (search_vector)")


def _index_days(then: list[str]) -> None:
    """The lists' indexes on (current, day) and (current, type, day), made again with `then` after the day."""
    op.drop_index("ix_events_current_type_day", table_name="events")
    op.drop_index("ix_events_current_day", table_name="events")
    op.create_index("ix_events_current_day", "events", ["is_current", "sort_day", *then])
    op.create_index("ix_events_current_type_day", "events", ["is_current", "type", "sort_day", *then])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_article_versions_tsv", table_name="article_versions")
        op.drop_column("article_versions", "search_vector")
        op.execute(f"CREATE INDEX ix_article_versions_tsv ON article_versions USING gin ({PG_ARTICLE_TSVECTOR})")
    _index_days([])
    op.drop_index("ix_event_arguments_entity_event", table_name="event_arguments")
    op.create_index("ix_event_arguments_entity_id", "event_arguments", ["entity_id"])
    op.drop_table("event_counts")
    op.drop_table("financing_totals")
    op.execute("DELETE FROM event_months WHERE month = ''")
