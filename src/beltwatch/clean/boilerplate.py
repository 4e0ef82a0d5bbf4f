"""Clean an article's text before any NLP: fix Unicode, then remove site chrome line by line.

Why hand-written patterns: a plain-text article arrives as the scraper copied it, with the
site's chrome flattened into ordinary lines ("Home | Balochistan | CPEC", "Share on
Facebook | Print", "Related Stories", "(c) 2023 ..."). The page structure that lets
trafilatura tell chrome from story (`<nav>`, `<aside>`, `<footer>`) is gone, so only the
shape and wording of a line can tell. The patterns live in `knowledge/boilerplate.yaml`,
where an analyst can read and extend them; this module applies them and adds the checks
that are easier to write as code (navigation bars, bylines, date lines, "Related
Stories" lists, captions printed twice). No rule is keyed to one site or one article:
the only per-article input is the site name (`meta.source`, plus names read from the
article's own copyright line).

Rules never remove a line longer than `max_line_words`, and the checks for bylines, menus
and date lines look for what a sentence of the story does not have (only capitalised
name words after "By", only short items between separators, nothing but dates and filler
words), so "By the end of June, ..." and "Share prices rose" stay.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from beltwatch.errors import KnowledgeError
from beltwatch.model import Article

__all__ = [
    "BoilerplateRules",
    "clean_article",
    "clean_text",
    "fix_unicode",
    "load_rules",
    "remove_boilerplate",
    "site_names",
]

_SENTENCE_END = ".!。！"  # a nav item or list item does not end like a sentence ("?" may: headlines)
_TERMINAL = ".!?:;\"'”’)]。！？：；…"

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun"
)
_DATE_RE = re.compile(
    rf"""
    \d{{4}}-\d{{1,2}}-\d{{1,2}}(?:[T ]\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?
    | \d{{4}}/\d{{1,2}}/\d{{1,2}} | \d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}
    | \d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}
    | (?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?
    | (?:{_MONTHS})\.?\s+\d{{4}}
    | \d{{4}}\s*年\s*\d{{1,2}}\s*月(?:\s*\d{{1,2}}\s*日)? | \d{{1,2}}\s*月\s*\d{{1,2}}\s*日
    """,
    re.IGNORECASE | re.VERBOSE,
)
_TIME_RE = re.compile(
    r"(?:about\s+|around\s+|over\s+)?\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago"
    r"|(?:gmt|utc)\s*[+-]\s*\d{1,2}(?::?\d{2})?"
    r"|\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)",
    re.IGNORECASE,
)
_WEEKDAY_RE = re.compile(rf"\b(?:{_WEEKDAYS})\b\.?|星期[一二三四五六日天]|周[一二三四五六日]", re.IGNORECASE)
_TOKEN_SPLIT = re.compile(r"[\s,|｜\-–—:;/()·•　，：]+")

# Copyright lines name the site: "(c) 2023 Makran Coast Monitor. All rights reserved.",
# "Hazara Bulletin (c) 2024", "Asia Wire Desk - All rights reserved."
_COPYRIGHT_NAME_RES = (
    re.compile(
        r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*(?P<name>[^.|©,;]{2,60}?)"
        r"\s*(?:[.|,;]|all rights reserved|$)",
        re.IGNORECASE,
    ),
    re.compile(r"^(?P<name>[^|©]{2,60}?)\s*(?:©|\(c\)|copyright)\s*\d{4}", re.IGNORECASE),
    re.compile(r"^(?P<name>[^|.]{2,60}?)\s*[-–—,.]\s*all rights reserved", re.IGNORECASE),
)


@dataclass(frozen=True)
class BoilerplateRules:
    """The compiled content of `knowledge/boilerplate.yaml`."""

    max_line_words: int
    drop: tuple[tuple[str, re.Pattern[str]], ...]
    drop_site: tuple[tuple[str, str], ...]  # (group, template with {site})
    related_headings: tuple[re.Pattern[str], ...]
    related_bullet: re.Pattern[str]
    related_max_words: int
    nav_split: re.Pattern[str]
    nav_trailing: re.Pattern[str]
    nav_max_item_words: int
    nav_max_item_chars: int
    nav_two_item_max_words: int
    byline_name_words: frozenset[str]
    byline_max_name_words: int
    byline_role_lines: tuple[re.Pattern[str], ...]
    date_fillers: frozenset[str]
    strip: tuple[tuple[str, str, bool], ...]  # (pattern template, replacement, ignore case)
    source: str = "boilerplate.yaml"


# --- loading the rules ---------------------------------------------------------------------


def load_rules(path: Path | str | None = None) -> BoilerplateRules:
    """Read and compile a boilerplate rules file (the bundled one by default).

    Raises `KnowledgeError` when the file is missing, is not YAML, or holds a pattern
    that does not compile.
    """
    if path is None:
        return _bundled_rules()
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(f"cannot read boilerplate rules: {exc}", source=str(path)) from None
    return _compile(raw, str(path))


@cache
def _bundled_rules() -> BoilerplateRules:
    ref = resources.files("beltwatch") / "knowledge" / "boilerplate.yaml"
    return _compile(ref.read_text(encoding="utf-8"), "knowledge/boilerplate.yaml")


def _compile(raw: str, source: str) -> BoilerplateRules:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"not valid YAML: {exc}".splitlines()[0], source=source) from None
    if not isinstance(data, dict):
        raise KnowledgeError("expected a mapping at the top level", source=source)

    def section(name: str, kind: type) -> Any:
        value = data.get(name, kind())
        if not isinstance(value, kind):
            raise KnowledgeError(f"{name}: expected a {kind.__name__}", source=source)
        return value

    def compile_one(where: str, pattern: Any, flags: int = re.IGNORECASE) -> re.Pattern[str]:
        if not isinstance(pattern, str):
            raise KnowledgeError(f"{where}: a pattern must be a string, not {pattern!r}", source=source)
        try:
            return re.compile(pattern.replace("{site}", "(?:SITE)"), flags)
        except re.error as exc:
            raise KnowledgeError(f"{where}: bad pattern {pattern!r}: {exc}", source=source) from None

    drop: list[tuple[str, re.Pattern[str]]] = []
    drop_site: list[tuple[str, str]] = []
    for group, patterns in section("drop_lines", dict).items():
        if not isinstance(patterns, list):
            raise KnowledgeError(f"drop_lines.{group}: expected a list of patterns", source=source)
        for pattern in patterns:
            compiled = compile_one(f"drop_lines.{group}", pattern)
            if "{site}" in pattern:
                drop_site.append((str(group), pattern))
            else:
                drop.append((str(group), compiled))

    related = section("related_items", dict)
    nav = section("navigation", dict)
    separators = nav.get("separators", ["|"])
    if not isinstance(separators, list) or not all(isinstance(s, str) and s for s in separators):
        raise KnowledgeError("navigation.separators: expected a list of strings", source=source)
    sep_class = "".join(re.escape(s) for s in separators)
    trailing = "".join(re.escape(s) for s in separators if s not in "|｜¦•")
    bylines = section("bylines", dict)
    dates = section("date_lines", dict)

    strip: list[tuple[str, str, bool]] = []
    for i, rule in enumerate(section("strip", list)):
        if not isinstance(rule, dict) or "pattern" not in rule:
            raise KnowledgeError(f"strip[{i}]: expected a mapping with a pattern", source=source)
        ignore_case = bool(rule.get("ignore_case", False))
        compile_one(f"strip[{i}]", rule["pattern"], re.IGNORECASE if ignore_case else 0)
        strip.append((rule["pattern"], str(rule.get("replace", "")), ignore_case))

    try:
        return BoilerplateRules(
            max_line_words=int(data.get("max_line_words", 40)),
            drop=tuple(drop),
            drop_site=tuple(drop_site),
            related_headings=tuple(
                compile_one("related_headings", p) for p in section("related_headings", list)
            ),
            related_bullet=compile_one("related_items.bullets", related.get("bullets", r"[-*•]\s+\S.*")),
            related_max_words=int(related.get("max_words", 18)),
            nav_split=re.compile(rf"\s*[{sep_class}]\s*"),
            nav_trailing=re.compile(rf"[{trailing or '>'}]\s*$"),
            nav_max_item_words=int(nav.get("max_item_words", 6)),
            nav_max_item_chars=int(nav.get("max_item_chars", 40)),
            nav_two_item_max_words=int(nav.get("two_item_max_words", 5)),
            byline_name_words=frozenset(str(w).casefold() for w in bylines.get("name_words", [])),
            byline_max_name_words=int(bylines.get("max_name_words", 7)),
            byline_role_lines=tuple(
                compile_one("bylines.role_lines", p) for p in bylines.get("role_lines", [])
            ),
            date_fillers=frozenset(str(w).casefold() for w in dates.get("fillers", [])),
            strip=tuple(strip),
            source=source,
        )
    except (TypeError, ValueError) as exc:
        raise KnowledgeError(f"bad setting: {exc}", source=source) from None


@lru_cache(maxsize=256)
def _site_pattern(template: str, sites: tuple[str, ...], flags: int) -> re.Pattern[str]:
    alternation = "|".join(_site_regex(s) for s in sorted(sites, key=len, reverse=True))
    return re.compile(template.replace("{site}", f"(?:{alternation})"), flags)


def _site_regex(site: str) -> str:
    """A site name matching any spacing and case: 'Hazara  Bulletin' ~ 'HAZARA BULLETIN'."""
    return r"\s+".join(re.escape(part) for part in site.split())


# --- Unicode -------------------------------------------------------------------------------

_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u2009\u200a\u202f\u205f"), " ")
_BREAKS = dict.fromkeys(map(ord, "\x0b\x0c\x85\u2028\u2029"), "\n")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff\u2060\u00ad"), None)
_MAX_PASSES = 4


def fix_unicode(text: str) -> str:
    """Mojibake and odd Unicode fixed, line endings `\\n`, control characters gone.

    ftfy repairs text decoded with the wrong codec ("BeijingÃ¢Â€Â™s" -> "Beijing's") but is
    told to keep curly quotes and full-width characters: names like "Export–Import Bank"
    keep their dash and Chinese keep its full-width punctuation. Tabs and newlines are kept.
    Repeated until nothing changes, so that cleaning a cleaned text changes nothing.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for _ in range(_MAX_PASSES):  # dropping controls can leave mojibake ("\x8dÂ\x80" -> "Â€") to mend
        fixed = _fix_once(text)
        if fixed == text:
            break
        text = fixed
    return text


def _fix_once(text: str) -> str:
    import ftfy

    config = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False)
    text = ftfy.fix_text(text, config)
    text = text.translate(_BREAKS).translate(_SPACES).translate(_INVISIBLE)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


