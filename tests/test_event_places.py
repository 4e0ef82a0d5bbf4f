"""Events on the map: every located event of the corpus lands within 25 km of where it happened.

The expected coordinates were written by hand from published coordinates of each town or site and
checked against the gazetteer's entry for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from beltwatch.clean import clean_article
from beltwatch.extract import extract_articles
from beltwatch.resolve import haversine_km, resolve_extraction, resolve_place
from beltwatch.sources.files import read_article

CORPUS = Path(__file__).parent / "corpus" / "dev"

# place -> (lat, lon) of the town or site, or the country code for a country-level place
TRUE_PLACE = {
    "Besham": (34.93, 72.88),
    "Upper Kohistan": (35.29, 73.29),  # Dasu, the district seat
    "Haripur": (34.00, 72.93),
    "Islamabad": (33.72, 73.04),
    "伊斯兰堡": (33.72, 73.04),
    "Beijing": (39.91, 116.40),
    "北京": (39.91, 116.40),
    "Jinnah International Airport": (24.90, 67.16),
    "Dushanbe": (38.56, 68.77),
    "Gwadar": (25.13, 62.32),
    "Colombo": (6.93, 79.85),
    "Jakarta": (-6.21, 106.85),
    "Karachi": (24.86, 67.01),
    "Pakistan": "PK",
}


def gold_located_events():
    for path in sorted(CORPUS.glob("*.gold.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for article in data.get("items", [data]):
            countries = [e["country"] for e in article["entities"] if e.get("country")]
            for event in article["events"]:
                if event.get("location"):
                    yield pytest.param(
                        event["location"], countries, id=f"{article['id']}:{event['type']}:{event['location']}"
                    )


@pytest.mark.parametrize(("name", "countries"), list(gold_located_events()))
def test_every_gold_event_place_resolves_where_it_is(name, countries):
    geo = resolve_place(name, context_countries=countries)
    expected = TRUE_PLACE[name]
    assert geo is not None
    if isinstance(expected, str):
        assert (geo.country, geo.precision) == (expected, 4)
    else:
        assert geo.precision <= 2
        assert haversine_km(geo, expected) <= 25


@pytest.fixture(scope="module")
def resolved():
    paths = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".html"))
    articles = [clean_article(read_article(p)) for p in paths]
    return [resolve_extraction(x) for x in extract_articles(articles)]


def test_every_located_extracted_event_is_on_the_map(resolved):
    """Every event the extractor gives a place it also puts on the map, in the place's country."""
    for extraction in resolved:
        for event in extraction.events:
            location = event.arguments.get("location")
            if isinstance(location, str) and location in TRUE_PLACE:
                assert event.geo is not None, (extraction.article.id, event.type, location)
                expected = TRUE_PLACE[location]
                if isinstance(expected, str):
                    assert event.geo.country == expected
                else:
                    assert haversine_km(event.geo, expected) <= 25, (extraction.article.id, location)


def test_every_place_entity_has_a_country(resolved):
    for extraction in resolved:
        for entity in extraction.entities:
            if entity.type == "GPE" and entity.geo is not None:
                assert entity.geo.country == entity.country or entity.country is None, entity.name
