"""The real-news corpus: gold files only, well formed, split by a hash of the url, wide enough.

The article texts are not in the repository (see tests/corpus/real/README.md); these tests read
the gold files alone, so they run on every checkout.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from beltwatch.evaluate import corpus_split
from beltwatch.model import ENTITY_TYPES, EVENT_TYPES, ORG_KINDS

REAL = Path(__file__).parent / "corpus" / "real"
GOLD_FILES = sorted(REAL.glob("*.gold.json"))
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
STATUSES = {"proposed", "announced", "upgrade proposed", "under construction", "completed", "suspended", "cancelled"}
INSTRUMENTS = {"loan", "grant", "investment", "financing window", "credit line", "deposit", "rollover", "equity", "other"}
TOPICS = {"security", "cooperation", "finance", "sovereignty", "other"}
FORMS = {"boycott", "protest", "condemnation"}
MATCH_KEYS = {
    "MEETING": ("participants",),
    "FINANCING": ("value", "currency"),
    "PROJECT": ("name",),
    "AGREEMENT": ("parties",),
    "SECURITY_MEASURE": ("actor",),
    "STATEMENT": ("speaker",),
    "PROTEST": ("actor", "target"),
}


def _gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _required(items: list[dict]) -> list[dict]:
    return [i for i in items if not i.get("optional")]


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name.removesuffix(".gold.json"))
def test_gold_file_is_well_formed(path: Path):
    gold = _gold(path)
    assert gold["id"] == path.name.removesuffix(".gold.json")
    assert gold["text_file"] == f"{gold['id']}.txt"
    meta = gold["meta"]
    assert meta["url"].startswith(("http://", "https://"))
    assert meta["query"].strip()
    assert meta["source"].strip() and meta["language"]
    assert len(meta["outlet_country"]) == 2 and meta["outlet_country"].isupper()
    assert DATE.match(meta["published"]), meta["published"]
    assert meta.get("published_confidence", "stated") in {"stated", "inferred"}
    for entity in gold["entities"]:
        assert entity["name"].strip() and entity["type"] in ENTITY_TYPES, entity
        assert entity.get("kind") is None or entity["kind"] in ORG_KINDS, entity
        assert isinstance(entity.get("aliases", []), list), entity
    for amount in gold["amounts"]:
        assert isinstance(amount["value"], int | float) and re.fullmatch(r"[A-Z]{3}", amount["currency"]), amount
    for event in gold["events"]:
        _check_event(event)


def _check_event(event: dict) -> None:
    kind = event["type"]
    assert kind in EVENT_TYPES, event
    for key in MATCH_KEYS.get(kind, ()):
        assert event.get(key) not in (None, "", []), (key, event)
    if kind == "ATTACK":
        assert event.get("location") or event.get("date"), event
    if event.get("date"):
        assert DATE.match(event["date"]), event
    checks = {"status": STATUSES, "instrument": INSTRUMENTS, "topic": TOPICS, "form": FORMS}
    for key, allowed in checks.items():
        if key in event:
            assert event[key] in allowed, (key, event)


def test_split_is_the_hash_of_the_url():
    """The split is fixed by the url: an article cannot be moved between tune and check."""
    for path in GOLD_FILES:
        meta = _gold(path)["meta"]
        assert meta["split"] == corpus_split(meta["url"]), path.name


def test_urls_are_unique():
    urls = Counter(_gold(p)["meta"]["url"] for p in GOLD_FILES)
    assert [u for u, n in urls.items() if n > 1] == []


def _real_corpus_of(folder: Path, splits: dict[str, str], with_text: set[str]) -> Path:
    """A corpus in the real corpus's shape, made of bundled articles: gold files with `meta.split`, texts
    only for `with_text`, no sidecars (the gold's meta is the article's metadata)."""
    dev = Path(__file__).parent / "corpus" / "dev"
    folder.mkdir()
    for name, split in splits.items():
        gold = _gold(dev / f"{name}.gold.json")
        gold["meta"].update(split=split, url=f"https://news.example.org/{name}")
        (folder / f"{name}.gold.json").write_text(json.dumps(gold), encoding="utf-8")
        if name in with_text:
            (folder / f"{name}.txt").write_text((dev / f"{name}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _eval(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    import sys

    from beltwatch.cli import main

    monkeypatch.setattr(sys, "argv", ["beltwatch", "eval", *args])
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    return info.value.code, out, err


def test_eval_scores_one_split_and_says_which_texts_are_missing(tmp_path, monkeypatch, capsys):
    splits = {"seed-xi-kakar": "tune", "dasu-bus-bombing-2021": "tune", "gwadar-convoy-attack-2023-brief": "check"}
    corpus = _real_corpus_of(tmp_path / "real", splits, with_text={"seed-xi-kakar", "gwadar-convoy-attack-2023-brief"})
    code, out, err = _eval(monkeypatch, capsys, str(corpus), "--split", "tune", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["articles"] == ["seed-xi-kakar"]
    assert "1 of 2 gold articles have no text here" in err
    # the gold's meta is the article's metadata: the seed's weekday dates resolve against its published date
    assert report["events"]["f1"] > 0.9


def test_eval_without_any_text_says_how_to_rebuild(tmp_path, monkeypatch, capsys):
    corpus = _real_corpus_of(tmp_path / "real", {"seed-xi-kakar": "check"}, with_text=set())
    code, _, err = _eval(monkeypatch, capsys, str(corpus), "--split", "check")
    assert code == 2
    assert "rebuild the texts from each gold's meta.query" in err
    code, _, err = _eval(monkeypatch, capsys, str(corpus), "--split", "tune")
    assert code == 2 and "no gold articles in split 'tune'" in err
