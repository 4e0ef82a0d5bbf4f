"""The store on real databases (SQLite file and PostgreSQL server): schema, versions, entities, stories.

These tests write hand-made extractions, so they need no language model and pin the store's
own rules (which version is current, which spellings are one person) independently of what
the extractor finds today. `test_ingest.py` runs the whole pipeline on corpus articles.
"""

from __future__ import annotations

import random
import sqlite3
import warnings
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from rapidfuzz import fuzz
from sqlalchemy.schema import CreateIndex

from beltwatch.errors import UsageError
from beltwatch.model import (
    Article,
    ArticleMeta,
    Entity,
    Event,
    Evidence,
    Extraction,
    Mention,
    StoryAssignment,
)
from beltwatch.settings import DEFAULT_DB, Settings
from beltwatch.store import corrections, open_database, queries, reads, writes
from beltwatch.store.database import alembic_config, current_revision, head_revision, without_foreign_keys
from beltwatch.store.entities import FUZZY_CUTOFF, EntityResolver, _Global, fuzzy_lengths, normalise
from beltwatch.store.schema import (
    aliases,
    article_versions,
    entities,
    event_counts,
    event_months,
    events,
    financing_totals,
    include_object,
    metadata,
    role_history,
    stories,
    story_members,
)
from beltwatch.store.summaries import EventTally, rebuild_event_summaries, rebuild_summaries
from beltwatch.stories import signal_of
from conftest import BACKENDS, fresh_database

# --- building extractions by hand ---------------------------------------------------------------


def _sentence(text: str, start: int) -> Evidence:
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", start)
    e = len(text) if e < 0 else e
    return Evidence(text[s:e], s, e)


def person(
    text: str, name: str, role: str | None = None, *also: str, type: str = "PERSON", **attrs
) -> Entity:
    """An entity with a mention at each place one of its spellings occurs in `text`."""
    found = []
    for spelling in (name, *also):
        at = text.find(spelling)
        while at >= 0:
            found.append(Mention(spelling, at, at + len(spelling), _sentence(text, at)))
            at = text.find(spelling, at + len(spelling))
    return Entity(name=name, type=type, aliases=list(also), role=role, mentions=found, **attrs)


def extraction(
    key: str,
    text: str,
    entities_: list[Entity] = (),
    events_: list[Event] = (),
    published: str | None = None,
    url: str | None = None,
) -> Extraction:
    meta = ArticleMeta(
        published=published, url=url, source="Test Wire", language="en", title=text.split("\n")[0]
    )
    article = Article(id=key, text=text, meta=meta, origin=f"/test/{key}.txt")
    return Extraction(article, list(entities_), [], list(events_))


def statement(text: str, speaker: str, date: str | None = None) -> Event:
    at = text.find(speaker)
    args = {"speaker": speaker, "topic": "security"}
    if date:
        args["date"] = date
    return Event("STATEMENT", args, _sentence(text, max(at, 0)))


def store(db, ex: Extraction) -> writes.Stored:
    return writes.store_extraction(db, ex, signal_of(ex), run_id=None)


@pytest.fixture
def db(db_url):
    with open_database(db_url, writer=True) as database:
        yield database


# --- schema -----------------------------------------------------------------------------------


def test_a_new_database_is_created_at_the_head_revision_and_matches_the_schema(db):
    with db.engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        with warnings.catch_warnings():
            # neither reflects SQLite's indexes on expressions: they are compared below
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based")
            assert compare_metadata(context, metadata) == []
        tables = set(sa.inspect(conn).get_table_names())
        if db.is_sqlite:
            made = dict(conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")).all())
            declared = {
                index.name: str(CreateIndex(index).compile(dialect=conn.dialect)).strip()
                for table in metadata.sorted_tables
                for index in table.indexes
                if not all(isinstance(part, sa.Column) for part in index.expressions)
            }
            assert declared and {name: made.get(name) for name in declared} == declared
    assert {t.name for t in metadata.sorted_tables} <= tables
    if db.is_sqlite:
        assert {"article_fts", "entity_fts"} <= tables
    else:
        with db.engine.connect() as conn:
            index = conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_article_versions_tsv'")
            ).scalar_one()
            generated = conn.execute(
                sa.text(
                    "SELECT generation_expression FROM information_schema.columns"
                    " WHERE table_name = 'article_versions' AND column_name = 'search_vector'"
                )
            ).scalar_one()
        assert "search_vector" in index and "gin" in index.lower() and "to_tsvector" in generated


