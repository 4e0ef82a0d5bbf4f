"""The project gold set (tests/corpus/real-projects): facts only, each project in one split fixed by
its id, every article it names in the real-news corpus; and the scorer that reads it."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from beltwatch.evaluate import corpus_split
from beltwatch.projects import INTERRUPTIONS, PROGRESS, load_registry

CORPUS = Path(__file__).parent / "corpus"
PROJECTS = [
    json.loads(line)
    for line in (CORPUS / "real-projects" / "projects.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
SECTORS = {
    "energy",
    "transport",
    "ports",
    "industry",
    "mining",
    "agriculture",
    "water",
    "telecom",
    "urban",
    "other",
}


def _scorer():
    path = Path(__file__).parent.parent / "bench" / "real_projects.py"
    spec = importlib.util.spec_from_file_location("real_projects", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("project", PROJECTS, ids=[p["id"] for p in PROJECTS])
def test_project_is_well_formed(project: dict):
    assert project["split"] == corpus_split("project:" + project["id"])
    assert project["status"] is None or project["status"] in {*PROGRESS, *INTERRUPTIONS}
    assert project["sector"] in SECTORS
    assert len(project["country"]) == 2 and project["country"].isupper()
    for name in project["articles"] + [f["article"] for f in project["financing"]]:
        assert (CORPUS / "real" / f"{name}.gold.json").exists(), name
    for commitment in project["financing"]:
        assert commitment["amount"] > 0 and len(commitment["currency"]) == 3
    assert load_registry().programme(project["name"]) is None, "an umbrella programme is not a project"


def test_the_set_is_broad_enough_and_its_parents_are_in_it():
    names = {p["name"] for p in PROJECTS}
    assert len(PROJECTS) >= 40
    assert {p["split"] for p in PROJECTS} == {"tune", "check"}
    assert all(p["parent"] in names for p in PROJECTS if p["parent"])
    assert len({p["id"] for p in PROJECTS}) == len(PROJECTS)


def test_the_scorer_counts_status_money_splits_and_umbrellas():
    scorer = _scorer()
    gold = [
        {"id": "a", "name": "Dasu Hydropower Project", "aliases": [], "status": "suspended",
         "financing": [{"lender": "World Bank", "amount": 588_000_000, "currency": "USD"}]},
        {"id": "b", "name": "Gwadar Port", "aliases": ["Port of Gwadar"], "status": "completed", "financing": []},
    ]  # fmt: skip
    record = {"articles": 3, "status": "suspended", "financing": [
        {"lender": "World Bank", "value": 590_000_000, "currency": "USD"},
        {"lender": None, "value": 65_000_000_000, "currency": "USD"},
    ]}  # fmt: skip
    records = [
        {**record, "name": "Dasu Dam"},  # an alias the knowledge files give the same project
        {"articles": 1, "status": None, "financing": [], "name": "Gwadar Port"},
        {"articles": 1, "status": "completed", "financing": [], "name": "Port of Gwadar"},
        {"articles": 1, "status": None, "financing": [], "name": "China-Pakistan Economic Corridor"},
    ]
    score = scorer.score(gold, records)
    assert (score.status_right, score.status_total) == (
        1,
        2,
    )  # Gwadar's record with more articles says nothing
    assert (score.financing.tp, score.financing.fp, score.financing.fn) == (1, 1, 0)
    assert score.split == ["b"]
    assert score.umbrellas == ["China-Pakistan Economic Corridor"]
