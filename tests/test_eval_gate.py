"""The evaluation gate: extraction quality on the bundled corpus must not fall below pinned floors.

Floors only ever go up. They sit a little under the figures measured when they were pinned
(see the README) so that a real regression fails, not a rounding change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from beltwatch.clean import clean_article
from beltwatch.evaluate import load_gold, score, source_files
from beltwatch.extract import extract_articles
from beltwatch.resolve import resolve_extraction
from beltwatch.sources import iter_articles

CORPUS = Path(__file__).parent / "corpus" / "dev"

FLOORS = {"entities": 0.95, "amounts": 0.99, "events": 0.91, "arguments": 0.84}
SEED_EVENTS_FLOOR = 0.95


@pytest.fixture(scope="module")
def report():
    gold = load_gold(CORPUS)
    articles = [clean_article(a) for a in iter_articles(source_files(gold, CORPUS))]
    predicted = {x.article.id: resolve_extraction(x).to_json() for x in extract_articles(articles)}
    return score(gold, predicted, only_predicted=True), predicted, gold


def test_every_article_extract_reads_is_scored(report):
    result, predicted, gold = report
    assert len(predicted) == len(gold) == 19  # 14 text files, one HTML page, four feed items
    assert not result.unpredicted


@pytest.mark.parametrize("part", ["entities", "amounts", "events"])
def test_f1_floor(report, part):
    result = report[0]
    assert getattr(result, part).f1 >= FLOORS[part]


def test_argument_accuracy_floor(report):
    assert report[0].arguments.value >= FLOORS["arguments"]


def test_seed_events_floor(report):
    _, predicted, gold = report
    seed = [g for g in gold if g.id == "seed-xi-kakar"]
    assert score(seed, predicted, only_predicted=True).events.f1 >= SEED_EVENTS_FLOOR