def test_opening_an_up_to_date_database_again_changes_nothing(db_url):
    with open_database(db_url) as first, first.engine.connect() as conn:
        before = current_revision(conn)
    with open_database(db_url) as second, second.engine.connect() as conn:
        assert current_revision(conn) == before == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    with open_database(f"sqlite:///{tmp_path / 'x.db'}") as db, db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    plain = sqlite3.connect(tmp_path / "x.db")  # a plain client (Datasette, sqlite3) reads it as is
    assert plain.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    plain.close()


def test_sqlite_learns_its_tables_sizes_once_a_store_is_large_and_again_when_it_doubles(
    tmp_path, monkeypatch
):
    """Without statistics SQLite reads a story's events through the index on event types; the end of a
    run gives it statistics once the store has some articles, and again when it has doubled."""
    from beltwatch.store import database

    monkeypatch.setattr(database, "_ANALYSE_FROM", 3)

    def analysed() -> int | None:
        with sqlite3.connect(tmp_path / "s.db") as conn:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
                return None
            return int(
                conn.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'articles'").fetchone()[0].split()[0]
            )

    with open_database(f"sqlite:///{tmp_path / 's.db'}", writer=True) as db:
        seen = []
        for i in range(7):
            store(
                db, extraction(f"a{i}", f"Report {i}\nXi Jinping met Shehbaz Sharif in Beijing on day {i}.")
            )
            writes.finish_run(db, writes.start_run(db, [f"a{i}"]), {})
            seen.append(analysed())
    assert seen == [None, None, 3, 3, 3, 6, 6]


def test_sqlite_analyses_again_when_an_index_of_the_events_has_no_statistics(tmp_path, monkeypatch):
    """An index a migration makes has none until the store doubles, and the planner takes it for a
    selective one (a story's events were read through the index on the current events, all of them)."""
    from beltwatch.store import database

    monkeypatch.setattr(database, "_ANALYSE_FROM", 2)
    url = f"sqlite:///{tmp_path / 's.db'}"

    def unanalysed() -> list[str]:
        with sqlite3.connect(tmp_path / "s.db") as conn:
            return [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
                    " AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
                )
            ]

    with open_database(url, writer=True) as db:
        for i in range(2):
            text = f"Report {i}\nXi Jinping met Shehbaz Sharif in Beijing on day {i}.\n"
            store(db, extraction(f"a{i}", text, events_=[statement(text, "Xi Jinping")]))
        writes.finish_run(db, writes.start_run(db, ["a0", "a1"]), {})  # the end of a run refreshes them
        assert not unanalysed()
        with sqlite3.connect(tmp_path / "s.db") as conn:
            conn.execute("DELETE FROM sqlite_stat1 WHERE idx = 'ix_events_current_day'")
        assert unanalysed() == ["ix_events_current_day"]
        text = "Report 2\nXi Jinping met Shehbaz Sharif in Beijing.\n"
        store(db, extraction("a2", text, events_=[statement(text, "Xi Jinping")]))
        writes.finish_run(db, writes.start_run(db, ["a2"]), {})
        assert not unanalysed()


def _row_counts(url: str) -> dict[str, int]:
    with open_database(url) as db, db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


def test_upgrading_an_older_store_keeps_every_row(db_url):
    """SQLite alters a table by copying it: with foreign keys on, dropping the old `events` would take
    every event argument and claim with it."""
    text = "Convoy attacked\nGunmen attacked a convoy near Dasu on Monday.\nThe BLA said it killed 13.\n"
    attack = Event(
        "ATTACK",
        {
            "location": "Dasu",
            "perpetrator": "BLA",
            "killed": 2,
            "claims": [{"claimant": "BLA", "killed": 13}],
        },
        _sentence(text, text.find("Gunmen")),
    )
    entities_ = [person(text, "Dasu", type="GPE"), person(text, "BLA", type="ORG")]
    with open_database(db_url, writer=True) as db:
        store(db, extraction("a1", text, entities_, [attack, statement(text, "BLA")], published="2024-03-26"))
    before = _row_counts(db_url)
    assert before["event_arguments"] and before["claims"] and before["mentions"]
    with open_database(db_url) as db, db.engine.connect() as conn, without_foreign_keys(conn), conn.begin():
        command.downgrade(alembic_config(db_url, conn), "0001")
    assert _row_counts(db_url) == before  # opening upgrades through every revision


def test_query_commands_do_not_create_a_missing_sqlite_file(tmp_path):
    with pytest.raises(UsageError, match="no database"):
        open_database(f"sqlite:///{tmp_path / 'missing.db'}", create=False)
    assert not (tmp_path / "missing.db").exists()


# --- settings ---------------------------------------------------------------------------------


