"""The real story set at a glance: which report texts are present, and its breadth.

    python scripts/real_stories.py missing   # the queries to run for the texts not yet present (JSON Lines)
    python scripts/real_stories.py summary   # reports, happenings, outlets, languages, roles per split

Texts are not in the repository: each is the `excerpt` the page search returns for the report's
`query`, taking the result whose url is the report's `url` (tests/corpus/real-stories/README.md).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from beltwatch.evaluate import SPLITS

SET = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "real-stories"


def _reports() -> list[dict]:
    lines = (SET / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _present(report: dict) -> bool:
    return (SET / "texts" / f"{report['id']}.txt").is_file()


def missing() -> None:
    for r in _reports():
        if not _present(r):
            print(json.dumps({"file": f"texts/{r['id']}.txt", "query": r["query"], "url": r["url"]}, ensure_ascii=False))


def summary() -> None:
    reports = _reports()
    print(f"reports {len(reports)}  with text {sum(map(_present, reports))}")
    print(f"outlets {len({r['outlet'] for r in reports})}  countries {len({r['outlet_country'] for r in reports})}")
    for split in SPLITS:
        part = [r for r in reports if r["split"] == split]
        outlets: dict[str, set[str]] = {}
        for r in part:
            outlets.setdefault(r["happening"], set()).add(r["outlet"])
        roles = Counter(r["role"] for r in part)
        print(
            f"{split:5} reports {len(part):3}  happenings {len(outlets):2} ({sum(len(o) >= 3 for o in outlets.values())}"
            f" with 3+ outlets)  not in English {sum(r['language'] != 'en' for r in part):2}  "
            + ", ".join(f"{k} {v}" for k, v in sorted(roles.items()))
        )


def main(argv: list[str]) -> int:
    commands = {"missing": missing, "summary": summary}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    commands[argv[0]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
