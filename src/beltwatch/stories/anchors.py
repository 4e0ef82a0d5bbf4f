"""Anchors: what reports of one happening share whatever their outlet's wording or language.

Two reports of one attack, one in Chinese and one in English, share hardly a word, but they
name the same town, the same armed group and the same numbers. `anchor_terms(text)` lists
those, one term per occurrence:

- ``E:<knowledge id>`` for every place, official, project, armed group, lender or
  organisation of the knowledge files named by its name or an alias in any script ("卡拉奇",
  "Карачи" and "Karachi" are all ``E:places:Karachi``). Outlets (`media.yaml`) are left out:
  they say who reports, not what happened. Every name starting at a word counts ("Karachi
  airport" names the airport and Karachi), and the next name starts after the longest.
- ``N:<number>`` for every number written in digits (leading zeros dropped): casualties,
  amounts, days and years are written alike in most languages.
- ``C:<word>`` for every capitalised word in Latin script (not a stop word): the names the
  knowledge files do not know, as every Latin-script language writes them.

Clustering weighs these as TF-IDF terms (rare names count more than "Pakistan" or "2").
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

from beltwatch.knowledge import load_knowledge
from beltwatch.stories.signals import STOP_WORDS, normal_words

__all__ = ["anchor_terms"]

# knowledge files whose entries say what happened where, and who was involved
_ANCHOR_FILES = frozenset({"places", "officials", "projects", "armed_groups", "lenders", "organisations", "events"})
# Shorter Latin spellings ("KP", "PM") are also everyday abbreviations; two Chinese characters are a name.
_MIN_NAME_CHARS = 3
_CAPITALISED = re.compile(r"(?<![\w-])[A-Z][a-zA-Z\u00c0-\u024f]{2,}")


@cache
def _known_names() -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """First word of a name -> (its words, knowledge id), longest name first."""
    index: dict[str, set[tuple[tuple[str, ...], str]]] = defaultdict(set)
    for entity in load_knowledge().entities:
        if entity.id.split(":", 1)[0] not in _ANCHOR_FILES:
            continue
        for name in entity.names:
            words = tuple(normal_words(name))
            if words and (len(name) >= _MIN_NAME_CHARS or not name.isascii()):
                index[words[0]].add((words, entity.id))
    # longest first, then by id, so that a spelling two entries share resolves the same way every time
    return {w: tuple(sorted(names, key=lambda n: (-len(n[0]), n[1]))) for w, names in index.items()}


def anchor_terms(text: str) -> list[str]:
    """The known names, numbers and capitalised Latin-script words of `text`, in order of kind."""
    words = normal_words(text)
    known = _known_names()
    terms = []
    position = 0
    while position < len(words):
        step = 1
        for name, entity_id in known.get(words[position], ()):
            if tuple(words[position : position + len(name)]) == name:
                terms.append("E:" + entity_id)
                step = max(step, len(name))
        position += step
    terms += ["N:" + (w.lstrip("0") or "0") for w in words if w.isdigit() and len(w) <= 4]
    terms += ["C:" + c for c in map(str.casefold, _CAPITALISED.findall(text)) if c not in STOP_WORDS]
    return terms
