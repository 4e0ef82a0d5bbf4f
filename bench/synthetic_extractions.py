"""Synthetic extractions made directly (no NLP): articles as the writer receives them from extraction.

Article ``i`` (a function of ``seed`` and ``i`` alone, so any count is a prefix of a larger one) is
a headline, 4 to 8 fact sentences with 1 to 3 sentences of the bundled English articles after each,
and a closing sentence for each person named, with what an extractor would find: the people (with
their roles), places (with a point), lenders, armed groups and projects, one mention each time a
name is written, the amounts, and one event per fact (MEETING, FINANCING, ATTACK with a group's
claim, STATEMENT, PROJECT), each with its sentence as evidence. Publication dates fall in
2019-2024. Names come from the knowledge files and from made-up ones whose number grows with the
article number (one new person every 40 articles, one new place every 100), drawn so that a few
names are in most articles, as China, Pakistan and their leaders are in real news. About 80 rows
per article once stored (2,300 characters, 14 entities, 21 mentions, 6 events), near the real
extractions of `db_load.py` (97 rows).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from beltwatch.knowledge import load_knowledge
from beltwatch.model import Amount, Article, ArticleMeta, Entity, Event, Evidence, Extraction, Geo, Mention

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "dev"
FIRST_DAY = date(2019, 1, 1)
DAYS = 6 * 365
LAST_DAY = FIRST_DAY + timedelta(days=DAYS - 1)
SYLLABLES = ("ka", "ri", "mo", "ta", "ne", "sa", "lu", "be", "ha", "zi", "do", "ra", "vi", "en", "ul")
ROLES = ("minister for planning", "spokesman", "ambassador to Pakistan", "chief minister", "senator")
OUTLETS = 60


@dataclass(frozen=True)
class Name:
    name: str
    type: str
    country: str | None = None
    role: str | None = None
    kind: str | None = None


@cache
def pools() -> dict[str, tuple[Name, ...]]:
    """The knowledge files' people, places, lenders and armed groups."""
    known = load_knowledge().entities
    return {
        "person": tuple(Name(e.name, "PERSON", e.country, e.role) for e in known if e.type == "PERSON"),
        "place": tuple(Name(e.name, "GPE", e.country) for e in known if e.type == "GPE"),
        "lender": tuple(Name(e.name, "ORG", e.country, kind="lender") for e in known if e.kind == "lender"),
        "group": tuple(
            Name(e.name, "ORG", e.country, kind=e.kind) for e in known if e.kind == "armed_group"
        ),
        "project": tuple(Name(e.name, "PROJECT", e.country) for e in known if e.type == "PROJECT"),
    }


@cache
def background() -> tuple[str, ...]:
    """Sentences of the bundled English articles, to fill an article around its facts."""
    sentences: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = " ".join(path.read_text(encoding="utf-8").split())
        if text.isascii():
            found = (s.strip() for s in re.split(r"(?<=[.!?])\s+", text))
            sentences += [s for s in found if 40 < len(s) < 300 and s[0].isupper() and "|" not in s]
    return tuple(sentences)


def _made_up(rng: random.Random, words: int) -> str:
    return " ".join(
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize() for _ in range(words)
    )