# --- boilerplate ---------------------------------------------------------------------------


def site_names(text: str, source: str | None = None) -> tuple[str, ...]:
    """The site's names: `source` plus any name its copyright lines give."""
    names: dict[str, str] = {}
    if source and source.strip():
        names[_norm(source).casefold()] = _norm(source)
    for line in text.splitlines():
        line = line.strip()
        if (
            not line
            or len(line.split()) > 25
            or not re.search(r"©|\(c\)|copyright|all rights reserved", line, re.IGNORECASE)
        ):
            continue
        for pattern in _COPYRIGHT_NAME_RES:
            m = pattern.search(line)
            if not m:
                continue
            name = _norm(re.sub(r"^the\s+", "", m["name"], flags=re.IGNORECASE)).strip(" -–—")
            words = name.split()
            starts_well = name[:1].isalnum() and not name[0].islower()
            if (
                1 <= len(words) <= 6
                and starts_well
                and not re.search(r"rights|reserved|copyright", name, re.IGNORECASE)
            ):
                names.setdefault(name.casefold(), name)
            break
    return tuple(names.values())


def remove_boilerplate(
    text: str, sites: tuple[str, ...] = (), rules: BoilerplateRules | None = None
) -> tuple[str, int]:
    """Text without site chrome, and the number of lines removed.

    Every kept paragraph is separated from the next by a blank line; lines that continue
    a hard-wrapped paragraph (the previous line does not end a sentence and this one starts
    in lowercase) stay joined to it by a single newline.
    """
    rules = rules or load_rules()
    raw_lines = [line.strip() for line in text.split("\n")]
    lines = [_norm(line) for line in raw_lines]  # for matching; kept lines keep their own spacing
    n = len(lines)
    drop = [False] * n
    site_res = _compile_site_rules(rules, sites)
    body_paragraphs = 0  # bare date lines are chrome only in the header, before the 2nd paragraph
    previous: str | None = None
    i = 0
    while i < n:
        line = lines[i]
        if not line:
            i += 1
            continue
        if drop[i]:
            i += 1
            continue
        if previous is not None and line == previous:  # a caption printed twice
            drop[i] = True
        elif _any_full(rules.related_headings, _strip_colon(line)):
            drop[i] = True
            _drop_related_items(lines, drop, i, rules)
        elif _is_chrome(line, rules, site_res, body_paragraphs >= 2):
            drop[i] = True
        elif _is_body_paragraph(line):
            body_paragraphs += 1
        if not drop[i]:
            # a repeat is judged against the last line kept, so a copy with chrome between the two
            # goes in this pass, as it would in the next: cleaning clean text changes nothing
            previous = line
        i += 1

    kept: list[tuple[int, str]] = []
    removed = 0
    for idx, line in enumerate(lines):
        if not line:
            continue
        if drop[idx]:
            removed += 1
            continue
        edited = _apply_strip(raw_lines[idx], rules, sites)
        if not edited:
            removed += 1
            continue
        kept.append((idx, edited))

    out: list[str] = []
    for k, (idx, line) in enumerate(kept):
        if k:
            prev_idx, prev_line = kept[k - 1]
            adjacent = idx == prev_idx + 1
            out.append("\n" if adjacent and _continues(prev_line, line) else "\n\n")
        out.append(line)
    return ("".join(out) + "\n" if out else ""), removed


