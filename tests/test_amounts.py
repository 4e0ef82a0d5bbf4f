"""Monetary amounts: forms, not-amounts, stated conversions, dedupe, the knowledge file, the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beltwatch.errors import KnowledgeError
from beltwatch.extract.amounts import (
    CURRENCIES_FILE,
    currencies,
    distinct_amounts,
    find_amounts,
    load_currencies,
)
from beltwatch.extract.evidence import Sentences
from beltwatch.model import Amount

CORPUS = Path(__file__).parent / "corpus" / "dev"


def amounts(text: str) -> list[Amount]:
    return find_amounts(text, Sentences.by_lines(text))


def triples(text: str) -> list[tuple[str, float, str]]:
    return [(a.text, a.value, a.currency) for a in amounts(text)]


@pytest.mark.parametrize("text", ["He paid one dollar.", "Someone billion dollars", "one of ten projects in Gwadar"])
def test_a_spelled_out_number_is_an_amount_only_as_a_count_of_millions_or_more(text: str):
    assert amounts(text) == []


@pytest.mark.parametrize(
    ("sentence", "surface", "value", "currency"),
    [
        ("Xi proposed upgrading the USD 60 billion CPEC.", "USD 60 billion", 60e9, "USD"),
        ("It is worth US$2.4 billion.", "US$2.4 billion", 2.4e9, "USD"),
        ("A $60bn corridor.", "$60bn", 60e9, "USD"),
        ("China approved a loan of USD one billion to Sri Lanka.", "USD one billion", 1e9, "USD"),
        ("Beijing will invest two billion dollars in the port.", "two billion dollars", 2e9, "USD"),
        ("A $ 60 bn corridor.", "$ 60 bn", 60e9, "USD"),
        ("Some 60 billion dollars were pledged.", "60 billion dollars", 60e9, "USD"),
        ("An extra USD11 billion goes to the fund.", "USD11 billion", 11e9, "USD"),
        ("A loan of US$ 500m was signed.", "US$ 500m", 500e6, "USD"),
        ("A 1,200 million dollar plan.", "1,200 million dollar", 1.2e9, "USD"),
        ("Debt rose to Rs1.2 trillion.", "Rs1.2 trillion", 1.2e12, "PKR"),
        ("The scheme costs Rs. 500 crore.", "Rs. 500 crore", 5e9, "PKR"),
        ("Each family gets Rs 50 lakh.", "Rs 50 lakh", 5e6, "PKR"),
        ("The budget is Rs 1.2 lakh crore.", "Rs 1.2 lakh crore", 1.2e12, "PKR"),
        ("Wapda owes PKR 300m.", "PKR 300m", 300e6, "PKR"),
        ("Wapda owes PKR 300 million.", "PKR 300 million", 300e6, "PKR"),
        ("They paid 50 billion rupees.", "50 billion rupees", 50e9, "PKR"),
        ("Banks set up 350 billion yuan windows.", "350 billion yuan", 350e9, "CNY"),
        ("A fund of RMB 10 billion.", "RMB 10 billion", 10e9, "CNY"),
        ("A fund of CNY 10 billion.", "CNY 10 billion", 10e9, "CNY"),
        ("A fund of ¥3 billion.", "¥3 billion", 3e9, "CNY"),
        ("The EU offered EUR 2.5 billion.", "EUR 2.5 billion", 2.5e9, "EUR"),
        ("The EU offered €1.2bn.", "€1.2bn", 1.2e9, "EUR"),
        ("Trade grew to 2.5 billion euros.", "2.5 billion euros", 2.5e9, "EUR"),
        ("The line cost Sh 327 billion.", "Sh 327 billion", 327e9, "KES"),
        ("The line cost KSh 327 billion.", "KSh 327 billion", 327e9, "KES"),
        ("The line cost 327 billion Kenyan shillings.", "327 billion Kenyan shillings", 327e9, "KES"),
        ("The port earned LKR 50 billion.", "LKR 50 billion", 50e9, "LKR"),
        ("The port earned 50 billion Sri Lankan rupees.", "50 billion Sri Lankan rupees", 50e9, "LKR"),
        ("India spent 500 crore Indian rupees.", "500 crore Indian rupees", 5e9, "INR"),
        ("India spent INR 500 crore.", "INR 500 crore", 5e9, "INR"),
        ("India spent ₹500 crore.", "₹500 crore", 5e9, "INR"),
        ("Jakarta added IDR 5 trillion.", "IDR 5 trillion", 5e12, "IDR"),
        ("Jakarta added 5 trillion rupiah.", "5 trillion rupiah", 5e12, "IDR"),
        ("A HK$5 billion bond.", "HK$5 billion", 5e9, "HKD"),
        ("走廊启动十年来已带动超过250亿美元的投资。", "250亿美元", 25e9, "USD"),
        ("投资3亿元人民币。", "3亿元人民币", 3e8, "CNY"),
        ("投资人民币3亿元。", "人民币3亿元", 3e8, "CNY"),
        ("规模达1.5万亿元。", "1.5万亿元", 1.5e12, "CNY"),
        ("超过２５０亿美元。", "２５０亿美元", 25e9, "USD"),
        ("RS 500 CRORE FOR DAMS", "RS 500 CRORE", 5e9, "PKR"),
        ("A 5 BILLION DOLLARS DEAL", "5 BILLION DOLLARS", 5e9, "USD"),
        ("a $60-billion corridor", "$60-billion", 60e9, "USD"),
        ("a 60-billion-dollar corridor", "60-billion-dollar", 60e9, "USD"),
        ("It costs USD 2 billion.", "USD 2 billion", 2e9, "USD"),
    ],
)
def test_forms(sentence: str, surface: str, value: float, currency: str) -> None:
    found = amounts(sentence)
    assert len(found) == 1, found
    amount = found[0]
    assert amount.text == surface
    assert sentence[amount.start : amount.end] == surface
    assert amount.value == pytest.approx(value)
    assert amount.currency == currency
    assert amount.usd_stated is None


@pytest.mark.parametrize(
    "sentence",
    [
        "the flagship project of China's ambitious multi-billion-dollar Belt and Road Initiative",
        "China has lent tens of billions of dollars to Pakistan.",
        "Billions of dollars have been spent.",
        "It cost a few million dollars.",
        "At an interbank rate of around Rs 287 to the dollar, it adds up.",
        "The rupee fell to Rs 287 per dollar.",
        "an interbank rate of around Rs 287",
        "the exchange rate: Rs 287",
        "The rupee closed at Rs 287.5 on Friday.",
        "Rs 287-288 to the dollar",
        "The rate was 287 rupees per US dollar.",
        "The rate was cut from 4 per cent to 3.4 %.",
        "the 1,530-megawatt Tarbela 5th Extension",
        "The 472-kilometre line carries 1,260 passengers.",
        "It opened in 2021 and will be paid off in 2045.",
        "Costs are given in 2015 dollars.",
        "He will try 5 times.",
        "we have 5 m of rope",
        "Over the past 10 years, 23 Chinese personnel, 9:17 a.m., 350 km an hour.",
    ],
)
def test_not_amounts(sentence: str) -> None:
    assert amounts(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "surface", "value", "currency", "usd"),
    [
        (
            "Each will set up 350 billion yuan (USD 47.9 billion) financing windows.",
            "350 billion yuan",
            350e9,
            "CNY",
            47.9e9,
        ),
        (
            "An additional 80 billion yuan (USD11 billion) will be invested.",
            "80 billion yuan",
            80e9,
            "CNY",
            11e9,
        ),
        ("It is worth roughly Rs 689 billion (USD 2.4 billion).", "Rs 689 billion", 689e9, "PKR", 2.4e9),
        ("It is worth Rs 689 billion, or about $2.4 billion, in all.", "Rs 689 billion", 689e9, "PKR", 2.4e9),
        ("Kenya paid Sh 327 billion (about US$3.2bn).", "Sh 327 billion", 327e9, "KES", 3.2e9),
        ("总额3亿元人民币（USD 42 million）。", "3亿元人民币", 3e8, "CNY", 42e6),
    ],
)
def test_stated_usd_conversion(sentence: str, surface: str, value: float, currency: str, usd: float) -> None:
    found = amounts(sentence)
    assert len(found) == 1, found  # the bracketed conversion is not an amount of its own
    assert (found[0].text, found[0].currency) == (surface, currency)
    assert found[0].value == pytest.approx(value)
    assert found[0].usd_stated == pytest.approx(usd)


def test_usd_then_local_currency_are_two_amounts() -> None:
    assert [a.currency for a in amounts("It lent USD 2.4 billion (Rs 689 billion).")] == ["USD", "PKR"]
    assert all(a.usd_stated is None for a in amounts("It lent USD 2.4 billion (Rs 689 billion)."))


def test_from_to_gives_two_amounts() -> None:
    text = "Reserves rose by USD 4.2 billion to USD 8.7 billion, and trade from 20 billion euros to 48 billion euros."
    assert [(a.value, a.currency) for a in amounts(text)] == [
        (4.2e9, "USD"),
        (8.7e9, "USD"),
        (20e9, "EUR"),
        (48e9, "EUR"),
    ]


def test_range_shares_the_multiplier() -> None:
    assert triples("Estimates run from USD 3.2 to 3.8 billion.") == [
        ("USD 3.2", 3.2e9, "USD"),
        ("3.8 billion", 3.8e9, "USD"),
    ]
    assert triples("It costs $3-4 billion.") == [("$3", 3e9, "USD"), ("4 billion", 4e9, "USD")]


def test_one_letter_multiplier_must_touch_the_number() -> None:
    assert triples("PKR 300 m of cable") == [("PKR 300", 300, "PKR")]
    assert triples("PKR 300m of cable") == [("PKR 300m", 300e6, "PKR")]


def test_offsets_and_evidence() -> None:
    text = "Pakistan talks.\nXi promised 350 billion yuan (USD 47.9 billion) windows.\nThe end."
    (amount,) = amounts(text)
    assert text[amount.start : amount.end] == amount.text == "350 billion yuan"
    assert amount.evidence.text == "Xi promised 350 billion yuan (USD 47.9 billion) windows."
    assert text[amount.evidence.start : amount.evidence.end] == amount.evidence.text


def test_amounts_are_in_text_order() -> None:
    found = amounts("First $1bn, then €2bn, then Rs 3 crore, then 4亿元.")
    assert [a.start for a in found] == sorted(a.start for a in found)
    assert [a.currency for a in found] == ["USD", "EUR", "PKR", "CNY"]


def test_distinct_amounts_keeps_first_and_carries_usd_stated() -> None:
    text = (
        "China lent 80 billion yuan. Later, USD 1.2 billion and 1,200 million dollars were paid. "
        "The 80 billion yuan (USD 11 billion) is separate from $1.2bn."
    )
    found = amounts(text)
    assert [a.text for a in found] == [
        "80 billion yuan", "USD 1.2 billion", "1,200 million dollars", "80 billion yuan", "$1.2bn"
    ]  # fmt: skip
    distinct = distinct_amounts(found)
    assert [(a.text, a.value, a.currency) for a in distinct] == [
        ("80 billion yuan", 80e9, "CNY"),
        ("USD 1.2 billion", 1.2e9, "USD"),
    ]
    assert distinct[0].start == found[0].start  # the first occurrence is kept ...
    assert distinct[0].usd_stated == 11e9  # ... with the conversion stated at a repeat
    assert found[0].usd_stated is None  # the input is not changed
    assert distinct_amounts([]) == []


def test_plain_rupee_default_comes_from_the_data_file(tmp_path: Path) -> None:
    assert currencies().code_of("Rs", "before") == "PKR"
    text = CURRENCIES_FILE.read_text(encoding="utf-8")
    changed = text.replace("  - default: PKR\n", "  - default: INR\n")
    assert changed != text
    path = tmp_path / "currencies.yaml"
    path.write_text(changed, encoding="utf-8")
    vocab = load_currencies(path)
    assert vocab.code_of("Rs", "before") == "INR"
    assert vocab.code_of("rupees", "after") == "INR"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("currencies: [", "cannot read"),
        ("- just a list", "must be a mapping"),
        ("currencies: {}\nmultipliers: [{factor: 1000, words: [k]}]", "`currencies`"),
        (
            "currencies: {usd: {before: [$], after: [dollars]}}\nmultipliers: [{factor: 1000, words: [k]}]",
            "ISO 4217",
        ),
        (
            "currencies: {USD: {before: $, after: [dollars]}}\nmultipliers: [{factor: 1000, words: [k]}]",
            "list of",
        ),
        (
            (
                "currencies: {USD: {before: [$], after: [dollars]}, CNY: {before: [$], after: [yuan]}}\n"
                "multipliers: [{factor: 1000, words: [k]}]"
            ),
            "names two currencies",
        ),
        (
            "currencies: {USD: {before: [$], after: [dollars]}}\nmultipliers: [{factor: -1, words: [k]}]",
            "positive",
        ),
        (
            "currencies: {USD: {before: [$], after: [dollars]}}\nmultipliers: [{factor: '1e9', words: [b]}]",
            "positive",
        ),
        ("currencies: {USD: {before: [$], after: [dollars]}}", "`multipliers`"),
        (
            (
                "currencies: {USD: {before: [$], after: [dollars]}}\nambiguous: [{default: Rupee, before: [Rs]}]\n"
                "multipliers: [{factor: 1000, words: [k]}]"
            ),
            "ISO 4217",
        ),
    ],
)
def test_malformed_knowledge_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "currencies.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message) as info:
        load_currencies(path)
    assert info.value.source == "currencies.yaml"


def test_missing_knowledge_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="cannot read"):
        load_currencies(tmp_path / "nope.yaml")


def test_bundled_knowledge_file_loads_once() -> None:
    assert currencies() is currencies()


# --------------------------------------------------------------------------- corpus

TEXT_ARTICLES = sorted(CORPUS.glob("*.txt"))


@pytest.mark.parametrize("article", TEXT_ARTICLES, ids=lambda p: p.stem)
def test_corpus_amounts_match_gold(article: Path) -> None:
    text = article.read_text(encoding="utf-8")
    gold = json.loads(article.with_name(article.stem + ".gold.json").read_text(encoding="utf-8"))["amounts"]
    found = distinct_amounts(find_amounts(text, Sentences.by_lines(text)))
    unmatched = list(found)
    for item in gold:
        match = next(
            (
                a
                for a in unmatched
                if a.currency == item["currency"] and a.value == pytest.approx(item["value"], rel=0.01)
            ),
            None,
        )
        assert match is not None, f"missing {item} in {[(a.text, a.value, a.currency) for a in found]}"
        unmatched.remove(match)
        if "usd_stated" in item:
            assert match.usd_stated == pytest.approx(item["usd_stated"], rel=0.01), item
    assert unmatched == [], f"not in gold: {[(a.text, a.value, a.currency) for a in unmatched]}"
    for amount in found:
        assert text[amount.start : amount.end] == amount.text
        assert text[amount.evidence.start : amount.evidence.end] == amount.evidence.text


def test_corpus_has_text_articles() -> None:
    assert len(TEXT_ARTICLES) >= 14
    assert any("zh" in p.stem for p in TEXT_ARTICLES)


# --------------------------------------------------------------------------- properties

_PIECES = st.sampled_from(
    [
        "USD", "US$", "$", "Rs", "Rs.", "PKR", "RMB", "¥", "€", "Sh", " ", "(", ")", ",", ".", "-", "to the dollar",
        "per", "rate of", "billion", "bn", "m", "crore", "lakh", "亿", "万", "美元", "元", "yuan", "dollars", "or about",
        "0", "1", "12", "1,200", "3.4", "60", "\n", "２", "rupees", "Kenyan shillings", "k", "b",
    ]
)  # fmt: skip
_TEXT = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_find_amounts_never_raises_and_offsets_hold(text: str) -> None:
    found = find_amounts(text, Sentences.by_lines(text))
    for amount in found:
        assert text[amount.start : amount.end] == amount.text
        assert amount.value >= 0
        assert len(amount.currency) == 3
    assert [a.start for a in found] == sorted(a.start for a in found)
    distinct = distinct_amounts(found)
    assert len({(a.value, a.currency) for a in distinct}) == len(distinct)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_digit_anchored_scan_equals_full_scan(text: str) -> None:
    """The fast scan tries the pattern only near digits; it must find exactly what a full scan finds."""
    vocab = currencies()
    assert [m.span() for m in vocab.scan(text)] == [m.span() for m in vocab.pattern.finditer(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The fifth instalment was $40,7 million.", ("$40,7 million", 40_700_000, "USD")),
        ("It cost 36,2 million euros.", ("36,2 million euros", 36_200_000, "EUR")),
        ("Interest came to $32,79 million.", ("$32,79 million", 32_790_000, "USD")),
        ("The line cost US$2·1bn.", ("US$2·1bn", 2_100_000_000, "USD")),
        ("The section needs $US 3.3bn.", ("$US 3.3bn", 3_300_000_000, "USD")),
        ("The swap covers 175 billion Argentine pesos.", ("175 billion Argentine pesos", 175e9, "ARS")),
        ("A grant of Rs 1,00,000 was paid.", ("Rs 1,00,000", 100_000, "PKR")),
        ("A loan of USD 1,200 million was signed.", ("USD 1,200 million", 1_200_000_000, "USD")),
    ],
)
def test_decimal_commas_middle_dots_and_more_currency_forms(text: str, expected: tuple):
    """A lone comma before one or two final digits is a decimal comma; thousands come in threes."""
    assert triples(text) == [expected]
