"""Domain knowledge: readable data files loaded and validated once.

Every file is YAML: a default `type` (and `kind`) for its entries, then `entries`, each with a
`name`, `aliases` and optional `kind`, `country`, `role`, `capital_of`, `umbrella`, `worldwide`, and the reference keys:
`source` (where the facts come from), `sector` (projects), `lat`/`lon` (decimal degrees) and
`since`/`until` (the years an office was held). Analysts extend these files; the code never
hard-codes a lender, place, official or trigger word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import yaml

from beltwatch.errors import KnowledgeError
from beltwatch.model import ENTITY_TYPES, ORG_KINDS

KNOWLEDGE_DIR = Path(__file__).parent
ENTITY_FILES = ("lenders", "organisations", "armed_groups", "media", "projects", "places", "officials", "events")
# files whose every entry must say where its facts come from (`source`)
SOURCED_FILES = ("lenders", "organisations", "armed_groups", "projects", "officials")
SECTORS = (
    "energy",
    "transport",
    "water",
    "industry",
    "ports",
    "telecom",
    "mining",
    "urban",
    "agriculture",
    "other",
)
YEARS = range(1900, 2101)


@dataclass(frozen=True)
class KnownEntity:
    """One real-world entity from a knowledge file."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    country: str | None = None
    role: str | None = None
    capital_of: str | None = None
    level: str | None = None  # places: "province" for first-level regions
    part_of: str | None = None  # a unit of a larger organisation ("Majeed Brigade" of the BLA)
    umbrella: bool = False  # a programme of many projects (CPEC, BRI): an event must name it directly
    worldwide: bool = False  # an umbrella of no one country (the BRI): "building the Belt and Road" is a figure
    source: str | None = None  # where the entry's facts come from: an institution or dataset
    sector: str | None = None  # projects: one of SECTORS
    lat: float | None = None  # decimal degrees, where the site's location is public
    lon: float | None = None
    since: int | None = None  # officials: the year the office began
    until: int | None = None  # officials: the year it ended, where it has

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    curated: bool = False  # listed in countries.yaml, not only in pycountry


@dataclass(frozen=True)
class Infrastructure:
    """The head words that end facility and project names (infrastructure.yaml)."""

    facilities: frozenset[str]
    projects: frozenset[str]
    not_projects: frozenset[str]
    port_of: tuple[str, ...]
    generic: frozenset[str]
    joined_only: frozenset[str]  # heads that need a dash-joined name ("Garsen-Witu-Lamu Road")

    @property
    def heads(self) -> frozenset[str]:
        return self.facilities | self.projects

    def kind_named(self, name: str) -> str | None:
        """FAC or PROJECT when a name ends in a head word that says so ("Dasu Dam", "Dasu Hydropower
        Project"); None for a name with no such head, or only a head that needs a dash-joined name."""
        words = name.lower().split()
        tails = [" ".join(words[i:]) for i in range(len(words))]
        head = next((t for t in tails if t in self.heads and t not in self.joined_only), None)
        return self.type_of(head) if head else None

    def type_of(self, head: str) -> str:
        """FAC or PROJECT for a head word as written ("Standard Gauge  Railway" -> PROJECT)."""
        return "PROJECT" if " ".join(head.lower().split()) in self.projects else "FAC"


@dataclass(frozen=True, eq=False)
class Knowledge:
    """All knowledge files, validated, with the lookups the extractors need.

    Compared and hashed by identity: it is loaded once, and the cached lookups below take it as their
    key, which would otherwise hash every entry of every file on each call."""

    entities: tuple[KnownEntity, ...]
    countries: tuple[Country, ...]
    org_kind_rules: tuple[tuple[str, re.Pattern[str]], ...]
    title_heads: frozenset[str]
    honorifics: frozenset[str]  # "Mr", "Dr": before a name, neither part of it nor a role
    titles_spelled_out: dict[str, str]  # "pm" -> "prime minister"
    not_entities: frozenset[str]
    not_organisation_heads: frozenset[str]  # "Procedure": "Standard Operating Procedure" is no organisation
    infrastructure: Infrastructure
    ministries: dict[str, str]  # "foreign" -> "Foreign Affairs", for "Nepal's foreign ministry"
    place_bodies: tuple[str, ...]  # "police", for "Haripur police"
    name_heads: frozenset[str]  # "Company", for "China National Petroleum Company"
    outlet_heads: frozenset[str]  # "Post", for "The Kathmandu Post"
    numbered_events: frozenset[str]  # "Congress", for "the 20th National Congress of the CPC"
    place_heads: dict[str, str]  # "district" -> "GPE", for "Darvoz district"
    place_heads_gazetteer_only: frozenset[str]  # capitalised, "State" needs a known region before it

    @property
    def country_by_name(self) -> dict[str, Country]:
        return _country_index(self)

    @property
    def country_by_demonym(self) -> dict[str, Country]:
        return _demonym_index(self)

    def country_in(self, text: str) -> Country | None:
        """The country a text names, by name or demonym; the longest name wins ("South Sudan" over "Sudan")."""
        m = _country_pattern(self).search(text)
        if m is None:
            return None
        return self.country_by_name.get(m.group(0)) or self.country_by_demonym.get(m.group(0))

    def country_by_code(self, code: str) -> Country | None:
        return next((c for c in self.countries if c.code == code), None)

    def org_kind(self, name: str) -> str:
        """Kind of an organisation not in the knowledge files, from the words of its name."""
        for kind, pattern in self.org_kind_rules:
            if pattern.search(name):
                return kind
        return "other"


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"cannot read knowledge file: {exc}", source=path.name) from exc


