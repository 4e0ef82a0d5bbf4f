"""The database schema, one for SQLite and PostgreSQL (SQLAlchemy Core).

Articles are versioned: `articles` is the logical article (its id and URL), `article_versions`
holds every text ever ingested for it, exactly one of them current; a changed text adds a
version and marks the previous one superseded. Everything extracted from a text hangs off its
version, with character offsets into that version's cleaned text: `char_start`/`char_end` of the
span itself and `sentence_start`/`sentence_end` of the sentence that states it (its evidence).

`entities` are global: one row per real-world entity across the whole database, linked to
each article's own view of it (`article_entities`). Search indexes are not tables here:
SQLite gets FTS5 virtual tables (`article_fts`, `entity_fts`), PostgreSQL a stored generated
`tsvector` column on the versions (`search_vector`) with a GIN index; the migrations create them
and `store.writes` keeps the FTS5 ones in sync (PostgreSQL computes its column itself). An event's
`search_text` is indexed by trigrams, so that a filter on any part of a word finds it without
reading every event: SQLite in the contentless FTS5 table `event_fts` (trigram tokenizer),
PostgreSQL with pg_trgm's GIN index `ix_events_search_text`.

A change to this module needs a new Alembic revision in `store/migrations/versions`;
`tests/test_store.py` fails when the migrated database and this metadata disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

# Deterministic constraint names, so later migrations (and SQLite batch mode) can name them.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Json = sa.JSON().with_variant(JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _fk(
    name: str, target: str, nullable: bool = False, ondelete: str | None = "CASCADE", index: bool = True
) -> sa.Column:
    return sa.Column(
        name, sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
    )


def _geo() -> list[sa.Column]:
    """Where a place or an event is (revision 0002): gazetteer id, coordinates, precision 1-4, region."""
    return [
        sa.Column("place_id", sa.Text),
        sa.Column("lat", sa.Double),
        sa.Column("lon", sa.Double),
        sa.Column("precision", sa.Integer),
        sa.Column("region", sa.Text),
    ]


def _usd() -> list[sa.Column]:
    """Money in US dollars at the fact's date, and in constant 2023 dollars (revision 0002)."""
    return [sa.Column("usd", sa.Double), sa.Column("usd_constant", sa.Double)]


def _corridor() -> list[sa.Column]:
    """How far an event's place is from the corridor (revision 0004): nearest alignment and project site, km."""
    return [
        sa.Column("alignment", sa.Text),
        sa.Column("alignment_km", sa.Double),
        sa.Column("site", sa.Text),
        sa.Column("site_km", sa.Double),
    ]


def _evidence() -> list[sa.Column]:
    """The sentence stating a fact: offsets into the version's cleaned text."""
    return [sa.Column("sentence_start", sa.Integer), sa.Column("sentence_end", sa.Integer)]


ingest_runs = sa.Table(
    "ingest_runs",
    metadata,
    _id(),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("finished_at", Timestamp),  # NULL: still running, or killed
    sa.Column("sources", Json, nullable=False),  # the SOURCE arguments as given
    sa.Column("new", sa.Integer, nullable=False, server_default="0"),
    sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
    sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
)

ingest_errors = sa.Table(
    "ingest_errors",
    metadata,
    _id(),
    _fk("run_id", "ingest_runs.id"),
    sa.Column("source", sa.Text, nullable=False),  # file, URL or feed item that failed
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

sources = sa.Table(
    "sources",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False, unique=True),  # the outlet, as the page or sidecar names it
)

articles = sa.Table(
    "articles",
    metadata,
    _id(),
    sa.Column("key", sa.Text, nullable=False, unique=True),  # the article id (file stem, feed guid, ...)
    sa.Column("url", sa.Text, unique=True),
    sa.Column("created_at", Timestamp, nullable=False),
)

