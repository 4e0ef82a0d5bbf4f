"""What the story stage keeps of an extraction: a `StorySignal`, plus the text normalisation
that duplicate detection and clustering share.

`signal_of` turns one `Extraction` into a `StorySignal`: the article id, its cleaned text,
the published date and title from the metadata, one `EventSignature` per event and the
entity names. An event's signature is its type, its date (``YYYY-MM-DD``, ``YYYY-MM`` or
``YYYY`` as the extractor wrote it), its place and its actors: the event's actor-like
arguments (`ACTOR_ARGUMENTS`) in that order, flattened and without repeats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from beltwatch.model import PARTY_ARGUMENTS, Event, EventSignature, Extraction, StorySignal

__all__ = ["ACTOR_ARGUMENTS", "STOP_WORDS", "event_signature", "name_key", "normal_words", "signal_of"]

# The arguments of SCHEMA.md that name who acts in (or is) the happening, in the order they
# go into `EventSignature.actors`. `name` is the MEETING or PROJECT name.
ACTOR_ARGUMENTS = (*PARTY_ARGUMENTS, "name")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")

# Scripts written without spaces between words: every character is a word of its own.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")

# Words too common in news to tell one report from another (English, and the commonest
# Chinese function characters).
_STOP_TEXT = """
    a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up upon very was
    we were what when where which while who whom why will with would you your yours yourself
    said says say told according per via among amid since still yet however whether
    one two three four five six seven eight nine ten first second new may might must shall
    us mr mrs ms dr
    monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december
    的 了 在 是 和 与 及 等 对 为 将 也 都 而 并 于 以 其 之 这 那 有 个 年 月 日
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def normal_words(text: str) -> list[str]:
    """The words of `text`, case-folded and NFKC-normalised, punctuation and spacing dropped.

    A word is a run of letters and digits; in Chinese, Japanese and Korean script each
    character is a word. Two texts that differ only in case, whitespace or punctuation
    give the same list.
    """
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def name_key(name: str) -> str:
    """A name compared case-, accent-, space- and punctuation-insensitively."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def signal_of(extraction: Extraction) -> StorySignal:
    """The story signal of one extracted article."""
    article = extraction.article
    return StorySignal(
        article_id=article.id,
        text=article.text,
        published=article.meta.published,
        title=article.meta.title,
        events=[event_signature(event) for event in extraction.events],
        entities=_unique(entity.name for entity in extraction.entities),
    )


def event_signature(event: Event) -> EventSignature:
    """Type, date, place and actors of one event."""
    args = event.arguments
    date = args.get("date")
    date = date.strip() if isinstance(date, str) and _DATE.fullmatch(date.strip()) else None
    location = _first_name(args.get("location"))
    if location is None:
        location = _first_name(args.get("locations"))
    actors = _unique(name for key in ACTOR_ARGUMENTS for name in _names(args.get(key)))
    return EventSignature(type=event.type, date=date, location=location, actors=tuple(actors))


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _first_name(value: Any) -> str | None:
    names = _names(value)
    return names[0] if names else None


def _unique(names: Iterable[str]) -> list[str]:
    """Names in order of first appearance, each once (compared by `name_key`)."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        key = name_key(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out