def test_database_url_comes_from_the_flag_then_the_environment_then_the_default():
    env = {"BELTWATCH_DB": "sqlite:///from-env.db"}
    assert Settings.load("sqlite:///flag.db", env).db_url == "sqlite:///flag.db"
    assert Settings.load(None, env).db_url == "sqlite:///from-env.db"
    assert Settings.load(None, {}).db_url == DEFAULT_DB == "sqlite:///beltwatch.db"
    assert Settings.load("postgresql://u:p@h/d", {}).db_url == "postgresql+psycopg://u:p@h/d"


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://u@h/d", "sqlite://", "sqlite:///:memory:", "postgresql+psycopg2://u@h/d"]
)
def test_unusable_database_urls_are_usage_errors(url):
    with pytest.raises(UsageError) as info:
        Settings.load(url, {})
    assert info.value.exit_code == 2


def test_an_unreachable_server_is_a_usage_error_not_a_traceback():
    with pytest.raises(UsageError, match="cannot open database"):
        open_database("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")


# --- versions ---------------------------------------------------------------------------------

V1 = "Corridor zebra report\nThe zebra crossing at Gwadar port was finished.\n"
V2 = "Corridor giraffe report\nThe giraffe bridge at Gwadar port was finished.\n"


def _versions(db) -> list[sa.Row]:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(article_versions).order_by(article_versions.c.version)).all()


def test_same_text_is_unchanged_and_a_changed_text_adds_a_version_keeping_the_old(db):
    first = store(db, extraction("port", V1, [person(V1, "Gwadar", None, type="GPE")]))
    assert (first.status, first.version) == (writes.NEW, 1)
    assert (
        store(db, extraction("port", V1, [person(V1, "Gwadar", None, type="GPE")])).status == writes.UNCHANGED
    )
    assert len(_versions(db)) == 1

    second = store(db, extraction("port", V2, [person(V2, "Gwadar", None, type="GPE")]))
    assert (second.status, second.version) == (writes.UPDATED, 2)
    old, new = _versions(db)
    assert (old.is_current, new.is_current) == (False, True)
    assert old.superseded_by == new.id and old.superseded_at is not None and new.superseded_by is None
    assert old.text == V1 and new.text == V2  # the old text is kept

    with db.engine.connect() as conn:
        hits = [h for h in reads.search(conn, "giraffe").hits if h["kind"] == "article"]
        assert [h["id"] for h in hits] == ["port"]
        assert "⟦giraffe⟧" in hits[0]["snippet"]
        assert [h for h in reads.search(conn, "zebra").hits if h["kind"] == "article"] == []  # superseded text
        assert reads.stats(conn)["superseded"] == 1
        dump = reads.content_dump(conn)
    assert [(a[0], a[2], a[4]) for a in dump["articles"]] == [("port", 1, False), ("port", 2, True)]
    # both versions keep their own mentions, with offsets into their own text
    assert len(dump["mentions"]) == 2


def test_the_same_url_under_another_id_is_the_same_article(db):
    store(db, extraction("feed-item-7", V1, url="https://news.example.org/a/1"))
    again = store(db, extraction("a-1", V2, url="https://news.example.org/a/1"))
    assert (again.status, again.key, again.version) == (writes.UPDATED, "feed-item-7", 2)


def test_an_article_that_breaks_the_schema_leaves_nothing_behind(db):
    broken = extraction("broken", V1, [person(V1, "Gwadar", None, type="GPE")])
    broken.amounts = [None]  # type: ignore[list-item] - fails after the version row was written
    with pytest.raises(AttributeError):
        store(db, broken)
    assert _versions(db) == []  # the whole article was one transaction
    assert store(db, extraction("broken", V1)).status == writes.NEW


# --- entities across articles -------------------------------------------------------------------

A = "Sharif meets envoy\nPrime Minister Shehbaz Sharif met the envoy in Islamabad.\n"
B = "Railway accord\nShahbaz Sharif, the prime minister, signed the railway accord.\n"
C = "Vow after attack\nSharif said the attackers would be punished.\n"


def _entity_rows(db, type_: str = "PERSON") -> list[sa.Row]:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(entities).where(entities.c.type == type_).order_by(entities.c.id)).all()