article_versions = sa.Table(
    "article_versions",
    metadata,
    _id(),
    _fk("article_id", "articles.id"),
    sa.Column("version", sa.Integer, nullable=False),  # 1, 2, ... per article
    sa.Column("content_hash", sa.String(64), nullable=False),  # sha256 of the cleaned text
    sa.Column("is_current", sa.Boolean, nullable=False),
    sa.Column("superseded_at", Timestamp),
    _fk("superseded_by", "article_versions.id", nullable=True, ondelete="SET NULL"),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text, nullable=False),  # cleaned text: every offset points into it
    sa.Column("published", sa.Date, index=True),  # the first day of the period when the source gives a month or a year (index: revision 0011)
    sa.Column("published_precision", sa.String(5)),  # "day", "month" or "year" (revision 0005)
    sa.Column("language", sa.String(16)),
    _fk("source_id", "sources.id", nullable=True, ondelete="SET NULL"),
    sa.Column("url", sa.Text),
    sa.Column("origin", sa.Text),  # the file path or URL it was read from
    sa.Column("boilerplate_removed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("signal", Json),  # model.StorySignal without its text, for the story stage
    _fk("run_id", "ingest_runs.id", nullable=True, ondelete="SET NULL"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("article_id", "version"),
)
sa.Index(
    "uq_article_versions_current",
    article_versions.c.article_id,
    unique=True,
    sqlite_where=article_versions.c.is_current,
    postgresql_where=article_versions.c.is_current,
)

entities = sa.Table(
    "entities",
    metadata,
    _id(),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("name", sa.Text, nullable=False),  # canonical spelling: the first full name seen
    sa.Column("norm_name", sa.Text, nullable=False),  # case-folded, no diacritics or punctuation
    sa.Column("country", sa.String(2)),
    sa.Column("kind", sa.String(32)),
    sa.Column("created_at", Timestamp, nullable=False),
    # current articles naming it (revision 0008), kept by the writer (store.summaries)
    sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
    # a PERSON's last word when the name has more than one (revision 0015), kept by the resolver: the
    # full names with a surname are found through its index, not by matching the end of every name
    sa.Column("surname", sa.Text),
    sa.UniqueConstraint("type", "norm_name"),
)
sa.Index("ix_entities_type_surname", entities.c.type, entities.c.surname)

aliases = sa.Table(
    "aliases",
    metadata,
    _id(),
    _fk("entity_id", "entities.id"),
    sa.Column("alias", sa.Text, nullable=False),
    sa.Column("norm_alias", sa.Text, nullable=False, index=True),
    sa.UniqueConstraint("entity_id", "norm_alias"),
)


def fuzzy_block(norm: sa.ColumnElement[str]) -> tuple[sa.ColumnElement[Any], sa.ColumnElement[int]]:
    """A normalised name's first character and length: the resolver's fuzzy match only compares names that
    share the first and whose lengths are close (revision 0015 indexes both, as the queries write them,
    followed by what the match reads, so that the candidates come from the index alone)."""
    # literal numbers: an expression index serves only a query that writes the same expression
    one = sa.literal_column("1")
    return sa.func.substr(norm, one, one), sa.func.length(norm)


sa.Index("ix_entities_fuzzy", entities.c.type, *fuzzy_block(entities.c.norm_name), entities.c.norm_name)
sa.Index("ix_aliases_fuzzy", *fuzzy_block(aliases.c.norm_alias), aliases.c.norm_alias, aliases.c.entity_id)

article_entities = sa.Table(
    "article_entities",
    metadata,
    _id(),
    _fk("article_version_id", "article_versions.id"),
    _fk("entity_id", "entities.id"),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),  # as this article names it
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("aliases", Json, nullable=False),
    sa.Column("role", sa.Text),
    sa.Column("country", sa.String(2)),
    sa.Column("kind", sa.String(32)),
    *_geo(),
)

