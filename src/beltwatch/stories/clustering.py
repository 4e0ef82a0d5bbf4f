"""Story clustering: reports of one happening, by any outlet and in any words, form one story.

Two articles are linked when their event signatures say they report the same happening
and their texts agree, or, with no event evidence, when their texts are very close and
they were published together. Links are joined into stories; a duplicate joins its
original's story when it came out within `STORY_SPAN_DAYS` of it.

Events. Only an article's *current* events count: an event dated more than
`CURRENT_DAYS` (7) before publication is background ("the 2021 Dasu attack" in a 2024
report). A date is an interval: ``YYYY-MM-DD`` one day, ``YYYY-MM`` its month; a year alone
is too vague to match on; an undated event is placed in the `UNDATED_DAYS` (3) up to
publication (for an article dated to the month only, in that month). Two events *match* when they have the same type, their dates are at most
`DATE_TOLERANCE_DAYS` (2) apart, they do not name different places, and they share the
place (compared case-, accent- and punctuation-insensitively; or each article mentions the
other's place; or one is a town and the other its district, `anchors.districts`; or the gazetteer
puts the two within `SAME_PLACE_KM` (40) of each other: a city and its port) or an actor. A match is *strong* when at least two of place, actor and same
day agree, both events carry their own date and the type is not STATEMENT (one speaker
talks about many things); any other match is *weak*. Two articles that both report a
day-dated current ATTACK, MEETING or AGREEMENT, none of which match, are in *conflict*:
they report different happenings, whatever their words.

Text. TF-IDF cosine over the content words (stop words, numbers and single Latin letters
dropped, a plural "s" stripped) of the title and the first `LEAD_WORDS` (300) words;
tf = 1 + log(count), idf = log((1 + n) / (1 + df)) + 1 over the articles being clustered
(duplicates left out).

A pair is one story, unless in conflict, when
- a strong event match and cosine >= `STRONG_TEXT` (0.2), or
- a weak event match and cosine >= `WEAK_TEXT` (0.35), or
- no event match, published at most `TEXT_WINDOW_DAYS` (2) apart, and cosine >= `TEXT_ONLY`
  (0.5), or
- failing these, published at most `NAMES_WINDOW_DAYS` (1) apart (a month-only date is the
  month, near only to dates within it), the events of the two not of different kinds (an
  attack and an opening; a project alone is of a meeting's or an agreement's kind), and the
  TF-IDF cosine of their anchors (`anchors.anchor_terms`: known names and countries in any
  script, numbers, capitalised Latin words) >= `NAMES_ONLY` (0.1) with >= `NAMES_SHARED` (2)
  anchors in common. Published up to `NAMES_LATER_DAYS` (7) apart, the cosine must reach
  `NAMES_LATER` (0.2): on `tune` the reports of one happening 2 to 10 days apart reach 0.46,
  other pairs 0.12, and from 11 days on a second rally at one site reaches 0.61. Countries and one-digit
  numbers do not count among the shared anchors (`anchors.is_uncounted`), nor do common
  anchors: those in more than `NAMES_COMMON_SHARE` (0.5 %) of the articles clustered and more
  than `NAMES_COMMON_DOCS` (100) of them. Reports in other languages share little wording but
  the names and numbers; a few hundred reports a day share common names by chance, and counted,
  they chained the synthetic stories of 100,000 articles (bench/stories_scale.py) into a
  handful (story pair precision 0.004; 1.000 without them). Not when each names an official of
  a country the other never names (Xi with Pakistan's prime minister, and Xi with the Kyrgyz and
  Uzbek presidents, the same day in Beijing). Set on the real story set's `tune` split
  (bench/real_stories.py), where month-only dates a month apart ("2024-02", "2024-03") were the
  ones that joined different happenings; with common anchors left out, the bars of 2 anchors at
  0.1 (3 at 0.15 before) join more of `tune`'s short reports in other scripts and chain no
  synthetic stories;
- failing these, a *follow-up*: the later of the two, published up to `FOLLOW_UP_DAYS` (60)
  after the earlier, recalls a happening the earlier reports (one of its background events,
  dated to the day, has the kind, place and date, within `DATE_TOLERANCE_DAYS`, of a current
  event of the earlier: "the March 26 attack in Besham" in a report of arrests or compensation weeks
  on), and their anchors pass the bar of reports published together, officials' countries included. A new happening at the same place is dated
  anew and recalls the old one, if at all, by year or month only, so it does not qualify. A
  later report in which the extractor reads no event (another language) recalls a happening
  by naming its day with a month name of any language of `anchors.yaml` ("l'attentato del 14
  luglio", `anchors.days_named`): a day from `FOLLOW_UP_DAYS` to `CURRENT_DAYS` before it,
  within `DATE_TOLERANCE_DAYS` of a current event the earlier report dates to the day.
Why these values: on the bundled corpus the same-story pairs have cosines of 0.24 to 0.42
(all with strong matches), while different stories reach 0.40 (Hambantota lease and
handover), 0.34 (Dasu 2021 and Besham 2024) and 0.32 (Gwadar 2023 and Karachi 2024): text
alone cannot separate them, so it is only a check on the event evidence, and the bar rises
as that evidence weakens.

Stories. Links are joined strongest first (strong, weak, text, names, follow-up; then by
cosine; then in publication order), and a join that would make a story's reports span more
than `STORY_SPAN_DAYS` (14) days of publication, or `FOLLOW_UP_DAYS` through a follow-up
link, is skipped unless the story already spans as much (the reports of an arrest join its
follow-up there), so day-to-day links cannot chain into one endless story. A story's id is "story-" and 12 hex digits of the BLAKE2b hash of its
earliest member's id (earliest published, then lowest id). Articles are processed in
publication order whatever the input order, so the same input gives the same stories.

Scale. Pairs are compared only when they share a candidate key:
- event blocks keyed by (type, place) and (type, actor), sorted by date and then by what
  the key leaves out (the cast under a place, the place under an actor); each entry meets
  the next `EVENT_NEIGHBOURS` (8) entries whose dates can match (the sorted-neighbourhood
  method). Under a busy key (a country, or a place on the day of a big story) an entry
  meets only its nearest followers, and the reports of one happening with one signature,
  side by side, are still joined, in a chain. STATEMENT events are not blocked on: too
  many, and too weak to link on their own;
- a text LSH: MinHash over each article's `TEXT_TERMS` (24) heaviest TF-IDF terms,
  `TEXT_BANDS` (16) bands of `TEXT_ROWS` (2), each bucket scanned in publication order
  over `TEXT_WINDOW_DAYS`, `MAX_NEIGHBOURS` at most;
- name blocks: each article's `NAME_KEYS` (12) heaviest anchors of those another article
  has too (a name no other article has keys no pair), each block scanned in publication
  order over `NAMES_LATER_DAYS`, `MAX_NEIGHBOURS` at most;
- a follow-up's background events go into the event blocks of their type and place, on
  the date of the happening they recall; an unread one meets the `MAX_NEIGHBOURS` reports
  of events on the days it names whose anchors are nearest its own.
Each article thus meets a bounded number of others and the work grows linearly: on
synthetic data, 100,000 articles cluster in about 30 s (300,000: 9 candidate pairs per article) with
a few kilobytes of memory per article; tokenising the texts is most of the time.
"""

