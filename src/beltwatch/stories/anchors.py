"""Anchors: what reports of one happening share whatever their outlet's wording or language.

Two reports of one attack, one in Chinese and one in English, share hardly a word, but they
name the same town, the same armed group and the same numbers. `anchor_terms(text)` lists
those, one term per occurrence:

- ``E:<id>`` for every place, official, project, armed group, lender or organisation of the
  knowledge files, and every country, named by its name, an alias or a demonym in any script
  ("卡拉奇", "Карачи" and "Karachi" are all ``E:places:Karachi``; "چینی", "cinesi" and
  "Chinese" are ``E:countries:CN``). `anchors.yaml` adds the spellings of other languages the
  knowledge files do not list (Russian adjectives, Italian and German forms, Telugu script) and
  a few anchors of their own (``E:anchors:Dalbandin``); a one-word Russian name is also found
  in its cases ("в Пакистане", "из Китая"). A word in another alphabet (Cyrillic, Arabic,
  Devanagari and the other scripts of India) that no spelling lists is also compared by sound
  with the Latin names of places, officials and armed groups (`_sounded`): "Равалпинди",
  "راولپنڈی" and "Rawalpindi" sound alike. Outlets (`media.yaml`) are left out:
  they say who reports, not what happened. Every name starting at a word counts ("Karachi
  airport" names the airport and Karachi), and the next name starts after the longest.
- ``N:<number>`` for every number written in digits of any script (leading zeros dropped):
  casualties, amounts, days and years are written alike in most languages.
- ``C:<word>`` for every capitalised word in Latin script that is neither a stop word nor one
  of the words `anchors.yaml` lists as no name in Italian, German, Indonesian, French or
  Spanish (sentence openers, weekdays, German common nouns): the names the knowledge files do
  not know, as every Latin-script language writes them.

`days_named()` reads the dates written with a month name in the languages `anchors.yaml` lists
("14 luglio", "14 июля", "July 14"), for clustering to find the happening a report in a language
the extractor does not read follows up.

`districts()` reads the towns and the districts they lie in (`within` of `anchors.yaml`), for
clustering to take an event in "Besham" and one in "Shangla" for one place.

Words here are runs of letters, digits and combining marks, so that a Hindi or Telugu word
stays one word with its vowel signs (`normal_words`, which duplicates and text TF-IDF use,
splits them); each Chinese, Japanese or Korean character is a word. Clustering weighs these
as TF-IDF terms (rare names count more than "Pakistan" or "2").
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml
from anyascii import anyascii

from beltwatch.knowledge import load_knowledge
from beltwatch.resolve.places import chinese_place_names
from beltwatch.stories.signals import STOP_WORDS, name_key

__all__ = ["Cast", "anchor_terms", "cast_of", "days_named", "districts", "is_uncounted"]

ANCHORS_FILE = Path(__file__).with_name("anchors.yaml")
# knowledge files whose entries say what happened where, and who was involved
_ANCHOR_FILES = frozenset({"places", "officials", "projects", "armed_groups", "lenders", "organisations", "events"})
# Shorter Latin spellings ("KP", "PM") are also everyday abbreviations; two Chinese characters are a name.
_MIN_NAME_CHARS = 3
_CAPITALISED = re.compile(r"(?<![\w-])[A-Z][a-zA-Z\u00c0-\u024f]{2,}")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_HAN = re.compile("[\u3400-\u9fff]")


def _ranges(chars: list[int]) -> str:
    """A regex character class body for the given code points, as ranges."""
    out, start = [], None
    for c, nxt in zip(chars, [*chars[1:], None]):
        start = c if start is None else start
        if nxt != c + 1:
            out.append(re.escape(chr(start)) + ("-" + re.escape(chr(c)) if c != start else ""))
            start = None
    return "".join(out)


# combining marks (Indic vowel signs and viramas, Arabic diacritics) belong to the word they are in;
# the pattern that keeps them is slower, so it reads only the texts that have any
_MARKS = _ranges([c for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M")])
_MARK = re.compile(f"[{_MARKS}]")
_MARKED_WORD = re.compile(rf"[{_CJK}]|(?:[^\W_{_CJK}]|[{_MARKS}])+")
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return (_MARKED_WORD if _MARK.search(text) else _WORD).findall(text)


@cache
def _anchor_data() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """(anchor id -> its extra names, words that are no names) from `anchors.yaml`, checked."""
    data = yaml.safe_load(ANCHORS_FILE.read_text(encoding="utf-8"))
    knowledge = load_knowledge()
    known = {e.id for e in knowledge.entities} | {f"countries:{c.code}" for c in knowledge.countries}
    aliases: dict[str, tuple[str, ...]] = {}
    for entry in data["aliases"]:
        anchor, names = entry["anchor"], tuple(entry["names"])
        if not entry.get("source"):
            raise ValueError(f"{ANCHORS_FILE.name}: {anchor} needs a source")
        if anchor.startswith("anchors:"):
            if anchor.removeprefix("anchors:") not in names:
                raise ValueError(f"{ANCHORS_FILE.name}: {anchor} must list its English name")
        elif anchor not in known:
            raise ValueError(f"{ANCHORS_FILE.name}: {anchor} is no knowledge id or country")
        aliases[anchor] = aliases.get(anchor, ()) + names
    not_names = frozenset(w.casefold() for words in data["not_names"].values() for w in words.split())
    return aliases, not_names


@cache
def _known_names() -> dict[str, tuple[tuple[int, dict[tuple[str, ...], tuple[str, ...]]], ...]]:
    """First word of a name -> (a length in words, the names of that length -> their anchor terms in
    order of id), longest names first.

    Grouped by length so that a word is compared with the few lengths of names it starts, not with
    each of them: "china" starts dozens (China-Pakistan Economic Corridor, China Harbour, ...)."""
    knowledge = load_knowledge()
    named: list[tuple[str, str]] = [
        (name, entity.id)
        for entity in knowledge.entities
        if entity.id.split(":", 1)[0] in _ANCHOR_FILES
        for name in entity.names
    ]
    named += [(name, f"countries:{c.code}") for c in knowledge.countries for name in (*c.names, *c.demonyms)]
    named += [(name, anchor) for anchor, names in _anchor_data()[0].items() for name in names]
    index: dict[str, set[tuple[tuple[str, ...], str]]] = defaultdict(set)
    for name, anchor in named:
        words = tuple(_words(name))
        if words and (len(name) >= _MIN_NAME_CHARS or not name.isascii()):
            for form in _russian_cases(words):
                index[form[0]].add((tuple(sys.intern(w) for w in form), anchor))
    # longest first, then by id, so that a spelling two entries share resolves the same way every time
    known: dict[str, tuple[tuple[int, dict[tuple[str, ...], tuple[str, ...]]], ...]] = {}
    for first, names in index.items():
        by_length: dict[int, dict[tuple[str, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
        for words, anchor in sorted(names, key=lambda n: (-len(n[0]), n[1])):
            by_length[len(words)][words].append("E:" + anchor)
        known[first] = tuple((n, {w: tuple(terms) for w, terms in named.items()}) for n, named in by_length.items())
    return known


# Russian nouns change their ending with their case ("в Пакистане", "из Китая", "Кветты"): a
# one-word name in Cyrillic is also matched in the singular cases of its declension, by its
# last letter (ending, then the endings that replace it). Indeclinable names (Карачи) end otherwise.
_CASES = (
    ("ия", ("ии", "ию", "ией")),
    ("й", ("я", "ю", "е", "ем")),
    ("а", ("ы", "и", "е", "у", "ой")),
    ("я", ("и", "ю", "ей", "е")),
    ("", ("а", "у", "е", "ом")),
)
_RUSSIAN_CONSONANTS = frozenset("бвгджзклмнпрстфхцчшщ")


def _russian_cases(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A name's words, and for a one-word Russian name of four letters or more its case forms."""
    if len(words) != 1 or len(words[0]) < 4 or not all("а" <= c <= "я" or c == "ё" for c in words[0]):
        return [words]
    word = words[0]
    for ending, endings in _CASES:
        if word.endswith(ending) and (ending or word[-1] in _RUSSIAN_CONSONANTS):
            stem = word[: len(word) - len(ending)]
            return [words, *((stem + e,) for e in endings)]
    return [words]