mentions = sa.Table(
    "mentions",
    metadata,
    _id(),
    _fk("article_version_id", "article_versions.id"),
    _fk("article_entity_id", "article_entities.id"),
    _fk("entity_id", "entities.id"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("char_start", sa.Integer, nullable=False),
    sa.Column("char_end", sa.Integer, nullable=False),
    *_evidence(),
)

amounts = sa.Table(
    "amounts",
    metadata,
    _id(),
    _fk("article_version_id", "article_versions.id"),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("usd_stated", sa.Double),
    sa.Column("char_start", sa.Integer, nullable=False),
    sa.Column("char_end", sa.Integer, nullable=False),
    *_evidence(),
    *_usd(),
    sa.Column("stated_disagrees", sa.Boolean),  # the stated conversion is over 5 % off the dated rate
)

events = sa.Table(
    "events",
    metadata,
    _id(),
    _fk("article_version_id", "article_versions.id"),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("type", sa.String(32), nullable=False, index=True),
    sa.Column("date", sa.String(10)),  # as extracted: YYYY-MM-DD, YYYY-MM or YYYY
    sa.Column("date_start", sa.Date, index=True),  # the span `date` covers, for range filters
    sa.Column("date_end", sa.Date),
    sa.Column("location", sa.Text),
    _fk("location_entity_id", "entities.id", nullable=True, ondelete="SET NULL"),
    sa.Column("arguments", Json, nullable=False),  # every argument as extracted
    *_evidence(),
    *_geo(),
    *_usd(),
    *_corridor(),
    # what tied the event to its place (revision 0006): "sentence", or a fallback (resolve.placement)
    sa.Column("placed_by", sa.String(16)),
    # copies of its version's state and its list order (revision 0013), so that event lists are read in
    # order from an index: whether the version is current, and the day the event is listed at (its
    # date's first day, else its article's publication, else UNDATED, which sorts last)
    sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("sort_day", sa.Date, nullable=False, server_default=sa.text("'9999-12-31'")),
    # what a text filter reads (revision 0016): the sentence, the place and each argument's value,
    # casefolded, one to a line (`search_text`); indexed by trigrams (see the module docstring)
    sa.Column("search_text", sa.Text),
)
UNDATED = date(9999, 12, 31)
# with the span's end (0014), a date window is counted from the index alone
sa.Index("ix_events_current_day", events.c.is_current, events.c.sort_day, events.c.date_end)
sa.Index("ix_events_current_type_day", events.c.is_current, events.c.type, events.c.sort_day, events.c.date_end)

event_arguments = sa.Table(
    "event_arguments",
    metadata,
    _id(),
    _fk("event_id", "events.id"),
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # index within a list argument, else 0
    sa.Column("value", Json, nullable=False),
    sa.Column("value_text", sa.Text),  # the value as text, for filters
    # when it names an entity; indexed with the event (below)
    _fk("entity_id", "entities.id", nullable=True, ondelete="SET NULL", index=False),
    *_evidence(),
)
# an entity's events read from the index alone (0014), as a set or to test an event
sa.Index("ix_event_arguments_entity_event", event_arguments.c.entity_id, event_arguments.c.event_id)

claims = sa.Table(
    "claims",
    metadata,
    _id(),
    _fk("event_id", "events.id"),
    _fk("article_version_id", "article_versions.id"),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("claimant", sa.Text, nullable=False),
    _fk("claimant_entity_id", "entities.id", nullable=True, ondelete="SET NULL"),
    sa.Column("killed", sa.Integer),
    sa.Column("injured", sa.Integer),
)

stories = sa.Table(
    "stories",
    metadata,
    _id(),
    sa.Column("key", sa.Text, nullable=False, unique=True),  # the story stage's id
    sa.Column("title", sa.Text),
    sa.Column("first_published", sa.Date),
    sa.Column("last_published", sa.Date),
    sa.Column("size", sa.Integer, nullable=False),
)

story_members = sa.Table(
    "story_members",
    metadata,
    _id(),
    _fk("story_id", "stories.id"),
    sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    _fk("article_version_id", "article_versions.id"),  # the version the assignment was computed on
    _fk("duplicate_of", "articles.id", nullable=True, ondelete="SET NULL"),
    sa.Column("duplicate_kind", sa.String(8)),  # "exact" or "near"
)

role_history = sa.Table(
    "role_history",
    metadata,
    _id(),
    _fk("entity_id", "entities.id"),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("first_seen", sa.Date),  # publication dates of the articles that give the role
    sa.Column("last_seen", sa.Date),
    _fk("evidence_version_id", "article_versions.id"),  # the earliest article stating it
    sa.Column("articles", sa.Integer, nullable=False),
    sa.UniqueConstraint("entity_id", "role"),
)

# Events per month and type (revision 0009): the timeline's counts, kept at write time over the current
# versions' events as stored (`store.summaries`); corrections are applied when read (`queries`). A
# month is an event's date when it names one, else its article's publication month, else "" (0014).
event_months = sa.Table(
    "event_months",
    metadata,
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("type", sa.String(32), primary_key=True),
    sa.Column("events", sa.Integer, nullable=False),
)

# The financing ledger's totals (revision 0014), kept like `event_months`: per dimension ("lender",
# "recipient", "year") and key, the dollars of the current FINANCING events with a dollar figure and
# how many they are; ("unpriced", "") counts those without one.
financing_totals = sa.Table(
    "financing_totals",
    metadata,
    sa.Column("dimension", sa.String(16), primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("usd", sa.Double, nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
)

# Events per entity and per country, by type (revision 0014), kept like `event_months` over the events
# as stored: ("entity", id) counts the events naming the entity as their place, an argument or a
# claimant; ("country", code) those placed in the country by their place or a place among their
# arguments. The event lists' totals for one entity or one country read them.
event_counts = sa.Table(
    "event_counts",
    metadata,
    sa.Column("dimension", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(32), primary_key=True),
    sa.Column("events", sa.Integer, nullable=False),
)

# Writes the views read (revision 0017): storing articles, computing stories and recording corrections
# each add one to `changes` and draw a new `state` in their transaction (`store.changes`), so that a
# view computed from the store holds until the next one (`risk`). A state is never drawn twice: not by
# another database at the same URL, nor after a write that was rolled back.
store_changes = sa.Table(
    "store_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("changes", sa.BigInteger, nullable=False),
)

# Alerts (revision 0004): what `beltwatch watch` and `ingest --rules` raised, one row per alert. A story
# is followed by the article keys it had when alerted (`articles`), because a story's key changes
# when an earlier report joins it; `fingerprint` hashes the figures the alert reported, so a
# changed figure raises one `update` and nothing else raises anything again.
alerts = sa.Table(
    "alerts",
    metadata,
    _id(),
    sa.Column("rule", sa.Text, nullable=False, index=True),
    sa.Column("story", sa.Text, nullable=False),  # the story key when alerted
    sa.Column("articles", Json, nullable=False),  # the story's article keys when alerted
    sa.Column("event_type", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # "new" or "update"
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("payload", Json, nullable=False),  # the alert as delivered
    _fk("run_id", "ingest_runs.id", nullable=True, ondelete="SET NULL"),  # the ingest run that raised it
    sa.Column("created_at", Timestamp, nullable=False),
)

# Where each alert goes besides standard output (a webhook URL or a JSON Lines file) and how far it got.
alert_deliveries = sa.Table(
    "alert_deliveries",
    metadata,
    _id(),
    _fk("alert_id", "alerts.id"),
    sa.Column("destination", sa.Text, nullable=False),
    # "pending", "delivered" or "failed" (refused for good)
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.UniqueConstraint("alert_id", "destination"),
)

# What `beltwatch follow` knows of each outlet of its sources file (revision 0007): when it was polled,
# when that last went well, the last error, how many polls failed in a row (the backoff), when it is
# due again, until when its server asked to be left alone, and the ETag/Last-Modified of each feed as of the last poll whose items were all stored.
source_health = sa.Table(
    "source_health",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False, unique=True),  # as the sources file names the outlet
    sa.Column("first_poll_at", Timestamp),
    sa.Column("last_poll_at", Timestamp),
    sa.Column("last_success_at", Timestamp),
    sa.Column("last_error_at", Timestamp),
    sa.Column("last_error", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),  # in a row
    sa.Column("next_poll_at", Timestamp),
    sa.Column("not_before", Timestamp),  # the end of the wait a server asked for (Retry-After)
    sa.Column("validators", Json, nullable=False),  # {feed URL: {"etag": ..., "last_modified": ...}}
)

# Every item an outlet listed, by its canonical URL, once: what became of it (`outcome`: the store's
# new/updated/unchanged, "known" when another feed brought it first, "failed") and when.
source_items = sa.Table(
    "source_items",
    metadata,
    _id(),
    _fk("source_id", "source_health.id"),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("published_at", Timestamp),  # as the feed gives it
    sa.Column("seen_at", Timestamp, nullable=False),
    sa.Column("stored_at", Timestamp),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),  # why the feed's text stands in for the page, or why it failed
    sa.UniqueConstraint("source_id", "url"),
)

# The project registry (revision 0010): one row per project (beltwatch.projects), its state kept by the
# writer from the facts of the current article versions that concern it (`store.projects`).
projects = sa.Table(
    "projects",
    metadata,
    _id(),
    sa.Column("key", sa.Text, nullable=False, unique=True),  # ProjectRef.key: the normalised canonical name
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("programme", sa.Text, index=True),  # the umbrella programme it is counted in
    _fk("parent_id", "projects.id", nullable=True, ondelete="SET NULL"),  # the project it is a part of
    sa.Column("country", sa.String(2), index=True),
    sa.Column("sector", sa.String(16)),
    sa.Column("status", sa.String(32), index=True),  # the latest well-supported state
    sa.Column("status_date", sa.String(10)),
    sa.Column("confidence", sa.String(16)),  # "confirmed", "reported" or "disputed"
    sa.Column("cost_usd", sa.Double),  # the latest reported cost
    sa.Column("committed_usd", sa.Double),  # financing committed, each commitment once
    sa.Column("articles", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_reported", sa.Date),
    sa.Column("lat", sa.Double),
    sa.Column("lon", sa.Double),
    sa.Column("precision", sa.Integer),
    sa.Column("tally", Json),  # store.projects.Tally: what new facts update the record from (revision 0012)
    sa.Column("updated_at", Timestamp, nullable=False),
)

# What each current article version says about a project: one row per fact (model.ProjectFact), tied to
# its event (by position) and sentence.
project_facts = sa.Table(
    "project_facts",
    metadata,
    _id(),
    _fk("project_id", "projects.id"),
    _fk("article_version_id", "article_versions.id"),
    sa.Column("event_position", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", Json, nullable=False),
    sa.Column("date", sa.String(10)),
    *_evidence(),
)

# Search indexes that the migration creates outside this metadata (see the module docstring).
SEARCH_TABLES = ("article_fts", "entity_fts", "event_fts")
SEARCH_INDEXES = ("ix_article_versions_tsv", "ix_events_search_text")
SEARCH_COLUMNS = ("search_vector",)  # PostgreSQL's stored tsvector of a version's title and text (0014)


def include_object(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """Alembic autogenerate filter: leave the FTS5 tables (and shadow tables) and the tsvector column
    and index alone."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLES):
        return False
    if type_ == "column" and name in SEARCH_COLUMNS:
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)