from __future__ import annotations

import hashlib
import sys
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from beltwatch.model import StoryAssignment, StorySignal
from beltwatch.resolve.places import haversine_km, resolve_place
from beltwatch.stories.anchors import Cast, anchor_terms, cast_of, days_named, districts, is_uncounted
from beltwatch.stories.duplicates import find_duplicates
from beltwatch.stories.signals import STOP_WORDS, name_key, normal_words

__all__ = [
    "CONFLICT_TYPES",
    "CURRENT_DAYS",
    "DATE_TOLERANCE_DAYS",
    "EVENT_NEIGHBOURS",
    "FOLLOW_UP_DAYS",
    "LEAD_WORDS",
    "MAX_NEIGHBOURS",
    "NAMES_COMMON_DOCS",
    "NAMES_COMMON_SHARE",
    "NAMES_LATER",
    "NAMES_LATER_DAYS",
    "NAMES_ONLY",
    "NAMES_SHARED",
    "NAMES_WINDOW_DAYS",
    "SAME_PLACE_KM",
    "STORY_SPAN_DAYS",
    "STRONG_TEXT",
    "TEXT_ONLY",
    "TEXT_WINDOW_DAYS",
    "UNDATED_DAYS",
    "WEAK_TEXT",
    "WEAK_TYPES",
    "cluster_stories",
    "reach",
    "story_id",
]

STRONG_TEXT = 0.2
WEAK_TEXT = 0.35
TEXT_ONLY = 0.5
NAMES_ONLY = 0.1
NAMES_SHARED = 2
NAMES_WINDOW_DAYS = 1
NAMES_LATER = 0.2
NAMES_LATER_DAYS = 7
NAMES_COMMON_DOCS = 100
NAMES_COMMON_SHARE = 0.005
DATE_TOLERANCE_DAYS = 2
CURRENT_DAYS = 7
UNDATED_DAYS = 3
TEXT_WINDOW_DAYS = 2
STORY_SPAN_DAYS = 14
SAME_PLACE_KM = 40
FOLLOW_UP_DAYS = 60
LEAD_WORDS = 300
LEAD_CHARS = 4000  # enough text for LEAD_WORDS content words
MAX_NEIGHBOURS = 20
# Followers an event-block entry meets: the sorted-neighbourhood window. Entries of one
# date under one key are ordered by their other features, so the reports of one happening
# with the same signature are next to each other and are joined in a chain through this
# window however many there are. A fixed window keeps the event candidates
# O(articles x window) as a busy place or actor fills with more reports per day; a report
# set apart in a busy block (an undated event, another cast) meets its happening only if
# another key, the text LSH or the duplicate index brings them together.
EVENT_NEIGHBOURS = 8
TEXT_TERMS = 24
NAME_KEYS = 12
TEXT_BANDS = 16
TEXT_ROWS = 2
TEXT_SEED = 7
WEAK_TYPES = frozenset({"STATEMENT"})
CONFLICT_TYPES = frozenset({"ATTACK", "MEETING", "AGREEMENT"})
_DIPLOMATIC = frozenset({"MEETING", "AGREEMENT"})