# The knowledge files whose Latin names a word of another alphabet may sound like: what happened
# where, to whom and by whom. Projects, lenders and organisations are named by common words
# ("Port", "Bank") or acronyms, which transliterations would meet by chance.
_SOUNDED_FILES = frozenset({"places", "officials", "armed_groups"})
# A name sounds like a word only with this many consonants, none of its words with fewer than two:
# shorter skeletons ("Dasu", "Li") are shared by common words of many languages.
_MIN_SOUNDED = 4
# What transliterations of one name still disagree on, made alike: digraphs of one sound
# ("Шариф" -> "Sharif", "بلوچستان" -> "blwchstn", "Белуджистан" -> "Beludzhistan"), letters of one
# kind (q and k; j, ch and dzh; z and s); then vowels, h, w, v and y go, since Arabic-script
# spellings leave out short vowels and write long ones as w and y, and doubled letters count once.
# Russian writes the h of foreign names with the letter of kh ("Шахбаз" -> "Shakhbaz"), so a word
# in another alphabet is also read with its kh as h.
_DIGRAPHS = (("dzh", "c"), ("tsch", "c"), ("sch", "s"), ("tch", "c"), ("zh", "c"), ("ch", "c"),
             ("sh", "s"), ("kh", "k"), ("ph", "f"), ("ts", "c"), ("tz", "c"), ("ck", "k"))  # fmt: skip
