"""Plain-spaCy baseline for the README quality table: the model alone, no beltwatch rules.

What it does: runs ``spacy.load(MODEL)`` (the same model as beltwatch, `beltwatch.extract.nlp.MODEL`)
with no entity ruler, no paragraph boundaries, no knowledge files, over every gold article that
``beltwatch extract`` reads in the gold folder: the files named by the gold ``text_file`` with an
article suffix (.txt, .md, .html, .htm; so not the RSS feed, whose items stay unpredicted). The files
are read with `read_article` and cleaned with `clean_article`, as ``beltwatch extract`` does, so the
model sees the identical text. Every article goes through the English model, the Chinese one too: a
plain baseline has no language routing (beltwatch gives that one its no-model path).

Output: one JSON object per article (JSON Lines) in the extractor's shape, ``id``, ``meta``,
``entities``, ``amounts``, ``events``:

- entities: spaCy NER labels mapped PERSON, ORG, GPE, LOC, FAC, EVENT to the same types; NORP and
  every other label dropped (MONEY goes to amounts). One entity per distinct text per article
  (whitespace collapsed, compared case-sensitively), typed by the label most of its mentions carry
  (the first on a tie), with no aliases, no role, country or kind, and its mentions with evidence;
- amounts: each MONEY span parsed simply: the first number in it, times a scale word
  (thousand/k, lakh, million/mn/m, crore, billion/bn/b, trillion/tn), and a currency found from a
  small table of symbols, codes and words ($, US$, USD, dollar -> USD; yuan, renminbi, RMB, CNY -> CNY;
  Rs, rupee, PKR -> PKR unless "Sri Lanka" or LKR is in the span -> LKR; others: EUR, GBP, JPY, KES,
  IDR, INR). A span with no number or no known currency is dropped; one amount per distinct
  (value, currency) per article; no ``usd_stated``;
- events: none (spaCy has no event extraction).

Command (from the repository root)::

    .venv/bin/python bench/baseline_spacy.py --out baseline.jsonl
    .venv/bin/beltwatch eval tests/corpus/dev baseline.jsonl

Scored with a predictions file, ``beltwatch eval`` scores every gold article, so the feed items
(which no .txt/.html file holds) count as misses; to compare with beltwatch on the same footing, score
``beltwatch extract`` output written to a file the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = ROOT / "tests" / "corpus" / "dev"

LABELS = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "FAC": "FAC", "EVENT": "EVENT"}

_NUMBER = re.compile(r"\d+(?:[,\s]\d{3})*(?:\.\d+)?|\d*\.\d+")
_SCALES = (
    (re.compile(r"\b(?:trillion|tn)\b|\d\s*tn\b", re.IGNORECASE), 1e12),
    (re.compile(r"\b(?:billion|bn|b)\b|\d\s*bn?\b", re.IGNORECASE), 1e9),
    (re.compile(r"\bcrores?\b", re.IGNORECASE), 1e7),
    (re.compile(r"\b(?:million|mn|m)\b|\d\s*mn?\b", re.IGNORECASE), 1e6),
    (re.compile(r"\blakhs?\b", re.IGNORECASE), 1e5),
    (re.compile(r"\b(?:thousand|k)\b|\d\s*k\b", re.IGNORECASE), 1e3),
)
_CURRENCIES = (
    (re.compile(r"\bLKR\b|Sri Lanka", re.IGNORECASE), "LKR"),
    (re.compile(r"\bPKR\b|\bRs\.?|\brupees?\b", re.IGNORECASE), "PKR"),
    (re.compile(r"\bINR\b|₹"), "INR"),
    (re.compile(r"\bCNY\b|\bRMB\b|\byuan\b|\brenminbi\b|¥", re.IGNORECASE), "CNY"),
    (re.compile(r"\bJPY\b|\byen\b", re.IGNORECASE), "JPY"),
    (re.compile(r"\bEUR\b|€|\beuros?\b", re.IGNORECASE), "EUR"),
    (re.compile(r"\bGBP\b|£|\bpounds?\b", re.IGNORECASE), "GBP"),
    (re.compile(r"\bKES\b|\bKsh\b|\bshillings?\b", re.IGNORECASE), "KES"),
    (re.compile(r"\bIDR\b|\brupiah\b", re.IGNORECASE), "IDR"),
    (re.compile(r"\bUSD\b|US\$|\$|\bdollars?\b", re.IGNORECASE), "USD"),
)


def parse_money(text: str) -> tuple[float, str] | None:
    """(value, ISO currency) of a MONEY span, or None when either is missing."""
    number = _NUMBER.search(text)
    if not number:
        return None
    value = float(re.sub(r"[,\s]", "", number.group()))
    rest = text[number.start() :]
    for pattern, scale in _SCALES:
        if pattern.search(rest):
            value *= scale
            break
    currency = next((code for pattern, code in _CURRENCIES if pattern.search(text)), None)
    return (value, currency) if currency else None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _evidence(span: Any) -> dict[str, Any]:
    sent = span.sent
    return {"text": sent.text, "start": sent.start_char, "end": sent.end_char}


def predict(article: Any, doc: Any) -> dict[str, Any]:
    """The extractor-shaped record of one article from its spaCy Doc."""
    mentions: dict[str, list[Any]] = {}
    labels: dict[str, Counter[str]] = {}
    amounts: dict[tuple[float, str], dict[str, Any]] = {}
    for ent in doc.ents:
        if ent.label_ == "MONEY":
            parsed = parse_money(ent.text)
            if parsed and parsed not in amounts:
                value, currency = parsed
                amounts[parsed] = {
                    "text": ent.text,
                    "value": _number(value),
                    "currency": currency,
                    "evidence": _evidence(ent),
                }
            continue
        kind = LABELS.get(ent.label_)
        name = " ".join(ent.text.split())
        if kind is None or not name:
            continue
        mentions.setdefault(name, []).append(ent)
        labels.setdefault(name, Counter())[kind] += 1
    entities = []
    for name, spans in mentions.items():
        kind = labels[name].most_common(1)[0][0]  # Counter keeps first-seen order on ties
        entities.append(
            {
                "name": name,
                "type": kind,
                "aliases": [],
                "mentions": [
                    {"text": s.text, "start": s.start_char, "end": s.end_char, "evidence": _evidence(s)}
                    for s in spans
                ],
            }
        )
    return {
        "id": article.id,
        "meta": article.meta.to_json(),
        "entities": entities,
        "amounts": list(amounts.values()),
        "events": [],
    }


def gold_article_paths(gold_dir: Path) -> list[Path]:
    """The files `beltwatch eval` (without predictions) runs the extractor on, in gold order."""
    from beltwatch.evaluate import load_gold, source_files

    return source_files(load_gold(gold_dir), gold_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold_dir", nargs="?", type=Path, default=DEFAULT_GOLD, help="gold folder")
    parser.add_argument("--out", type=Path, help="write JSON Lines here (default: stdout)")
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    import spacy

    from beltwatch.clean import clean_article
    from beltwatch.extract.nlp import MODEL
    from beltwatch.sources import SourceFailure, iter_articles

    articles = []
    failed = 0
    for item in iter_articles(gold_article_paths(args.gold_dir)):
        if isinstance(item, SourceFailure):
            failed += 1
            print(f"baseline_spacy: skipped {item}", file=sys.stderr)
        else:
            articles.append(clean_article(item))

    nlp = spacy.load(MODEL)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for article, doc in zip(articles, nlp.pipe((a.text for a in articles), batch_size=16)):
            out.write(json.dumps(predict(article, doc), ensure_ascii=False) + "\n")
    except BrokenPipeError:  # stdout closed early (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"baseline_spacy: {len(articles)} articles -> {args.out}", file=sys.stderr)
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
