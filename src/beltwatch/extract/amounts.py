"""Monetary amounts: every sum of money an article states, with a USD conversion stated beside it.

Why hand-written regular expressions: no maintained library parses the money forms of this news
offline — "Rs 50 lakh", "Rs 1.2 lakh crore", "PKR 300m", "USD11 billion", "250亿美元", "1.5万亿元" —
and tells an amount from an exchange rate ("Rs 287 to the dollar"). The grammar (number, multiplier,
currency before or after, a bracketed conversion) is small and lives here; the vocabulary (which
words and symbols name which ISO 4217 currency, what "crore" or "亿" multiply by, which currency a
plain "Rs" means) lives in `knowledge/currencies.yaml`, which an analyst can extend. The file is
loaded, validated and compiled into one pattern once.

Not amounts, by construction or by filter:
- vague sums without a figure ("multi-billion-dollar", "tens of billions of dollars") — a digit is
  required;
- figures without a currency (percentages, megawatts, kilometres, passengers, years);
- exchange rates: a sum followed by "to the dollar" / "per dollar" / "against the dollar", or
  preceded by "rate of (around)" / "the rupee closed at".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from beltwatch.errors import KnowledgeError
from beltwatch.extract.evidence import Sentences
from beltwatch.model import Amount

CURRENCIES_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "currencies.yaml"

_ISO = re.compile(r"[A-Z]{3}")
_SP = r"[^\S\n]"  # whitespace that does not cross a line
_DIGIT = r"[0-9\uff10-\uff19]"
# thousands grouped by commas (or lakh-style pairs), a decimal point or a middle dot ("US$2·1bn"), and a
# decimal comma ("$40,7 million", "36,2 million euros"): a lone comma before one or two digits
_NUM = rf"{_DIGIT}+(?:,{_DIGIT}{{2,3}})*(?:[.·]{_DIGIT}+|,{_DIGIT}(?!{_DIGIT}))?"
# a count of millions or billions may be spelled out ("USD one billion"); alone it is no amount ("two dollars")
_NUMBER_WORDS = {
    w: n for n, w in enumerate(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), 1)
}
_WORD_NUM = "(?i:" + "|".join(_NUMBER_WORDS) + r")\b"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_DIGIT_RUN = re.compile(rf"{_DIGIT}+")


@dataclass(frozen=True)
class CurrencyVocabulary:
    """The validated contents of currencies.yaml, with the compiled amount pattern."""

    before: dict[str, str]  # form as written -> ISO code (see `code_of`)
    after: dict[str, str]
    multipliers: dict[str, Decimal]
    pattern: re.Pattern[str]
    rate_after: re.Pattern[str]
    first_chars: frozenset[str]  # characters a `before` form can start with
    reach: int  # how far before its first digit an amount can start
    counted: re.Pattern[str]  # a spelled-out count of a multiplier ("one billion"), which stands for a digit

    def scan(self, text: str) -> Iterator[re.Match[str]]:
        """`pattern.finditer(text)`, but only tried where an amount can start: near a digit.

        Every amount holds a digit (or a spelled-out count) and starts either at it or at most `reach`
        characters before it, on a currency form; trying the big pattern only there makes the scan
        several times faster.
        """
        last = 0
        digits = sorted(m.start() for pattern in (_DIGIT_RUN, self.counted) for m in pattern.finditer(text))
        for digit in digits:
            if digit < last:
                continue
            for pos in range(max(last, digit - self.reach), digit + 1):
                if pos == digit or text[pos] in self.first_chars:
                    m = self.pattern.match(text, pos)
                    if m is not None:
                        yield m
                        last = m.end()
                        break

    def code_of(self, form: str, where: str) -> str | None:
        table = self.before if where == "before" else self.after
        form = " ".join(form.split())
        return table.get(form) or table.get(form.upper()) or table.get(form.casefold())


# --------------------------------------------------------------------------- knowledge file


def _fail(message: str, path: Path) -> KnowledgeError:
    return KnowledgeError(message, source=path.name)


def _forms(value: Any, where: str, path: Path) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(f"{where} must be a list of non-empty strings", path)
    return [" ".join(v.split()) for v in value]


def _add(table: dict[str, str], form: str, code: str, seen: dict[str, str], path: Path) -> None:
    key = form.casefold()
    if seen.get(key, code) != code:
        raise _fail(f"form {form!r} names two currencies: {seen[key]} and {code}", path)
    seen[key] = code
    table[form] = code
    table[form.upper()] = code
    if form == form.lower():
        table[key] = code


def _alternation(forms: list[str], bounded: bool) -> str:
    """Longest first; lower-case forms ignore case; Latin-edged forms need a word edge."""
    parts = []
    for form in sorted(set(forms), key=lambda f: (-len(f), f)):
        body = r"[^\S\n]{1,3}".join(re.escape(w) for w in form.split(" "))
        if form == form.lower():
            body = f"(?i:{body})"
        elif form.upper() != form:
            upper = r"[^\S\n]{1,3}".join(re.escape(w) for w in form.upper().split(" "))
            body = f"(?:{body}|{upper})"
        if bounded and form[0].isascii() and form[0].isalnum():
            body = r"(?<![A-Za-z0-9])" + body
        if form[-1].isascii() and form[-1].isalpha():
            body += r"(?![A-Za-z])"
        parts.append(body)
    return "(?:" + "|".join(parts) + ")"


def load_currencies(path: Path = CURRENCIES_FILE) -> CurrencyVocabulary:
    """Read, validate and compile a currencies file; raise KnowledgeError when it is malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _fail(f"cannot read currencies file: {exc}", path) from exc
    if not isinstance(data, dict):
        raise _fail("must be a mapping with `currencies`, `ambiguous` and `multipliers`", path)
    currencies, ambiguous, multipliers = (
        data.get("currencies"),
        data.get("ambiguous", []),
        data.get("multipliers"),
    )
    if not isinstance(currencies, dict) or not currencies:
        raise _fail("`currencies` must map ISO 4217 codes to their forms", path)
    if not isinstance(ambiguous, list):
        raise _fail("`ambiguous` must be a list of groups with a `default` code", path)
    if not isinstance(multipliers, list) or not multipliers:
        raise _fail("`multipliers` must be a list of {factor, words}", path)

    before: dict[str, str] = {}
    after: dict[str, str] = {}
    seen_before: dict[str, str] = {}
    seen_after: dict[str, str] = {}
    groups: list[tuple[str, Any, str]] = []
    for code, entry in currencies.items():
        groups.append((code, entry, f"currencies.{code}"))
    for i, entry in enumerate(ambiguous):
        code = entry.get("default") if isinstance(entry, dict) else None
        groups.append((code, entry, f"ambiguous[{i + 1}]"))
    for code, entry, where in groups:
        if not isinstance(code, str) or not _ISO.fullmatch(code):
            raise _fail(f"{where}: currency code {code!r} is not an ISO 4217 code (three capitals)", path)
        if not isinstance(entry, dict):
            raise _fail(f"{where} must be a mapping with `before` and/or `after` lists", path)
        for form in _forms(entry.get("before"), f"{where}.before", path):
            _add(before, form, code, seen_before, path)
        for form in _forms(entry.get("after"), f"{where}.after", path):
            _add(after, form, code, seen_after, path)
    if not before or not after:
        raise _fail("needs at least one `before` and one `after` form", path)

    factors: dict[str, Decimal] = {}
    for i, entry in enumerate(multipliers):
        where = f"multipliers[{i + 1}]"
        if not isinstance(entry, dict):
            raise _fail(f"{where} must be a mapping with `factor` and `words`", path)
        factor = entry.get("factor")
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0:
            raise _fail(f"{where}.factor must be a positive number, not {factor!r}", path)
        for word in _forms(entry.get("words"), f"{where}.words", path):
            key = word.casefold()
            if key in factors and factors[key] != Decimal(str(factor)):
                raise _fail(f"multiplier {word!r} is given two factors", path)
            factors[key] = Decimal(str(factor))

    # One-letter Latin multipliers only count against the number ("$60m"); the rest may follow a space.
    attached = [w for w in factors if len(w) == 1 and w.isascii()]
    spaced = [w for w in factors if w not in attached]
    mult_spaced = rf"{_SP}*-?{_SP}*{_alternation(spaced, bounded=False)}"
    mult_one = (
        f"(?:{_alternation(attached, bounded=False)}|{mult_spaced})" if attached else f"(?:{mult_spaced})"
    )
    mults = f"{mult_one}(?:{mult_spaced})?"
    before_alt = _alternation(list(before), bounded=True)
    after_alt = _alternation(list(after), bounded=False)
    range_sep = rf"{_SP}*(?:-|–|—|(?i:to)){_SP}*"
    prefixed = (
        rf"(?P<a_cur>{before_alt}){_SP}{{0,3}}(?P<a_num>{_NUM}|(?<![A-Za-z]){_WORD_NUM}(?={mult_spaced}))(?![0-9])"
        rf"(?:(?P<a_mult>{mults})|{range_sep}(?P<a_num2>{_NUM})(?P<a_mult2>{mults}))?"
        rf"(?:{_SP}*-?{_SP}*(?P<a_after>{after_alt}))?"
    )
    suffixed = (
        rf"(?<![0-9A-Za-z.,\uff10-\uff19])(?P<b_num>{_NUM}|{_WORD_NUM}(?={mult_spaced}))(?:{range_sep}(?P<b_num2>{_NUM}))?"
        rf"(?P<b_mult>{mults})?{_SP}*-?{_SP}*(?P<b_after>{after_alt})"
    )
    pattern = re.compile(f"{prefixed}|{suffixed}")
    any_currency = _alternation(list(before) + list(after), bounded=True)
    rate_after = re.compile(
        rf"{_SP}*(?:(?:-|–|(?i:to)){_SP}*{_NUM}{_SP}*)?"
        rf"(?i:to|per|against|for|a|an|=|/){_SP}*(?:(?i:the|a|an|one|each|every|1){_SP}+)?"
        rf"(?:(?:US|U\.S\.|American){_SP}*)?{any_currency}(?!{_SP}*-?{_SP}*{_DIGIT})"
    )
    first_chars = frozenset(c for form in before for c in (form[0], form[0].upper(), form[0].lower()))
    reach = max(len(form) + 2 * form.count(" ") for form in before) + 3
    counted = re.compile(rf"(?<![A-Za-z]){_WORD_NUM}(?={mult_spaced})")
    return CurrencyVocabulary(before, after, factors, pattern, rate_after, first_chars, reach, counted)


