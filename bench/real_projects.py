"""The project registry on real news: each gold project's record against the project gold set.

    python bench/real_projects.py              # both splits; the real-news texts must be rebuilt first
    python bench/real_projects.py --json
    python bench/real_projects.py --misses     # tune's projects the registry gets wrong, to study

The gold set is `tests/corpus/real-projects/projects.jsonl`: per project its names, country,
sector, the status the latest report gives, the financing commitments with their lenders, and
a split fixed by a hash of its id (the set's README). The articles are the real-news corpus
(`tests/corpus/real/`, texts rebuilt from the gold files' queries), ingested as `beltwatch
ingest` does, with each article's outlet, url and publication date from its gold file.

A gold project is found when a record carries its name or one of its aliases (normalised as the
registry normalises names). Scored per split:

- status: of the gold projects with a stated status, the share whose record says the same;
- financing: a record's commitment matches a gold one with the same lender (by the knowledge
  files' aliases) and currency and an amount within 2 %; precision over the commitments the
  matched records carry, recall over the gold ones;
- umbrellas: records named after a programme (CPEC, the BRI), which must be none;
- split: gold projects found in more than one record, which must be none.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beltwatch.evaluate import PRF, SPLITS
from beltwatch.ingest import ingest
from beltwatch.knowledge import load_knowledge
from beltwatch.projects import load_registry
from beltwatch.resolve.places import normalize
from beltwatch.settings import Settings
from beltwatch.store import open_database
from beltwatch.store.projects import list_projects, project_detail

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
GOLD = CORPUS / "real-projects" / "projects.jsonl"
ARTICLES = CORPUS / "real"
AMOUNT_TOLERANCE = 0.02


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def articles_jsonl(folder: Path, out: Path) -> tuple[int, int]:
    """The corpus articles whose text is present as JSON Lines with their gold metadata; (written, absent)."""
    written = absent = 0
    with out.open("w", encoding="utf-8") as fh:
        for gold_file in sorted(folder.glob("*.gold.json")):
            name = gold_file.name.removesuffix(".gold.json")
            text_file = folder / f"{name}.txt"
            if not text_file.exists():
                absent += 1
                continue
            meta = json.loads(gold_file.read_text(encoding="utf-8"))["meta"]
            line = {"id": name, "text": text_file.read_text(encoding="utf-8"), "url": meta.get("url"),
                    "source": meta.get("source"), "published": meta.get("published")}  # fmt: skip
            fh.write(json.dumps({k: v for k, v in line.items() if v}, ensure_ascii=False) + "\n")
            written += 1
    return written, absent


def build_registry(folder: Path = ARTICLES) -> tuple[list[dict[str, Any]], int]:
    """Every record with its facts, after ingesting the corpus into a new SQLite store; and the texts absent."""
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "real.jsonl"
        written, absent = articles_jsonl(folder, jsonl)
        if not written:
            raise SystemExit(
                "real_projects: no real-news text present; rebuild them (tests/corpus/real/README.md)"
            )
        settings = Settings(db_url=f"sqlite:///{tmp}/registry.db")
        ingest([str(jsonl)], settings)
        store = open_database(settings.db_url)
        with store.engine.connect() as conn:
            records = [project_detail(conn, r["id"]) for r in list_projects(conn)]
        store.engine.dispose()
    return [r for r in records if r is not None], absent


@dataclass
class Score:
    status_right: int = 0
    status_total: int = 0
    financing: PRF = field(default_factory=PRF)
    found: int = 0
    projects: int = 0
    umbrellas: list[str] = field(default_factory=list)
    split: list[str] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "projects": self.projects,
            "found": self.found,
            "status_accuracy": self.status_right / self.status_total if self.status_total else None,
            "status_scored": self.status_total,
            "financing": {
                "tp": self.financing.tp,
                "fp": self.financing.fp,
                "fn": self.financing.fn,
                "precision": self.financing.precision,
                "recall": self.financing.recall,
                "f1": self.financing.f1,
            },
            "umbrella_records": self.umbrellas,
            "split_projects": self.split,
        }


def _lender_key(name: str | None) -> str | None:
    """A lender's knowledge id when the knowledge files know the name, else its normalised name."""
    if not name:
        return None
    return _lender_ids().get(normalize(name), normalize(name))


_LENDERS: dict[str, str] = {}


