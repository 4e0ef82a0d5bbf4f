"""The corridor data (a test per alignment and per project site), distances to it, and their storage.

Alignments are town names resolved through the gazetteer: every town must resolve to a town in
Pakistan or China, and a name that resolves to a namesake far away shows as a jump between two
consecutive towns. Project sites must name a kind and a project and lie near the town they name.
"""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
import sqlalchemy as sa
import yaml
from alembic import command

from beltwatch.knowledge import load_knowledge
from beltwatch.model import Article, ArticleMeta, Event, Evidence, Extraction, Geo
from beltwatch.resolve import haversine_km, resolve_extraction, resolve_place
from beltwatch.resolve.corridor import (
    ALIGNMENTS_FILE,
    SITES_FILE,
    Alignment,
    alignment_km,
    corridor_distance,
    load_corridor,
)
from beltwatch.store import writes
from beltwatch.store.database import alembic_config, open_database
from beltwatch.store.schema import events
from beltwatch.stories import signal_of
from beltwatch.web import make_corridor

KINDS = {"port", "airport", "dam", "power_plant", "economic_zone", "railway", "road", "mine", "camp"}
MAX_GAP_KM = 350  # the longest straight stretch between two listed towns (Khuzdar-Sukkur is 327 km)
NEAR_KM = 50  # a site given by a town lies in or beside it

ALIGNMENTS = yaml.safe_load(ALIGNMENTS_FILE.read_text(encoding="utf-8"))["alignments"]
SITES = [s for s in yaml.safe_load(SITES_FILE.read_text(encoding="utf-8"))["sites"] if "kind" in s]


def _point(lat: float, lon: float, precision: int = 1) -> Geo:
    return Geo("test", "test", lat, lon, None, None, precision)


# --- the data, entry by entry ---------------------------------------------------------------------


@pytest.mark.parametrize("entry", ALIGNMENTS, ids=lambda e: e["name"])
def test_alignment_runs_through_towns_that_resolve(entry):
    assert len(entry["source"]) > 40 and entry["project"]
    towns = [resolve_place(name, context_countries=["PK", "CN"]) for name in entry["through"]]
    assert None not in towns, entry["through"]
    for name, town in zip(entry["through"], towns, strict=True):
        assert town.precision == 1 and town.country in ("PK", "CN"), (name, town)
    for a, b in pairwise(towns):
        assert haversine_km(a, b) < MAX_GAP_KM, (a.name, b.name)


def test_the_routes_join_gwadar_to_kashgar_over_khunjerab():
    corridor = load_corridor()
    names = {a.name: [t.name for t in a.towns] for a in corridor.alignments}
    for route in ("Western alignment", "Central alignment", "Eastern alignment"):
        assert names[route][0] == "Gwadar"
    assert names["Karakoram Highway"][-3:] == ["Khunjerab Pass", "Tashqorghan", "Kashgar"]
    ends = {towns[-1] for towns in names.values()} | {towns[0] for towns in names.values()}
    assert "Islamabad" in ends  # where the southern routes meet the highway north


@pytest.mark.parametrize("site", SITES, ids=lambda s: s["name"])
def test_project_site_has_a_kind_a_project_and_lies_near_its_town(site):
    assert site["kind"] in KINDS
    assert site["project"].strip()
    town = resolve_place(
        site["near"], context_countries=[site["country"]], nearby=[_point(site["lat"], site["lon"])]
    )
    assert town is not None and town.country == site["country"]
    assert haversine_km((site["lat"], site["lon"]), town) < NEAR_KM


def test_site_projects_use_the_knowledge_files_canonical_names():
    canonical = {e.name for e in load_knowledge().entities if e.type == "PROJECT"}
    aliases = {a: e.name for e in load_knowledge().entities if e.type == "PROJECT" for a in e.aliases}
    for site in SITES:
        assert site["project"] not in aliases or site["project"] in canonical, site["name"]