def clean_text(
    text: str, source: str | None = None, rules: BoilerplateRules | None = None
) -> tuple[str, int]:
    """Unicode fixed and boilerplate removed; returns (text, lines removed)."""
    fixed = fix_unicode(text)
    return remove_boilerplate(fixed, site_names(fixed, source), rules)


def clean_article(article: Article, *, rules: BoilerplateRules | None = None) -> Article:
    """A new Article with cleaned text, `meta.boilerplate_removed` set, and language detected.

    The language already in the metadata (sidecar, page) is kept; otherwise it is detected
    from the cleaned text (None when the text is too short to tell).
    """
    from beltwatch.clean.language import detect_language

    text, removed = clean_text(article.text, article.meta.source, rules)
    meta = replace(article.meta, boilerplate_removed=removed)
    if not meta.language:
        meta.language = detect_language(text)
    return replace(article, text=text, meta=meta)


# --- line checks ---------------------------------------------------------------------------


def _norm(line: str) -> str:
    """A line stripped, with runs of spaces and tabs made one space (ideographic space too)."""
    return " ".join(line.replace("\u3000", " ").split())


def _strip_colon(line: str) -> str:
    return line.rstrip(":：").rstrip()


def _words(text: str) -> list[str]:
    return text.split()


def _any_full(patterns: tuple[re.Pattern[str], ...], line: str) -> bool:
    return any(p.fullmatch(line) for p in patterns)