def _lender_ids() -> dict[str, str]:
    if not _LENDERS:
        for entity in load_knowledge().entities:
            if entity.type == "ORG":
                for spelling in entity.names:
                    _LENDERS.setdefault(normalize(spelling), entity.id)
    return _LENDERS


def _names(project: dict[str, Any]) -> set[str]:
    return {normalize(n) for n in [project["name"], *project.get("aliases", [])]}


def _record_names(record: dict[str, Any]) -> set[str]:
    """A record's name and, when the knowledge files know the project, every alias they give it."""
    names = {normalize(record["name"])}
    known = load_registry().find(record["name"])
    if known is not None and known.parent is None:
        names |= {k for k, ref in load_registry().projects.items() if ref.name == known.name}
    return names


def _commitments_match(gold: dict[str, Any], found: dict[str, Any]) -> bool:
    if found.get("value") is None or (found.get("currency") or "") != gold["currency"]:
        return False
    if _lender_key(found.get("lender")) != _lender_key(gold["lender"]):
        return False
    return abs(found["value"] - gold["amount"]) <= AMOUNT_TOLERANCE * gold["amount"]


def _match_financing(gold: list[dict[str, Any]], found: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(tp, fp, fn): each gold commitment matches at most one found, repeats of one found count once."""
    distinct: list[dict[str, Any]] = []
    for f in found:
        if not any(_lender_key(f.get("lender")) == _lender_key(d.get("lender")) and f.get("value") == d.get("value")
                   and f.get("currency") == d.get("currency") for d in distinct):  # fmt: skip
            distinct.append(f)
    unused = list(distinct)
    tp = 0
    for g in gold:
        hit = next((f for f in unused if _commitments_match(g, f)), None)
        if hit is not None:
            unused.remove(hit)
            tp += 1
    return tp, len(unused), len(gold) - tp


def score(gold: Iterable[dict[str, Any]], records: list[dict[str, Any]]) -> Score:
    out = Score()
    registry = load_registry()
    names = [(_record_names(r), r) for r in records]
    for project in gold:
        out.projects += 1
        matched = [r for n, r in names if n & _names(project)]
        if len(matched) > 1:
            out.split.append(project["id"])
        record = max(matched, key=lambda r: r["articles"] or 0) if matched else None
        out.found += record is not None
        miss: dict[str, Any] = {}
        if project.get("status"):
            out.status_total += 1
            found_status = record["status"] if record else None
            if found_status == project["status"]:
                out.status_right += 1
            else:
                miss["status"] = {"gold": project["status"], "found": found_status}
        tp, fp, fn = _match_financing(project.get("financing", []), record["financing"] if record else [])
        out.financing.tp += tp
        out.financing.fp += fp
        out.financing.fn += fn
        if fp or fn:
            miss["financing"] = {"gold": project.get("financing", []),
                                 "found": [{k: f.get(k) for k in ("lender", "value", "currency")}
                                           for f in (record["financing"] if record else [])]}  # fmt: skip
        if miss:
            out.misses.append({"id": project["id"], "record": record["name"] if record else None, **miss})
    out.umbrellas = sorted(r["name"] for r in records if registry.programme(r["name"]) is not None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="tune's projects scored wrong")
    args = parser.parse_args(argv)
    gold = load_gold()
    records, absent = build_registry()
    if absent:
        print(f"real_projects: {absent} article texts absent; scoring without them", file=sys.stderr)
    splits = [args.split] if args.split else list(SPLITS)
    scores = {s: score([p for p in gold if p["split"] == s], records) for s in splits}
    if args.misses:
        for miss in scores.get("tune", Score()).misses:
            print(json.dumps(miss, ensure_ascii=False))
        return 0
    if args.json:
        print(json.dumps({s: sc.to_json() for s, sc in scores.items()}, indent=2))
        return 0
    print(
        f"{'split':6} {'projects':>8} {'found':>6} {'status':>7} {'fin P':>6} {'fin R':>6} {'fin F1':>6} umbrellas split"
    )
    for s, sc in scores.items():
        j = sc.to_json()
        status = f"{j['status_accuracy']:.3f}" if j["status_accuracy"] is not None else "-"
        print(f"{s:6} {sc.projects:>8} {sc.found:>6} {status:>7} {sc.financing.precision:6.3f} "
              f"{sc.financing.recall:6.3f} {sc.financing.f1:6.3f} {len(sc.umbrellas):>9} {len(sc.split):>5}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
