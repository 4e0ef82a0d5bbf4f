"""The learned-filter experiment (bench/learned_event_filter.py): its labels, its model and its features."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from beltwatch.evaluate import load_gold
from beltwatch.extract.nlp import load_nlp
from beltwatch.model import Event, Evidence

SEED = Path(__file__).parent / "corpus" / "dev" / "seed-xi-kakar.gold.json"


@pytest.fixture(scope="module")
def bench():
    path = Path(__file__).parent.parent / "bench" / "learned_event_filter.py"
    spec = importlib.util.spec_from_file_location("learned_event_filter", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_labels_mark_what_scores_and_what_does_not(bench):
    gold = load_gold(SEED)[0]
    stray = {"type": "ATTACK", "location": "Lima", "date": "1999-01-01"}
    prediction = {"entities": gold.entities, "amounts": [], "events": [*gold.events, stray]}
    labels = bench._labels(gold, prediction)
    assert labels[-1] == 0
    assert labels[:-1] == [1] * len(gold.events)


def test_fit_learns_which_feature_marks_a_false_event(bench):
    gold = load_gold(SEED)[0]
    features = [["type", "good"]] * 6 + [["type", "bad"]] * 4 + [["type", "good"], ["type", "bad"]]
    labels = [1] * 6 + [0] * 4 + [0, 1]
    sample = bench.Sample(gold, {"events": [{}] * len(labels)}, features, labels)
    model = bench.fit([sample], l2=1.0)
    unseen = bench.Sample(gold, {"events": [{}, {}]}, [["type", "good"], ["type", "bad"]], [])
    good, bad = model.probabilities(unseen)
    assert good > 0.6
    assert bad < 0.4


def test_features_name_the_sentence_and_cross_it_with_the_type(bench):
    text = "Pakistan and China did not sign the deal.\nOfficials said talks would resume in Beijing."
    doc = load_nlp()(text)
    first = Event("AGREEMENT", {"parties": ["Pakistan", "China"]}, Evidence(text[:41], 0, 41))
    second = Event("MEETING", {"location": "Beijing"}, Evidence(text[42:], 42, len(text)))
    features = set(bench.event_features(first, doc, [first, second]))
    assert {"headline", "negated", "AGREEMENT|negated", "AGREEMENT|arg=parties", "position=0"} <= features
    assert "lemma=sign" in features
    later = set(bench.event_features(second, doc, [first, second]))
    assert {"modal", "MEETING|modal", "position=2"} <= later
    assert "headline" not in later and "negated" not in later