def test_spellings_and_a_surname_across_articles_are_one_person_with_role_history(db):
    store(
        db,
        extraction(
            "a",
            A,
            [person(A, "Shehbaz Sharif", "Prime Minister of Pakistan", country="PK")],
            [statement(A, "Shehbaz Sharif")],
            "2023-05-08",
        ),
    )
    store(
        db,
        extraction(
            "b",
            B,
            [person(B, "Shahbaz Sharif", "prime minister", country="PK")],
            [statement(B, "Shahbaz Sharif")],
            "2024-06-07",
        ),
    )
    store(db, extraction("c", C, [person(C, "Sharif")], [statement(C, "Sharif")], "2024-03-27"))

    [sharif] = _entity_rows(db)
    assert sharif.name == "Shehbaz Sharif"
    with db.engine.connect() as conn:
        [details] = reads.entity_details(conn, "shahbaz sharif")
        assert details["id"] == sharif.id and details["articles"] == 3
        assert {"Shahbaz Sharif", "Sharif"} <= set(details["aliases"])
        roles = {(r["role"], r["first_seen"], r["last_seen"], r["article"]) for r in details["roles"]}
        assert roles == {
            ("Prime Minister of Pakistan", "2023-05-08", "2023-05-08", "a"),
            ("prime minister", "2024-06-07", "2024-06-07", "b"),
        }
        # every article's statement is found from any spelling
        assert {e["article"] for e in reads.list_events(conn, entity="Sharif")} == {"a", "b", "c"}


def test_a_surname_seen_first_is_absorbed_by_the_first_full_name(db):
    store(db, extraction("c", C, [person(C, "Sharif")], [statement(C, "Sharif")], "2024-03-27"))
    assert [r.name for r in _entity_rows(db)] == ["Sharif"]
    store(db, extraction("a", A, [person(A, "Shehbaz Sharif", "Prime Minister")], [], "2023-05-08"))
    [sharif] = _entity_rows(db)
    assert sharif.name == "Shehbaz Sharif"
    with db.engine.connect() as conn:
        assert [e["article"] for e in reads.list_events(conn, entity="Shehbaz Sharif")] == ["c"]
        if db.is_sqlite:  # the entity index follows the merge
            hits = [h for h in reads.search(conn, "Sharif").hits if h["kind"] == "entity"]
            assert [h["name"] for h in hits] == ["Shehbaz Sharif"]


def test_a_surname_shared_by_two_people_stays_apart(db):
    two = "Brothers\nNawaz Sharif and Shehbaz Sharif spoke.\n"
    store(db, extraction("two", two, [person(two, "Nawaz Sharif"), person(two, "Shehbaz Sharif")]))
    store(db, extraction("c", C, [person(C, "Sharif")]))
    assert sorted(r.name for r in _entity_rows(db)) == ["Nawaz Sharif", "Sharif", "Shehbaz Sharif"]


def test_places_join_by_name_only_and_fuzzy_matching_keeps_types_and_countries_apart(db):
    text = "Pakistan and Islamabad\nPakistan said in Islamabad that the Sharif Trust would help.\n"
    store(
        db,
        extraction(
            "one",
            text,
            [
                person(text, "Pakistan", None, "Islamabad", type="GPE", country="PK"),  # a capital as metonym
                person(text, "Sharif Trust", None, type="ORG", country="PK"),
            ],
        ),
    )
    store(
        db,
        extraction(
            "two",
            text,
            [
                person(text, "Islamabad", None, type="GPE", country="PK"),
                person(text, "Sharif Trust", None, type="PERSON"),  # same words, another type
                person(
                    text, "Sharif Trusts", None, type="ORG", country="CN"
                ),  # close spelling, another country
            ],
        ),
    )
    assert [r.name for r in _entity_rows(db, "GPE")] == ["Pakistan", "Islamabad"]
    assert [r.name for r in _entity_rows(db, "ORG")] == ["Sharif Trust", "Sharif Trusts"]
    assert [r.name for r in _entity_rows(db, "PERSON")] == ["Sharif Trust"]


def test_role_history_follows_the_current_version(db):
    store(db, extraction("a", A, [person(A, "Shehbaz Sharif", "Prime Minister")], published="2023-05-08"))
    changed = A.replace("Prime Minister", "Former minister")
    store(
        db,
        extraction(
            "a", changed, [person(changed, "Shehbaz Sharif", "former minister")], published="2023-05-09"
        ),
    )
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(role_history.c.role, role_history.c.first_seen)).all()
    assert [(r.role, r.first_seen.isoformat()) for r in rows] == [("former minister", "2023-05-09")]


PEOPLE = ("Shehbaz Sharif", "Nawaz Sharif", "Sharif", "Ahsan Iqbal", "Wang Yi")
ROLES = ("Prime Minister", "prime  minister", "Foreign Minister", "Minister for Planning", None)
DAYS = ("2023-05-08", "2023-05-09", "2024-01-02", "2024-06-07", None)


def _summaries(conn) -> tuple[list, list]:
    roles = conn.execute(
        sa.select(
            role_history.c.entity_id,
            role_history.c.role,
            role_history.c.first_seen,
            role_history.c.last_seen,
            role_history.c.evidence_version_id,
            role_history.c.articles,
        ).order_by(role_history.c.entity_id, role_history.c.role)
    ).all()
    counts = conn.execute(sa.select(entities.c.id, entities.c.articles).order_by(entities.c.id)).all()
    involved = conn.execute(sa.select(event_counts).where(event_counts.c.events != 0).order_by(*event_counts.c))
    return [tuple(r) for r in roles], [tuple(r) for r in counts], [tuple(r) for r in involved]