def _require(condition: bool, message: str, source: str) -> None:
    if not condition:
        raise KnowledgeError(message, source=source)


def _entities_from(path: Path) -> list[KnownEntity]:
    data = _read_yaml(path)
    source = path.name
    _require(isinstance(data, dict) and isinstance(data.get("entries"), list), "needs an `entries` list", source)
    default_type, default_kind = data.get("type"), data.get("kind")
    out = []
    for i, entry in enumerate(data["entries"]):
        where = f"{source} entry {i + 1}"
        _require(isinstance(entry, dict) and isinstance(entry.get("name"), str), "needs a `name`", where)
        etype = entry.get("type", default_type)
        _require(etype in ENTITY_TYPES, f"type {etype!r} is not one of {ENTITY_TYPES}", where)
        kind = entry.get("kind", default_kind) if etype == "ORG" else None
        _require(kind is None or kind in ORG_KINDS, f"kind {kind!r} is not one of {ORG_KINDS}", where)
        aliases = entry.get("aliases") or []
        _require(all(isinstance(a, str) for a in aliases), "aliases must be strings", where)
        country = entry.get("country")
        _require(country is None or _is_country_code(country), f"country {country!r} is not an ISO alpha-2 code", where)
        reference = _reference_keys(entry, where)
        out.append(
            KnownEntity(
                id=f"{path.stem}:{entry['name']}",
                name=entry["name"],
                type=etype,
                aliases=tuple(aliases),
                kind=kind,
                country=country,
                role=entry.get("role"),
                capital_of=entry.get("capital_of"),
                level=entry.get("level"),
                part_of=entry.get("part_of"),
                umbrella=bool(entry.get("umbrella", False)),
                worldwide=bool(entry.get("worldwide", False)),
                **reference,
            )
        )
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _reference_keys(entry: dict[str, Any], where: str) -> dict[str, Any]:
    """The optional reference keys of an entry, validated: source, sector, lat/lon, since/until."""
    source, sector = entry.get("source"), entry.get("sector")
    has_text = isinstance(source, str) and source.strip() != ""
    _require(source is None or has_text, "source must be a text", where)
    _require(sector is None or sector in SECTORS, f"sector {sector!r} is not one of {SECTORS}", where)
    lat, lon = entry.get("lat"), entry.get("lon")
    _require((lat is None) == (lon is None), "lat and lon go together", where)
    _require(lat is None or (_is_number(lat) and -90 <= lat <= 90), f"lat {lat!r} is no latitude", where)
    _require(lon is None or (_is_number(lon) and -180 <= lon <= 180), f"lon {lon!r} is no longitude", where)
    since, until = entry.get("since"), entry.get("until")
    for key, year in (("since", since), ("until", until)):
        is_year = isinstance(year, int) and not isinstance(year, bool) and year in YEARS
        _require(year is None or is_year, f"{key} {year!r} is not a year", where)
    _require(since is None or until is None or since <= until, f"since {since} is after until {until}", where)
    return {
        "source": source,
        "sector": sector,
        "lat": float(lat) if lat is not None else None,
        "lon": float(lon) if lon is not None else None,
        "since": since,
        "until": until,
    }


def _countries(path: Path) -> list[Country]:
    data = _read_yaml(path)
    listed = {}
    for entry in data.get("entries", []):
        _require(isinstance(entry.get("code"), str) and entry.get("names"), "needs `code` and `names`", path.name)
        listed[entry["code"]] = Country(
            entry["code"], entry["names"][0], tuple(entry["names"]), tuple(entry.get("demonyms", [])), curated=True
        )
    for record in pycountry.countries:
        if record.alpha_2 in listed:
            continue
        names = [getattr(record, "common_name", None) or record.name]
        if record.name not in names:
            names.append(record.name)
        listed[record.alpha_2] = Country(record.alpha_2, names[0], tuple(names), ())
    return list(listed.values())


