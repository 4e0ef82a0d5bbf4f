"""A place for an event whose arguments name none (or none the gazetteer knows): the article's.

An event's own place is its `location` argument, resolved (`placed_by` "sentence"). Without one, the
event takes the most specific place the article ties to it, nearest tie first:

1. "paragraph": a place named in the paragraph of the event's sentence (the most specific one,
   then the one named nearest the sentence);
2. "dateline": the place the article was filed from ("ISLAMABAD, Aug 14 -", "GWADAR:");
3. "article": the article's main place, the one it names most often (at least twice, and more
   often than any other town or region).

A town or district wins over a country at any tie: a paragraph that names only "Pakistan" gives way
to a dateline town in Pakistan, but not to one in another country (the places of a farther tie must
lie in a country a nearer tie names, when one does). A country is the place only when no tie names
anything finer. The event's arguments are never changed: the fallback is a property of its
placement (`Event.placed_by`), and its precision is lowered to say how far the event may be from the
point (`FALLBACK_PRECISION`), so the corridor distances, the risk areas and the map all treat it as
approximate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from beltwatch.model import Entity, Event, Extraction, Geo
from beltwatch.resolve.places import COUNTRY, DISTRICT, REGION

# how an event got its place, surest first
PLACED_BY = ("sentence", "paragraph", "dateline", "article")
# A fallback's point is its place's, but the event happened somewhere near it: in the district of a
# place its paragraph names, in the province of the dateline's or the article's place.
FALLBACK_PRECISION = {"paragraph": DISTRICT, "dateline": REGION, "article": REGION}
MAIN_MENTIONS = 2  # a place named once, in passing, is not what an article is about
DATELINE_LINES = 4  # a dateline opens one of the article's first lines (title, standfirst, body)
DATELINE_END = re.compile(r"[ \t]*(?:$|[,:\-–—(])", re.MULTILINE)


def fallback_place(event: Event, extraction: Extraction) -> tuple[Geo | None, str | None]:
    """(the place, how it was found) for an event without a place of its own; (None, None) if the article has none."""
    named: set[str] = set()  # the countries nearer ties name
    country: tuple[Geo, str] | None = None
    for placed_by, candidates in _ties(event, extraction):
        finer = [g for g in candidates if g.precision < COUNTRY and (not named or g.country in named)]
        if finer:
            return _lowered(finer[0], placed_by), placed_by
        if country is None and candidates:
            country = (candidates[0], placed_by)
        named |= {g.country for g in candidates if g.country}
    if country is None:
        return None, None
    return _lowered(*country), country[1]


def _lowered(geo: Geo, placed_by: str) -> Geo:
    return replace(geo, precision=max(geo.precision, FALLBACK_PRECISION[placed_by]))


Place = tuple[Entity, Geo]  # a place entity of the article, and where it is


def _ties(event: Event, extraction: Extraction) -> Iterator[tuple[str, list[Geo]]]:
    """The candidate places of each tie, nearest tie first, each list best first."""
    places = [(e, e.geo) for e in extraction.entities if e.geo is not None and e.mentions]
    text = extraction.article.text
    sentence = event.evidence
    start = text.rfind("\n", 0, sentence.start) + 1
    end = text.find("\n", sentence.start)
    end = len(text) if end < 0 else end
    in_paragraph = [p for p in places if any(start <= m.start < end for m in p[0].mentions)]

    def nearness(place: Place) -> tuple[int, int, int]:
        """Finer first; then a place named before or in the sentence (the scene it is set in) before
        one named after it; then the nearer."""
        after, gap = min(
            (0, sentence.start - m.end) if m.start < sentence.end else (1, m.start - sentence.end)
            for m in place[0].mentions
            if start <= m.start < end
        )
        return place[1].precision, after, max(gap, 0)

    yield "paragraph", [geo for _, geo in sorted(in_paragraph, key=nearness)]
    yield "dateline", [geo for entity, geo in places if _has_dateline(entity, text)][:1]
    yield "article", _main_places(places)


def _main_places(places: list[Place]) -> list[Geo]:
    """The finer place the article names most often (at least twice, and more often than any other
    finer place: two towns named as often are no main place), then its countries, most named first."""
    by_mentions = sorted(places, key=lambda p: (-len(p[0].mentions), min(m.start for m in p[0].mentions)))
    finer = [(len(entity.mentions), geo) for entity, geo in by_mentions if geo.precision < COUNTRY]
    countries = [geo for _, geo in by_mentions if geo.precision >= COUNTRY]
    if not finer or finer[0][0] < MAIN_MENTIONS or (len(finer) > 1 and finer[1][0] == finer[0][0]):
        return countries
    return [finer[0][1], *countries]


def _has_dateline(entity: Entity, text: str) -> bool:
    """A mention in capitals that opens one of the article's first lines and ends there or at a
    comma, colon or dash ("KARACHI: ...", "DASU, Pakistan, July 15 - ...", "JAKARTA"); a headline in
    capitals ("QUETTA BLAST KILLS TWO") is none."""
    for mention in entity.mentions:
        line_start = text.rfind("\n", 0, mention.start) + 1
        if text[line_start : mention.start].strip() or not mention.text.isupper() or len(mention.text) < 3:
            continue
        if not DATELINE_END.match(text, mention.end):
            continue
        if sum(1 for line in text[:line_start].splitlines() if line.strip()) < DATELINE_LINES:
            return True
    return False