# places, one of them at first without its country (a later article gives it)
PLACES = (("Gwadar", "PK"), ("Hambantota", None), ("Kashgar", "CN"), ("Hambantota", "LK"))


def _random_write(rng: random.Random, step: int, people: list[str]) -> Extraction:
    """One of a few articles, often written again with other people, roles, places or date; each
    person says something, at one of the article's places or none. The first names a place without
    its country."""
    places = rng.sample(PLACES, rng.randint(0, 2)) if step else [PLACES[1]]
    text = f"Report {step}\n" + "\n".join(f"{name} spoke on the corridor." for name in people) + "\n"
    text += "".join(f"Work went on in {place}.\n" for place, _ in places)
    found = [person(text, name, rng.choice(ROLES), country="PK") for name in people]
    found += [person(text, place, type="GPE", country=country) for place, country in places]
    said = [statement(text, name) for name in people]
    for event in said:
        if places and rng.random() < 0.7:
            event.arguments["location"] = rng.choice(places)[0]
    return extraction(f"k{rng.randint(1, 8)}", text, found, said, published=rng.choice(DAYS))


def test_summaries_kept_by_each_write_equal_a_full_recompute(db):
    """Role history, entity counts and the events per entity and country, updated from what each write
    adds and supersedes, equal the recompute from all current versions after every write: new
    articles, changed versions that keep, move or drop a role or a place, undated ones, surnames
    merged into a full name, and a place given its country by a later article."""
    rng = random.Random(15)
    superseded = 0
    for step in range(80):
        # a surname alone first, so that the first full name with it takes it over (step 4)
        people = rng.sample(PEOPLE, rng.randint(1, 3))
        if step <= 4:
            people = ["Sharif"] if step < 4 else ["Shehbaz Sharif"]
        superseded += store(db, _random_write(rng, step, people)).status == writes.UPDATED
        if step == 4:
            assert "Sharif" not in {r.name for r in _entity_rows(db)}
        with db.engine.connect() as conn, conn.begin() as transaction:
            kept = _summaries(conn)
            rebuild_summaries(conn)
            rebuild_event_summaries(conn, [event_counts])
            assert kept == _summaries(conn), f"after write {step}"
            transaction.rollback()
    assert superseded > 30
    with db.engine.connect() as conn:
        _, counts, involved = _summaries(conn)
        assert sum(articles for _, articles in counts) > 0
        assert {("country", "PK"), ("country", "CN")} <= {(d, k) for d, k, _, _ in involved}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_batch_in_one_transaction_stores_what_its_articles_one_by_one_store(backend, tmp_path):
    """Batches of 7 (an article written twice in one batch, a surname merged mid-batch) against
    one transaction per article: the same content, summaries included."""
    rng = random.Random(7)
    writes_ = []
    for step in range(60):
        people = rng.sample(PEOPLE, rng.randint(1, 3))
        if step <= 4:
            people = ["Sharif"] if step < 4 else ["Shehbaz Sharif"]
        writes_.append(_random_write(rng, step, people))
    dumps = []
    for size in (1, 7):
        folder = tmp_path / str(size)
        folder.mkdir()
        with fresh_database(backend, folder) as url, open_database(url, writer=True) as db:
            for i in range(0, len(writes_), size):
                writes.store_extractions(db, [(x, signal_of(x)) for x in writes_[i : i + size]], None)
            with db.engine.connect() as conn:
                dumps.append(reads.content_dump(conn))
    assert dumps[0] == dumps[1]


def financing(text: str, rng: random.Random, date: str | None) -> Event:
    """A commitment by one of three lenders, in dollars, in yuan (converted) or with no figure."""
    args = {"funder": rng.choice(LENDERS), "recipient": rng.choice(("Pakistan", "Sri Lanka"))}
    currency = rng.choice(("USD", "CNY", None))
    if currency:
        args |= {"value": float(rng.randint(1, 90) * 10_000_000), "currency": currency}
    if currency == "CNY":
        args["usd"] = args["value"] * 0.14  # as the resolver converts it
    if date:
        args["date"] = date
    return Event("FINANCING", args, _sentence(text, text.find("loan")))


LENDERS = ("China Development Bank", "Export-Import Bank of China", "Silk Road Fund")


def _tallies(conn) -> tuple[dict, dict]:
    """The summaries kept at write time as the pages read them (corrections applied), and the same
    counted over every current event: months by type, and the financing ledger's totals."""
    fixes = queries.Corrections.load(conn)
    counted = EventTally()
    for event in queries.all_events(conn, fixes):
        counted.add(event)
    return _comparable(queries.tally(conn, fixes)), _comparable(counted)