@cache
def currencies() -> CurrencyVocabulary:
    """The bundled currencies file, loaded once."""
    return load_currencies(CURRENCIES_FILE)


# --------------------------------------------------------------------------- extraction

_RATE_BEFORE = re.compile(
    r"(?:\brates?\b(?:[^\S\n]*:|(?:[^\S\n]+(?:of|at|was|is|were|stood|hovered|hovering|remained|around|about"
    r"|roughly|approximately|nearly|near|some|close|to|an?|the))*)"
    r"|\b(?:rupee|dollar|greenback|yuan|renminbi|euro|currency)[^\S\n]+(?:closed|traded|trading|stood|ended"
    r"|settled|fell|rose|slipped|slid|weakened|strengthened|depreciated|appreciated|hit|touched|was|is)"
    r"(?:[^\S\n]+(?:at|to|around|about|nearly|roughly|a|record|low|high|of))*)[^\S\n]*$",
    re.IGNORECASE,
)
_CONVERSION_GAP = re.compile(
    r"[^\S\n]*(?:[(\[（【][^\S\n]*|,?[^\S\n]*(?:or|i\.e\.,?|equivalent[^\S\n]+to|equal[^\S\n]+to|worth)[^\S\n]+"
    r"|[-–—][^\S\n]*)"
    r"(?:(?:about|around|approximately|approx\.|roughly|some|nearly|almost|over|more[^\S\n]+than"
    r"|close[^\S\n]+to|~|≈)[^\S\n]*)?",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"^[\s-]+")
