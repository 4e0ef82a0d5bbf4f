"""The worked example: every fact the seed article states, named one by one, from the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from beltwatch.clean import clean_article
from beltwatch.extract import extract_article
from beltwatch.model import Event, Extraction
from beltwatch.sources.files import read_article

SEED = Path(__file__).parent / "corpus" / "dev" / "seed-xi-kakar.txt"


@pytest.fixture(scope="module")
def seed() -> Extraction:
    return extract_article(clean_article(read_article(SEED)))


def events(x: Extraction, etype: str) -> list[Event]:
    return [e for e in x.events if e.type == etype]


def test_two_financing_windows_of_350_billion_yuan_one_per_bank(seed):
    windows = [e.arguments for e in events(seed, "FINANCING") if e.arguments["value"] == 350e9]
    assert sorted(a["funder"] for a in windows) == ["China Development Bank", "Export-Import Bank of China"]
    for a in windows:
        assert a["currency"] == "CNY"
        assert a["usd_stated"] == 47.9e9
        assert a["instrument"] == "financing window"


def test_80_billion_yuan_invested_in_the_silk_road_fund(seed):
    [fund] = [e.arguments for e in events(seed, "FINANCING") if e.arguments["value"] == 80e9]
    assert fund["currency"] == "CNY"
    assert fund["usd_stated"] == 11e9
    assert fund["recipient"] == "Silk Road Fund"
    assert fund["funder"] == "China"
    assert fund["instrument"] == "investment"


def test_xi_kakar_meeting_dated_from_on_thursday(seed):
    meetings = [e.arguments for e in events(seed, "MEETING")]
    xi_kakar = [m for m in meetings if {"Xi Jinping", "Anwar-ul-Haq Kakar"} <= set(m["participants"])]
    assert xi_kakar and xi_kakar[0]["date"] == "2023-10-19"


def test_cpec_upgrade_with_its_four_sectors_and_value(seed):
    [cpec] = [e.arguments for e in events(seed, "PROJECT") if e.arguments["name"] == "China-Pakistan Economic Corridor"]
    assert cpec["status"] == "upgrade proposed"
    assert {"industrial parks", "agriculture", "mining", "new energy"} <= set(cpec["sectors"])
    assert (cpec["value"], cpec["currency"]) == (60e9, "USD")


def test_india_boycott_of_the_forum_and_protest_against_the_corridor(seed):
    protests = {(e.arguments["actor"], e.arguments["form"], e.arguments["target"]) for e in events(seed, "PROTEST")}
    assert ("India", "boycott", "Belt and Road Forum for International Cooperation") in protests
    assert ("India", "protest", "China-Pakistan Economic Corridor") in protests


def test_both_leaders_speak_on_security(seed):
    statements = {e.arguments["speaker"]: e.arguments for e in events(seed, "STATEMENT")}
    for leader in ("Xi Jinping", "Anwar-ul-Haq Kakar"):
        assert statements[leader]["topic"] == "security"
        assert statements[leader]["date"] == "2023-10-19"


def test_kakar_is_one_person_with_every_spelling_and_his_role(seed):
    [kakar] = [e for e in seed.entities if e.name == "Anwar-ul-Haq Kakar"]
    assert {"Kakar", "Kakkar"} <= set(kakar.aliases)
    assert kakar.role == "caretaker Prime Minister of Pakistan"
    assert kakar.country == "PK"


def test_no_entity_from_the_page_boilerplate(seed):
    names = {e.name for e in seed.entities} | {a for e in seed.entities for a in e.aliases}
    for chrome in ("Outlook Business & Money", "business.outlookindia.com", "Related Stories", "logo"):
        assert chrome not in names
    assert "Related Stories" not in seed.article.text
    assert seed.article.meta.boilerplate_removed >= 5


def test_every_fact_points_at_its_sentence(seed):
    text = seed.article.text
    for event in seed.events:
        assert text[event.evidence.start : event.evidence.end] == event.evidence.text
    for amount in seed.amounts:
        assert amount.text in amount.evidence.text