def _compile_site_rules(rules: BoilerplateRules, sites: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    sites = tuple(s for s in sites if s.strip())
    if not sites:
        return ()
    return tuple(_site_pattern(t, sites, re.IGNORECASE) for _, t in rules.drop_site)


def _is_body_paragraph(line: str) -> bool:
    """A paragraph of the story: many words and it ends like a sentence."""
    cjk = sum(1 for ch in line if _is_cjk(ch))
    if cjk >= 30:
        return line[-1] in '。！？”"）)'
    return len(_words(line)) >= 12 and line[-1] in '.!?"”’)'


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_chrome(
    line: str, rules: BoilerplateRules, site_res: tuple[re.Pattern[str], ...], body_started: bool
) -> bool:
    if len(_words(line)) > rules.max_line_words:
        return False
    if any(p.fullmatch(line) for _, p in rules.drop):
        return True
    if any(p.fullmatch(line) for p in site_res):
        return True
    if _is_navigation(line, rules):
        return True
    if _is_byline(line, rules):
        return True
    return _is_date_line(line, rules, body_started)


def _drop_related_items(lines: list[str], drop: list[bool], heading: int, rules: BoilerplateRules) -> None:
    """Drop the list of links after a "Related Stories" heading.

    Bulleted items are dropped through blank lines while the next line is still a bullet;
    unbulleted items only up to the first blank line, and only while they are short and do
    not end like a sentence, so a body paragraph after the list is never taken for an item.
    """
    n = len(lines)
    j = heading + 1
    while j < n and not lines[j]:
        j += 1
    if j >= n:
        return
    if rules.related_bullet.fullmatch(lines[j]):
        while j < n:
            if not lines[j]:
                j += 1
                continue
            if not rules.related_bullet.fullmatch(lines[j]):
                return
            drop[j] = True
            j += 1
        return
    j = heading + 1
    while j < n and lines[j] and _is_link_like(lines[j], rules):
        drop[j] = True
        j += 1


def _is_link_like(line: str, rules: BoilerplateRules) -> bool:
    return len(_words(line)) <= rules.related_max_words and line[-1] not in _SENTENCE_END


def _is_navigation(line: str, rules: BoilerplateRules) -> bool:
    """A menu or breadcrumb: short capitalised items between separators, none a sentence."""
    parts = rules.nav_split.split(line)
    if len(parts) < 2:
        return False
    items = [p.strip() for p in parts if p.strip()]
    if not items:
        return True
    for item in items:
        if len(_words(item)) > rules.nav_max_item_words or len(item) > rules.nav_max_item_chars:
            return False
        if item[-1] in _SENTENCE_END or item[-1] == "?" or item[0].islower():
            return False
    if len(items) == 1:
        return bool(rules.nav_trailing.search(line)) and len(_words(items[0])) <= 3
    if len(items) == 2:
        return sum(len(_words(item)) for item in items) <= rules.nav_two_item_max_words
    return True


_BYLINE_RE = re.compile(r"by\s+(?P<rest>\S.*)", re.IGNORECASE)


def _is_byline(line: str, rules: BoilerplateRules) -> bool:
    """ "By a Staff Correspondent", "By Business Desk | Islamabad | July 27, 2023",
    "By our correspondent, Mombasa", "Staff Reporter"; not "By the end of June, ..." """
    if _any_full(rules.byline_role_lines, line):
        return True
    m = _BYLINE_RE.fullmatch(line)
    if not m or line[-1] in _SENTENCE_END:
        return False
    head, *items = re.split(r"\s*[|｜]\s*", m["rest"])
    name, _, place = head.partition(",")
    if not _is_name(name, rules, rules.byline_max_name_words):
        return False
    place = place.strip()
    if place and not (_is_name(place, rules, 3) or _DATE_RE.fullmatch(place)):
        return False
    return all(len(_words(item)) <= rules.nav_max_item_words for item in items)


def _is_name(text: str, rules: BoilerplateRules, max_words: int) -> bool:
    words = _words(text)
    if not 1 <= len(words) <= max_words:
        return False
    for word in words:
        core = word.strip("'\"“”‘’()")
        if not core:
            return False
        if core.casefold() in rules.byline_name_words:
            continue
        if not (core[0].isupper() or core[0].isdigit()):
            return False
    return True


def _is_date_line(line: str, rules: BoilerplateRules, body_started: bool) -> bool:
    """A line holding a date (or a time after a filler word) and nothing else but times,
    weekdays, filler words, one leading place name and punctuation.

    Once the story has begun (two paragraphs in), only date lines with a filler word
    ("Updated ...", "Published ...") go: a bare date there may head a section of a timeline.
    """
    if len(line) > 100:
        return False
    has_date = bool(_DATE_RE.search(line))
    if not has_date and not _TIME_RE.search(line):
        return False
    rest = _DATE_RE.sub(" ", line)
    rest = _TIME_RE.sub(" ", rest)
    rest = _WEEKDAY_RE.sub(" ", rest)
    tokens = [t for t in _TOKEN_SPLIT.split(rest) if t]
    had_filler = False
    leftover: list[str] = []
    for token in tokens:
        if token.casefold().strip(".") in rules.date_fillers or token.casefold() in rules.date_fillers:
            had_filler = True
        elif token.isdigit() and len(token) <= 3:
            continue
        else:
            leftover.append(token)
    if not has_date and not had_filler:  # a bare time is not enough: "Updated 6:05 PM" is
        return False
    if leftover:
        # one leading place name of up to three capitalised words: "Karachi, April 27, 2022"
        if len(leftover) > 3 or not all(t[0].isupper() for t in leftover):
            return False
        first = line.find(leftover[0])
        if _DATE_RE.search(line[:first]):
            return False
    return not body_started or had_filler


def _apply_strip(line: str, rules: BoilerplateRules, sites: tuple[str, ...]) -> str:
    for template, replacement, ignore_case in rules.strip:
        flags = re.IGNORECASE if ignore_case else 0
        if "{site}" in template:
            if not sites:
                continue
            pattern = _site_pattern(template, tuple(s for s in sites if s.strip()), flags)
        else:
            pattern = _plain_pattern(template, flags)
        line = pattern.sub(replacement, line).strip()
    return line


@lru_cache(maxsize=256)
def _plain_pattern(template: str, flags: int) -> re.Pattern[str]:
    return re.compile(template, flags)


def _continues(previous: str, line: str) -> bool:
    """Whether `line` carries on a hard-wrapped paragraph rather than starting a new one."""
    return len(_words(previous)) >= 6 and previous[-1] not in _TERMINAL and line[:1].islower()