_IN_YEAR = re.compile(r"\b(?:in|constant|real)[^\S\n]+$", re.IGNORECASE)


@dataclass
class _Raw:
    start: int
    end: int
    value: float
    currency: str
    ranged: bool = False


def _decimal(number: str) -> Decimal | None:
    """The value of a number as news writes it. One comma before one or two final digits is a decimal
    comma ("32,79"): thousands come in threes, and lakh-style pairs ("1,00,000") end in three."""
    if number.casefold() in _NUMBER_WORDS:
        return Decimal(_NUMBER_WORDS[number.casefold()])
    text = number.translate(_FULLWIDTH).replace("·", ".")
    whole, comma, tail = text.rpartition(",")
    if comma and "," not in whole and "." not in text and len(tail) in (1, 2):
        text = f"{whole}.{tail}"
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _factor(vocab: CurrencyVocabulary, text: str | None) -> Decimal:
    """Product of the multiplier words in a matched multiplier span ("lakh crore" = 1e12)."""
    if not text:
        return Decimal(1)
    factor = Decimal(1)
    rest = _SEPARATORS.sub("", text)
    while rest:
        for length in range(len(rest), 0, -1):
            head = rest[:length]
            if head.casefold() in vocab.multipliers:
                factor *= vocab.multipliers[head.casefold()]
                rest = _SEPARATORS.sub("", rest[length:])
                break
        else:
            break
    return factor