_KINDS = str.maketrans("qjzx", "kcsk")
# the nasal sign of the scripts of India, which transliteration writes m: before t, d, k or g, as
# in names ("रावलपिंडी", Rawalpindi), it is an n
_ANUSVARA = str.maketrans(dict.fromkeys("\u0902\u0982\u0a02\u0a70\u0a82\u0b02\u0b82\u0c02\u0c82\u0d02", "n"))
_NO_CONSONANT = re.compile("[^bcdfgklmnprst]")
_DOUBLED = re.compile(r"(.)\1+")
# a letter of neither Latin script nor Chinese, Japanese or Korean (whose names transliterate
# by syllable, not by letter)
_OTHER_LETTER = re.compile(rf"[^\W\d_{_CJK}\u0000-\u024f]")


@lru_cache(maxsize=1 << 16)
def _skeletons(word: str) -> frozenset[str]:
    """The skeletons of a word of another alphabet: its kh read as k, and as h."""
    latin = anyascii(word.translate(_ANUSVARA)).lower()
    return frozenset((_skeleton(latin), _skeleton(latin.replace("kh", "h"))))


def _skeleton(latin: str) -> str:
    """The consonants of a word in lower-case Latin letters, as transliterations of one name share them."""
    for digraph, letter in _DIGRAPHS:
        latin = latin.replace(digraph, letter)
    return _DOUBLED.sub(r"\1", _NO_CONSONANT.sub("", latin.translate(_KINDS)))


@cache
def _sounded() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """Skeleton of the first word of a Latin name -> (its words' skeletons, anchor id), longest first."""
    index: dict[str, set[tuple[tuple[str, ...], str]]] = defaultdict(set)
    for entity in load_knowledge().entities:
        if entity.id.split(":", 1)[0] not in _SOUNDED_FILES:
            continue
        for name in entity.names:
            if not name.isascii() or name.isupper():  # acronyms are no sounds
                continue
            skeletons = tuple(_skeleton(w) for w in _words(name))  # case-folded by `_words`
            if min(map(len, skeletons)) >= 2 and sum(map(len, skeletons)) >= _MIN_SOUNDED:
                index[skeletons[0]].add((skeletons, entity.id))
    return {w: tuple(sorted(names, key=lambda n: (-len(n[0]), n[1]))) for w, names in index.items()}


