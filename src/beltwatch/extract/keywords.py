"""Events for articles in languages without a parser: trigger keywords per sentence (triggers.yaml).

Coarser than the English finders: a STATEMENT's speaker is the last person named before the keyword
in its sentence, an AGREEMENT's parties are the countries the sentence names (or, for "both
countries", the two the article names most), a MEETING needs two named people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from beltwatch.extract.dates import DateMention
from beltwatch.extract.events import load_triggers
from beltwatch.extract.evidence import Sentences
from beltwatch.knowledge import load_knowledge
from beltwatch.model import Entity, Event


def keyword_sentences(text: str, ends: str) -> Sentences:
    """Sentences cut after each sentence-final mark and at line breaks."""
    bounds = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for m in re.finditer(rf"[^{re.escape(ends)}]+[{re.escape(ends)}]?", line.group(0)):
            if m.group(0).strip():
                bounds.append((start + m.start(), start + m.end()))
    return Sentences(text, bounds)


def keyword_events(
    text: str, language: str, entities: Sequence[Entity], dates: Sequence[DateMention], published: date | None
) -> list[Event]:
    conf = load_triggers().get("KEYWORDS", {}).get(language)
    if not conf:
        return []
    sentences = keyword_sentences(text, conf["sentence_ends"])
    known = load_knowledge().country_by_name
    countries = sorted(
        (e for e in entities if e.type == "GPE" and any(n in known for n in (e.name, *e.aliases))),
        key=lambda e: -len(e.mentions),
    )
    events: list[Event] = []
    last_date: str | None = None
    for start, end in sentences.bounds:
        named = [(m.start, e) for e in entities for m in e.mentions if start <= m.start < end]
        named.sort(key=lambda p: p[0])
        own = [d for d in dates if start <= d.start < end]
        if own:
            last_date = own[0].value
        when = last_date or (published.isoformat() if published else None)
        evidence = sentences.evidence(start, end)
        sentence = text[start:end]
        for etype in ("STATEMENT", "AGREEMENT", "MEETING"):
            for keyword in conf[etype]:
                at = sentence.find(keyword)
                if at < 0:
                    continue
                args = _arguments(etype, start + at, named, countries, sentence, conf["both"])
                if args is not None:
                    args["date"] = when
                    events.append(Event(etype, args, evidence))
                break
    return _one_statement_per_speaker(events)


def _arguments(etype, position, named, countries, sentence, both_words) -> dict | None:
    people = [e for s, e in named if e.type == "PERSON"]
    if etype == "STATEMENT":
        before = [e for s, e in named if e.type == "PERSON" and s < position]
        return {"speaker": before[-1].name, "topic": "cooperation"} if before else None
    if etype == "MEETING":
        distinct = list(dict.fromkeys(people))
        return {"participants": [p.name for p in distinct]} if len(distinct) >= 2 else None
    parties = list(dict.fromkeys(e for _, e in named if e in countries))
    if len(parties) < 2 and any(w in sentence for w in both_words):
        parties = countries[:2]
    return {"parties": [p.name for p in parties]} if len(parties) >= 2 else None


def _one_statement_per_speaker(events: list[Event]) -> list[Event]:
    seen: set[str] = set()
    out = []
    for event in events:
        speaker = event.arguments.get("speaker")
        if speaker is not None:
            if speaker in seen:
                continue
            seen.add(speaker)
        out.append(event)
    return out
