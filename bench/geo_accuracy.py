"""Share of the corpus's located gold events that beltwatch puts within 25 km of the true place.

    python bench/geo_accuracy.py

For each gold event with a location (required ones), the place is looked up in the gazetteer with
the article's countries as context; the event counts as placed when the extractor produced an event
of the same type in that article whose resolved `geo` lies within 25 km of it (for a country-level
place: in the same country).
"""

from __future__ import annotations

import json
from pathlib import Path

from beltwatch.clean import clean_article
from beltwatch.extract import extract_articles
from beltwatch.resolve import haversine_km, resolve_extraction, resolve_place
from beltwatch.sources.files import read_article

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "dev"


def main() -> None:
    paths = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".html"))
    extractions = {x.article.id: resolve_extraction(x) for x in extract_articles(clean_article(read_article(p)) for p in paths)}
    placed = total = 0
    for path in sorted(CORPUS.glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        extraction = extractions.get(gold["id"])
        if extraction is None:
            continue  # feed items: not read by extract
        countries = [e["country"] for e in gold["entities"] if e.get("country")]
        for event in gold["events"]:
            if not event.get("location") or event.get("optional"):
                continue
            truth = resolve_place(event["location"], context_countries=countries)
            total += 1
            hit = any(
                e.type == event["type"]
                and e.geo is not None
                and truth is not None
                and (
                    haversine_km(e.geo, truth) <= 25 if truth.precision <= 2 else e.geo.country == truth.country
                )
                for e in extraction.events
            )
            placed += hit
            print(f"{'placed' if hit else 'MISSED':7} {gold['id']:45} {event['type']:17} {event['location']}")
    print(f"\n{placed}/{total} located gold events placed within 25 km ({placed / total:.0%})")


if __name__ == "__main__":
    main()