_STRONG, _WEAK, _TEXT, _NAMES, _FOLLOW = 5, 4, 3, 2, 1  # link tiers, strongest first when joining



# --------------------------------------------------------------------------- public API


def story_id(article_id: str) -> str:
    """The id of a story whose earliest member is `article_id`."""
    return "story-" + hashlib.blake2b(article_id.encode("utf-8"), digest_size=6).hexdigest()


def cluster_stories(
    signals: Sequence[StorySignal], duplicates: dict[str, tuple[str, str]] | None = None
) -> list[StoryAssignment]:
    """One `StoryAssignment` per signal, in input order.

    `duplicates` maps a duplicate's id to (original id, kind) as `find_duplicates` returns
    it; None runs `find_duplicates` here, {} means there are none. A duplicate joins its
    original's story; one published more than `STORY_SPAN_DAYS` after it, or whose original
    is not among `signals`, is clustered on its own merits and still reported as a duplicate.
    """
    signals = list(signals)
    ids = [s.article_id for s in signals]
    if len(set(ids)) != len(ids):
        raise ValueError("article ids must be unique")
    if duplicates is None:
        duplicates = find_duplicates(signals)
    position = {aid: i for i, aid in enumerate(ids)}
    root = [_root_of(i, signals, duplicates, position) for i in range(len(signals))]
    # in publication order (then by id), so that nothing depends on the order of the input
    members = sorted((i for i in range(len(signals)) if root[i] == i), key=lambda i: _order(signals[i]))

    docs = [_Doc.of(signals[i]) for i in members]
    vectors = _Vectors(_lead_terms(signals[i]) for i in members)
    anchors = [anchor_terms(_lead_text(signals[i])) for i in members]
    names = _Vectors(anchors, uncounted=is_uncounted, common=(NAMES_COMMON_DOCS, NAMES_COMMON_SHARE))
    links = _links(docs, vectors, names, [cast_of(terms) for terms in anchors])

    forest = _Forest([d.published for d in docs])
    links.sort()  # strongest first, then by cosine, then by publication order
    for tier, _, a, b in links:
        forest.join(a, b, FOLLOW_UP_DAYS if -tier == _FOLLOW else STORY_SPAN_DAYS)

    groups: dict[int, list[int]] = defaultdict(list)  # forest root -> signal indexes
    for k, i in enumerate(members):
        groups[forest.find(k)].append(i)
    member_of = {i: k for k, i in enumerate(members)}
    for i in range(len(signals)):
        if root[i] != i:
            groups[forest.find(member_of[root[i]])].append(i)
    story_of_index: dict[int, str] = {}
    for group in groups.values():
        earliest = min(group, key=lambda i: _order(signals[i]))
        sid = story_id(ids[earliest])
        for i in group:
            story_of_index[i] = sid

    out = []
    for i, signal in enumerate(signals):
        dup = duplicates.get(signal.article_id)
        out.append(
            StoryAssignment(
                article_id=signal.article_id,
                story_id=story_of_index[i],
                duplicate_of=dup[0] if dup else None,
                duplicate_kind=dup[1] if dup else None,
            )
        )
    return out


def reach(signals: Iterable[StorySignal]) -> list[tuple[date, date]]:
    """The days, as sorted disjoint intervals, on which an article these may be linked with can
    have been published (ingest re-clusters new articles with those alone, `reads.story_scope`).

    A story of reports published together spans at most `STORY_SPAN_DAYS`; a follow-up comes up
    to `FOLLOW_UP_DAYS` after what it follows; and the happenings an article names (its events,
    current or recalled) were reported from their day to `CURRENT_DAYS` after it."""
    spans = []
    for doc in map(_Doc.of, signals):
        if doc.span is not None:
            spans.append((doc.span[0] - STORY_SPAN_DAYS, doc.span[1] + FOLLOW_UP_DAYS))
        for event in (*doc.recalled, *(e for found in doc.events.values() for e in found)):
            spans.append((event.start - DATE_TOLERANCE_DAYS, event.end + DATE_TOLERANCE_DAYS + CURRENT_DAYS))
        for day in doc.named_days:
            spans.append((day - DATE_TOLERANCE_DAYS, day + DATE_TOLERANCE_DAYS + CURRENT_DAYS))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(date.fromordinal(start), date.fromordinal(end)) for start, end in merged]


def _order(signal: StorySignal) -> tuple[str, str]:
    return (signal.published or "9999-99-99", signal.article_id)


def _root_of(i: int, signals: Sequence[StorySignal], duplicates: dict[str, tuple[str, str]], position: dict[str, int]) -> int:
    """The signal index whose story signal i joins: its original's, followed to the end, unless the
    copy came out more than `STORY_SPAN_DAYS` after it (a reprint months on is clustered on its own
    merits, so no story grows past its span through copies, and ingest, which re-clusters a new
    article with what `reach` gives, finds the same stories as a rebuild)."""
    seen = {i}
    current = i
    while signals[current].article_id in duplicates:
        original = duplicates[signals[current].article_id][0]
        nxt = position.get(original)
        if nxt is None or nxt in seen or _copied_late(signals[nxt], signals[i]):
            break
        seen.add(nxt)
        current = nxt
    return current


def _copied_late(original: StorySignal, copy: StorySignal) -> bool:
    first, later = _interval(original.published), _interval(copy.published)
    return first is not None and later is not None and later[0] - first[1] > STORY_SPAN_DAYS