def _word_pattern(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


@cache
def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Knowledge:
    """Load and validate every knowledge file in `directory` once."""
    entities = [e for stem in ENTITY_FILES for e in _entities_from(directory / f"{stem}.yaml")]
    kinds = _read_yaml(directory / "org_kinds.yaml")
    rules = tuple((r["kind"], _word_pattern(r["words"])) for r in kinds["rules"])
    for kind, _ in rules:
        _require(kind in ORG_KINDS, f"kind {kind!r} is not one of {ORG_KINDS}", "org_kinds.yaml")
    ministries = kinds.get("ministries") or {}
    _require(
        all(isinstance(k, str) and isinstance(v, str) for k, v in ministries.items()),
        "ministries map short forms to names (strings)",
        "org_kinds.yaml",
    )
    titles = _read_yaml(directory / "titles.yaml")
    return Knowledge(
        entities=tuple(entities),
        countries=tuple(_countries(directory / "countries.yaml")),
        org_kind_rules=rules,
        title_heads=frozenset(titles["heads"]),
        honorifics=frozenset(titles["honorifics"]),
        titles_spelled_out=dict(titles["spelled_out"]),
        **_not_entities(directory / "not_entities.yaml"),
        infrastructure=_infrastructure(directory / "infrastructure.yaml"),
        ministries={k.lower(): v for k, v in ministries.items()},
        place_bodies=tuple(kinds.get("place_bodies") or ()),
        name_heads=frozenset(kinds.get("name_heads") or ()),
        outlet_heads=frozenset(kinds.get("outlet_heads") or ()),
        numbered_events=frozenset(kinds.get("numbered_events") or ()),
        **_place_heads(directory / "place_heads.yaml"),
    )


def _not_entities(path: Path) -> dict[str, frozenset[str]]:
    data = _read_yaml(path)
    _require(isinstance(data, dict) and isinstance(data.get("names"), list), "needs a `names` list", path.name)
    heads = data.get("not_organisation_heads") or []
    _require(isinstance(heads, list) and all(isinstance(w, str) for w in heads), "heads must be words", path.name)
    return {"not_entities": frozenset(data["names"]), "not_organisation_heads": frozenset(heads)}


def _place_heads(path: Path) -> dict[str, Any]:
    data = _read_yaml(path)
    _require(isinstance(data, dict), "needs `GPE`, `LOC` and `capitalised_gazetteer_only` lists", path.name)
    heads = {}
    for key in ("GPE", "LOC", "capitalised_gazetteer_only"):
        words = data.get(key)
        _require(
            isinstance(words, list) and all(isinstance(w, str) and w == w.lower() for w in words),
            f"`{key}` must be a list of lower-case words",
            path.name,
        )
        heads[key] = words
    return {
        "place_heads": {w: etype for etype in ("GPE", "LOC") for w in heads[etype]},
        "place_heads_gazetteer_only": frozenset(heads["capitalised_gazetteer_only"]),
    }


def _infrastructure(path: Path) -> Infrastructure:
    data = _read_yaml(path)
    lists = {}
    for key in ("FAC", "PROJECT", "not_projects", "port_of", "generic", "joined_only"):
        words = data.get(key) if isinstance(data, dict) else None
        _require(
            isinstance(words, list) and all(isinstance(w, str) and w == w.lower() for w in words),
            f"`{key}` must be a list of lower-case words",
            path.name,
        )
        lists[key] = words
    return Infrastructure(
        facilities=frozenset(lists["FAC"]),
        projects=frozenset(lists["PROJECT"]),
        not_projects=frozenset(lists["not_projects"]),
        port_of=tuple(lists["port_of"]),
        generic=frozenset(lists["generic"]),
        joined_only=frozenset(lists["joined_only"]),
    )


def _is_country_code(code: object) -> bool:
    return isinstance(code, str) and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


@cache
def _country_index(knowledge: Knowledge) -> dict[str, Country]:
    return {name: c for c in reversed(knowledge.countries) for name in c.names}


@cache
def _demonym_index(knowledge: Knowledge) -> dict[str, Country]:
    return {d: c for c in knowledge.countries for d in c.demonyms}


@cache
def _country_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    words = [n for n in knowledge.country_by_name if len(n) > 2] + list(knowledge.country_by_demonym)
    words.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
