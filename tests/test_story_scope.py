"""Stories kept incrementally: an ingest re-clusters the new articles with the articles they could
join (published on the days `reach` gives) and those articles' whole stories, and leaves the rest."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from beltwatch.ingest import IngestRun, ingest
from beltwatch.model import EventSignature, StorySignal
from beltwatch.settings import Settings
from beltwatch.sources import iter_articles
from beltwatch.store import open_database, reads
from beltwatch.store.schema import articles, stories, story_members
from beltwatch.stories import reach
from test_ingest import DEV, cli, copy_article, dump

NAMES = sorted(p.stem for p in DEV.glob("*.txt"))


def memberships(url: str) -> list:
    """Each story's key and members, without what depends on the order articles were stored in."""
    return [(story[0], [member[0] for member in story[-1]]) for story in dump(url)["stories"]]


def test_ingesting_in_two_runs_makes_the_stories_of_one(db_url, tmp_path):
    for i, name in enumerate(NAMES):
        copy_article(name, tmp_path / "all")
        copy_article(name, tmp_path / ("odd" if i % 2 else "even"))
    once = f"sqlite:///{tmp_path / 'once.db'}"
    ingest([str(tmp_path / "all")], Settings(db_url=once))
    ingest([str(tmp_path / "odd")], Settings(db_url=db_url))
    ingest([str(tmp_path / "even")], Settings(db_url=db_url))
    assert memberships(db_url) == memberships(once)
    assert any(len(members) == 3 for _, members in memberships(db_url))  # the Gwadar reports, joined


def test_the_scope_is_the_new_articles_neighbours_and_their_stories(db_url, tmp_path):
    for name in NAMES:
        copy_article(name, tmp_path / ("new" if name == "seed-xi-kakar" else "stored"))
    ingest([str(tmp_path / "stored")], Settings(db_url=db_url))
    with open_database(db_url, writer=True) as db:
        with db.engine.connect() as conn:
            assert reads.unassigned_signals(conn) == []  # every article is in a story
        run = IngestRun(db, [str(tmp_path / "new")])
        run.add(iter_articles([str(tmp_path / "new")]))
        with db.engine.connect() as conn:
            new = reads.unassigned_signals(conn)
            days = reach(new)
            scope = reads.story_scope(days)
            keys = conn.execute(sa.select(articles.c.key).where(articles.c.id.in_(scope))).scalars()
            # published 2023-10-19: 14 days before it to 60 after, and the days of what it reports
            assert [n.article_id for n in new] == ["seed-xi-kakar"]
            assert days[0][0] <= date(2023, 10, 5) and days[-1][1] == date(2023, 12, 18)
            # the Jakarta line of 2023-10-02 is beyond reach, as is the Gwadar story of August
            assert sorted(keys) == ["seed-xi-kakar"]
        run.finish()
        with db.engine.connect() as conn:
            assert reads.unassigned_signals(conn) == []


def test_reach_covers_follow_ups_and_the_happenings_an_article_recalls():
    late = StorySignal(
        article_id="arrests",
        text="",
        published="2024-05-20",
        events=[EventSignature("ATTACK", "2024-03-26", "Besham", ())],
    )
    days = reach([late])
    assert (date(2024, 3, 24), date(2024, 4, 4)) in days  # the attack's reports
    assert days[-1] == (date(2024, 5, 6), date(2024, 7, 19))  # its own story and follow-ups


def test_stories_rebuild_clusters_the_whole_store_again(db_url, tmp_path, monkeypatch, capsys):
    for name in NAMES:
        copy_article(name, tmp_path)
    ingest([str(tmp_path)], Settings(db_url=db_url))
    before = memberships(db_url)
    with open_database(db_url, create=False) as db, db.engine.begin() as conn:
        conn.execute(story_members.delete())
        conn.execute(stories.delete())
    code, out, err = cli(monkeypatch, capsys, "stories", "--db", db_url, "--rebuild", "--json")
    assert code == 0, err
    assert memberships(db_url) == before
    assert sorted(a["id"] for s in json.loads(out) for a in s["articles"]) == NAMES