# --------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class _Event:
    type: str
    start: int  # date ordinals, inclusive
    end: int
    day: bool  # dated to the day
    dated: bool  # False: undated, placed at publication
    place: str  # name key, "" when none
    actors: frozenset[str]
    point: tuple[float, float] | None = None  # where the gazetteer puts the place, to the district
    within: frozenset[str] = frozenset()  # the districts the place lies in (`anchors.districts`)


@dataclass(slots=True)
class _Doc:
    published: int | None
    span: tuple[int, int] | None  # first and last day it may have been published ("2024-03": the month)
    events: dict[str, list[_Event]]  # current, matchable events by type
    places: frozenset[str]  # name keys of the entities and event places
    recalled: tuple[_Event, ...]  # earlier happenings it names by day and place (background events)
    named_days: tuple[int, ...]  # with no event read: the earlier days its text names by date
    # what every comparison of the article asks, worked out once (an ingest's step makes 126
    # comparisons an article at 504,000 stored)
    kinds: frozenset[str]  # `_kinds`
    read: bool  # `_read`
    dated_kinds: frozenset[str]  # the `CONFLICT_TYPES` of which it has a current event dated to the day

    @classmethod
    def of(cls, signal: StorySignal) -> _Doc:
        published = _day(signal.published)
        interval = _interval(signal.published)
        events: dict[str, list[_Event]] = defaultdict(list)
        recalled = []
        places = {_key(e) for e in signal.entities}
        for ev in signal.events:
            place = _key(ev.location) if ev.location else ""
            if place:
                places.add(place)
            span = _interval(ev.date)
            dated = span is not None
            if span is None:
                if ev.date is not None or interval is None:
                    continue  # a year alone, or nothing to anchor an undated event on
                # the days up to publication; for an article dated to the month, that month
                span = (interval[0] - UNDATED_DAYS, interval[1], False)
            start, end, day = span
            actors = frozenset(k for k in map(_key, ev.actors) if k)
            event = _Event(
                ev.type,
                start,
                end,
                day,
                dated,
                place,
                actors,
                _point(ev.location) if place else None,
                districts().get(place, frozenset()),
            )
            if published is not None and (end < published - CURRENT_DAYS or start > published + 1):
                # background: not what this article reports, but what it follows up on
                if day and place and ev.type not in WEAK_TYPES and start <= published:
                    recalled.append(event)
                continue
            events[ev.type].append(event)
        places.discard("")
        span = interval[:2] if interval else None
        named = ()
        if published is not None and not recalled and all(etype in WEAK_TYPES for etype in events):
            named = _named_days(_lead_text(signal), published)
        dated_kinds = frozenset(t for t in events.keys() & CONFLICT_TYPES if any(e.day for e in events[t]))
        return cls(
            published,
            span,
            dict(events),
            frozenset(places),
            tuple(recalled),
            named,
            _kinds(events),
            _read(events),
            dated_kinds,
        )


def _named_days(text: str, published: int) -> tuple[int, ...]:
    """The days a text names by day and month ("lo scorso 14 luglio") from `FOLLOW_UP_DAYS` to
    `CURRENT_DAYS` before publication, each in the latest year that puts it before publication."""
    year = date.fromordinal(published).year
    days = set()
    for month, day in days_named(text):
        for y in (year, year - 1):
            try:
                named = date(y, month, day).toordinal()
            except ValueError:  # 30 February
                break
            if named <= published:
                if published - FOLLOW_UP_DAYS <= named < published - CURRENT_DAYS:
                    days.add(named)
                break
    return tuple(sorted(days))


@lru_cache(maxsize=1 << 16)
def _key(name: str) -> str:
    """`name_key`, one string object per distinct key, shared by all the articles (the same names
    come back in article after article)."""
    return sys.intern(name_key(name))


def _day(text: str | None) -> int | None:
    span = _interval(text)
    return span[0] if span and span[2] else None


def _interval(text: str | None) -> tuple[int, int, bool] | None:
    """(first day, last day, dated to the day) of a YYYY-MM-DD or YYYY-MM date; else None."""
    if not text:
        return None
    parts = text.strip()[:10].split("-")
    try:
        if len(parts) == 3:
            d = date(int(parts[0]), int(parts[1]), int(parts[2])).toordinal()
            return d, d, True
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            first = date(year, month, 1)
            last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            return first.toordinal(), last.toordinal(), False
    except ValueError:
        return None
    return None


def _strength(a: _Event, b: _Event, doc_a: _Doc, doc_b: _Doc) -> int:
    """0 when the two events are not one happening, else how many features agree (1-3)."""
    # the first and last days of an event are in order, so this is how far apart the two are
    if a.start - b.end > DATE_TOLERANCE_DAYS or b.start - a.end > DATE_TOLERANCE_DAYS:
        return 0
    place = False
    if a.place and b.place:
        place = _same_place(a, b, doc_a, doc_b)
        if not place:
            return 0  # one time, two places: two happenings
    shared = not a.actors.isdisjoint(b.actors)
    if not (place or shared):
        return 0
    same_day = a.day and b.day and a.start == b.start
    return int(place) + int(shared) + int(same_day)


