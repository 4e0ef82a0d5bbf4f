"""A synthetic corpus of any size, made from the bundled English articles by perturbing them.

Each synthetic article is one of the corpus articles (``tests/corpus/dev/*.txt`` with their
sidecars, English or undetected language; chosen in turn) with:

- people swapped: every name or alias of a PERSON in the knowledge files that the text uses is
  replaced, everywhere in the article, by another PERSON's name;
- places swapped: the same for towns and districts (GPE entries of ``places.yaml`` that are not
  provinces), datelines in capitals included;
- numbers changed: years (and the publication date) moved by one offset of -3..+3 years, a day
  after a month name redrawn (1-28), every other number scaled by a factor of 0.5-2 in the
  format it was written in (thousands separators, decimals);
- paragraphs after the first (the masthead or headline) shuffled.

Only the bundled articles and our own knowledge files are used: no third-party text. Article
``i`` depends only on ``--seed`` and ``i``, so a corpus is the same on every run and any size
is a prefix of a larger one.

Commands (from the repository root)::

    .venv/bin/python bench/synthetic_corpus.py 1000 --out /path/folder       # .txt + .meta.json files
    .venv/bin/python bench/synthetic_corpus.py 100000 --out /path/all.jsonl  # one JSON Lines file
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

from beltwatch.knowledge import load_knowledge
from beltwatch.model import Article, ArticleMeta
from beltwatch.sources.files import iter_article_paths, read_article

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "tests" / "corpus" / "dev"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
]
# a number as written, not the "23" of "2022-23" (a fiscal year: its years move with the first)
_NUMBER = re.compile(
    r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,])|(?<![\w.,])(?<!\d-)\d+(?:\.\d+)?(?![\w,])"
)
_DAY_AFTER_MONTH = re.compile(rf"\b(?:{'|'.join(MONTHS)})\.? (\d{{1,2}})\b")
_PARAGRAPHS = re.compile(r"\n\s*\n")


@cache
def source_articles(corpus: Path = DEFAULT_CORPUS) -> tuple[Article, ...]:
    """The English articles of the corpus folder, as read (not yet cleaned), in file order."""
    out = []
    for path in iter_article_paths([corpus]):
        if path.suffix != ".txt":
            continue
        article = read_article(path)
        if article.meta.language in (None, "en"):
            out.append(article)
    if not out:
        raise SystemExit(f"synthetic_corpus: no English .txt articles under {corpus}")
    return tuple(out)


@cache
def name_pools() -> tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str], re.Pattern[str]]:
    """People and towns to draw from, and a pattern that finds any of their spellings in a text."""
    knowledge = load_knowledge()
    people = [e for e in knowledge.entities if e.type == "PERSON"]
    towns = [e for e in knowledge.entities if e.type == "GPE" and e.level != "province" and not e.capital_of]

    def pattern(entities: list) -> re.Pattern[str]:
        spellings = {n for e in entities for n in e.names if n.isascii() and len(n) > 2}
        spellings |= {n.upper() for e in towns if e in entities for n in e.names if n.isascii()}
        ordered = sorted(spellings, key=len, reverse=True)  # longest first: "Dera Ismail Khan" before "Khan"
        return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w-])")

    return (
        tuple(e.name for e in people),
        tuple(e.name for e in towns),
        pattern(people),
        pattern(towns),
    )


def synthetic_article(i: int, seed: int = 0, corpus: Path = DEFAULT_CORPUS) -> Article:
    """Synthetic article number `i`: corpus article ``i mod n``, perturbed by a generator of its own."""
    sources = source_articles(corpus)
    base = sources[i % len(sources)]
    rng = random.Random(f"{seed}:{i}")
    people, towns, people_pattern, town_pattern = name_pools()
    years = rng.randint(-3, 3)
    text = _swap_names(base.text, people_pattern, people, rng)
    text = _swap_names(text, town_pattern, towns, rng)
    text = _DAY_AFTER_MONTH.sub(
        lambda m: m.group(0)[: m.start(1) - m.start(0)] + str(rng.randint(1, 28)), text
    )
    text = _NUMBER.sub(lambda m: _new_number(m.group(0), years, rng), text)
    text = _shuffle_paragraphs(text, rng)
    meta = replace(base.meta, published=_moved(base.meta.published, years), url=None)
    return Article(id=f"synthetic-{seed}-{i:07d}", text=text, meta=meta, origin=None)


def synthetic_articles(count: int, seed: int = 0, corpus: Path = DEFAULT_CORPUS) -> Iterator[Article]:
    for i in range(count):
        yield synthetic_article(i, seed, corpus)


def _swap_names(text: str, pattern: re.Pattern[str], pool: tuple[str, ...], rng: random.Random) -> str:
    chosen: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        key = found.casefold()
        if key not in chosen:
            chosen[key] = rng.choice(pool)
        return chosen[key].upper() if found.isupper() and len(found) > 3 else chosen[key]

    return pattern.sub(swap, text)


def _new_number(written: str, years: int, rng: random.Random) -> str:
    plain = written.replace(",", "")
    if re.fullmatch(r"(?:19|20)\d\d", plain):
        return str(int(plain) + years)
    value = float(plain) * rng.uniform(0.5, 2.0)
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    if decimals == 0:
        value = max(1, round(value))
    return f"{value:,.{decimals}f}" if "," in written else f"{value:.{decimals}f}"


def _shuffle_paragraphs(text: str, rng: random.Random) -> str:
    paragraphs = _PARAGRAPHS.split(text.strip())
    rest = paragraphs[1:]
    rng.shuffle(rest)
    return "\n\n".join([paragraphs[0], *rest]) + "\n"


def _moved(published: str | None, years: int) -> str | None:
    if not published:
        return None
    day = date.fromisoformat(published)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28).isoformat()


def write_corpus(articles: Iterator[Article], out: Path) -> int:
    """Write articles to a folder (.txt and .meta.json) or, for a .jsonl path, one JSON Lines file."""
    count = 0
    if out.suffix == ".jsonl":
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for article in articles:
                fh.write(json.dumps({"id": article.id, "text": article.text, **_meta(article.meta)}) + "\n")
                count += 1
        return count
    out.mkdir(parents=True, exist_ok=True)
    for article in articles:
        (out / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
        (out / f"{article.id}.meta.json").write_text(json.dumps(_meta(article.meta)), encoding="utf-8")
        count += 1
    return count


def _meta(meta: ArticleMeta) -> dict[str, str]:
    fields = {
        "published": meta.published,
        "source": meta.source,
        "title": meta.title,
        "language": meta.language,
    }
    return {k: v for k, v in fields.items() if v is not None}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many articles")
    parser.add_argument("--out", type=Path, required=True, help="a folder, or a .jsonl file")
    parser.add_argument("--seed", type=int, default=0, help="the seed (default 0)")
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of articles to start from"
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("count must be at least 1")
    written = write_corpus(synthetic_articles(args.count, args.seed, args.corpus), args.out)
    print(f"synthetic_corpus: {written} articles in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
