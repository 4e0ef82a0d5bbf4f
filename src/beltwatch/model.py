"""The records passed between pipeline stages: the only contract between them.

Every stage takes and returns these plain dataclasses; nothing else crosses a
stage boundary. `to_json` gives the shape of the corpus SCHEMA (plus evidence).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "PROJECT", "EVENT")
PLACE_TYPES = ("GPE", "LOC", "FAC")  # the entity types that are places
ORG_KINDS = ("lender", "government", "armed_group", "media", "company", "multilateral", "other")
# event arguments (SCHEMA.md) that name who takes part in a happening
PARTY_ARGUMENTS = (
    "participants",
    "parties",
    "funder",
    "recipient",
    "perpetrator",
    "claimed_by",
    "actor",
    "speaker",
)
EVENT_TYPES = (
    "MEETING",
    "FINANCING",
    "PROJECT",
    "AGREEMENT",
    "ATTACK",
    "SECURITY_MEASURE",
    "STATEMENT",
    "PROTEST",
)


@dataclass(frozen=True)
class Evidence:
    """The sentence that states a fact, with its offsets in the cleaned text."""

    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


# an ISO date's length at each precision ("2022-11-03", "2022-11", "2022")
DATE_LENGTHS = {"day": 10, "month": 7, "year": 4}
_PRECISION_OF_LENGTH = {length: precision for precision, length in DATE_LENGTHS.items()}


def first_day(value: object) -> datetime.date | None:
    """The first day of the period an ISO date names: "2022-11" is 2022-11-01, "2022" 2022-01-01, a
    timestamp its day; None for anything else."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    text = value + "-01-01"[len(value) - 4 :] if len(value) < 10 else value[:10]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class ArticleMeta:
    """What the page, feed or sidecar file says about an article."""

    published: str | None = None  # ISO date at its precision: YYYY-MM-DD, YYYY-MM or YYYY
    source: str | None = None
    url: str | None = None
    title: str | None = None
    language: str | None = None
    boilerplate_removed: int = 0
    encoding: str | None = None  # Python codec name of the bytes read, when a reader decoded them
    replaced_characters: int = 0  # U+FFFD put in for bytes that could not be decoded

    @property
    def published_precision(self) -> str | None:
        """The precision the source gave the date: "day", "month" or "year", no more."""
        return _PRECISION_OF_LENGTH.get(len(self.published)) if self.published else None

    @property
    def published_day(self) -> datetime.date | None:
        """The day of publication, or None when the source gives only a month or a year."""
        try:
            return datetime.date.fromisoformat(self.published) if self.published_precision == "day" else None
        except ValueError:
            return None

    @property
    def published_first_day(self) -> datetime.date | None:
        """The first day of the period the publication date names (what a date column stores)."""
        return first_day(self.published)

    def to_json(self) -> dict[str, Any]:
        out = {
            "published": self.published,
            "published_precision": self.published_precision,
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "language": self.language,
            "boilerplate_removed": self.boilerplate_removed,
            # plain UTF-8 and lossless reads are the rule: only the exceptions are worth a key
            "encoding": self.encoding if self.encoding != "utf-8" else None,
            "replaced_characters": self.replaced_characters or None,
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class Article:
    """One article: its id, its text (raw from a source, cleaned after `clean`) and metadata."""

    id: str
    text: str
    meta: ArticleMeta = field(default_factory=ArticleMeta)
    origin: str | None = None  # file path or URL it came from


@dataclass(frozen=True)
class Geo:
    """A resolved place: where it is, and how precisely (1 site or town, 2 district, 3 province, 4 country)."""

    place_id: str
    name: str
    lat: float
    lon: float
    country: str | None
    region: str | None
    precision: int

    def to_json(self) -> dict[str, Any]:
        return {
            "place_id": self.place_id,
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "precision": self.precision,
            "country": self.country,
            "region": self.region,
        }


@dataclass(frozen=True)
class CorridorDistance:
    """How far a located event is from the corridor: its nearest alignment and project site, in km."""

    alignment: str
    alignment_km: float
    site: str
    site_km: float

    def to_json(self) -> dict[str, Any]:
        return {
            "alignment": self.alignment,
            "alignment_km": round(self.alignment_km, 1),
            "site": self.site,
            "site_km": round(self.site_km, 1),
        }


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in the cleaned text."""

    text: str
    start: int
    end: int
    evidence: Evidence

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "evidence": self.evidence.to_json()}


@dataclass(eq=False)  # identity: two entities of one article are never "equal"
class Entity:
    """One real-world thing named in an article, with all its spellings."""

    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    role: str | None = None
    country: str | None = None
    kind: str | None = None  # ORG only
    mentions: list[Mention] = field(default_factory=list)
    geo: Geo | None = None  # places only, once resolved

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "aliases": self.aliases}
        if self.role:
            out["role"] = self.role
        if self.country:
            out["country"] = self.country
        if self.kind:
            out["kind"] = self.kind
        if self.geo is not None:
            out["geo"] = self.geo.to_json()
        out["mentions"] = [m.to_json() for m in self.mentions]
        return out


@dataclass
class Amount:
    """A monetary amount the article states, with a conversion it states beside it."""

    text: str
    value: float
    currency: str  # ISO 4217
    start: int
    end: int
    evidence: Evidence
    usd_stated: float | None = None
    usd: float | None = None  # at the publication date, from dated exchange rates
    usd_constant: float | None = None  # in constant 2023 dollars
    stated_disagrees: bool = False  # the stated conversion is more than 5 % off the dated rate

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "value": _number(self.value), "currency": self.currency}
        if self.usd_stated is not None:
            out["usd_stated"] = _number(self.usd_stated)
        if self.usd is not None:
            out["usd"] = round(self.usd)
            out["usd_constant"] = round(self.usd_constant) if self.usd_constant is not None else None
        if self.stated_disagrees:
            out["stated_disagrees"] = True
        out["evidence"] = self.evidence.to_json()
        return out


@dataclass
class Event:
    """A typed happening with its arguments, each argument tied to its evidence."""

    type: str
    arguments: dict[str, Any]
    evidence: Evidence
    argument_evidence: dict[str, Evidence] = field(default_factory=dict)
    geo: Geo | None = None  # where it happened, once resolved
    # what tied the event to `geo`: "sentence" (its own location) or a fallback (resolve.placement)
    placed_by: str | None = None
    corridor: CorridorDistance | None = None  # how far that is from the corridor, once resolved

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        for key, value in self.arguments.items():
            out[key] = _number(value) if isinstance(value, float) else value
        if self.geo is not None:
            out["geo"] = {**self.geo.to_json(), "placed_by": self.placed_by}
        if self.corridor is not None:
            out["corridor"] = self.corridor.to_json()
        out["evidence"] = self.evidence.to_json()
        # an argument stated outside the event's own sentence carries its own evidence
        out["argument_evidence"] = {
            k: e.to_json() for k, e in self.argument_evidence.items() if e != self.evidence
        }
        return out


@dataclass
class Extraction:
    """Everything extracted from one article."""

    article: Article
    entities: list[Entity] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def to_json(self, with_text: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.article.id,
            "meta": self.article.meta.to_json(),
            "entities": [e.to_json() for e in self.entities],
            "amounts": [a.to_json() for a in self.amounts],
            "events": [e.to_json() for e in self.events],
        }
        if with_text:
            out["text"] = self.article.text
        return out


def _number(value: float) -> int | float:
    """Whole numbers print as integers, as the gold files write them."""
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True)
class EventSignature:
    """What identifies a happening across reports: its type, date, place and actors."""

    type: str
    date: str | None
    location: str | None
    actors: tuple[str, ...] = ()


@dataclass
class StorySignal:
    """What the story stage needs of one stored article."""

    article_id: str
    text: str
    published: str | None = None
    title: str | None = None
    events: list[EventSignature] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoryAssignment:
    """Where one article belongs: its story, and the article it copies if it is a duplicate."""

    article_id: str
    story_id: str
    duplicate_of: str | None = None
    duplicate_kind: str | None = None  # "exact" or "near"


# what an article can say about a project (beltwatch.projects): where it stands in its life, what it
# costs, who lends to it, who takes part, where it is, which programme it is counted in, and that it names it
PROJECT_FACT_KINDS = ("status", "cost", "financing", "investment", "party", "location", "programme", "mention")


@dataclass(frozen=True)
class ProjectRef:
    """A project of the registry as the knowledge files know it, or as an article names it."""

    key: str  # what identifies it across articles: its canonical name, normalised
    name: str
    programme: str | None = None  # the umbrella programme it is counted in (never a project itself)
    parent: str | None = None  # the name of the project it is a phase, section or service of
    country: str | None = None
    sector: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: int | None = None


@dataclass(frozen=True)
class ProjectFact:
    """One thing one event of an article says about one project, with the sentence that says it.

    `value` by kind: status {"status"}; cost {"value", "currency", "usd", "usd_constant"}; financing
    {"lender", "recipient", "instrument", "value", "currency", "usd", "usd_constant"}; investment (an owner's
    stake or outlay) as financing; party {"name",
    "role"}; location {"name", "place_id", "lat", "lon", "precision", "country"}; programme {"name"};
    mention {"name"} (the project named, with no event: `event_position` is -1).
    """

    project: ProjectRef
    kind: str  # one of PROJECT_FACT_KINDS
    value: dict[str, Any]
    date: str | None  # the event's date, else the article's publication date (ISO, at its precision)
    event_position: int  # the event's index among the article's events
    evidence: Evidence