def _other_names(text: str) -> frozenset[str]:
    """The words of `text` in another alphabet that may be names, case-folded: in an alphabet of
    capitals (Cyrillic, Greek) only those written with one inside a sentence, so that common words
    ("требует") do not sound like a name ("Turbat"); in the others (Arabic, Devanagari) every word."""
    if not _OTHER_LETTER.search(text):
        return frozenset()
    text = unicodedata.normalize("NFKC", text)
    names = set()
    for match in (_MARKED_WORD if _MARK.search(text) else _WORD).finditer(text):
        word = match.group()
        if _OTHER_LETTER.search(word) and (word.upper() == word.lower() or _named(text, match.start())):
            names.add(word.casefold())
    return frozenset(names)


def _named(text: str, start: int) -> bool:
    """Whether the word at `start` of a text is capitalised where only a name would be: not at
    the start of the text, a line or a sentence ("Требует ли..." opens a question)."""
    before = text[max(0, start - 4) : start].rstrip(" \t")
    return text[start].isupper() and bool(before) and before[-1] not in ".!?…\n"


def _sounds_like(words: list[str], position: int) -> tuple[list[str], int]:
    """The anchors of the Latin names the words from `position`, of `_other_names`, sound like,
    and how many words they take."""
    word = words[position]
    found, step = [], 1
    sounded = _sounded()
    for first in sorted(_skeletons(word)):
        for name, anchor in sounded.get(first, ()):
            following = words[position + 1 : position + len(name)]
            if len(following) == len(name) - 1 and all(s in _skeletons(w) for w, s in zip(following, name[1:])):
                found.append("E:" + anchor)
                step = max(step, len(name))
    return found, step


@cache
def districts() -> dict[str, frozenset[str]]:
    """Name key of a town, by any of its names -> the name keys of the districts it lies in
    (`within` of `anchors.yaml`)."""
    places = {e.name: e for e in load_knowledge().entities if e.id.startswith("places:")}
    data = yaml.safe_load(ANCHORS_FILE.read_text(encoding="utf-8"))
    out: dict[str, set[str]] = defaultdict(set)
    for entry in data["within"]:
        town, district = places.get(entry["place"]), places.get(entry["district"])
        if town is None or district is None or not entry.get("source"):
            raise ValueError(f"{ANCHORS_FILE.name}: {entry} needs two places of places.yaml and a source")
        for name in town.names:
            out[name_key(name)].update(name_key(n) for n in district.names)
    return {town: frozenset(keys) for town, keys in out.items()}


@cache
def _months() -> dict[str, int]:
    """Month name in any language of `anchors.yaml` -> its number (1-12)."""
    months: dict[str, int] = {}
    for language, names in yaml.safe_load(ANCHORS_FILE.read_text(encoding="utf-8"))["months"].items():
        names = names.split()
        if len(names) != 12:
            raise ValueError(f"{ANCHORS_FILE.name}: months of {language} must be twelve")
        for number, name in enumerate(names, 1):
            if months.setdefault(name.casefold(), number) != number:
                raise ValueError(f"{ANCHORS_FILE.name}: {name} is two months")
    return months


# Spanish puts "de" between the day and the month ("14 de julio")
_DATE_LINKS = frozenset({"de"})


def days_named(text: str) -> list[tuple[int, int]]:
    """The (month, day) of every date written as a day and a month name in any language of
    `anchors.yaml`: "14 luglio", "14. Juli", "14 de julio", "14 июля", "July 14"."""
    words = _words(text)
    months = _months()
    found = []
    for position, word in enumerate(words):
        month = months.get(word)
        if month is None:
            continue
        before = words[max(0, position - 2) : position]
        if len(before) == 2 and before[1] in _DATE_LINKS:
            before = before[:1]
        for day in (before[-1:] + words[position + 1 : position + 2]):
            if day.isdigit() and len(day) <= 2 and 1 <= int(_number(day)) <= 31:
                found.append((month, int(_number(day))))
                break
    return found


def _number(word: str) -> str:
    """A number in digits of any script, as ASCII digits without leading zeros."""
    return "".join(str(unicodedata.digit(c)) for c in word).lstrip("0") or "0"


