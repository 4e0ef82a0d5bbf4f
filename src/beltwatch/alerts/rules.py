"""Watch rules: read from a YAML file, checked key by key, every problem one line and exit code 2.

A rules file is a mapping with one key, `rules`, a list of rules; each rule has a unique `name`
and any of the conditions below, all of which must hold for a story to raise an alert:

    event_types         [ATTACK, ...]       the merged event's type
    within_km           50                  its place lies this close to the corridor ...
    of                  any|alignment|site  ... to any alignment or project site (default any)
    victim_nationality  [CN, ...]           a victim of one of these countries (codes or names)
    entities            [BLA, ...]          it names one of these entities (as `events --entity`)
    countries           [PK, ...]           it happened in one of these countries (codes or names)
    min_killed          1                   some report or claim gives at least this many dead
    min_injured         1                   ... or injured
    keywords            [convoy, ...]       one of these words in a report's evidence or text
    since               2024-01-01          it happened on or after this day
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from beltwatch.errors import UsageError
from beltwatch.model import EVENT_TYPES

DISTANCE_TO = ("any", "alignment", "site")


@dataclass(frozen=True)
class Rule:
    name: str
    event_types: tuple[str, ...] = ()
    within_km: float | None = None
    of: str = "any"
    victim_nationality: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    min_killed: int | None = None
    min_injured: int | None = None
    keywords: tuple[str, ...] = ()
    since: date | None = None


KEYS = tuple(f for f in Rule.__dataclass_fields__)


def load_rules(path: Path) -> list[Rule]:
    """The rules of a file; `UsageError` naming the file, the rule and the key for anything wrong."""
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read rules file: {exc.strerror or exc}", source=where) from None
    except UnicodeDecodeError:
        raise UsageError("rules file is not UTF-8 text", source=where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(
            f"not valid YAML{at}: {getattr(exc, 'problem', None) or exc}", source=where
        ) from None
    if not isinstance(data, dict) or set(data) != {"rules"} or not isinstance(data["rules"], list):
        raise UsageError("a rules file is a mapping with one key, `rules`, a list of rules", source=where)
    if not data["rules"]:
        raise UsageError("`rules` is empty", source=where)
    rules: list[Rule] = []
    for number, entry in enumerate(data["rules"], 1):
        rule = _rule(entry, f"{where}: rule {number}")
        if any(r.name == rule.name for r in rules):
            raise UsageError(f"two rules are named {rule.name!r}", source=where)
        rules.append(rule)
    return rules


def _rule(entry: Any, where: str) -> Rule:
    if not isinstance(entry, dict):
        raise UsageError("a rule is a mapping of keys to values", source=where)
    name = entry.get("name")
    if isinstance(name, str) and name.strip():
        where = f"{where.rsplit(': ', 1)[0]}: rule {name.strip()!r}"
    unknown = [k for k in entry if k not in KEYS]
    if unknown:
        raise UsageError(f"unknown key {unknown[0]!r} (known: {', '.join(KEYS)})", source=where)
    if not isinstance(name, str) or not name.strip():
        raise UsageError("every rule needs a `name` (text)", source=where)
    values: dict[str, Any] = {"name": name.strip()}
    for key, value in entry.items():
        if key != "name":
            values[key] = _value(key, value, where)
    if "of" in values and "within_km" not in values:
        raise UsageError("`of` goes with `within_km`", source=where)
    return Rule(**values)


def _value(key: str, value: Any, where: str) -> Any:
    if key in ("within_km", "min_killed", "min_injured"):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise UsageError(f"`{key}` must be a number, 0 or more, not {value!r}", source=where)
        return float(value) if key == "within_km" else int(value)
    if key == "of":
        if value not in DISTANCE_TO:
            raise UsageError(f"`of` must be one of {', '.join(DISTANCE_TO)}, not {value!r}", source=where)
        return value
    if key == "since":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise UsageError(f"`since` must be a date YYYY-MM-DD, not {value!r}", source=where) from None
    items = _texts(key, value, where)
    if key == "event_types":
        items = [t.upper() for t in items]
        bad = [t for t in items if t not in EVENT_TYPES]
        if bad:
            raise UsageError(f"unknown event type {bad[0]!r} (known: {', '.join(EVENT_TYPES)})", source=where)
    if key in ("victim_nationality", "countries"):
        items = [_country(key, t, where) for t in items]
    return tuple(items)


def _texts(key: str, value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"`{key}` must be a list of text values, not {value!r}", source=where)
    return [v.strip() for v in value]


def _country(key: str, value: str, where: str) -> str:
    import pycountry

    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        raise UsageError(f"`{key}`: not a country code or name: {value!r}", source=where) from None
