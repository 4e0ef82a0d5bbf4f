"""Domain knowledge: readable data files loaded and validated once.

Every file is YAML: a default `type` (and `kind`) for its entries, then `entries`, each with a
`name`, `aliases` and optional `kind`, `country`, `role`, `capital_of`. Analysts extend these files;
the code never hard-codes a lender, place, official or trigger word.
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
class Knowledge:
    """All knowledge files, validated, with the lookups the extractors need."""

    entities: tuple[KnownEntity, ...]
    countries: tuple[Country, ...]
    org_kind_rules: tuple[tuple[str, re.Pattern[str]], ...]
    title_heads: frozenset[str]
    not_entities: frozenset[str]

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
            )
        )
    return out


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
    titles = _read_yaml(directory / "titles.yaml")
    return Knowledge(
        entities=tuple(entities),
        countries=tuple(_countries(directory / "countries.yaml")),
        org_kind_rules=rules,
        title_heads=frozenset(titles["heads"]),
        not_entities=frozenset(_read_yaml(directory / "not_entities.yaml")["names"]),
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
