"""The real-news corpus at a glance: which texts are present, the split, and its breadth.

    python scripts/real_corpus.py status      # one line per article: split, text present, url
    python scripts/real_corpus.py missing     # the queries to run for the texts not yet present (JSON Lines)
    python scripts/real_corpus.py summary     # articles, outlets, countries, required events by type
    python scripts/real_corpus.py split URL   # the split a url falls in

Texts are not in the repository: each is the `excerpt` the page search returns for the gold's
`meta.query`, taking the result whose url is `meta.url` (tests/corpus/real/README.md).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from beltwatch.evaluate import SPLITS, corpus_split

REAL = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "real"


def _golds() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(REAL.glob("*.gold.json"))]


def status() -> None:
    for gold in _golds():
        present = "text" if (REAL / gold["text_file"]).is_file() else "----"
        print(f"{gold['meta']['split']:5} {present} {gold['id']:55} {gold['meta']['url']}")


def missing() -> None:
    for gold in _golds():
        if not (REAL / gold["text_file"]).is_file():
            meta = gold["meta"]
            print(json.dumps({"file": gold["text_file"], "query": meta["query"], "url": meta["url"]}, ensure_ascii=False))


def summary() -> None:
    golds = _golds()
    print(f"articles {len(golds)}  with text {sum((REAL / g['text_file']).is_file() for g in golds)}")
    print(f"outlets {len({g['meta']['source'] for g in golds})}  countries {len({g['meta']['outlet_country'] for g in golds})}")
    years = sorted(g["meta"]["published"][:4] for g in golds)
    print(f"years {years[0]}-{years[-1]}" if years else "years -")
    for split in SPLITS:
        part = [g for g in golds if g["meta"]["split"] == split]
        events = Counter(e["type"] for g in part for e in g["events"] if not e.get("optional"))
        print(f"{split:5} articles {len(part):3}  required events " + ", ".join(f"{k} {v}" for k, v in sorted(events.items())))
    events = Counter(e["type"] for g in golds for e in g["events"] if not e.get("optional"))
    print("all   required events " + ", ".join(f"{k} {v}" for k, v in sorted(events.items())))


def main(argv: list[str]) -> int:
    if argv[:1] == ["split"] and len(argv) == 2:
        print(corpus_split(argv[1]))
        return 0
    commands = {"status": status, "missing": missing, "summary": summary}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
