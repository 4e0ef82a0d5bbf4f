"""Initial schema: versioned articles, global entities, extractions with evidence, stories, runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-29

Search indexes depend on the database: SQLite gets FTS5 tables (`article_fts` over the
versions' title and text, as an external-content table of `article_versions`, and
`entity_fts` over entity names and aliases), PostgreSQL a GIN index on the versions'
`to_tsvector`. The writer keeps the FTS5 tables in sync.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)

# Kept literally equal to `store.reads.PG_ARTICLE_TSVECTOR`, so that queries use the index.
PG_ARTICLE_TSVECTOR = "to_tsvector('english', coalesce(title, '') || ' ' || text)"


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    other = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{other}"), ondelete=ondelete
    )


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _evidence() -> list[sa.Column]:
    return [
        sa.Column("sentence_start", sa.Integer(), nullable=True),
        sa.Column("sentence_end", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "ingest_runs",
        _id(),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("sources", JSON, nullable=False),
        sa.Column("new", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duplicates", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        _pk("ingest_runs"),
    )
    op.create_table(
        "ingest_errors",
        _id(),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("ingest_errors", "run_id", "ingest_runs.id"),
        _pk("ingest_errors"),
    )
    _index("ingest_errors", "run_id")

    op.create_table(
        "sources",
        _id(),
        sa.Column("name", sa.Text(), nullable=False),
        _pk("sources"),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "articles",
        _id(),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _pk("articles"),
        sa.UniqueConstraint("key", name=op.f("uq_articles_key")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    op.create_table(
        "article_versions",
        _id(),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("superseded_at", TIMESTAMP, nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("boilerplate_removed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("signal", JSON, nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _fk("article_versions", "article_id", "articles.id"),
        _fk("article_versions", "run_id", "ingest_runs.id", "SET NULL"),
        _fk("article_versions", "source_id", "sources.id", "SET NULL"),
        _fk("article_versions", "superseded_by", "article_versions.id", "SET NULL"),
        _pk("article_versions"),
        sa.UniqueConstraint("article_id", "version", name=op.f("uq_article_versions_article_id_version")),
    )
    _index("article_versions", "article_id", "run_id", "source_id", "superseded_by")
    op.create_index(
        "uq_article_versions_current",
        "article_versions",
        ["article_id"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )

    op.create_table(
        "entities",
        _id(),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("norm_name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _pk("entities"),
        sa.UniqueConstraint("type", "norm_name", name=op.f("uq_entities_type_norm_name")),
    )
    op.create_table(
        "aliases",
        _id(),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("norm_alias", sa.Text(), nullable=False),
        _fk("aliases", "entity_id", "entities.id"),
        _pk("aliases"),
        sa.UniqueConstraint("entity_id", "norm_alias", name=op.f("uq_aliases_entity_id_norm_alias")),
    )
    _index("aliases", "entity_id", "norm_alias")

    op.create_table(
        "article_entities",
        _id(),
        sa.Column("article_version_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("aliases", JSON, nullable=False),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=True),
        _fk("article_entities", "article_version_id", "article_versions.id"),
        _fk("article_entities", "entity_id", "entities.id"),
        _pk("article_entities"),
    )
    _index("article_entities", "article_version_id", "entity_id")

    op.create_table(
        "mentions",
        _id(),
        sa.Column("article_version_id", sa.Integer(), nullable=False),
        sa.Column("article_entity_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        *_evidence(),
        _fk("mentions", "article_entity_id", "article_entities.id"),
        _fk("mentions", "article_version_id", "article_versions.id"),
        _fk("mentions", "entity_id", "entities.id"),
        _pk("mentions"),
    )
    _index("mentions", "article_entity_id", "article_version_id", "entity_id")

    op.create_table(
        "amounts",
        _id(),
        sa.Column("article_version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("usd_stated", sa.Double(), nullable=True),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        *_evidence(),
        _fk("amounts", "article_version_id", "article_versions.id"),
        _pk("amounts"),
    )
    _index("amounts", "article_version_id")

    op.create_table(
        "events",
        _id(),
        sa.Column("article_version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("location_entity_id", sa.Integer(), nullable=True),
        sa.Column("arguments", JSON, nullable=False),
        *_evidence(),
        _fk("events", "article_version_id", "article_versions.id"),
        _fk("events", "location_entity_id", "entities.id", "SET NULL"),
        _pk("events"),
    )
    _index("events", "article_version_id", "date_start", "location_entity_id", "type")

    op.create_table(
        "event_arguments",
        _id(),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        *_evidence(),
        _fk("event_arguments", "entity_id", "entities.id", "SET NULL"),
        _fk("event_arguments", "event_id", "events.id"),
        _pk("event_arguments"),
    )
    _index("event_arguments", "entity_id", "event_id")

    op.create_table(
        "claims",
        _id(),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("article_version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("claimant", sa.Text(), nullable=False),
        sa.Column("claimant_entity_id", sa.Integer(), nullable=True),
        sa.Column("killed", sa.Integer(), nullable=True),
        sa.Column("injured", sa.Integer(), nullable=True),
        _fk("claims", "article_version_id", "article_versions.id"),
        _fk("claims", "claimant_entity_id", "entities.id", "SET NULL"),
        _fk("claims", "event_id", "events.id"),
        _pk("claims"),
    )
    _index("claims", "article_version_id", "claimant_entity_id", "event_id")

    op.create_table(
        "stories",
        _id(),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("first_published", sa.Date(), nullable=True),
        sa.Column("last_published", sa.Date(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        _pk("stories"),
        sa.UniqueConstraint("key", name=op.f("uq_stories_key")),
    )
    op.create_table(
        "story_members",
        _id(),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("article_version_id", sa.Integer(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("duplicate_kind", sa.String(length=8), nullable=True),
        _fk("story_members", "article_id", "articles.id"),
        _fk("story_members", "article_version_id", "article_versions.id"),
        _fk("story_members", "duplicate_of", "articles.id", "SET NULL"),
        _fk("story_members", "story_id", "stories.id"),
        _pk("story_members"),
        sa.UniqueConstraint("article_id", name=op.f("uq_story_members_article_id")),
    )
    _index("story_members", "article_version_id", "duplicate_of", "story_id")

    op.create_table(
        "role_history",
        _id(),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.Column("last_seen", sa.Date(), nullable=True),
        sa.Column("evidence_version_id", sa.Integer(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        _fk("role_history", "entity_id", "entities.id"),
        _fk("role_history", "evidence_version_id", "article_versions.id"),
        _pk("role_history"),
        sa.UniqueConstraint("entity_id", "role", name=op.f("uq_role_history_entity_id_role")),
    )
    _index("role_history", "entity_id", "evidence_version_id")

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5("
            "title, text, content='article_versions', content_rowid='id',"
            " tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE VIRTUAL TABLE entity_fts USING fts5("
            "name, aliases, tokenize='unicode61 remove_diacritics 2')"
        )
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_article_versions_tsv ON article_versions USING gin ({PG_ARTICLE_TSVECTOR})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS entity_fts")
        op.execute("DROP TABLE IF EXISTS article_fts")
    for table in (
        "role_history",
        "story_members",
        "stories",
        "claims",
        "event_arguments",
        "events",
        "amounts",
        "mentions",
        "article_entities",
        "aliases",
        "entities",
        "article_versions",
        "articles",
        "sources",
        "ingest_errors",
        "ingest_runs",
    ):
        op.drop_table(table)  # their indexes go with them
