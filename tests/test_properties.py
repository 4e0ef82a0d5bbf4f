"""Properties of money, dates, cleaning and evidence, checked by hypothesis on generated input.

`test_amounts.py` and `test_dates.py` already check that the amount and date finders never raise
on any text and that their offsets slice the text; this module adds what those do not:

- a figure written the way news writes money (grouped digits, decimals, million/billion/crore/
  lakh, symbols, codes and currency words) is read back as exactly that value and currency;
- conversion to dollars is monotone and linear in the value, positive or None for every currency
  and day, and agrees with itself when an article states our own conversion; constant dollars are
  monotone too;
- a relative date ("yesterday", "on Monday", "last month") lands within a year of the publication
  date, and every date found is a valid ISO date, month or year between years 1 and 9999;
- cleaning never raises, reaches a fixed point in one pass (`fix_unicode` too),
  never invents a word, leaves no control character, and
  grows a text at most threefold (ftfy spells out ligatures: "ﬃ" is "ffi"; paragraphs get a blank
  line between them);
- evidence always slices the text it claims and covers the span it explains.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from beltwatch.clean import clean_text, fix_unicode
from beltwatch.extract.amounts import find_amounts
from beltwatch.extract.dates import find_dates, resolve_date
from beltwatch.extract.evidence import Sentences
from beltwatch.resolve.money import check_stated, known_currencies, to_constant_usd, to_usd

# --- money: written figures read back --------------------------------------------------------------

SCALES = {"": 1, " million": 10**6, " billion": 10**9, " bn": 10**9, " crore": 10**7, " lakh": 10**5}
# (how it is written around the number, ISO code); {n} is the number with its scale word
FORMS = [
    ("USD {n}", "USD"), ("US$ {n}", "USD"), ("${n}", "USD"), ("{n} dollars", "USD"),
    ("Rs {n}", "PKR"), ("PKR {n}", "PKR"), ("{n} yuan", "CNY"), ("RMB {n}", "CNY"),
    ("EUR {n}", "EUR"), ("KES {n}", "KES"),
]  # fmt: skip


def grouped(value: Decimal) -> str:
    """1234567.5 -> "1,234,567.5", as English news prints it."""
    whole, _, fraction = f"{value:f}".partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=1, max_value=999_999, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(SCALES)),
    st.sampled_from(FORMS),
)
def test_a_written_amount_is_read_back_as_its_value(
    number: Decimal, scale: str, form: tuple[str, str]
) -> None:
    template, currency = form
    assume(scale not in (" crore", " lakh") or currency == "PKR")  # Indian units belong with rupees
    figure = template.format(n=grouped(number.normalize()) + scale)
    text = f"The lender agreed to provide {figure} for the port, officials said."
    found = find_amounts(text, Sentences.by_lines(text))
    assert [(a.text, a.currency) for a in found] == [(figure, currency)], found
    assert found[0].value == float(number * SCALES[scale])


# --- money: conversions -------------------------------------------------------------------------------

CURRENCIES = st.sampled_from(sorted(known_currencies()))
DAYS = st.dates(min_value=date(1999, 1, 4), max_value=date(2023, 12, 31))
VALUES = st.floats(min_value=0.01, max_value=1e13, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(CURRENCIES, DAYS, VALUES, VALUES)
def test_dollars_are_monotone_and_linear_in_the_value(currency: str, on: date, a: float, b: float) -> None:
    low, high = sorted((a, b))
    usd_low, usd_high = to_usd(low, currency, on), to_usd(high, currency, on)
    assert (usd_low is None) == (usd_high is None)  # a rate exists for a day, whatever the value
    if usd_low is None or usd_high is None:
        return
    assert 0 < usd_low <= usd_high and math.isfinite(usd_high)
    assert math.isclose(usd_high / usd_low, high / low, rel_tol=1e-9)
    assert math.isclose(check_stated(high, currency, usd_high, on) or 0.0, 0.0, abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.integers(2000, 2025), VALUES, VALUES)
def test_constant_dollars_are_monotone(year: int, a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert 0 < to_constant_usd(low, year) <= to_constant_usd(high, year)
    assert math.isclose(to_constant_usd(high, 2023), high, rel_tol=1e-12)


# --- dates ------------------------------------------------------------------------------------------------

RELATIVE = ["yesterday", "today", "on Monday", "on Sunday", "last month", "last year", "this year",
            "two days ago", "in March", "in May", "去年", "昨天", "星期一"]  # fmt: skip
PUBLISHED = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))


def first_day(value: str) -> date:
    return date.fromisoformat(
        value if len(value) == 10 else (value + "-01")[:7] + "-01" if len(value) == 7 else value + "-01-01"
    )


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(RELATIVE), PUBLISHED)
def test_a_relative_date_lands_within_a_year_of_publication(phrase: str, published: date) -> None:
    value = resolve_date(f"Officials met {phrase} in Gwadar.", published)
    assert value is not None, phrase
    span = timedelta(days=366)
    start = first_day(value)
    assert published - span - timedelta(days=365) <= start <= published + span, (phrase, published, value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.one_of(st.none(), st.dates()))
def test_every_date_found_is_a_valid_iso_date_month_or_year(text: str, published: date | None) -> None:
    for mention in find_dates(text, published):
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", mention.value), mention
        assert date.min <= first_day(mention.value) <= date.max


# --- cleaning -------------------------------------------------------------------------------------------

LINES = st.sampled_from(
    ["Related Stories", "Share this article", "Follow us on Twitter", "Home | World | Business", "By Staff Reporter",
     "ISLAMABAD: Officials met on Monday.", "The port will open next year.", "ﬁnance ﬃ", "BeijingÃ¢Â€Â™s plan",
     "\u00a0\u200b\ufeff", "\x1b[31m red \x07", "Copyright 2024 Example News", "中巴经济走廊", "گوادر بندرگاہ",
     "\u202eevil\u202c", "", " ", "\t", "Advertisement", "Read more:", "12 October 2023"]
)  # fmt: skip
ARTICLES = st.one_of(
    st.text(max_size=300), st.lists(st.one_of(LINES, st.text(max_size=20)), max_size=25).map("\n".join)
)


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text))


@settings(max_examples=300, deadline=None)
@given(ARTICLES, st.sampled_from(["", "Example News", "Dawn"]))
def test_cleaning_is_idempotent_invents_nothing_and_stays_bounded(text: str, source: str) -> None:
    fixed = fix_unicode(text)
    assert fix_unicode(fixed) == fixed
    cleaned, removed = clean_text(text, source or None)
    assert removed >= 0
    assert clean_text(cleaned, source or None)[0] == cleaned
    assert words(cleaned) <= words(fixed)  # lines go, words are never made up
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\r]", cleaned)
    assert len(cleaned) <= 3 * len(text) + 1


# --- evidence -------------------------------------------------------------------------------------------


@st.composite
def text_and_spans(draw):
    text = draw(st.text(min_size=1, max_size=300))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    bounds = [(a, b) for a, b in zip([0, *cuts], [*cuts, len(text)]) if a < b]
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, bounds, start, end


@settings(max_examples=500, deadline=None)
@given(text_and_spans())
def test_evidence_slices_the_text_and_covers_its_span(case) -> None:
    text, bounds, start, end = case
    for sentences in (Sentences(text, bounds), Sentences.by_lines(text)):
        evidence = sentences.evidence(start, end)
        assert text[evidence.start : evidence.end] == evidence.text
        assert evidence.start <= start and end <= evidence.end


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Rs 5 billion", "USD 3.2 million", "on Monday", ".", "\n", "\n\n", "The bank lent",
                                 "35亿美元", " ", "(about $1bn)", "Gwadar"]), max_size=30).map("".join))  # fmt: skip
def test_amount_evidence_is_the_sentence_holding_the_amount(text: str) -> None:
    for amount in find_amounts(text, Sentences.by_lines(text)):
        evidence = amount.evidence
        assert text[evidence.start : evidence.end] == evidence.text
        assert evidence.start <= amount.start and amount.end <= evidence.end
