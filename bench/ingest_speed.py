"""Extraction throughput: beltwatch's `extract_articles` beside spaCy's own `nlp.pipe`.

What it measures, in one run, on the same texts with the same model (`beltwatch.extract.nlp.MODEL`):

- ``spacy``: plain ``spacy.load(MODEL)``, ``nlp.pipe(texts, batch_size=16)``, every Doc consumed;
- ``beltwatch``: the full ``extract_articles(articles)`` (paragraph boundaries, entity ruler, entities,
  amounts, dates, events), every `Extraction` consumed (not serialised);

and for each side the articles per second, and the peak memory (RSS high-water mark,
``resource.getrusage(RUSAGE_SELF).ru_maxrss``); then the ratio beltwatch/spaCy in articles/s (target >= 0.5).

Texts: every article file under the corpus folder (default ``tests/corpus/dev``) read with
`read_article` and cleaned with `clean_article`, English ones only (language "en", or undetected, which
`extract_articles` also sends through spaCy), repeated in order until there are ``--articles`` of them
(default 300) so that the timings are stable. Reading and cleaning happen before the clock starts, so
cleaning is not timed on either side.

Each side runs in its own child process (this script again, with ``--side``) so that the peaks are
separate, with ``OPENBLAS_NUM_THREADS=1`` set in the environment of both. Each side loads its pipeline
and runs it on one short text before timing (the warm-up), so model loading is not timed either. Both
children read and clean the corpus the same way, so the cost of the readers (trafilatura, lxml, ftfy,
language detection) is in both peaks alike.

Command (from the repository root)::

    .venv/bin/python bench/extract_speed.py                 # Markdown table and the ratio
    .venv/bin/python bench/extract_speed.py --json          # the same figures as JSON
    .venv/bin/python bench/extract_speed.py --articles 600  # more articles, steadier figures
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "tests" / "corpus" / "dev"
SIDES = ("spacy", "beltwatch")
BATCH_SIZE = 16
TARGET_RATIO = 0.5
WARM_UP_TEXT = "Xi Jinping met Anwar-ul-Haq Kakar in Beijing on Monday to discuss a USD 60 billion CPEC loan."


def peak_rss_mb() -> float:
    """The process's RSS high-water mark in MB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def load_articles(corpus: Path, count: int) -> tuple[list[Any], int]:
    """`count` cleaned English articles, the corpus's repeated in order; and how many distinct ones."""
    from dataclasses import replace

    from beltwatch.clean import clean_article
    from beltwatch.errors import InputError
    from beltwatch.sources.files import iter_article_paths, read_article

    distinct = []
    for path in iter_article_paths([corpus]):
        try:
            article = clean_article(read_article(path))
        except InputError as exc:
            print(f"extract_speed: skipped {exc}", file=sys.stderr)
            continue
        if article.meta.language in (None, "en"):
            distinct.append(article)
    if not distinct:
        raise SystemExit(f"extract_speed: no English articles under {corpus}")
    articles = [
        replace(distinct[i % len(distinct)], id=f"{distinct[i % len(distinct)].id}#{i}") for i in range(count)
    ]
    return articles, len(distinct)


def run_side(side: str, corpus: Path, count: int) -> dict[str, Any]:
    """Time one side in this process; the figures as a dict."""
    articles, distinct = load_articles(corpus, count)
    texts = [a.text for a in articles]

    if side == "spacy":
        import spacy

        from beltwatch.extract.nlp import MODEL

        nlp = spacy.load(MODEL)
        for _ in nlp.pipe([WARM_UP_TEXT], batch_size=BATCH_SIZE):
            pass
        start = time.perf_counter()
        done = sum(1 for _doc in nlp.pipe(texts, batch_size=BATCH_SIZE))  # consume every Doc
        seconds = time.perf_counter() - start
    else:
        from beltwatch.extract import extract_articles
        from beltwatch.model import Article, ArticleMeta

        warm = Article(
            id="warm-up", text=WARM_UP_TEXT, meta=ArticleMeta(published="2023-11-01", language="en")
        )
        for _ in extract_articles([warm]):  # loads the pipeline with its ruler and the knowledge files
            pass
        start = time.perf_counter()
        done = sum(1 for _extraction in extract_articles(articles))  # consume every Extraction
        seconds = time.perf_counter() - start

    if done != count:
        raise SystemExit(f"extract_speed: {side} gave {done} results for {count} articles")
    return {
        "side": side,
        "articles": done,
        "distinct_articles": distinct,
        "characters": sum(len(t) for t in texts),
        "seconds": seconds,
        "articles_per_s": done / seconds if seconds else float("inf"),
        "peak_rss_mb": peak_rss_mb(),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }


def spawn_side(side: str, corpus: Path, count: int) -> dict[str, Any]:
    """Run one side in a child process of its own and read its JSON line."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--side",
        side,
        "--articles",
        str(count),
        "--corpus",
        str(corpus),
    ]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"extract_speed: the {side} side failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def markdown(results: list[dict[str, Any]], ratio: float) -> str:
    lines = [
        "| side | articles | seconds | articles/s | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['side']} | {r['articles']} | {r['seconds']:.2f} | {r['articles_per_s']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    verdict = "meets" if ratio >= TARGET_RATIO else "below"
    lines.append("")
    lines.append(f"ratio beltwatch/spaCy (articles/s): {ratio:.2f} ({verdict} the target of {TARGET_RATIO})")
    first = results[0]
    lines.append(
        f"({first['distinct_articles']} distinct English articles repeated to {first['articles']}, "
        f"{first['characters']:,} characters; batch size {BATCH_SIZE}; OPENBLAS_NUM_THREADS=1)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles per side (default 300)")
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of articles (default tests/corpus/dev)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)  # internal: run one side here
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")

    if args.side:
        print(json.dumps(run_side(args.side, args.corpus, args.articles)))
        return

    results = [spawn_side(side, args.corpus, args.articles) for side in SIDES]
    by_side = {r["side"]: r for r in results}
    ratio = by_side["beltwatch"]["articles_per_s"] / by_side["spacy"]["articles_per_s"]
    if args.json:
        print(json.dumps({"sides": by_side, "ratio": ratio, "target_ratio": TARGET_RATIO}, indent=2))
    else:
        print(markdown(results, ratio))


if __name__ == "__main__":
    main()
