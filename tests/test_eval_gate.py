"""The evaluation gate: extraction quality on the bundled corpus must not fall below pinned floors.

Floors only ever go up. They sit a little under the figures measured when they were pinned
(see the README) so that a real regression fails, not a rounding change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from beltwatch.clean import clean_article
from beltwatch.evaluate import load_gold, score
from beltwatch.extract import extract_articles
from beltwatch.sources.files import read_article

CORPUS = Path(__file__).parent / "corpus" / "dev"

FLOORS = {"entities": 0.94, "amounts": 0.99, "events": 0.90, "arguments": 0.83}
SEED_EVENTS_FLOOR = 0.95


@pytest.fixture(scope="module")
def report():
    gold = [g for g in load_gold(CORPUS) if g.text_file]
    articles = [clean_article(read_article(CORPUS / g.text_file)) for g in gold]
    predicted = {x.article.id: x.to_json() for x in extract_articles(articles)}
    return score(gold, predicted, only_predicted=True), predicted, gold


def test_every_article_extract_reads_is_scored(report):
    result, predicted, gold = report
    assert len(predicted) == len(gold) == 15  # 14 text files and one HTML page
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