def anchor_terms(text: str) -> list[str]:
    """The known names, numbers and capitalised Latin-script words of `text`, in order of kind."""
    words = _words(text)
    known = _known_names()
    others = _other_names(text)
    terms = []
    after = 0  # where the next name may start: after the longest found
    # most words start no name: only those that may are looked at
    for position in [i for i, word in enumerate(words) if word in known or word in others]:
        if position < after:
            continue
        step = 0
        for length, named in known.get(words[position], ()):
            found = named.get(tuple(words[position : position + length]))
            if found:
                terms += found
                step = max(step, length)
        if not step and words[position] in others:
            sounded, step = _sounds_like(words, position)
            if any(_known_at(words, p, known) for p in range(position + 1, position + step)):
                step = 1  # a name spelled as a file spells it outranks a sound that takes its first word
            else:
                terms += sounded
        after = position + (step or 1)
    terms += _chinese_places(text)
    terms += ["N:" + _number(w) for w in words if w.isdigit() and len(w) <= 4]
    not_names = _anchor_data()[1]
    capitalised = map(str.casefold, _CAPITALISED.findall(text))
    terms += ["C:" + c for c in capitalised if c not in STOP_WORDS and c not in not_names]
    return terms


def _known_at(words: list[str], position: int, known: dict) -> bool:
    """Whether a name of the files, as they spell it, starts at `position`."""
    return any(tuple(words[position : position + n]) in named for n, named in known.get(words[position], ()))


def _chinese_places(text: str) -> list[str]:
    """The towns a Chinese text names as the gazetteer lists them, each as the capitalised words of
    its Latin name ("仰光" is "C:yangon", as "Yangon" is in a report in English); the longest name
    at each place in the text."""
    if not _HAN.search(text):
        return []
    names = _chinese_names_by_first()
    terms = []
    position = 0
    while position < len(text):
        found = next((n for n in names.get(text[position], ()) if text.startswith(n[0], position)), None)
        if found is None:
            position += 1
            continue
        terms += ["C:" + w.casefold() for w in _CAPITALISED.findall(found[1])]
        position += len(found[0])
    return terms


@cache
def _chinese_names_by_first() -> dict[str, list[tuple[str, str]]]:
    by_first: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for chinese, latin in chinese_place_names().items():
        by_first[chinese[0]].append((chinese, latin))
    for names in by_first.values():
        names.sort(key=lambda n: -len(n[0]))
    return dict(by_first)


def is_uncounted(term: str) -> bool:
    """Whether an anchor term says little of which happening a report is about: a country (China or
    Pakistan is named in nearly every report of the corridor, in any language) or a one-digit number
    (dates, counts and ranks have them in every report; on `tune` four of them shared by chance joined
    a mine attack in Africa to a loan rollover for Pakistan). Such a term weighs little and is not one
    of the names two reports must share (`clustering.NAMES_SHARED`)."""
    return term.startswith("E:countries:") or (term.startswith("N:") and len(term) == 3)


@cache
def _official_countries() -> dict[str, str]:
    """Anchor term of an official -> anchor term of the country the official serves."""
    return {
        f"E:{e.id}": f"E:countries:{e.country}"
        for e in load_knowledge().entities
        if e.id.startswith("officials:") and e.country
    }


class Cast(NamedTuple):
    """Whose happening an article reports, as anchor terms: the countries it names, itself or
    by one of its officials; the countries of its officials; the gatherings (summits, forums of
    `events.yaml`) it names."""

    countries: frozenset[str]
    official_countries: frozenset[str]
    gatherings: frozenset[str]


def cast_of(terms: list[str]) -> Cast:
    """The `Cast` of an article from its `anchor_terms`."""
    of_official = _official_countries()
    officials = frozenset(of_official[t] for t in terms if t in of_official)
    countries = frozenset(t for t in terms if t.startswith("E:countries:")) | officials
    return Cast(countries, officials, frozenset(t for t in terms if t.startswith("E:events:")))
