"""A story's merged events: every report of one happening, its figures kept apart when they differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from beltwatch.ingest import ingest
from beltwatch.settings import Settings
from beltwatch.store.database import open_database
from beltwatch.store.reads import list_stories

CORPUS = Path(__file__).parent / "corpus" / "dev"
GWADAR = [
    "gwadar-convoy-attack-2023-bla-claim",
    "gwadar-convoy-attack-2023-official-account",
    "gwadar-convoy-attack-2023-brief",
]


@pytest.fixture(scope="module")
def stories(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'stories.db'}"
    files = [*(CORPUS / f"{name}.txt" for name in GWADAR), CORPUS / "karachi-airport-blast-2024.txt"]
    ingest([str(f) for f in [*files, CORPUS / "bri-topic-feed.rss"]], Settings(db_url=url))
    with open_database(url, create=False) as db, db.engine.connect() as conn:
        return list_stories(conn)


def story_with(stories, article_id):
    return next(s for s in stories if article_id in {a["id"] for a in s["articles"]})


def test_the_three_gwadar_reports_are_one_story(stories):
    story = story_with(stories, GWADAR[0])
    assert sorted(a["id"] for a in story["articles"]) == sorted(GWADAR)


def test_the_gwadar_attack_lists_every_source_and_keeps_the_disputed_figures_apart(stories):
    story = story_with(stories, GWADAR[0])
    [attack] = [e for e in story["events"] if e["type"] == "ATTACK" and e["date"] == "2023-08-13"]
    assert sorted(s["article"] for s in attack["sources"]) == sorted(GWADAR)
    assert attack["disputed"] and "killed" in attack["differing"]
    claimants = {(c["claimant"], c["article"]) for c in attack["claims"]}
    assert ("Balochistan Liberation Army", "gwadar-convoy-attack-2023-bla-claim") in claimants
    bla = next(c for c in attack["claims"] if c["claimant"] == "Balochistan Liberation Army")
    assert bla["killed"] == 13  # four Chinese and nine soldiers, as the group claimed
    official = next(s for s in attack["sources"] if s["article"] == "gwadar-convoy-attack-2023-official-account")
    assert official["killed"] == 0  # the attackers shot dead are not victims


def test_the_karachi_airport_report_and_the_feed_item_are_one_story_that_agrees(stories):
    story = story_with(stories, "karachi-airport-blast-2024")
    assert sorted(a["id"] for a in story["articles"]) == ["bri-topic-feed#2", "karachi-airport-blast-2024"]
    [attack] = [e for e in story["events"] if e["type"] == "ATTACK"]
    assert {s["killed"] for s in attack["sources"]} == {2}
    assert "killed" not in attack["differing"]


def test_unrelated_articles_stay_apart(stories):
    for story in stories:
        ids = {a["id"] for a in story["articles"]}
        assert not (ids & set(GWADAR) and ids - set(GWADAR))


def test_a_storys_happenings_found_among_the_last_days_are_those_every_happening_compared_gives():
    """An event joins the first of its story's happenings it reports; comparing it only with the
    happenings at its place (or at none) begun within two days before it (`_Happenings`) must give what
    comparing it with all of them gives, with undated events, several types and places, some left unnamed."""
    import random
    from collections import defaultdict
    from datetime import date, timedelta
    from types import SimpleNamespace

    from beltwatch.store.reads import _Happenings, _same_happening

    rng = random.Random(5)
    rows = [
        SimpleNamespace(
            id=i,
            type=rng.choice(("ATTACK", "MEETING")),
            date_start=None if rng.random() < 0.1 else date(2024, 3, 1) + timedelta(days=rng.randint(0, 40)),
            location=rng.choice((None, "Gwadar", "Karachi")),
        )
        for i in range(500)
    ]
    rows.sort(key=lambda r: (r.date_start is None, r.date_start or date.min, r.id))

    def by_comparing_all() -> list[list[int]]:
        happenings: list[dict] = []
        for r in rows:
            merged = next((m for m in happenings if m["type"] == r.type and _same_happening(m, r)), None)
            if merged is None:
                merged = {"type": r.type, "location": r.location, "_start": r.date_start, "ids": []}
                happenings.append(merged)
            merged["location"] = merged["location"] or r.location
            merged["ids"].append(r.id)
        return [m["ids"] for m in happenings]

    def by_index() -> list[list[int]]:
        begun: list[dict] = []
        of_type: dict[str, _Happenings] = defaultdict(_Happenings)
        for r in rows:
            merged = of_type[r.type].find(r)
            if merged is None:
                merged = {"type": r.type, "location": r.location, "_start": r.date_start, "ids": []}
                begun.append(merged)
                of_type[r.type].add(merged)
            if merged["location"] is None and r.location:
                merged["location"] = r.location
                of_type[r.type].placed(merged)
            merged["ids"].append(r.id)
        return [m["ids"] for m in begun]

    every = by_comparing_all()
    assert by_index() == every
    assert len(every) < len(rows) / 3 and max(map(len, every)) > 5