def _comparable(tally: EventTally) -> dict:
    """A tally with its zero rows dropped and its dollars to the cent (sums taken in another order)."""
    ledger = tally.ledger()
    for dimension in ("by_lender", "by_recipient", "by_year"):
        ledger[dimension] = [(key, round(usd, 2)) for key, usd in ledger[dimension]]
    ledger["total"] = round(ledger["total"], 2)
    return {"months": {k: n for k, n in tally.months.items() if n}, "ledger": ledger}


def test_event_summaries_kept_by_each_write_and_read_with_corrections_equal_a_count_of_all_events(db_url):
    """The timeline's and overview's counts and the financing ledger's totals, kept at write time
    (batches of 1 to 5, articles rewritten with other events and dates) and read with corrections
    applied (an event rejected, one moved to another month, a commitment's figure edited), equal the
    count over every current event, and a recount of the tables."""
    rng = random.Random(9)
    dates = ("2023-05-08", "2023-06", "2023", None)
    made = []
    for step in range(40):
        text = f"Report {step}\n" + "".join(f"Ahsan Iqbal spoke on the corridor loan {i}.\n" for i in range(3))
        said = [statement(text, "Ahsan Iqbal", rng.choice(dates)) for _ in range(rng.randint(0, 2))]
        said += [financing(text, rng, rng.choice(dates)) for _ in range(rng.randint(0, 2))]
        made.append(extraction(f"k{rng.randint(1, 16)}", text, [], said, published=rng.choice(DAYS)))
    with open_database(db_url, writer=True) as db:
        while made:
            size = rng.randint(1, 5)
            batch, made = made[:size], made[size:]
            writes.store_extractions(db, [(x, signal_of(x)) for x in batch], None)
        with db.engine.connect() as conn:
            kept, counted = _tallies(conn)
            assert kept == counted and sum(counted["months"].values()) > 10
            assert len(counted["ledger"]["by_recipient"]) == 2 and counted["ledger"]["unpriced"] > 0
            assert ("", "STATEMENT") in counted["months"]  # an undated event in an undated article
        with db.engine.connect() as conn, conn.begin() as transaction:
            recounts = [
                sa.select(table).where(table.c.events != 0).order_by(*table.primary_key)
                for table in (event_months, financing_totals)
            ]
            before = [conn.execute(recount).all() for recount in recounts]
            rebuild_event_summaries(conn)
            after = [conn.execute(recount).all() for recount in recounts]
            assert after[0] == before[0]
            money = [[(r.dimension, r.key, r.events) for r in rows[1]] for rows in (before, after)]
            assert money[0] == money[1] and len(money[0]) >= 5
            assert [r.usd for r in after[1]] == pytest.approx([r.usd for r in before[1]])
            transaction.rollback()
        with db.engine.begin() as conn:
            found = queries.all_events(conn, queries.Corrections.load(conn))
            dated = [e for e in found if e["date"] and e["type"] == "STATEMENT"]
            priced = [e for e in found if e["type"] == "FINANCING" and e["arguments"].get("currency") == "USD"]
            corrections.record_event_correction(conn, dated[0], action="reject", token_name="test")
            corrections.record_event_correction(
                conn, dated[1], action="edit", token_name="test", argument="date", value="2021-02-03"
            )
            corrections.record_event_correction(
                conn, priced[0], action="edit", token_name="test", argument="value", value=1.5e12
            )
        with db.engine.connect() as conn:
            kept, counted = _tallies(conn)
            assert kept == counted and ("2021-02", "STATEMENT") in kept["months"]
            assert kept["ledger"]["total"] > 1.5e12


def test_normalised_names_ignore_case_accents_and_punctuation():
    assert normalise("Export–Import Bank of China") == normalise("export-import bank of CHINA")
    assert normalise("Zahid Hafeez Chaudhri") != normalise("Fawad Chaudhry")
    assert normalise("Pérez  O'Neill") == "perez o neill"


# --- look-ups bounded by what a batch asks --------------------------------------------------------

NAME_PARTS = ("sha", "rif", "ba", "az", "iq", "bal", "wang", "yi", "khan", "mir", "zar", "da")


def _made_up_name(rng: random.Random) -> str:
    words = ["".join(rng.choice(NAME_PARTS) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 3))]
    return " ".join(w.capitalize() for w in words)


