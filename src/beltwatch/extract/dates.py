"""Date expressions in news text, resolved against the publication date.

Hand-written on purpose: generic parsers such as dateparser cost milliseconds per string and still
need the same calendar rules for "on Thursday" or "last month"; the forms news uses are few, so a
compiled pattern and a little calendar arithmetic do the job in microseconds.

Each mention gets the granularity the text supports: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.

Resolution rules (`published` is the publication date):
- a weekday ("on Thursday", "Sunday night", "Monday's ceremony") is the most recent such day on or
  before `published`; "last Thursday" is strictly before it, "next Thursday" strictly after;
- "yesterday", "today", "tomorrow", "N days/months/years ago", "last/this/next month|year",
  "earlier/later this month|year" count from `published`;
- a day and month without a year ("March 26", "13 August", "7月31日") take the year that puts them
  nearest to `published`: the most recent one not after it, unless the same day falls at most
  `FUTURE_DAYS` after `published` and is nearer (so "the Oct 15-16 meeting" in an article of 7 October
  is this October, not last year's). A weekday written with it ("Tuesday, March 26") picks the year;
- a month alone ("In April", "at the start of November") is the most recent such month not after
  `published`; after "by", "until", "next" or "coming" it is the next one on or after it;
- explicit dates ("August 13, 2023", "13 Aug 2023", "2023-10-19", "2023年08月01日", "2013年7月",
  "in July 2021", "in 2021") need no `published`.

Not dates: fiscal years ("fiscal year 2023-24", "in 2024-25"), durations ("over the past 10
years"), clock times, numbers followed by units ("in 2000 MW"), a year without a preposition before
it ("(c) 2024").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

FUTURE_DAYS = 92  # how far after publication a day-and-month without a year may fall

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip


@dataclass(frozen=True)
class DateMention:
    """One date expression: its surface text, offsets, and ISO value at the granularity it supports."""

    text: str
    start: int
    end: int
    value: str
    deadline: bool = False  # "by 2015", "until March": when something is due, not when it happened


def _alt(words: list[str]) -> str:
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


_MONTH_ABBREVIATIONS = [m for m in MONTHS if len(m) <= 4 and m not in ("may", "june", "july")]
_MON_FULL = _alt([m for m in MONTHS if m not in _MONTH_ABBREVIATIONS])
_MON = f"(?:{_MON_FULL}|{_alt(_MONTH_ABBREVIATIONS)}" + r"\.?)"  # only an abbreviation takes a dot
_WD_FULL = _alt([w for w in WEEKDAYS if w.endswith("day")])
_WD_ANY = f"(?:{_WD_FULL}|{_alt([w for w in WEEKDAYS if not w.endswith('day')])}" + r"\.?)"
_S = r"[^\S\n]"
_D = r"[0-9\uff10-\uff19]"
_DAY = r"(?:[0-3]?[0-9])(?:st|nd|rd|th)?(?![0-9:.]?[0-9])"
_YEAR = r"(?:1[89][0-9]{2}|20[0-9]{2})(?![0-9])"
_NUMWORD = _alt(list(NUMBER_WORDS) + [r"[0-9]{1,3}"])

_PATTERN = re.compile(
    "|".join(
        [
            # 2023-10-19, 2023/10/19
            r"(?<![0-9])(?P<iso_y>[0-9]{4})(?P<iso_sep>[-/.])(?P<iso_m>[0-9]{2})(?P=iso_sep)(?P<iso_d>[0-9]{2})(?![0-9])",
            # 2023年08月01日, 2013年7月
            rf"(?<!{_D})(?P<zy>{_D}{{4}})\s*年\s*(?P<zm>{_D}{{1,2}})\s*月(?:\s*(?P<zd>{_D}{{1,2}})\s*[日号])?",
            # 去年7月, 今年3月5日
            rf"(?P<zry>去年|今年|明年|前年)\s*(?P<zrm>{_D}{{1,2}})\s*月(?:\s*(?P<zrd>{_D}{{1,2}})\s*[日号])?",
            # 7月31日
            rf"(?<!{_D})(?P<zmd_m>{_D}{{1,2}})\s*月\s*(?P<zmd_d>{_D}{{1,2}})\s*[日号]",
            # 2013年
            rf"(?<!{_D})(?P<zyo>{_D}{{4}})\s*年(?![代度])",
            # 昨天, 上个月, 星期四, 上周一
            r"(?P<zrel>昨天|昨日|前天|今天|明天|去年|今年|明年|前年|上个月|上月|本月|这个月|下个月|下月)",
            r"(?P<zwd_mod>[上下每]?)(?:星期|礼拜|周)(?P<zwd>[一二三四五六日天])(?![次年期])",
            # (Tuesday,) March 26(-27)(, 2024)
            (
                rf"(?i:(?:(?<![A-Za-z])(?P<md_wd>{_WD_ANY}),?{_S}+)?)(?<![0-9A-Za-z])(?P<md_m>(?i:{_MON})){_S}*"
                rf"(?P<md_d>{_DAY})(?:{_S}*[-–]{_S}*[0-3]?[0-9](?![0-9]))?(?:(?:,{_S}*|{_S}+)(?P<md_y>{_YEAR}))?"
            ),
            # (Mon,) 13(-14) (of) Aug(,) 2023
            (
                rf"(?i:(?:(?<![A-Za-z])(?P<dm_wd>{_WD_ANY}),?{_S}+(?:the{_S}+)?)?)(?<![0-9A-Za-z.,:$€£¥])(?P<dm_d>{_DAY})"
                rf"(?:{_S}*[-–]{_S}*[0-3]?[0-9](?:st|nd|rd|th)?)?{_S}+(?:(?i:of){_S}+)?(?P<dm_m>(?i:{_MON}))"
                rf"(?![A-Za-z])(?:,?{_S}+(?P<dm_y>{_YEAR}))?"
            ),
            # July 2021
            rf"(?<![A-Za-z])(?P<my_m>(?i:{_MON})),?{_S}+(?P<my_y>{_YEAR})",
            # yesterday, last month, earlier this year, three days ago
            r"(?i:\b(?P<rel_day>yesterday|today|tonight|tomorrow|this\s+(?:morning|afternoon|evening))\b)",
            r"(?i:\b(?P<rel_mon>(?:(?:earlier|later)\s+)?this\s+month|last\s+month|next\s+month)\b)",
            r"(?i:\b(?P<rel_yr>(?:(?:earlier|later)\s+)?this\s+year|last\s+year|next\s+year)\b)",
            rf"(?i:\b(?P<ago_n>{_NUMWORD})[\s-]+(?P<ago_u>days?|months?|years?)\s+ago\b)",
            # (last) Thursday
            rf"(?i:\b(?:(?P<wd_mod>last|next|this|coming|past){_S}+)?)(?P<wd>(?i:{_WD_FULL}))(?![A-Za-z])",
            # (in / last) April
            rf"(?i:\b(?:(?P<mo_mod>last|next|this|coming){_S}+)?)(?P<mo>(?i:{_MON_FULL}))(?![A-Za-z])",
            # (in) 2021
            rf"(?<![0-9A-Za-z.,/$€£¥#])(?P<yo>{_YEAR})(?!['’]?s\b)",
        ]
    )
)

# Where a date expression can start: every alternative above begins with one of these. Trying the
# big pattern only at them (instead of at every character) makes the scan several times faster.
_ANCHOR = re.compile(
    r"[0-9]+|[\uff10-\uff19]+|[去今明前昨上本这下每星礼周]"
    r"|(?i:(?<![A-Za-z])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun"
    r"|yesterday|today|tonight|tomorrow|this|earlier|later|last|next|coming|past"
    r"|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))"
)
_MONTH_CONTEXT = re.compile(
    r"(?:\b(?:in|since|by|until|till|through|throughout|during|before|after|from|early|late|mid"
    r"|(?:end|start|beginning|middle|month)\s+of)|\bmid-)[^\S\n]*$",
    re.IGNORECASE,
)
_FORWARD_CONTEXT = re.compile(r"\b(?:by|until|till)[^\S\n]+(?:(?:early|late|mid)[^\S\n]*)?$", re.IGNORECASE)
_YEAR_CONTEXT = re.compile(
    r"(?:\b(?:in|since|by|until|till|through|throughout|during|before|after|from|to|early|late|mid|around"
    r"|circa|spring|summer|autumn|fall|winter|(?:end|start|beginning|middle)\s+of)|\bmid-)[^\S\n]*$",
    re.IGNORECASE,
)
_NOT_YEAR_AFTER = re.compile(
    r"[^\S\n]*(?:[-–/][^\S\n]*[0-9]|(?:mw|megawatts?|km|kilomet\w*|metres?|meters?|miles?|tons?|tonnes?|people"
    r"|persons|workers|passengers|soldiers|troops|units|houses|homes|jobs|feet|ft|kg|hectares?|acres?"
    r"|per[^\S\n]*cent|percent)\b|%)",
    re.IGNORECASE,
)
_NOT_WEEKDAY_BEFORE = re.compile(r"\b(?:every|each|on[^\S\n]+alternate)[^\S\n]+$", re.IGNORECASE)
_THE_BEFORE = re.compile(r"\bthe[^\S\n]+$", re.IGNORECASE)
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def _int(s: str) -> int:
    return int(s.translate(_FULLWIDTH))


def _iso(y: int, m: int, d: int | None = None) -> str | None:
    try:
        return date(y, m, d).isoformat() if d is not None else date(y, m, 1).isoformat()[:7]
    except (ValueError, OverflowError):
        return None


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _month_value(y: int, m: int) -> str | None:
    return _iso(y, m) if 1 <= y <= 9999 else None


def _year_value(y: int) -> str | None:
    return f"{y:04d}" if 1 <= y <= 9999 else None


def _day_month(month: int, day: int, published: date | None, weekday: int | None = None) -> str | None:
    """The year of a day-and-month written without one (see the module docstring)."""
    if published is None:
        return None
    if weekday is not None:
        near = [_safe(y, month, day) for y in range(published.year - 6, published.year + 7)]
        matching = [d for d in near if d is not None and d.weekday() == weekday]
        if matching:
            return min(matching, key=lambda d: (abs((d - published).days), d > published)).isoformat()
    candidates = [
        d for d in (_safe(y, month, day) for y in range(published.year - 4, published.year + 2)) if d
    ]
    past = [d for d in candidates if d <= published]
    future = [d for d in candidates if d > published]
    best_past = max(past) if past else None
    best_future = min(future) if future else None
    if (
        best_future is not None
        and (best_future - published).days <= FUTURE_DAYS
        and (best_past is None or (best_future - published) < (published - best_past))
    ):
        return best_future.isoformat()
    return best_past.isoformat() if best_past else None


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except (ValueError, OverflowError):
        return None


def _month_only(month: int, published: date | None, mode: str) -> str | None:
    """A month without a year: most recent not after `published`, or next/last by `mode`."""
    if published is None:
        return None
    y, m = published.year, published.month
    if mode == "last":
        y = y if month < m else y - 1
    elif mode == "next":
        y = y if month > m else y + 1
    elif mode == "forward":
        y = y if month >= m else y + 1
    elif mode == "this":
        pass
    else:
        y = y if month <= m else y - 1
    return _month_value(y, month)


def _weekday(wd: int, published: date | None, mode: str) -> str | None:
    if published is None:
        return None
    try:
        if mode in ("next", "coming"):
            delta = (wd - published.weekday()) % 7 or 7
            return (published + timedelta(days=delta)).isoformat()
        if mode == "this":
            return (published + timedelta(days=wd - published.weekday())).isoformat()
        back = (published.weekday() - wd) % 7
        if mode in ("last", "past") and back == 0:
            back = 7
        return (published - timedelta(days=back)).isoformat()
    except OverflowError:
        return None


def _shift_days(published: date | None, days: int) -> str | None:
    if published is None:
        return None
    try:
        return (published + timedelta(days=days)).isoformat()
    except OverflowError:
        return None


def _explicit_or_guess(
    month_token: str, day: str, year: str | None, weekday: str | None, published: date | None
) -> str | None:
    if month_token.islower() or month_token.rstrip(".").casefold() not in MONTHS:
        return None  # "may", "march" in lower case are words, not months
    month = MONTHS[month_token.rstrip(".").casefold()]
    d = _int(re.match(r"[0-9]+", day.translate(_FULLWIDTH)).group())
    if year is not None:
        return _iso(_int(year), month, d)
    wd = WEEKDAYS.get(weekday.rstrip(".").casefold()) if weekday else None
    return _day_month(month, d, published, wd)


def _resolve(m: re.Match[str], text: str, published: date | None) -> tuple[int, int, str | None]:
    g = m.groupdict()
    start, end = m.start(), m.end()
    if g["iso_y"] is not None:
        return start, end, _iso(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]))
    if g["zy"] is not None:
        y, mo = _int(g["zy"]), _int(g["zm"])
        return start, end, _iso(y, mo, _int(g["zd"])) if g["zd"] else _iso(y, mo)
    if g["zry"] is not None:
        if published is None:
            return start, end, None
        y = published.year + {"前年": -2, "去年": -1, "今年": 0, "明年": 1}[g["zry"]]
        mo = _int(g["zrm"])
        return start, end, _iso(y, mo, _int(g["zrd"])) if g["zrd"] else _iso(y, mo)
    if g["zmd_m"] is not None:
        return start, end, _day_month(_int(g["zmd_m"]), _int(g["zmd_d"]), published)
    if g["zyo"] is not None:
        return start, end, _year_value(_int(g["zyo"]))
    if g["zrel"] is not None:
        return start, end, _zh_relative(g["zrel"], published)
    if g["zwd"] is not None:
        mode = {"上": "last", "下": "next", "每": "skip"}.get(g["zwd_mod"], "")
        if mode == "skip":
            return start, end, None
        return start, end, _weekday(ZH_WEEKDAYS[g["zwd"]], published, mode)
    if g["md_m"] is not None:
        value = _explicit_or_guess(g["md_m"], g["md_d"], g["md_y"], g["md_wd"], published)
        return start, end, value
    if g["dm_m"] is not None:
        value = _explicit_or_guess(g["dm_m"], g["dm_d"], g["dm_y"], g["dm_wd"], published)
        return start, end, value
    if g["my_m"] is not None:
        token = g["my_m"]
        if token.islower():
            return start, end, None
        return start, end, _iso(int(g["my_y"]), MONTHS[token.rstrip(".").casefold()])
    if g["rel_day"] is not None:
        word = g["rel_day"].casefold()
        shift = -1 if word == "yesterday" else 1 if word == "tomorrow" else 0
        return start, end, _shift_days(published, shift)
    if g["rel_mon"] is not None or g["rel_yr"] is not None:
        if _THE_BEFORE.search(text, max(0, start - 8), start) or published is None:
            return start, end, None  # "the last year of his term" is not a date
        phrase = (g["rel_mon"] or g["rel_yr"]).casefold()
        shift = -1 if phrase.startswith("last") else 1 if phrase.startswith("next") else 0
        if g["rel_mon"] is not None:
            return start, end, _month_value(*_add_months(published.year, published.month, shift))
        return start, end, _year_value(published.year + shift)
    if g["ago_n"] is not None:
        if published is None:
            return start, end, None
        word = g["ago_n"].casefold()
        n = NUMBER_WORDS[word] if word in NUMBER_WORDS else int(word)
        unit = g["ago_u"].casefold()
        if unit.startswith("day"):
            return start, end, _shift_days(published, -n)
        if unit.startswith("month"):
            return start, end, _month_value(*_add_months(published.year, published.month, -n))
        return start, end, _year_value(published.year - n)
    if g["wd"] is not None:
        if g["wd_mod"] is None and _NOT_WEEKDAY_BEFORE.search(text, max(0, start - 20), start):
            return start, end, None
        mode = (g["wd_mod"] or "").casefold()
        return start, end, _weekday(WEEKDAYS[g["wd"].casefold()], published, mode)
    if g["mo"] is not None:
        token = g["mo"]
        if token.islower():
            return start, end, None
        month = MONTHS[token.casefold()]
        mod = (g["mo_mod"] or "").casefold()
        if mod:
            mode = {"last": "last", "next": "next", "coming": "next", "this": "this"}[mod]
            return start, end, _month_only(month, published, mode)
        before = text[max(0, start - 30) : start]
        if not _MONTH_CONTEXT.search(before):
            return start, end, None
        mode = "forward" if _FORWARD_CONTEXT.search(before) else ""
        return start, end, _month_only(month, published, mode)
    if g["yo"] is not None:
        before = text[max(0, start - 30) : start]
        if not _YEAR_CONTEXT.search(before) or _NOT_YEAR_AFTER.match(text, end):
            return start, end, None
        if re.search(r"\b(?:fiscal|financial|FY)[^\S\n]*(?:year)?[^\S\n]*$", before, re.IGNORECASE):
            return start, end, None
        return start, end, _year_value(int(g["yo"]))
    return start, end, None


def _zh_relative(word: str, published: date | None) -> str | None:
    if published is None:
        return None
    days = {"前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "明天": 1}
    if word in days:
        return _shift_days(published, days[word])
    years = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}
    if word in years:
        return _year_value(published.year + years[word])
    months = {"上个月": -1, "上月": -1, "本月": 0, "这个月": 0, "下个月": 1, "下月": 1}
    return _month_value(*_add_months(published.year, published.month, months[word]))


def _scan(text: str) -> Iterator[re.Match[str]]:
    """`_PATTERN.finditer(text)`, tried only at the anchors where a date expression can start."""
    last = 0
    for anchor in _ANCHOR.finditer(text):
        if anchor.start() >= last:
            m = _PATTERN.match(text, anchor.start())
            if m is not None:
                yield m
                last = m.end()


def find_dates(text: str, published: date | None) -> list[DateMention]:
    """Every date expression in `text`, in text order, resolved against `published`.

    Relative forms need `published`; without it they are left out, and absolute ones still resolve.
    """
    out = []
    for m in _scan(text):
        start, end, value = _resolve(m, text, published)
        if value is not None:
            deadline = _FORWARD_CONTEXT.search(text, max(0, start - 30), start) is not None
            out.append(DateMention(text[start:end], start, end, value, deadline))
    return out


def resolve_date(phrase: str, published: date | None) -> str | None:
    """The ISO value of the first date expression in `phrase`, or None."""
    found = find_dates(phrase, published)
    return found[0].value if found else None
