"""Date expressions: each form, relative resolution across month and year ends, not-dates, the corpus."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beltwatch.extract import dates as dates_module
from beltwatch.extract.dates import DateMention, find_dates, resolve_date

CORPUS = Path(__file__).parent / "corpus" / "dev"


def values(text: str, published: date | None) -> list[tuple[str, str]]:
    return [(d.text, d.value) for d in find_dates(text, published)]


@pytest.mark.parametrize(
    ("sentence", "published", "expected"),
    [
        # weekdays: the most recent one on or before publication, the same day included
        ("Xi Jinping on Thursday proposed an upgrade.", date(2023, 10, 19), [("Thursday", "2023-10-19")]),
        ("The meeting ended on Wednesday.", date(2023, 10, 19), [("Wednesday", "2023-10-18")]),
        ("A blast hit the convoy on Sunday night.", date(2024, 10, 7), [("Sunday", "2024-10-06")]),
        ("Khawaja Asif attended Monday's ceremony.", date(2025, 1, 20), [("Monday", "2025-01-20")]),
        ("Thursday was calm.", date(2024, 3, 1), [("Thursday", "2024-02-29")]),  # across a leap month end
        ("It happened on Sunday.", date(2024, 1, 2), [("Sunday", "2023-12-31")]),  # across a year end
        ("It happened on Saturday.", date(2024, 1, 1), [("Saturday", "2023-12-30")]),
        ("They met last Tuesday.", date(2024, 1, 2), [("last Tuesday", "2023-12-26")]),
        ("They meet next Tuesday.", date(2024, 1, 2), [("next Tuesday", "2024-01-09")]),
        # day words
        ("Officials said yesterday that ...", date(2024, 3, 1), [("yesterday", "2024-02-29")]),
        ("Officials said today that ...", date(2024, 3, 1), [("today", "2024-03-01")]),
        ("Talks resume tomorrow.", date(2023, 12, 31), [("tomorrow", "2024-01-01")]),
        ("It was signed three days ago.", date(2024, 1, 2), [("three days ago", "2023-12-30")]),
        # explicit dates
        (
            "On Tuesday, March 26, a car was driven into a van.",
            date(2024, 3, 30),
            [("Tuesday, March 26", "2024-03-26")],
        ),
        ("Sunday, August 13, 2023", date(2023, 8, 13), [("Sunday, August 13, 2023", "2023-08-13")]),
        ("Mon, 20 Jan 2025 17:30:00 +0500", None, [("Mon, 20 Jan 2025", "2025-01-20")]),
        ("The attack came on 13 August.", date(2023, 8, 14), [("13 August", "2023-08-13")]),
        ("Published August 13, 2023, 7:42 pm", None, [("August 13, 2023", "2023-08-13")]),
        ("Published: 07 Oct 2024, 02:15 PM PKT", None, [("07 Oct 2024", "2024-10-07")]),
        ("Published 13 Aug 2023", None, [("13 Aug 2023", "2023-08-13")]),
        ("on the 13th of August 2023", None, [("13th of August 2023", "2023-08-13")]),
        ("Sept. 5, 2023", None, [("Sept. 5, 2023", "2023-09-05")]),
        ("MARCH 26, 2024", None, [("MARCH 26, 2024", "2024-03-26")]),
        ("ISLAMABAD, Aug 14 (Asia Wire Desk) -", date(2023, 8, 14), [("Aug 14", "2023-08-14")]),
        ("2023-10-12T16:40:00+05:30", None, [("2023-10-12", "2023-10-12")]),
        # a day and month without a year: the nearest such day
        ("The JCC met on October 27.", date(2022, 11, 23), [("October 27", "2022-10-27")]),
        ("The deal was signed on December 28.", date(2024, 1, 3), [("December 28", "2023-12-28")]),
        ("The summit is on Oct 15-16.", date(2024, 10, 7), [("Oct 15-16", "2024-10-15")]),
        ("ten weeks before the August 8 general election", date(2017, 6, 1), [("August 8", "2017-08-08")]),
        ("It was agreed on November 20.", date(2024, 3, 30), [("November 20", "2023-11-20")]),
        # months and years
        ("In April, officials settled on an overrun.", date(2023, 10, 2), [("April", "2023-04")]),
        ("It was inaugurated in October.", date(2025, 1, 20), [("October", "2024-10")]),
        ("He travelled at the start of November.", date(2022, 11, 23), [("November", "2022-11")]),
        ("It must be ready by March.", date(2024, 1, 10), [("March", "2024-03")]),
        ("Prices fell last October.", date(2023, 10, 5), [("last October", "2022-10")]),
        ("He met Li last month.", date(2024, 1, 15), [("last month", "2023-12")]),
        ("The IMF approved it earlier this month.", date(2023, 7, 27), [("earlier this month", "2023-07")]),
        ("It was approved this month.", date(2023, 7, 27), [("this month", "2023-07")]),
        ("The election is due later this year.", date(2023, 7, 27), [("later this year", "2023")]),
        ("Exports fell last year.", date(2024, 1, 2), [("last year", "2023")]),
        ("A bus was bombed in July 2021.", None, [("July 2021", "2021-07")]),
        ("It was costed in 2021.", None, [("2021", "2021")]),
        ("Until mid-2025 only interest is paid.", None, [("2025", "2025")]),
        ("The line was due by late 2023.", None, [("2023", "2023")]),
        # Chinese
        ("2023年08月01日 09:12　来源：驼铃经济观察", None, [("2023年08月01日", "2023-08-01")]),
        ("7月31日，大会在伊斯兰堡举行。", date(2023, 8, 1), [("7月31日", "2023-07-31")]),
        ("其框架协议于2013年7月在北京签署。", None, [("2013年7月", "2013-07")]),
        ("该项目去年7月开工。", date(2023, 8, 1), [("去年7月", "2022-07")]),
        ("双方于星期四会谈。", date(2023, 8, 1), [("星期四", "2023-07-27")]),
    ],
)
def test_forms(sentence: str, published: date | None, expected: list[tuple[str, str]]) -> None:
    assert values(sentence, published) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "USD 1.2 billion falling due in fiscal year 2023-24 and the same amount in 2024-25.",
        "Over the past 10 years, the CPEC has achieved fruitful results.",
        "Fire started at around 10 a.m. and again at 9:17 a.m.",
        "Hazara Bulletin (c) 2024",
        "Subscribe to Corridor Watch Weekly - free every Wednesday.",
        "More than 2,000 workers were laid off at the 1,530-megawatt plant.",
        "It will grow to 2000 MW.",
        "You may go; the march was peaceful.",
        "It was the last year of his term.",
        "Prices fell 3.4 per cent at the 11th meeting.",
        "February 30, 2023",
        "in the 1990s, after Covid-19",
        "Listen to this article  4 min",
    ],
)
def test_not_dates(sentence: str) -> None:
    assert find_dates(sentence, date(2024, 1, 2)) == []


def test_without_published_only_absolute_dates_resolve() -> None:
    text = "On Thursday, yesterday and last month, on March 26, and on 7 August 2023 in 2019, 2013年7月, 7月31日."
    assert values(text, None) == [("7 August 2023", "2023-08-07"), ("2019", "2019"), ("2013年7月", "2013-07")]


def test_mentions_are_in_text_order_with_offsets() -> None:
    text = "On Tuesday, March 26, a bomb hit. In July 2021 a bus was bombed. Officials met on Friday."
    found = find_dates(text, date(2024, 3, 30))
    assert [d.value for d in found] == ["2024-03-26", "2021-07", "2024-03-29"]
    for mention in found:
        assert isinstance(mention, DateMention)
        assert text[mention.start : mention.end] == mention.text


def test_mention_is_frozen() -> None:
    mention = find_dates("in 2021", None)[0]
    with pytest.raises(AttributeError):
        mention.value = "2022"  # type: ignore[misc]


def test_resolve_date() -> None:
    assert resolve_date("on Thursday", date(2023, 10, 19)) == "2023-10-19"
    assert resolve_date("late on Sunday, October 6", date(2024, 10, 7)) == "2024-10-06"
    assert resolve_date("In April", date(2023, 10, 2)) == "2023-04"
    assert resolve_date("on Thursday", None) is None
    assert resolve_date("no date here", date(2023, 10, 19)) is None


def test_extreme_publication_dates_do_not_raise() -> None:
    assert values("Monday, yesterday, last year", date.min) == [("Monday", "0001-01-01")]
    assert values("tomorrow, next month, next year", date.max) == []


# --------------------------------------------------------------------------- corpus


def _gold_dates(gold: dict) -> set[str]:
    return {e["date"] for e in gold.get("events", []) if isinstance(e.get("date"), str)}


@pytest.mark.parametrize("article", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem)
def test_corpus_event_dates_are_found(article: Path) -> None:
    """Every date that the gold gives an event is among the dates found in the article."""
    text = article.read_text(encoding="utf-8")
    gold = json.loads(article.with_name(article.stem + ".gold.json").read_text(encoding="utf-8"))
    published = date.fromisoformat(gold["meta"]["published"])
    found = find_dates(text, published)
    assert _gold_dates(gold) <= {d.value for d in found}
    for mention in found:
        assert text[mention.start : mention.end] == mention.text


# --------------------------------------------------------------------------- properties

_PIECES = st.sampled_from(
    [
        "on", "in", "last", "next", "this", "earlier", "month", "year", "ago", "by", "mid-", "every", "the",
        "Monday", "Sunday", "Mon", "March", "May", "may", "Sept.", "Aug", "2023", "2024-25", "1999", "13", "31",
        "0", "29", "Feb", "th", ",", " ", "-", "/", ":", "\n", "年", "月", "日", "去年", "星期", "周", "一", "天",
        "yesterday", "today", "two", "days", "２０２３",
    ]
)  # fmt: skip
_TEXT = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join))


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.one_of(st.none(), st.dates()))
def test_find_dates_never_raises_and_offsets_hold(text: str, published: date | None) -> None:
    found = find_dates(text, published)
    for mention in found:
        assert text[mention.start : mention.end] == mention.text
        assert len(mention.value) in (4, 7, 10)
        date.fromisoformat(mention.value if len(mention.value) == 10 else mention.value[:4] + "-01-01")
    assert [d.start for d in found] == sorted(d.start for d in found)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_anchored_scan_equals_full_scan(text: str) -> None:
    """The fast scan tries the pattern only at anchors; it must find exactly what a full scan finds."""
    assert [m.span() for m in dates_module._scan(text)] == [
        m.span() for m in dates_module._PATTERN.finditer(text)
    ]


def test_a_date_after_by_or_until_is_a_deadline():
    found = find_dates("Work began on 3 March and must end by June 2026, with talks until Friday.", date(2024, 3, 30))
    assert [(d.text, d.deadline) for d in found] == [("3 March", False), ("June 2026", True), ("Friday", True)]