def _misspelt(rng: random.Random, name: str) -> str:
    """`name` with one to three characters added, dropped or changed: near the fuzzy cutoff."""
    chars = list(name)
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(chars))
        edit = rng.choice(["add", "drop", "change"])
        if edit == "add" or at == len(chars):
            chars.insert(at, rng.choice("aeiouhrz"))
        elif edit == "drop" and len(chars) > 2:
            del chars[at]
        else:
            chars[at] = rng.choice("aeiouhrz")
    return "".join(chars)


def _random_entities(seed: int, count: int) -> list[Entity]:
    """People and organisations whose names share surnames and first letters and are often misspelt
    versions of each other, with countries and kinds that sometimes contradict."""
    rng = random.Random(seed)
    seen: list[str] = []
    found = []
    for _ in range(count):
        if seen and rng.random() < 0.5:
            name = _misspelt(rng, rng.choice(seen))
        elif seen and rng.random() < 0.3:
            name = rng.choice(seen).split()[-1]  # a surname alone
        else:
            name = _made_up_name(rng)
        seen.append(name)
        type_ = "PERSON" if rng.random() < 0.7 else "ORG"
        also = [_misspelt(rng, name)] if rng.random() < 0.2 else []
        found.append(
            Entity(
                name=name,
                type=type_,
                aliases=also,
                country=rng.choice((None, None, "PK", "CN")),
                kind=rng.choice((None, "lender", "government")) if type_ == "ORG" else None,
            )
        )
    return found


def _resolve_in_batches(conn, people: list[Entity], batch: int = 16) -> tuple[list, set, set]:
    """Resolve `people` as the writer does (a resolver per batch, prefetching first); returns the global
    entity each joined, by type and name, and the entities and aliases left."""
    resolved = []
    for start in range(0, len(people), batch):
        chunk = people[start : start + batch]
        resolver = EntityResolver(conn, datetime(2024, 1, 1))
        resolver.prefetch(chunk)
        found = [resolver.resolve(entity) for entity in chunk]
        names = dict(conn.execute(sa.select(entities.c.id, entities.c.norm_name)).all())
        resolved += [names[resolver.current(entity_id)] for entity_id in found]
    rows = conn.execute(
        sa.select(entities.c.type, entities.c.norm_name, entities.c.country, entities.c.kind, entities.c.surname)
    ).all()
    alias_rows = conn.execute(
        sa.select(entities.c.norm_name, aliases.c.norm_alias).join(aliases, aliases.c.entity_id == entities.c.id)
    ).all()
    return resolved, set(rows), set(alias_rows)


def _surnames_by_scan(self, surnames: list[str]) -> None:
    """The full names with each surname found by matching the end of every person's name (before 0015)."""
    rows = self.conn.execute(sa.select(entities).where(entities.c.type == "PERSON").order_by(entities.c.id)).all()
    for surname in surnames:
        self._surnames[surname] = [
            _Global(r.id, r.name, r.norm_name, r.country, r.kind)
            for r in rows
            if " " in r.norm_name and r.norm_name.rsplit(" ", 1)[1] == surname
        ]


def _fuzzy_candidates_by_scan(self, type_: str, norms: list[str]) -> list[tuple[int, str]]:
    """Every name and alias of the type sharing a first character with `norms`, whatever its length."""
    names = self.conn.execute(sa.select(entities.c.id, entities.c.norm_name).where(entities.c.type == type_))
    spellings = self.conn.execute(
        sa.select(aliases.c.entity_id, aliases.c.norm_alias)
        .join(entities, entities.c.id == aliases.c.entity_id)
        .where(entities.c.type == type_)
    )
    firsts = {n[0] for n in norms}
    return sorted((id_, norm) for id_, norm in [*names, *spellings] if norm[:1] in firsts)


@pytest.mark.parametrize("seed", [1, 2])
def test_resolving_with_the_indexed_look_ups_equals_resolving_with_scans_of_every_entity(db, monkeypatch, seed):
    """The same people join the same entities, merge the same way and leave the same rows whether the
    surnames and fuzzy candidates come from the indexes (bounded by the names asked) or from a scan."""
    people = _random_entities(seed, 400)
    outcomes = []
    for by_scan in (False, True):
        if by_scan:
            monkeypatch.setattr(EntityResolver, "_load_surnames", _surnames_by_scan)
            monkeypatch.setattr(EntityResolver, "_fuzzy_candidates", _fuzzy_candidates_by_scan)
        with db.engine.connect() as conn, conn.begin() as transaction:
            outcomes.append(_resolve_in_batches(conn, people))
            transaction.rollback()
    (resolved, rows, alias_rows), scanned = outcomes
    assert (resolved, rows, alias_rows) == scanned
    # the people cover what is compared: one-word surnames joining a full name, misspellings joining
    norms = [normalise(p.name) for p in people]
    joined_other = [(norm, joined) for norm, joined in zip(norms, resolved) if norm != joined]
    assert sum(" " not in norm and joined.endswith(" " + norm) for norm, joined in joined_other) > 5
    assert sum(not joined.endswith(" " + norm) for norm, joined in joined_other) > 20