def test_the_dashboards_corridor_json_is_generated_from_the_data():
    assert make_corridor.OUT.read_text(encoding="utf-8") == make_corridor.render(), (
        "web/static/corridor.json is stale: run python -m beltwatch.web.make_corridor"
    )


# --- geometry ---------------------------------------------------------------------------------------


def test_distance_is_to_the_segment_not_to_its_towns():
    line = Alignment("test", "test", (_point(30, 70), _point(30, 72)), "test")
    assert alignment_km((30.5, 71.0), line) == pytest.approx(
        55.6, abs=0.3
    )  # half a degree north of the middle
    assert alignment_km((30.0, 71.0), line) == pytest.approx(0, abs=0.01)  # 96 km from either town
    assert alignment_km((30.0, 73.0), line) == pytest.approx(
        haversine_km((30, 73), (30, 72)), abs=0.01
    )  # past the end


def test_distance_to_each_alignment_matches_a_dense_walk_along_it():
    rng = random.Random(6)
    for alignment in load_corridor().alignments:
        samples = [
            (a.lat + t / 200 * (b.lat - a.lat), a.lon + t / 200 * (b.lon - a.lon))
            for a, b in pairwise(alignment.towns)
            for t in range(201)
        ]
        for _ in range(25):
            point = (rng.uniform(24, 40), rng.uniform(61, 77))
            walked = min(haversine_km(point, s) for s in samples)
            assert alignment_km(point, alignment) == pytest.approx(walked, rel=0.01, abs=1.0)
            assert (
                alignment_km(point, alignment) <= min(haversine_km(point, t) for t in alignment.towns) + 1e-6
            )


def test_corridor_distance_of_known_places():
    gwadar = corridor_distance(resolve_place("Gwadar"))
    assert (gwadar.alignment, gwadar.alignment_km, gwadar.site, gwadar.site_km) == (
        "Western alignment",
        0.0,
        "Gwadar Port",
        0.0,
    )
    dasu = corridor_distance(resolve_place("Dasu"))
    assert (dasu.alignment, dasu.site) == ("Karakoram Highway", "Dasu Dam")
    quetta = corridor_distance(resolve_place("Quetta"))
    assert quetta.alignment == "Western alignment" and quetta.site_km > 300  # on a route, far from any site
    assert corridor_distance(resolve_place("Pakistan")) is None  # a country is not a point on the ground
    assert corridor_distance(None) is None


# --- stored with every located event, and backfilled by the migration ------------------------------


def _besham_extraction() -> Extraction:
    text = "Attack near Besham\nA suicide bomber hit a convoy near Besham on Tuesday.\n"
    sentence = Evidence(text[19:], 19, len(text))
    attack = Event("ATTACK", {"location": "Besham", "date": "2024-03-26"}, sentence)
    article = Article(
        "besham-test", text, ArticleMeta(published="2024-03-26", language="en", source="Test Wire")
    )
    return resolve_extraction(Extraction(article, [], [], [attack]))


def _stored_distances(url: str) -> list[tuple]:
    with open_database(url) as db, db.engine.connect() as conn:
        return conn.execute(
            sa.select(events.c.alignment, events.c.alignment_km, events.c.site, events.c.site_km)
        ).all()


def test_distances_are_stored_and_an_older_database_gets_them_from_the_migration(db_url):
    extraction = _besham_extraction()
    with open_database(db_url, writer=True) as db:
        writes.store_extraction(db, extraction, signal_of(extraction), run_id=None)
    expected = [("Karakoram Highway", 0.0, "Dasu Dam", pytest.approx(54.7, abs=0.1))]
    assert _stored_distances(db_url) == expected

    with open_database(db_url) as db, db.engine.begin() as conn:
        command.downgrade(alembic_config(db_url, conn), "0003")
        assert "alignment" not in {c["name"] for c in sa.inspect(conn).get_columns("events")}
    assert _stored_distances(db_url) == expected  # opening upgrades, and the upgrade fills them in