def _event_evidence(a: _Doc, b: _Doc) -> tuple[int, bool]:
    """(strongest tier of event match or 0, conflict) between two articles."""
    # A conflict settles it whatever else matches, so the kinds that can be in conflict (a day-dated
    # attack, meeting or agreement in each) are compared first: most pairs of reports published
    # together are of different happenings of one kind.
    contested = a.dated_kinds & b.dated_kinds
    tier = 0
    for etype in contested:
        best = _best_match(etype, a, b)
        if not best:
            return 0, True
        tier = max(tier, best)
    for etype in a.events.keys() - contested:
        if etype in b.events:
            tier = max(tier, _best_match(etype, a, b))
    return tier, False


def _best_match(etype: str, a: _Doc, b: _Doc) -> int:
    """The strongest tier of match between the events of one type of two articles, 0 for none."""
    best = 0
    may_be_strong = etype not in WEAK_TYPES
    for x in a.events[etype]:
        for y in b.events[etype]:
            strength = _strength(x, y, a, b)
            if strength >= 2 and may_be_strong and x.dated and y.dated:
                return _STRONG
            if strength:
                best = _WEAK
    return best


# --------------------------------------------------------------------------- text


@lru_cache(maxsize=1 << 18)
def _term(word: str) -> str | None:
    """The term a word counts as (plural "s" stripped), or None for a word that does not count."""
    if word in STOP_WORDS or word.isdigit() or (len(word) == 1 and word.isascii()):
        return None
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _lead_text(signal: StorySignal) -> str:
    """The title (unless the text starts with it) and the start of the text."""
    text = signal.text[:LEAD_CHARS]
    title = signal.title or ""
    if title and title.casefold() not in text[: len(title) + 300].casefold():
        text = title + "\n" + text
    return text


def _lead_terms(signal: StorySignal) -> list[str]:
    """Content words of the title and the start of the text."""
    terms = [t for t in map(_term, normal_words(_lead_text(signal))) if t is not None]
    return terms[:LEAD_WORDS]


class _Vectors:
    """L2-normalised TF-IDF vectors of documents, stored as one CSR array.

    `uncounted` terms, and with `common` = (documents, share) those in more than that many documents
    and that share of them, weigh in the cosines but are not counted by `shared`."""

    def __init__(
        self,
        documents: Iterable[list[str]],
        uncounted: Callable[[str], bool] | None = None,
        common: tuple[int, float] | None = None,
    ) -> None:
        vocabulary: dict[str, int] = {}
        indptr = array("q", [0])
        indices = array("i")
        counts = array("i")
        for words in documents:
            tf = sorted((vocabulary.setdefault(w, len(vocabulary)), c) for w, c in Counter(words).items())
            indices.extend(term for term, _ in tf)
            counts.extend(c for _, c in tf)
            indptr.append(len(indices))
        self.n = len(indptr) - 1
        self.indptr = np.frombuffer(indptr, dtype=np.int64)
        self.bounds = indptr.tolist()  # `indptr` as Python ints, which index and slice faster
        self.indices = np.frombuffer(indices, dtype=np.int32) if indices else np.zeros(0, dtype=np.int32)
        df = np.bincount(self.indices, minlength=len(vocabulary))
        self.shared_terms = df > 1
        idf = (np.log((1.0 + self.n) / (1.0 + df)) + 1.0).astype(np.float32)
        weights = (
            np.frombuffer(counts, dtype=np.int32).astype(np.float32) if counts else np.zeros(0, np.float32)
        )
        np.log(weights, out=weights)
        weights += 1.0
        weights *= idf[self.indices]
        lengths = np.diff(self.indptr)
        nonempty = lengths > 0
        norms = np.ones(self.n, dtype=np.float32)
        if weights.size:
            norms[nonempty] = np.sqrt(np.add.reduceat(np.square(weights), self.indptr[:-1][nonempty]))
        weights /= np.repeat(norms, lengths)
        self.weights = weights
        self._dense: np.ndarray | None = None
        terms = list(vocabulary)
        self.counted = np.fromiter((not (uncounted and uncounted(t)) for t in terms), dtype=bool, count=len(terms))
        if common is not None:
            self.counted &= df <= max(common[0], common[1] * self.n)
        self.term_hashes = np.fromiter(
            (zlib.crc32(t.encode("utf-8")) for t in terms), dtype=np.uint32, count=len(terms)
        )

    def cosines(self, a: int, others: list[int]) -> list[float]:
        """Cosine of document a with each of `others`."""
        bounds = self.bounds
        sa, ea = bounds[a], bounds[a + 1]
        if sa == ea:
            return [0.0] * len(others)
        if self._dense is None:
            self._dense = np.zeros(len(self.term_hashes), dtype=np.float32)
        dense, indices, weights = self._dense, self.indices, self.weights
        terms = indices[sa:ea]
        dense[terms] = weights[sa:ea]
        gather = dense.take
        out = [
            float(np.dot(gather(indices[bounds[b] : bounds[b + 1]]), weights[bounds[b] : bounds[b + 1]]))
            for b in others
        ]
        dense[terms] = 0.0
        return out

    def shared(self, a: int, b: int) -> int:
        """How many distinct counted terms documents a and b have in common."""
        terms_a = self.indices[self.indptr[a] : self.indptr[a + 1]]
        terms_b = self.indices[self.indptr[b] : self.indptr[b + 1]]
        return int(np.count_nonzero(self.counted[np.intersect1d(terms_a, terms_b, assume_unique=True)]))

    def top_terms(self, a: int, k: int, shared: bool = False) -> np.ndarray:
        """Hashes of the k heaviest terms of document a (`shared`: of those other documents have too)."""
        s, e = self.indptr[a], self.indptr[a + 1]
        w = self.weights[s:e]
        ids = self.indices[s:e]
        if shared:
            kept = self.shared_terms[ids]
            w, ids = w[kept], ids[kept]
        if len(w) > k:
            # heaviest first; ties by term hash so the choice does not depend on input order
            order = np.lexsort((self.term_hashes[ids], -w))[:k]
            ids = ids[order]
        return self.term_hashes[ids]