def _from_match(m: re.Match[str], vocab: CurrencyVocabulary) -> list[_Raw]:
    if m.group("a_cur") is not None:
        code = vocab.code_of(m.group("a_cur"), "before")
        num, num2, mult_group, after = (
            "a_num",
            "a_num2",
            "a_mult" if m.group("a_num2") is None else "a_mult2",
            "a_after",
        )
        start = m.start("a_cur")
    else:
        code = None
        num, num2, mult_group, after = "b_num", "b_num2", "b_mult", "b_after"
        start = m.start("b_num")
    after_code = vocab.code_of(m.group(after), "after") if m.group(after) else None
    end = m.end()
    if code is None:
        code = after_code
    elif after_code is not None and after_code != code:
        # "$5 billion yuan" is not one amount: stop before the disagreeing currency word.
        end = max(
            m.end(mult_group) if m.group(mult_group) else -1, m.end(num2) if m.group(num2) else -1, m.end(num)
        )
    if code is None:
        return []
    factor = _factor(vocab, m.group(mult_group))
    first = _decimal(m.group(num))
    if first is None:
        return []
    if m.group(num2) is None:
        return [_Raw(start, end, float(first * factor), code)]
    second = _decimal(m.group(num2))
    if second is None:
        return []
    return [
        _Raw(start, m.end(num), float(first * factor), code, ranged=True),
        _Raw(m.start(num2), end, float(second * factor), code, ranged=True),
    ]


def _is_rate(raw: _Raw, text: str, vocab: CurrencyVocabulary) -> bool:
    if vocab.rate_after.match(text, raw.end):
        return True
    return _RATE_BEFORE.search(text, max(0, raw.start - 80), raw.start) is not None


def find_amounts(text: str, sentences: Sentences) -> list[Amount]:
    """Every monetary amount in `text`, in text order; a USD conversion beside one is its usd_stated."""
    vocab = currencies()
    raws: list[_Raw] = []
    for m in vocab.scan(text):
        for raw in _from_match(m, vocab):
            if _is_rate(raw, text, vocab):
                continue
            if (
                m.group("b_num") is not None
                and m.group("b_mult") is None
                and re.fullmatch(r"(?:18|19|20)[0-9]{2}", m.group("b_num"))
                and _IN_YEAR.search(text, max(0, raw.start - 20), raw.start)
            ):
                continue  # "in 2015 dollars" is a price level, not an amount
            raws.append(raw)

    out: list[Amount] = []
    i = 0
    while i < len(raws):
        raw = raws[i]
        usd = None
        if raw.currency != "USD" and i + 1 < len(raws):
            nxt = raws[i + 1]
            gap = _CONVERSION_GAP.match(text, raw.end, nxt.start)
            if nxt.currency == "USD" and not nxt.ranged and gap is not None and gap.end() == nxt.start:
                usd = nxt.value
        out.append(
            Amount(
                text=text[raw.start : raw.end],
                value=raw.value,
                currency=raw.currency,
                start=raw.start,
                end=raw.end,
                evidence=sentences.evidence(raw.start, raw.end),
                usd_stated=usd,
            )
        )
        i += 2 if usd is not None else 1
    return out


def distinct_amounts(amounts: list[Amount]) -> list[Amount]:
    """Each (value, currency) once, at its first occurrence; a later repeat may lend its usd_stated."""
    first: dict[tuple[float, str], int] = {}
    out: list[Amount] = []
    for amount in amounts:
        key = (float(f"{amount.value:.12g}"), amount.currency)
        if key not in first:
            first[key] = len(out)
            out.append(amount)
        elif out[first[key]].usd_stated is None and amount.usd_stated is not None:
            out[first[key]] = replace(out[first[key]], usd_stated=amount.usd_stated)
    return out
