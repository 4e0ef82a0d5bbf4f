"""Would a learned filter over the rules' events raise event F1? Cross-validation within `tune` says no.

    python bench/learned_event_filter.py     # the real-news texts must be rebuilt first

The idea: a logistic model gives each event the rules find a probability of being one the gold
records, from features that do not depend on one outlet's wording (the event's type, which
arguments it found and whether one came from outside its sentence, the sentence's lemmas, root
verb, entity types, quotes, negation and modals, its place in the article, how many events of the
same type the article and the sentence hold), each also crossed with the type; events below a
threshold are dropped.

Data: every event the rules find in the `tune` split of the real-news corpus and in the bundled
corpus, labelled 1 when dropping it loses a true positive and 0 otherwise (a false positive, or a
duplicate of a matched one). The `check` split is never read. Folds are by article with a fixed
seed; the bundled articles always train. The L2 strength and the threshold (0 = keep every event,
the rules alone) are chosen by an inner cross-validation inside each training part, so a held-out
fold never tunes its own figure.

Besides rules alone against rules + filter on the held-out folds, it prints the area under the
ROC curve of the held-out probabilities (0.5 is chance) and two bounds: dropping exactly the
events whose type the article's gold lacks (what a perfect article-level event-type classifier
could remove) and dropping exactly the events labelled 0 (a perfect filter).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from beltwatch.cli import _read_all, _with_gold_meta
from beltwatch.evaluate import GoldArticle, Report, load_gold, score, source_files
from beltwatch.extract import extract_articles
from beltwatch.extract.nlp import doc_text, load_nlp
from beltwatch.model import Event
from beltwatch.resolve import resolve_extraction

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "corpus" / "real"
DEV = ROOT / "tests" / "corpus" / "dev"
SEED = 12
FOLDS = 5
MIN_COUNT = 2  # a feature of one training event says nothing beyond that event
L2_GRID = (30.0, 10.0, 3.0, 1.0)  # strongest first: ties go to the simpler model
THRESHOLD_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)  # lowest first: ties go to dropping less
MODALS = frozenset({"will", "would", "could", "may", "might", "should", "can", "shall", "must"})


def _bucket(n: int, edges: Sequence[int]) -> str:
    """`n` as the first edge it does not exceed, or the last edge and a plus."""
    return next((str(edge) for edge in edges if n <= edge), f"{edges[-1]}+")


def event_features(event: Event, doc: Doc, events: Sequence[Event]) -> list[str]:
    """The features of one event, each also prefixed with its type: what marks a false meeting need
    not mark a false attack."""
    found = [f"arg={k}" for k, v in event.arguments.items() if v not in (None, "", [])]
    names = [*found, "args=" + _bucket(len(found), (1, 2, 3, 5))]
    if set(event.argument_evidence) - {"date"}:
        names.append("argument outside its sentence")
    if 0 <= event.evidence.start < doc_text(doc).find("\n"):
        names.append("headline")
    names.append("same type=" + _bucket(sum(e.type == event.type for e in events), (1, 2, 4)))
    sharing = sum(e.evidence.start == event.evidence.start for e in events)
    names.append("same sentence=" + _bucket(sharing, (1, 2)))
    sent = doc.char_span(event.evidence.start, event.evidence.end, alignment_mode="expand")
    if sent is not None:
        tokens = [t for t in sent if not t.is_space]
        earlier = sum(1 for other in doc.sents if other.start < sent.start)
        names.append("position=" + _bucket(earlier, (0, 2, 5, 10)))
        names.append("length=" + _bucket(len(tokens), (12, 25, 40)))
        names += sorted({f"entity={e.label_}" for e in sent.ents})
        names += sorted({f"lemma={t.lemma_.lower()}" for t in tokens if t.is_alpha and not t.is_stop})
        names += sorted({f"root={t.lemma_.lower()}" for t in tokens if t.dep_ == "ROOT"})
        marks = {
            "quoted": any(t.text in '"“”' for t in tokens),
            "negated": any(t.dep_ == "neg" for t in tokens),
            "modal": any(t.lower_ in MODALS for t in tokens),
        }
        names += [name for name, present in marks.items() if present]
    names = ["type", *names]
    return names + [f"{event.type}|{name}" for name in names]


@dataclass
class Sample:
    """One gold article with the events the rules find: their features, labels and resolved JSON."""

    gold: GoldArticle
    prediction: dict
    features: list[list[str]] | None  # None: not English, never parsed, so never filtered
    labels: list[int]


def collect(folder: Path, split: str | None) -> list[Sample]:
    gold = [g for g in load_gold(folder) if split is None or g.meta.get("split") == split]
    articles = list(_with_gold_meta(_read_all(source_files(gold, folder), None, []), gold))
    english = [a for a in articles if a.meta.language in (None, "en")]
    # the extractor keeps its parses to itself: parse again, the same pipeline on the same texts
    docs = dict(zip((a.id for a in english), load_nlp().pipe(a.text for a in english)))
    by_id = {g.id: g for g in gold}
    samples = []
    for extraction in extract_articles(articles):
        doc = docs.get(extraction.article.id)
        events = extraction.events
        features = None if doc is None else [event_features(e, doc, events) for e in events]
        prediction = resolve_extraction(extraction).to_json()
        article = by_id[extraction.article.id]
        samples.append(Sample(article, prediction, features, _labels(article, prediction)))
    return samples


def _labels(gold: GoldArticle, prediction: dict) -> list[int]:
    """1 for an event whose removal loses a true positive, 0 for one whose removal loses none."""

    def true_positives(events: list[dict]) -> int:
        return score([gold], {gold.id: {**prediction, "events": events}}, only_predicted=True).events.tp

    events = prediction["events"]
    whole = true_positives(events)
    return [int(true_positives(events[:i] + events[i + 1 :]) < whole) for i in range(len(events))]


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    bias: float

    def probabilities(self, sample: Sample) -> list[float]:
        if sample.features is None:
            return [1.0] * len(sample.prediction["events"])
        z = [self.bias + sum(self.weights.get(f, 0.0) for f in names) for names in sample.features]
        return list(1.0 / (1.0 + np.exp(-np.array(z))))


def fit(samples: Sequence[Sample], l2: float) -> Model:
    """L2-regularised logistic regression by accelerated gradient descent (convex, started at zero: no
    randomness)."""
    rows = [(names, y) for s in samples if s.features is not None for names, y in zip(s.features, s.labels)]
    counts: dict[str, int] = {}
    for names, _ in rows:
        for name in set(names):
            counts[name] = counts.get(name, 0) + 1
    vocabulary = sorted(n for n, c in counts.items() if c >= MIN_COUNT)
    column = {n: j for j, n in enumerate(vocabulary)}
    x = np.zeros((len(rows), len(vocabulary) + 1))
    x[:, -1] = 1.0  # the bias, not penalised
    for i, (names, _) in enumerate(rows):
        x[i, [column[n] for n in names if n in column]] = 1.0
    y = np.array([label for _, label in rows], dtype=float)
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    step = 1.0 / (0.25 * np.linalg.norm(x, 2) ** 2 + l2)
    w = v = np.zeros(x.shape[1])
    for k in range(1, 5001):
        gradient = x.T @ (1.0 / (1.0 + np.exp(-(x @ v))) - y) + penalty * v
        if np.abs(gradient).max() < 1e-5:
            break
        w_next = v - step * gradient
        v, w = w_next + (k - 1) / (k + 2) * (w_next - w), w_next
    return Model(dict(zip(vocabulary, w[:-1].tolist())), float(w[-1]))


def folds(samples: Sequence[Sample], k: int, seed: int) -> list[list[Sample]]:
    order = sorted(samples, key=lambda s: s.gold.id)
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def held_out_probabilities(
    tune: Sequence[Sample], extra: Sequence[Sample], k: int, seed: int, l2: float
) -> dict[str, list[float]]:
    """Each `tune` article's event probabilities from a model trained without its fold (`extra` always
    trains)."""
    out: dict[str, list[float]] = {}
    for held_out in folds(tune, k, seed):
        ids = {s.gold.id for s in held_out}
        model = fit([s for s in tune if s.gold.id not in ids] + list(extra), l2)
        out |= {s.gold.id: model.probabilities(s) for s in held_out}
    return out


def kept(sample: Sample, keep: Callable[[int], bool]) -> dict:
    return {**sample.prediction, "events": [e for i, e in enumerate(sample.prediction["events"]) if keep(i)]}


def above(samples: Sequence[Sample], probabilities: dict[str, list[float]], threshold: float) -> dict:
    return {s.gold.id: kept(s, lambda i, p=probabilities[s.gold.id]: p[i] >= threshold) for s in samples}


def report(samples: Sequence[Sample], predictions: dict[str, dict]) -> Report:
    return score([s.gold for s in samples], predictions, only_predicted=True)


def choose(tune: Sequence[Sample], extra: Sequence[Sample], seed: int) -> tuple[float, float]:
    """The L2 strength and threshold with the best events F1 over inner held-out folds of `tune`."""
    best = (-1.0, L2_GRID[0], 0.0)
    for l2 in L2_GRID:
        probabilities = held_out_probabilities(tune, extra, FOLDS - 1, seed, l2)
        for threshold in THRESHOLD_GRID:
            f1 = report(tune, above(tune, probabilities, threshold)).events.f1
            if f1 > best[0] + 1e-9:
                best = (f1, l2, threshold)
    return best[1], best[2]


def auc(probabilities: Sequence[float], labels: Sequence[int]) -> float:
    p, y = np.array(probabilities), np.array(labels)
    positive, negative = p[y == 1], p[y == 0]
    return float(np.mean([(q > negative).mean() + 0.5 * (q == negative).mean() for q in positive]))


def line(label: str, result: Report) -> str:
    e, a = result.events, result.arguments
    return (
        f"{label:<22} events P {e.precision:.3f} R {e.recall:.3f} F1 {e.f1:.3f} "
        f"(tp {e.tp} fp {e.fp} fn {e.fn})  arguments {a.value:.3f} ({a.correct}/{a.total})"
    )


def main() -> None:
    tune, dev = collect(REAL, "tune"), collect(DEV, None)
    labels = [y for s in tune for y in s.labels]
    print(f"tune: {len(tune)} articles, {len(labels)} rule events, {labels.count(0)} labelled 0")
    learned: dict[str, dict] = {}
    probabilities: dict[str, list[float]] = {}
    for i, held_out in enumerate(folds(tune, FOLDS, SEED)):
        ids = {s.gold.id for s in held_out}
        train = [s for s in tune if s.gold.id not in ids]
        l2, threshold = choose(train, dev, SEED + i + 1)
        model = fit(train + dev, l2)
        fold = {s.gold.id: model.probabilities(s) for s in held_out}
        probabilities |= fold
        filtered = above(held_out, fold, threshold)
        learned |= filtered
        before = report(held_out, {s.gold.id: s.prediction for s in held_out}).events.f1
        after = report(held_out, filtered).events.f1
        print(f"fold {i + 1} ({len(held_out)} articles): l2 {l2:g}, threshold {threshold:g}, ", end="")
        print(f"F1 {before:.3f} -> {after:.3f}")
    print(line("rules", report(tune, {s.gold.id: s.prediction for s in tune})))
    print(line("rules + filter", report(tune, learned)))
    held = [p for s in tune for p in probabilities[s.gold.id]]
    print(f"held-out ROC AUC of the filter: {auc(held, labels):.3f}")

    def types_in_gold(s: Sample) -> Callable[[int], bool]:
        return lambda i: s.prediction["events"][i]["type"] in {e.get("type") for e in s.gold.events}

    print(line("bound: gold's types", report(tune, {s.gold.id: kept(s, types_in_gold(s)) for s in tune})))
    perfect = {s.gold.id: kept(s, lambda i, s=s: s.labels[i] == 1) for s in tune}
    print(line("bound: perfect filter", report(tune, perfect)))
    dev_labels = [y for s in dev for y in s.labels]
    print(f"bundled: {len(dev)} articles, {len(dev_labels)} rule events, {dev_labels.count(0)} labelled 0")


if __name__ == "__main__":
    main()