# --------------------------------------------------------------------------- candidates and links


_NEEDED = {_STRONG: STRONG_TEXT, _WEAK: WEAK_TEXT, _TEXT: TEXT_ONLY}


def _links(
    docs: list[_Doc], vectors: _Vectors, names: _Vectors, casts: list[Cast]
) -> list[tuple[int, float, int, int]]:
    """Accepted links as (-tier, -cosine, a, b) with a < b."""
    links: list[tuple[int, float, int, int]] = []
    n = len(docs)
    pairs = _candidate_pairs(docs, vectors, names)
    firsts = pairs // n
    # pairs are sorted, so each doc's partners come together: compare them in one batch
    bounds = np.flatnonzero(np.diff(firsts)) + 1
    for group in np.split(pairs, bounds) if len(pairs) else ():
        a = int(group[0] // n)
        partners = (group % n).tolist()
        tiers = {}
        unlinked = []  # to be judged on their names and numbers
        for b in partners:
            tier = _tier(docs[a], docs[b])
            if tier == _NAMES:
                unlinked.append(b)
            elif tier:
                tiers[b] = tier
        linked = set()
        for (b, tier), cos in zip(tiers.items(), vectors.cosines(a, list(tiers))):
            if cos >= _NEEDED[tier]:
                links.append((-tier, -round(cos, 6), a, b))
                linked.add(b)
            elif _names_may_link(docs[a], docs[b]):
                unlinked.append(b)
        # what the wording does not show, the names and numbers may: other outlets, other languages
        unlinked = [b for b in unlinked if not _other_guests(casts[a], casts[b])]
        for b, cos in _names_agree(names, a, unlinked, [_names_bar(docs[a], docs[b]) for b in unlinked]):
            links.append((-_NAMES, -round(cos, 6), a, b))
            linked.add(b)
        # a later report recalling this one's happening by kind, place and date, on the same names
        followers = [
            b
            for b in partners
            if b not in linked and _follows(docs[b], docs[a]) and not _other_guests(casts[a], casts[b])
        ]
        for b, cos in _names_agree(names, a, followers, [NAMES_ONLY] * len(followers)):
            links.append((-_FOLLOW, -round(cos, 6), a, b))
    return links


def _names_agree(names: _Vectors, a: int, others: list[int], bars: list[float]) -> Iterator[tuple[int, float]]:
    """(b, anchor cosine) of each of `others` whose anchors and a's say one happening: at least
    `NAMES_SHARED` in common, at a cosine of its bar (`_names_bar`; a follow-up, which recalls its
    happening's day, `NAMES_ONLY`). The anchors in common are counted only where the cosine passes."""
    for b, cos, bar in zip(others, names.cosines(a, others), bars):
        if cos >= bar and names.shared(a, b) >= NAMES_SHARED:
            yield b, cos


def _names_bar(a: _Doc, b: _Doc) -> float:
    """The anchor cosine two reports need: `NAMES_ONLY` published together, `NAMES_LATER` days apart."""
    return NAMES_ONLY if _published_together(a, b, NAMES_WINDOW_DAYS) else NAMES_LATER


def _other_guests(a: Cast, b: Cast) -> bool:
    """Whether each article names an official of a country the other never names, and they
    name no gathering in common.

    Reports of one happening in any language name the countries whose officials spoke or met;
    "Xi met Pakistan's prime minister" and "Xi saw Kyrgyz and Uzbek ministers sign" share Xi,
    Beijing and the Belt and Road, but neither names the other's guests' country. At a summit
    or forum each report names the leaders its readers care about, so there it says nothing.
    """
    if a.gatherings & b.gatherings:
        return False
    return bool(a.official_countries - b.countries) and bool(b.official_countries - a.countries)


def _tier(a: _Doc, b: _Doc) -> int:
    """The strongest tier of link the events allow between two articles, 0 for none."""
    tier, conflict = _event_evidence(a, b)
    if conflict:
        return 0
    if tier:
        return tier
    if a.published is not None and b.published is not None and abs(a.published - b.published) <= TEXT_WINDOW_DAYS:
        return _TEXT
    return _NAMES if _names_may_link(a, b) else 0


def _follows(later: _Doc, earlier: _Doc) -> bool:
    """Whether `later`, published up to `FOLLOW_UP_DAYS` after `earlier`, recalls a happening it reports.

    An arrest, a probe's findings or a payment weeks on name the attack they follow by its
    kind, place and day ("the March 26 attack in Besham"): one of the later article's
    background events matches a current event of the earlier one: the same kind, the same
    place, dated within `DATE_TOLERANCE_DAYS`. "Since March" is no such recall: a new attack
    at the place says as much of the last one.
    """
    if later.published is None or earlier.span is None or not (later.recalled or later.named_days):
        return False
    if not earlier.span[0] <= later.published <= earlier.span[0] + FOLLOW_UP_DAYS:
        return False
    if any(abs(day - event.start) <= DATE_TOLERANCE_DAYS for day in later.named_days for event in _of_days(earlier)):
        return True
    return any(
        event.place and _strength(past, event, later, earlier) and _same_place(past, event, later, earlier)
        for past in later.recalled
        for event in earlier.events.get(past.type, ())
    )


def _of_days(doc: _Doc) -> Iterable[_Event]:
    """The current events an article dates to the day itself, statements left out: the
    happenings a later report can name by their date."""
    for etype, events in doc.events.items():
        if etype not in WEAK_TYPES:
            yield from (event for event in events if event.day and event.dated)


def _same_place(a: _Event, b: _Event, doc_a: _Doc, doc_b: _Doc) -> bool:
    """One place by name, by each article naming the other's, a town and its district, or two
    places the gazetteer puts within `SAME_PLACE_KM` of each other (a city and its port or suburb)."""
    if a.place == b.place or (a.place in doc_b.places and b.place in doc_a.places):
        return True
    if b.place in a.within or a.place in b.within:
        return True
    return a.point is not None and b.point is not None and haversine_km(a.point, b.point) <= SAME_PLACE_KM


@lru_cache(maxsize=65536)
def _point(name: str | None) -> tuple[float, float] | None:
    """The gazetteer's point for a place named to the town, site or district; None for a province,
    a country or a name it does not know."""
    geo = resolve_place(name) if name else None
    return (geo.lat, geo.lon) if geo is not None and geo.precision <= 2 else None


def _names_may_link(a: _Doc, b: _Doc) -> bool:
    return _published_together(a, b, NAMES_LATER_DAYS) and _kinds_agree(a, b)


def _kinds_agree(a: _Doc, b: _Doc) -> bool:
    """False when the events of both articles were read and say different kinds of happening.

    An attack and an airport opening at one place share its name and the corridor's; a report
    the extractor could not read (another language) has no events and is judged on its names.
    """
    if not (a.kinds or b.kinds) or not (a.read and b.read):
        return True
    return not a.kinds.isdisjoint(b.kinds)


def _kinds(events: dict[str, list[_Event]]) -> frozenset[str]:
    """The kinds of happening an article's current events say (`CONFLICT_TYPES`).

    A project is what a meeting or an agreement is about: one report of a signing may say who
    signed, another only what the railway will be, so a project alone is of either kind.
    """
    kinds = events.keys() & CONFLICT_TYPES
    return frozenset(kinds or (_DIPLOMATIC if "PROJECT" in events else ()))


def _read(events: dict[str, list[_Event]]) -> bool:
    """Whether the extractor found a current event other than a statement in the article."""
    return any(etype not in WEAK_TYPES for etype in events)


def _published_together(a: _Doc, b: _Doc, days: int) -> bool:
    """Whether the two may have been published at most `days` apart.

    A month-only date is its month, and then only a date within that month is near it:
    reports dated "2024-02" and "2024-03" are a day apart only at the turn of the month.
    """
    if a.span is None or b.span is None:
        return False
    if a.published is None or b.published is None:
        days = 0
    return max(a.span[0], b.span[0]) - min(a.span[1], b.span[1]) <= days


def _candidate_pairs(docs: list[_Doc], vectors: _Vectors, names: _Vectors) -> np.ndarray:
    """The pairs to compare, as sorted unique ``a * n + b`` with a < b.

    Entries under one key are sorted by date and each meets the next `EVENT_NEIGHBOURS`
    (text buckets: `MAX_NEIGHBOURS`) entries whose dates can be within the tolerance.
    """
    n = len(docs)
    pairs = array("q")

    def scan(entries: list[tuple[int, int, str, int]], tolerance: int, window: int) -> None:
        entries.sort()
        for position, (_, end, _, i) in enumerate(entries):
            for start_j, _, _, j in entries[position + 1 : position + 1 + window]:
                if start_j > end + tolerance:
                    break
                if i != j:
                    pairs.append(i * n + j if i < j else j * n + i)

    # events: one type and one place or actor, scanned in date order; statements are too
    # many and too weak to block on (reports that share only them meet through their text).
    # Within a date, entries are ordered by what the key leaves out (the actors under a
    # place, the place under an actor), so that the reports of one happening sit together
    # and a short window joins them, in a chain, however busy the key.
    blocks: dict[tuple[str, str, str], list[tuple[int, int, str, int]]] = defaultdict(list)
    for i, doc in enumerate(docs):
        for etype, evs in doc.events.items():
            if etype in WEAK_TYPES:
                continue
            for ev in evs:
                if ev.place:
                    blocks[(etype, "P", ev.place)].append((ev.start, ev.end, _cast_key(ev.actors), i))
                for actor in ev.actors:
                    blocks[(etype, "A", actor)].append((ev.start, ev.end, ev.place, i))
        # a follow-up meets the reports of the happening it recalls, on that happening's date
        for ev in doc.recalled:
            blocks[(ev.type, "P", ev.place)].append((ev.start, ev.end, _cast_key(ev.actors), i))
    for entries in blocks.values():
        if len(entries) > 1:
            scan(entries, DATE_TOLERANCE_DAYS, EVENT_NEIGHBOURS)
    del blocks

    # a follow-up with no event read meets the reports of happenings on the days it names by
    # date, those whose names are nearest its own first
    named = {day for doc in docs for day in doc.named_days}
    on_day: dict[int, set[int]] = defaultdict(set)
    for j, doc in enumerate(docs if named else ()):
        for event in _of_days(doc):
            for day in range(event.start - DATE_TOLERANCE_DAYS, event.start + DATE_TOLERANCE_DAYS + 1):
                if day in named:
                    on_day[day].add(j)
    for i, doc in enumerate(docs):
        for day in doc.named_days:
            others = sorted(on_day.get(day, set()) - {i})
            nearest = sorted(zip(names.cosines(i, others), others), key=lambda c: -c[0])[:MAX_NEIGHBOURS]
            pairs.extend(i * n + j if i < j else j * n + i for _, j in nearest)

    # text: LSH over the heaviest terms, buckets scanned by publication
    dated = [i for i, doc in enumerate(docs) if doc.span is not None]
    if len(dated) > 1:
        for bucket in _lsh_buckets(vectors, dated):
            scan([(*docs[i].span, "", i) for i in bucket], TEXT_WINDOW_DAYS, MAX_NEIGHBOURS)

    # names and numbers: a names link can rest on a few shared rare names amid many others,
    # too little for an LSH bucket, so each of an article's heaviest names is a block key
    name_blocks: dict[int, list[tuple[int, int, str, int]]] = defaultdict(list)
    for i in dated:
        for term in names.top_terms(i, NAME_KEYS, shared=True).tolist():
            name_blocks[term].append((*docs[i].span, "", i))
    for entries in name_blocks.values():
        if len(entries) > 1:
            scan(entries, NAMES_LATER_DAYS, MAX_NEIGHBOURS)

    if not pairs:
        return np.zeros(0, dtype=np.int64)
    # sorted, then each once (np.unique hashes first: 80 times slower on a million pairs)
    ordered = np.sort(np.frombuffer(pairs, dtype=np.int64))
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def _lsh_buckets(vectors: _Vectors, docs: list[int]) -> Iterable[list[int]]:
    """The docs whose heaviest terms agree in one LSH band, bucket by bucket, band by band."""
    signatures = _text_signatures(vectors, docs)
    ids = np.asarray(docs, dtype=np.int64)
    for band in range(TEXT_BANDS):
        rows = signatures[:, band * TEXT_ROWS : (band + 1) * TEXT_ROWS].astype(np.uint64)
        keys = rows[:, 0]
        with np.errstate(over="ignore"):
            for r in range(1, TEXT_ROWS):
                keys = keys * np.uint64(0x9E3779B97F4A7C15) + rows[:, r]
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
            yield ids[order[start : start + size]].tolist()


def _cast_key(actors: frozenset[str]) -> str:
    return "\x1f".join(sorted(actors))


def _text_signatures(vectors: _Vectors, docs: list[int]) -> np.ndarray:
    """MinHash (TEXT_BANDS x TEXT_ROWS values) of each doc's heaviest terms, one row per doc."""
    num_perm = TEXT_BANDS * TEXT_ROWS
    permutations = MinHash(num_perm=num_perm, seed=TEXT_SEED).permutations
    out = np.zeros((len(docs), num_perm), dtype=np.uint32)
    for row, i in enumerate(docs):
        terms = vectors.top_terms(i, TEXT_TERMS)
        if len(terms) == 0:
            out[row] = row + 1  # no terms: a bucket of its own
            continue
        mh = MinHash(
            num_perm=num_perm,
            seed=TEXT_SEED,
            hashfunc=_identity,
            permutations=permutations,
            scheme="affine32",
        )
        mh.update_batch(terms.tolist())
        out[row] = mh.hashvalues
    return out


def _identity(value: int) -> int:
    return value


# --------------------------------------------------------------------------- joining


class _Forest:
    """Union-find whose sets remember the first and last publication day of their members."""

    def __init__(self, published: list[int | None]) -> None:
        self.parent = list(range(len(published)))
        self.first = list(published)
        self.last = list(published)

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int, span: int) -> bool:
        """Join the sets of a and b unless together they would span more than `span` days, and more
        than either spans already (a follow-up's story spans weeks, and then so may the
        follow-up's own fellow reports, but no link stretches it further)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        firsts = [d for d in (self.first[ra], self.first[rb]) if d is not None]
        lasts = [d for d in (self.last[ra], self.last[rb]) if d is not None]
        first = min(firsts) if firsts else None
        last = max(lasts) if lasts else None
        if first is not None and last is not None and last - first > max(span, self._span(ra), self._span(rb)):
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.first[ra], self.last[ra] = first, last
        return True

    def _span(self, root: int) -> int:
        first, last = self.first[root], self.last[root]
        return last - first if first is not None and last is not None else 0
