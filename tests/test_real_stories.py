"""The real story set (tests/corpus/real-stories): a report list only, each report findable again,
each happening in one split fixed by its id."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from beltwatch.evaluate import corpus_split

SET = Path(__file__).parent / "corpus" / "real-stories"
REPORTS = [json.loads(line) for line in (SET / "reports.jsonl").read_text(encoding="utf-8").splitlines() if line]
FIELDS = {"id", "url", "query", "excerpt_chars", "outlet", "outlet_country", "language", "published", "happening",
          "role", "split", "note"}  # fmt: skip


@pytest.mark.parametrize("report", REPORTS, ids=[r["id"] for r in REPORTS])
def test_report_is_well_formed(report: dict):
    assert set(report) == FIELDS
    assert report["url"].startswith(("http://", "https://"))
    assert report["query"].strip() and report["outlet"].strip() and report["note"].strip()
    assert isinstance(report["excerpt_chars"], int) and 0 < report["excerpt_chars"] <= 2100
    assert re.fullmatch(r"[A-Z]{2}|unknown", report["outlet_country"])
    assert re.fullmatch(r"[a-z]{2,3}", report["language"])
    assert report["role"] in ("report", "follow-up", "distractor")
    assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", report["published"])
    if len(report["published"]) == 10:
        datetime.date.fromisoformat(report["published"])
    assert report["id"].startswith(report["happening"] + "--")


def test_a_happening_is_in_one_split_fixed_by_its_id():
    for report in REPORTS:
        assert report["split"] == corpus_split(report["happening"]), report["id"]


def test_ids_and_urls_are_unique():
    for key in ("id", "url"):
        assert Counter(r[key] for r in REPORTS).most_common(1)[0][1] == 1, key


def test_the_set_has_the_breadth_it_claims():
    outlets: dict[str, set[str]] = {}
    for r in REPORTS:
        outlets.setdefault(r["happening"], set()).add(r["outlet"])
    assert len(REPORTS) >= 150
    assert sum(len(o) >= 3 for o in outlets.values()) >= 25
    assert sum(r["role"] == "distractor" for r in REPORTS) >= 30
    assert sum(r["language"] != "en" for r in REPORTS) >= 25
    assert {r["split"] for r in REPORTS} == {"tune", "check"}
