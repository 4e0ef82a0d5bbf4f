"""Duplicate detection and story clustering at scale, on synthetic story signals (no NLP).

For each size (default 10,000 and 100,000; the README's figures are 100,000 and 1,000,000) a
child process of its own (this script again, with ``--size``) builds that many `StorySignal`
records and times `find_duplicates` and then `cluster_stories` on them, as `ingest` runs them.

The signals imitate a year of news: happenings (type, day, place, actors, and a topic of 40
words) are reported by 1 to 6 articles each, published on the day or up to 2 days later; an
article has 150 to 300 words, 60 % from its happening's topic and the rest from the corpus
vocabulary, a 10-word title, the happening's event signature (the date left out in one report
of three), a background event in one of five, and its entity names. 3 % of the articles are
exact copies of an earlier one and 3 % near copies (a new title, 5 % of the words changed).
The vocabulary is the words of the bundled corpus articles; topics also draw on made-up
words, as many as Heaps' law gives for the corpus size (30 x tokens^0.5: 45,000 words for
10,000 articles, 450,000 for 1 million), since the names and rare words of news grow with it
(with the corpus's 4,000 words alone, unrelated articles share ever more top terms as the
corpus grows, which no real corpus does; ``--corpus-words-only`` shows it);
places and actors are the knowledge files' names plus numbered synthetic ones, so that busy
places and actors exist as in real news. Everything is drawn from one seed (``--seed``).

Reported per size: seconds for each step, the RSS after the signals were built and the peak
(``ru_maxrss``), so the peak minus the first is what the two steps took; a digest of the stories
(which article is in which story: two runs with one seed agree, and ``--reverse`` clusters the
signals again in the opposite order and says whether the stories are the same); and the time
ratio of the largest size to the smallest against a linear growth (target: 1M under 12 x the time
of 100k).

Commands (from the repository root)::

    .venv/bin/python bench/stories_scale.py                          # 10,000 and 100,000
    .venv/bin/python bench/stories_scale.py --sizes 100000 1000000   # the README's figures
    .venv/bin/python bench/stories_scale.py --reverse                # and the stories in reverse order
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "dev"
TARGET_GROWTH = 12.0  # for 10 x the articles
EVENT_TYPES = (
    "ATTACK",
    "MEETING",
    "AGREEMENT",
    "FINANCING",
    "PROJECT",
    "PROTEST",
    "SECURITY_MEASURE",
    "STATEMENT",
)
FIRST_DAY = date(2023, 1, 1).toordinal()


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def vocabulary() -> tuple[list[str], list[str], list[str]]:
    """Words, places and actors: from the bundled articles and the knowledge files."""
    from beltwatch.knowledge import load_knowledge
    from beltwatch.stories.signals import normal_words

    words: set[str] = set()
    for path in sorted(CORPUS.glob("*.txt")):
        words.update(w for w in normal_words(path.read_text(encoding="utf-8")) if w.isalpha() and w.isascii())
    knowledge = load_knowledge()
    places = sorted({e.name for e in knowledge.entities if e.type in ("GPE", "LOC", "FAC")})
    actors = sorted({e.name for e in knowledge.entities if e.type in ("PERSON", "ORG")})
    return sorted(words), places, actors


def build_signals(size: int, seed: int, corpus_words_only: bool = False) -> tuple[list[Any], list[int]]:
    """The signals, and the happening each reports (a copy reports its original's)."""
    from beltwatch.model import EventSignature, StorySignal

    rng = np.random.default_rng(seed)
    words, known_places, known_actors = vocabulary()
    made_up = 0 if corpus_words_only else heaps_vocabulary(size) - len(words)
    topics = np.array(words + _made_up_words(made_up, rng))
    places = known_places + [f"Place {i}" for i in range(max(100, size // 50))]
    actors = known_actors + [f"Actor {i}" for i in range(max(100, size // 20))]
    vocab = np.array(words)
    # a few places and actors are in much of the news (a capital, a government): Zipf draws
    place_p = 1.0 / np.arange(1, len(places) + 1) ** 1.1
    place_p /= place_p.sum()
    actor_p = 1.0 / np.arange(1, len(actors) + 1) ** 1.1
    actor_p /= actor_p.sum()

    signals: list[StorySignal] = []
    happenings: list[int] = []
    happening = 0
    while len(signals) < size:
        etype = EVENT_TYPES[rng.integers(len(EVENT_TYPES))]
        day = FIRST_DAY + int(rng.integers(365))
        place = places[rng.choice(len(places), p=place_p)]
        cast = tuple(actors[i] for i in rng.choice(len(actors), size=int(rng.integers(1, 4)), p=actor_p))
        topic = topics[rng.integers(len(topics), size=40)]
        for report in range(int(rng.integers(1, 7))):
            if len(signals) >= size:
                break
            roll = rng.random()
            if signals and roll < 0.06:
                original = int(rng.integers(len(signals)))
                signals.append(_copy(signals[original], len(signals), roll < 0.03, vocab, rng))
                happenings.append(happenings[original])
                continue
            n = int(rng.integers(150, 301))
            from_topic = rng.random(n) < 0.6
            text = np.where(
                from_topic, topic[rng.integers(40, size=n)], vocab[rng.integers(len(vocab), size=n)]
            )
            published = date.fromordinal(day + int(rng.integers(3))).isoformat()
            events = [
                EventSignature(
                    etype, None if report % 3 == 2 else date.fromordinal(day).isoformat(), place, cast
                )
            ]
            if rng.random() < 0.2:
                old = date.fromordinal(day - int(rng.integers(30, 900))).isoformat()
                events.append(EventSignature(EVENT_TYPES[rng.integers(len(EVENT_TYPES))], old, places[0], ()))
            signals.append(
                StorySignal(
                    article_id=f"a{len(signals):08d}",
                    text=" ".join(text.tolist()),
                    published=published,
                    title=" ".join(vocab[rng.integers(len(vocab), size=10)].tolist()),
                    events=events,
                    entities=[place, *cast],
                )
            )
            happenings.append(happening)
        happening += 1
    return signals, happenings


def heaps_vocabulary(size: int) -> int:
    """How many distinct words `size` articles of about 225 words use: Heaps' law, 30 x tokens^0.5."""
    return int(30 * (225 * size) ** 0.5)


def _made_up_words(count: int, rng: np.random.Generator) -> list[str]:
    """`count` distinct made-up words of 4 to 9 letters: the names and rare words of a large corpus."""
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    out: set[str] = set()
    while len(out) < count:
        for length in range(4, 10):
            out.update("".join(w) for w in letters[rng.integers(26, size=(count // 6 + 1, length))].tolist())
    return sorted(out)[:count]


def _copy(original: Any, index: int, exact: bool, vocab: np.ndarray, rng: np.random.Generator) -> Any:
    from dataclasses import replace

    day = date.fromisoformat(original.published) + timedelta(days=int(rng.integers(2)))
    text, title = original.text, original.title
    if not exact:
        words = np.array(text.split())
        changed = rng.random(len(words)) < 0.05
        words[changed] = vocab[rng.integers(len(vocab), size=int(changed.sum()))]
        text = " ".join(words.tolist())
        title = " ".join(vocab[rng.integers(len(vocab), size=10)].tolist())
    return replace(original, article_id=f"a{index:08d}", text=text, title=title, published=day.isoformat())


def run_size(size: int, seed: int, corpus_words_only: bool, reverse: bool) -> dict[str, Any]:
    from beltwatch.stories import cluster_stories, find_duplicates

    start = time.perf_counter()
    signals, happenings = build_signals(size, seed, corpus_words_only)
    built = time.perf_counter() - start
    base = rss_mb()
    start = time.perf_counter()
    duplicates = find_duplicates(signals)
    dup_seconds = time.perf_counter() - start
    start = time.perf_counter()
    assignments = cluster_stories(signals, duplicates)
    cluster_seconds = time.perf_counter() - start
    stories = len({a.story_id for a in assignments})
    peak = peak_rss_mb()
    # the same input in the opposite order must give the same stories (after the figures above)
    same_reversed = reverse and set(cluster_stories(signals[::-1], duplicates)) == set(assignments)
    return {
        "articles": size,
        "build_seconds": built,
        "duplicates_seconds": dup_seconds,
        "clustering_seconds": cluster_seconds,
        "seconds": dup_seconds + cluster_seconds,
        "duplicates": len(duplicates),
        "stories": stories,
        **pair_scores(assignments, happenings),
        "stories_digest": stories_digest(assignments),
        "same_stories_reversed": same_reversed if reverse else None,
        "rss_after_build_mb": base,
        "peak_rss_mb": peak,
    }


def pair_scores(assignments: list, happenings: list[int]) -> dict[str, float]:
    """Story pair precision and recall against the happenings the signals were drawn from."""

    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter((a.story_id, h) for a, h in zip(assignments, happenings, strict=True)))
    joined = pairs(Counter(a.story_id for a in assignments))
    same = pairs(Counter(happenings))
    return {"pair_precision": both / joined if joined else 1.0, "pair_recall": both / same if same else 1.0}


def stories_digest(assignments: list) -> str:
    """A fingerprint of which article is in which story: equal runs give equal digests."""
    lines = sorted(f"{a.article_id}\t{a.story_id}\t{a.duplicate_of}" for a in assignments)
    return hashlib.blake2b("\n".join(lines).encode("utf-8"), digest_size=8).hexdigest()


def spawn_size(size: int, seed: int, corpus_words_only: bool, reverse: bool) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--size", str(size), "--seed", str(seed)]
    cmd += ["--corpus-words-only"] if corpus_words_only else []
    cmd += ["--reverse"] if reverse else []
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"stories_scale: size {size} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def markdown(results: list[dict[str, Any]], load: str) -> str:
    lines = [
        (
            "| articles | duplicates s | clustering s | total s | µs/article | duplicates | stories "
            "| pair P | pair R | RSS with signals MB | peak RSS MB | stories digest |"
        ),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['articles']:,} | {r['duplicates_seconds']:.1f} | {r['clustering_seconds']:.1f} "
            f"| {r['seconds']:.1f} | {1e6 * r['seconds'] / r['articles']:.0f} | {r['duplicates']:,} "
            f"| {r['stories']:,} | {r['pair_precision']:.3f} | {r['pair_recall']:.3f} | {r['rss_after_build_mb']:.0f} | {r['peak_rss_mb']:.0f} | {r['stories_digest']}"
            + {None: "", True: " (same reversed)", False: " (DIFFERS reversed)"}[r["same_stories_reversed"]]
            + " |"
        )
    small, large = results[0], results[-1]
    if large["articles"] > small["articles"]:
        growth = large["seconds"] / small["seconds"]
        scale = large["articles"] / small["articles"]
        target = TARGET_GROWTH * scale / 10
        verdict = "meets" if growth < target else "MISSES"
        lines.append("")
        lines.append(
            f"{scale:.0f} x the articles took {growth:.1f} x the time ({verdict} the target of < {target:.0f} x)"
        )
    lines.append(f"(load average before the run {load})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="numbers of articles")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic signals (default 0)")
    parser.add_argument(
        "--corpus-words-only",
        action="store_true",
        help="topics from the corpus's words alone, no made-up words",
    )
    parser.add_argument(
        "--reverse", action="store_true", help="also cluster the signals in reverse order and compare the stories"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # internal: run one size here
    args = parser.parse_args(argv)
    if args.size:
        print(json.dumps(run_size(args.size, args.seed, args.corpus_words_only, args.reverse)))
        return
    if min(args.sizes) < 1:
        parser.error("sizes must be at least 1")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results = [spawn_size(size, args.seed, args.corpus_words_only, args.reverse) for size in sorted(args.sizes)]
    if args.json:
        print(json.dumps({"sizes": results, "load_average": load}, indent=2))
    else:
        print(markdown(results, load))


if __name__ == "__main__":
    main()
