"""Story linking on real reports: beltwatch's stories against plain TF-IDF cosine, per split.

    python bench/real_stories.py            # both splits; the texts must be rebuilt first
    python bench/real_stories.py --json
    python bench/real_stories.py --split tune   # one split only, while tuning
    python bench/real_stories.py --misses       # tune's pairs beltwatch gets wrong, to study

The set is `tests/corpus/real-stories/reports.jsonl` (one report per line: url, query, outlet,
language, published date, happening id, split); the texts are rebuilt into `texts/` from each
report's query (tests/corpus/real-stories/README.md). A report of no other report's happening
is still scored: every pair it forms is a "different story" pair that must not be joined.

Both systems see the same cleaned texts and publication dates. beltwatch clusters them as
ingest does (extraction, duplicates, stories). The baseline joins two reports when the cosine
of their TF-IDF vectors (word unigrams, each CJK character a word, smoothed idf, l2-normalised:
scikit-learn's defaults, written out here so the benchmark needs nothing more) is at least a
threshold, and takes
the connected components as stories (stories are partitions, scored as such); its threshold is
the one that maximises pair F1 on `tune`, then applied unchanged to `check`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from beltwatch.clean import clean_article
from beltwatch.evaluate import PRF, SPLITS
from beltwatch.extract import extract_articles
from beltwatch.model import Article, ArticleMeta
from beltwatch.resolve import resolve_extraction
from beltwatch.stories import cluster_stories, find_duplicates, signal_of
from beltwatch.stories.signals import normal_words

SET = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "real-stories"
THRESHOLDS = np.round(np.arange(0.05, 0.95, 0.01), 2)


@dataclass(frozen=True)
class Report:
    id: str
    happening: str
    split: str
    article: Article


def load_reports(folder: Path = SET) -> tuple[list[Report], int]:
    """The reports whose text is present, and how many are not."""
    reports, absent = [], 0
    for line in (folder / "reports.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        path = folder / "texts" / f"{row['id']}.txt"
        if not path.is_file():
            absent += 1
            continue
        meta = ArticleMeta(published=row["published"], source=row["outlet"], url=row["url"], language=row["language"])
        article = clean_article(Article(id=row["id"], text=path.read_text(encoding="utf-8"), meta=meta))
        reports.append(Report(row["id"], row["happening"], row["split"], article))
    return reports, absent


def pair_score(reports: list[Report], story_of: dict[str, str]) -> PRF:
    prf = PRF()
    for a, b in itertools.combinations(reports, 2):
        gold, pred = a.happening == b.happening, story_of[a.id] == story_of[b.id]
        prf.tp += gold and pred
        prf.fp += pred and not gold
        prf.fn += gold and not pred
    return prf


def print_misses(reports: list[Report], story_of: dict[str, str]) -> None:
    """The pairs of one happening left apart and of two happenings joined, with their publication dates."""
    for a, b in itertools.combinations(sorted(reports, key=lambda r: (r.article.meta.published or "", r.id)), 2):
        gold, pred = a.happening == b.happening, story_of[a.id] == story_of[b.id]
        if gold != pred:
            label = "apart " if gold else "joined"
            print(f"{label} {a.article.meta.published} {a.id}  {b.article.meta.published} {b.id}")


def beltwatch_stories(reports: list[Report]) -> dict[str, str]:
    signals = [signal_of(resolve_extraction(e)) for e in extract_articles(r.article for r in reports)]
    return {a.article_id: a.story_id for a in cluster_stories(signals, find_duplicates(signals))}


def tfidf_vectors(texts: list[str]) -> csr_matrix:
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, text in enumerate(texts):
        for word in normal_words(text):
            rows.append(row)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
    counts = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocabulary)))
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(vocabulary))
    weighted = counts.multiply(np.log((1 + len(texts)) / (1 + df)) + 1).tocsr()
    norms = np.sqrt(weighted.multiply(weighted).sum(axis=1)).A1
    return csr_matrix(weighted.multiply(1 / np.maximum(norms, 1e-12)[:, None]))


def tfidf_stories(reports: list[Report], threshold: float) -> dict[str, str]:
    vectors = tfidf_vectors([r.article.text for r in reports])
    linked = (vectors @ vectors.T).toarray() >= threshold
    _, labels = connected_components(linked, directed=False)
    return {r.id: str(label) for r, label in zip(reports, labels, strict=True)}


def best_threshold(reports: list[Report]) -> float:
    return max(THRESHOLDS, key=lambda t: (pair_score(reports, tfidf_stories(reports, t)).f1, -t))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--split", choices=SPLITS, help="score this split only (the TF-IDF threshold is still set on tune)")
    parser.add_argument(
        "--misses", action="store_true", help="list tune's pairs beltwatch gets wrong (check is only ever scored)"
    )
    args = parser.parse_args(argv)
    reports, absent = load_reports()
    if not reports:
        print(f"{SET}: no report texts present; rebuild them first (see the set's README)", file=sys.stderr)
        return 2
    if absent:
        print(f"{absent} reports have no text here and are not scored", file=sys.stderr)
    split_of = {s: [r for r in reports if r.split == s] for s in SPLITS}
    if args.misses:
        print_misses(split_of["tune"], beltwatch_stories(split_of["tune"]))
        return 0
    threshold = float(best_threshold(split_of["tune"]))
    rows = {}
    for split, part in split_of.items():
        if args.split and split != args.split:
            continue
        rows[split] = {
            "reports": len(part),
            "happenings": len({r.happening for r in part}),
            "beltwatch": pair_score(part, beltwatch_stories(part)).to_json(),
            "tfidf": {**pair_score(part, tfidf_stories(part, threshold)).to_json(), "threshold": threshold},
        }
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'split':6} {'reports':>7} {'happen.':>7}  {'system':18} {'P':>6} {'R':>6} {'F1':>6}")
    for split, row in rows.items():
        for system, label in (("beltwatch", "beltwatch"), ("tfidf", f"TF-IDF >= {threshold:.2f}")):
            s = row[system]
            print(
                f"{split:6} {row['reports']:7} {row['happenings']:7}  {label:18} "
                f"{s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
