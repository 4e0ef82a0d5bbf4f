"""Security watch: each event's distance to the corridor, and the alerts watch rules raise.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Adds to `events` the nearest corridor alignment and project site with their distances in km
(`alignment`, `alignment_km`, `site`, `site_km`), and creates `alerts` and `alert_deliveries`.
Events already stored with coordinates get their distances here, computed from their stored
place (`resolve.corridor.corridor_distance`), so an existing database needs no re-ingest.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
CORRIDOR = (("alignment", sa.Text), ("alignment_km", sa.Double), ("site", sa.Text), ("site_km", sa.Double))


def upgrade() -> None:
    for name, kind in CORRIDOR:
        op.add_column("events", sa.Column(name, kind(), nullable=True))
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("story", sa.Text(), nullable=False),
        sa.Column("articles", JSON, nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["ingest_runs.id"], name=op.f("fk_alerts_run_id_ingest_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_rule"), "alerts", ["rule"], unique=False)
    op.create_index(op.f("ix_alerts_run_id"), "alerts", ["run_id"], unique=False)
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_deliveries_alert_id_alerts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("alert_id", "destination", name=op.f("uq_alert_deliveries_alert_id_destination")),
    )
    op.create_index(op.f("ix_alert_deliveries_alert_id"), "alert_deliveries", ["alert_id"], unique=False)
    _backfill_distances()


def _backfill_distances() -> None:
    """Distances for the events stored before this revision, from their stored coordinates."""
    from beltwatch.model import Geo
    from beltwatch.resolve.corridor import corridor_distance

    # the table as this revision knows it, not as a later schema.py may define it
    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("lat", sa.Double),
        sa.column("lon", sa.Double),
        sa.column("precision", sa.Integer),
        *(sa.column(name, kind) for name, kind in CORRIDOR),
    )
    conn = op.get_bind()
    located = conn.execute(
        sa.select(events.c.id, events.c.lat, events.c.lon, events.c.precision).where(
            events.c.lat.is_not(None), events.c.lon.is_not(None)
        )
    ).all()
    for row in located:
        distance = corridor_distance(Geo("", "", row.lat, row.lon, None, None, row.precision or 1))
        if distance is not None:
            conn.execute(
                events.update()
                .where(events.c.id == row.id)
                .values(
                    alignment=distance.alignment,
                    alignment_km=distance.alignment_km,
                    site=distance.site,
                    site_km=distance.site_km,
                )
            )


def downgrade() -> None:
    op.drop_table("alert_deliveries")
    op.drop_table("alerts")
    with op.batch_alter_table("events") as batch:
        for name, _ in reversed(CORRIDOR):
            batch.drop_column(name)