def test_the_fuzzy_lengths_are_exactly_those_that_can_reach_the_cutoff():
    """Within the lengths a name can score FUZZY_CUTOFF (its own a subsequence of the other's, or the
    other's of its own), one character more or less cannot."""
    for length in range(1, 80):
        shortest, longest = fuzzy_lengths(length)
        name = "ab" * length
        assert fuzz.ratio(name[:length], name[:longest]) >= FUZZY_CUTOFF
        assert fuzz.ratio(name[:length], name[:shortest]) >= FUZZY_CUTOFF
        assert fuzz.ratio(name[:length], name[: longest + 1]) < FUZZY_CUTOFF
        assert fuzz.ratio(name[:length], name[: shortest - 1]) < FUZZY_CUTOFF


def test_a_store_upgraded_from_0014_gets_the_surnames_of_its_people(db_url):
    people = [
        Entity(name, "PERSON") for name in ("Shehbaz Sharif", "Nawaz Sharif", "Sharif", "Wang Yi", "Li Qiang")
    ]
    with open_database(db_url, writer=True) as db:
        with db.engine.begin() as conn:
            resolver = EntityResolver(conn, datetime(2024, 1, 1))
            for entity in [*people, Entity("Pakistan Army", "ORG")]:
                resolver.resolve(entity)
        with db.engine.connect() as conn, without_foreign_keys(conn), conn.begin():
            command.downgrade(alembic_config(db_url, conn), "0014")
    with open_database(db_url) as db, db.engine.connect() as conn:
        rows = sorted(tuple(r) for r in conn.execute(sa.select(entities.c.name, entities.c.surname)))
    assert rows == [
        ("Li Qiang", "qiang"),
        ("Nawaz Sharif", "sharif"),
        ("Pakistan Army", None),
        ("Sharif", None),
        ("Shehbaz Sharif", "sharif"),
        ("Wang Yi", "yi"),
    ]


# --- stories ----------------------------------------------------------------------------------


def test_stories_are_rewritten_in_place(db):
    for key in ("x", "y", "z"):
        store(
            db, extraction(key, f"Story {key}\nText of {key}.\n", published="2024-01-0" + str(ord(key) - 119))
        )
    assert writes.stories_stale(db)
    writes.write_stories(
        db,
        [StoryAssignment("x", "s1"), StoryAssignment("y", "s1", "x", "near"), StoryAssignment("z", "s2")],
    )
    assert not writes.stories_stale(db)
    with db.engine.connect() as conn:
        before = {r.key: r.id for r in conn.execute(sa.select(stories))}
        listed = reads.list_stories(conn)
    assert [(s["story"], s["title"], [a["id"] for a in s["articles"]]) for s in listed] == [
        ("s1", "Story x", ["x", "y"]),
        ("s2", "Story z", ["z"]),
    ]
    assert listed[0]["articles"][1]["duplicate_of"] == "x"

    writes.write_stories(
        db, [StoryAssignment("x", "s1"), StoryAssignment("y", "s3"), StoryAssignment("z", "s3")]
    )
    with db.engine.connect() as conn:
        after = {r.key: r.id for r in conn.execute(sa.select(stories))}
        assert after["s1"] == before["s1"]  # kept, not recreated
        assert "s2" not in after
        assert conn.execute(sa.select(sa.func.count()).select_from(story_members)).scalar_one() == 3

    store(db, extraction("z", "Story z\nA corrected text of z.\n", published="2024-01-03"))
    assert writes.stories_stale(db)  # a new version needs its story recomputed


def test_an_events_copy_of_its_versions_state_follows_a_new_version(db):
    text = "Report\nXi Jinping met Shehbaz Sharif in Beijing on Monday."
    first = extraction(
        "copy", text, [person(text, "Xi Jinping")], [statement(text, "Xi Jinping")], published="2024-05-02"
    )
    store(db, first)
    later = extraction(
        "copy",
        text + "\nMore to follow.",
        [person(text, "Xi Jinping")],
        [statement(text, "Xi Jinping", "2024-05")],
    )
    store(db, later)
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                events.c.is_current, events.c.sort_day, article_versions.c.is_current.label("version_current")
            )
            .join(article_versions, article_versions.c.id == events.c.article_version_id)
            .order_by(events.c.id)
        ).all()
    assert [(r.is_current, r.version_current) for r in rows] == [(False, False), (True, True)]
    assert [r.sort_day.isoformat() for r in rows] == ["2024-05-02", "2024-05-01"]