def _draw(rng: random.Random, kind: str, i: int) -> Name:
    """A name of `kind`: a known one (a few of them very often), or one of the made-up ones so far."""
    known = pools()[kind]
    made = {"person": i // 40, "place": i // 100}.get(kind, 0)
    if made and rng.random() < 0.5:
        n = rng.randrange(made)
        own = random.Random(f"{kind}:{n}")
        if kind == "person":
            return Name(_made_up(own, 2), "PERSON", "PK", own.choice(ROLES))
        return Name(_made_up(own, 1), "GPE", "PK")
    # Zipf-like: the first names of each list are in much of the news
    return known[min(int(rng.paretovariate(1.2)) - 1, len(known) - 1)]


@dataclass
class _Writer:
    """The article's text as it grows, with where each name was written."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    names: dict[Name, list[Mention]] = field(default_factory=dict)

    def sentence(self, pieces: list[str | Name]) -> Evidence:
        start = self.length
        text = ""
        spans = []
        for piece in pieces:
            if isinstance(piece, Name):
                spans.append((piece, start + len(text)))
                text += piece.name
            else:
                text += piece
        evidence = Evidence(text, start, start + len(text))
        for name, at in spans:
            self.names.setdefault(name, []).append(Mention(name.name, at, at + len(name.name), evidence))
        self.parts.append(text + "\n")
        self.length += len(text) + 1
        return evidence


def _geo(name: Name) -> Geo:
    own = random.Random(name.name)
    lat, lon = (own.uniform(24, 36), own.uniform(61, 75)) if name.country != "CN" else (39.5, 76.0)
    return Geo(f"synthetic:{name.name}", name.name, lat, lon, name.country, None, own.choice((1, 2, 3)))


def _fact(rng: random.Random, out: _Writer, i: int, day: str) -> tuple[Event, Amount | None]:
    kind = rng.choice(("MEETING", "FINANCING", "ATTACK", "STATEMENT", "PROJECT"))
    place = _draw(rng, "place", i)
    if kind == "MEETING":
        a, b = _draw(rng, "person", i), _draw(rng, "person", i)
        ev = out.sentence([a, " met ", b, " in ", place, " on Tuesday."])
        args = {"participants": [a.name, b.name], "location": place.name, "date": day}
        return Event(kind, args, ev, geo=_geo(place), placed_by="sentence"), None
    if kind == "FINANCING":
        lender, project = _draw(rng, "lender", i), _draw(rng, "project", i)
        value = rng.randrange(10, 900) * 1_000_000
        money = f"${value // 1_000_000} million"
        ev = out.sentence([lender, f" agreed a {money} loan for the ", project, "."])
        at = ev.start + len(lender.name) + len(" agreed a ")
        amount = Amount(money, float(value), "USD", at, at + len(money), ev, usd=float(value))
        args = {"funder": lender.name, "value": value, "currency": "USD", "instrument": "loan",
                "purpose": project.name, "usd": float(value)}
        return Event(kind, args, ev), amount
    if kind == "ATTACK":
        group, killed = _draw(rng, "group", i), rng.randrange(0, 12)
        ev = out.sentence(["Gunmen attacked a convoy near ", place, f", killing {killed}; the ", group,
                           " claimed the attack."])
        args = {"location": place.name, "target": "convoy", "killed": killed, "claimed_by": [group.name],
                "victim_nationality": ["CN", "PK"], "date": day,
                "claims": [{"claimant": group.name, "killed": killed + rng.randrange(0, 10)}]}
        return Event(kind, args, ev, geo=_geo(place), placed_by="sentence"), None
    if kind == "STATEMENT":
        speaker = _draw(rng, "person", i)
        ev = out.sentence([speaker, " said in ", place, " that security would be tightened."])
        args = {"speaker": speaker.name, "topic": "security", "location": place.name}
        return Event(kind, args, ev, geo=_geo(place), placed_by="sentence"), None
    project = _draw(rng, "project", i)
    ev = out.sentence(["Work on the ", project, " near ", place, " resumed."])
    args = {"name": project.name, "status": "under construction", "locations": [place.name]}
    return Event(kind, args, ev, geo=_geo(place), placed_by="sentence"), None


def synthetic_extraction(i: int, seed: int = 0, published: date | None = None) -> Extraction:
    """Synthetic extraction number `i` (see the module docstring); published on `published` and
    reporting that day's happenings when given (the news of a store's next ingest)."""
    rng = random.Random(f"{seed}:{i}")
    day = (FIRST_DAY + timedelta(days=rng.randrange(DAYS))).isoformat()
    if published is not None:
        day = published.isoformat()
    out = _Writer()
    headline = _draw(rng, "place", i)
    title = out.sentence([headline, f": report {i}"]).text
    found: list[tuple[Event, Amount | None]] = []
    filler = background()
    for _ in range(rng.randint(4, 8)):
        found.append(_fact(rng, out, i, day))
        for _ in range(rng.randint(1, 3)):
            out.sentence([rng.choice(filler)])
    for name in [n for n in out.names if n.type == "PERSON"]:  # people are named again further on
        out.sentence([name, " added that talks with ", _draw(rng, "place", i), " would continue."])
    entities = [
        Entity(
            n.name, n.type, role=n.role, country=n.country, kind=n.kind, mentions=mentions,
            geo=_geo(n) if n.type == "GPE" else None,
        )
        for n, mentions in out.names.items()
    ]
    meta = ArticleMeta(
        published=day, source=f"Outlet {rng.randrange(OUTLETS)}", url=f"https://news.example/{seed}/{i}",
        title=title, language="en",
    )
    article = Article(f"synthetic-{seed}-{i:08d}", "".join(out.parts), meta)
    return Extraction(
        article, entities, [a for _, a in found if a is not None], [e for e, _ in found]
    )
