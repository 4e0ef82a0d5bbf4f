"""FollowTheMoney: the events as FTM entities, one JSON object per line (what `ftm` and Aleph's bulk import read).

Entities are built with followthemoney's own model (`model.make_entity`), so every value is
cleaned by its property type, and each is validated (`check`) before it is written. Per event:

- `Event`: name (type, parties, place, date), `summary` (the evidence sentence), `description`
  (every argument), `date`, `location`, `country` (of the resolved place), `involved` (the
  parties), `keywords` (the event type), `sourceUrl`, `publisher`, `proof` (the article);
- for a FINANCING, the money itself, with `amount`, `currency`, `amountUsd` (the stated
  conversion, else the `usd` column when there is one) and `date`:
  - `Debt` when its instrument lends (`DEBT_WORDS`: a loan, credit line, rollover, financing
    window, deposit or bond): `debtor` = recipient, `creditor` = funder when known,
    `description` the evidence sentence, `summary` the instrument and purpose;
  - `Payment` otherwise (a grant, an investment, a stake...): `payer` = funder, `beneficiary` =
    recipient, `purpose`, `project`, `summary` the evidence sentence;
  FTM requires a Debt's debtor and both parties of a Payment, so a FINANCING without them (no
  recipient: a lender's financing window) is its `Event` alone, which names the funder among
  `involved` and the amount, currency and instrument in `description`;
- the parties, once each (global entities): `Person`; an ORG as `PublicBody` (kind government),
  `Company` (kind company) or `Organization` (lenders, armed groups, media, multilaterals, ...);
  a GPE acting as a party (a state lending, borrowing, signing) as `PublicBody`; with `alias`,
  `country` and the ORG kind as `classification`;
- `Project` for PROJECT entities an event names (linked from a Payment's `project`);
- `Article` for the source article, once per article: `title`, `publishedAt`, `sourceUrl`, `publisher`.

Ids are `make_id` hashes of stable keys (prefixed "beltwatch"): an entity's type and normalised
name, an article's key, an event's article key, version and position. Places (GPE, LOC, FAC in
a place role) are the events' `location`, not entities.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

import sqlalchemy as sa
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from sqlalchemy.engine import Connection

from beltwatch.errors import BeltwatchError
from beltwatch.export import EventRows, ExportResult
from beltwatch.model import PARTY_ARGUMENTS
from beltwatch.store.schema import aliases, claims, entities, event_arguments, events

KEY_PREFIX = "beltwatch"
CHUNK = 500  # events whose entities are looked up together
# argument names (SCHEMA.md) whose entities take part in the event; claimants of casualty claims too
PARTY_ROLES = (*PARTY_ARGUMENTS, "target", "claimant")
ORG_SCHEMATA = {"government": "PublicBody", "company": "Company"}  # other kinds: Organization
# words of a FINANCING's instrument (SCHEMA.md's labels, or an analyst's corrected text) that make the
# recipient owe the money back; a deposit with a central bank is a loan to it, counted in the country's
# external debt. Matched at the start of a word: "roll" is in "roll-over", not in "payroll".
DEBT_WORDS = ("loan", "credit", "roll", "financing window", "deposit", "bond", "debt")
_LENDS = re.compile(r"\b(?:" + "|".join(DEBT_WORDS) + ")", re.IGNORECASE)


@dataclass(frozen=True)
class Linked:
    """An entity an event names, and in which role (an argument name, "claimant" or "location")."""

    role: str
    position: int
    id: int
    type: str
    name: str
    norm_name: str
    country: str | None
    kind: str | None


def party_schema(entity: Linked) -> str | None:
    """The FTM schema of an entity taking part in an event; None for places and named events."""
    if entity.type == "PERSON":
        return "Person"
    if entity.type == "ORG":
        return ORG_SCHEMATA.get(entity.kind or "", "Organization")
    if entity.type == "GPE":
        return "PublicBody"
    return None


def check(proxy: EntityProxy) -> EntityProxy:
    """Raise unless the entity is valid: a concrete schema, an id, valid values, every required property."""
    data = proxy.to_dict()
    try:
        if proxy.schema.abstract:
            raise InvalidData(f"schema {proxy.schema.name} is abstract")
        if not proxy.id:
            raise InvalidData("no id")
        proxy.schema.validate(data)  # checks the values given, not that required ones are present
        missing = [name for name in proxy.schema.required if not proxy.get(name)]
        if missing:
            raise InvalidData(f"required {', '.join(missing)} missing")
    except InvalidData as exc:
        errors = getattr(exc, "errors", None)
        raise BeltwatchError(
            f"ftm: {proxy.schema.name} {proxy.id} does not validate: {exc} {errors or ''}".strip()
        )
    return proxy


class _Writer:
    def __init__(self, out: IO[bytes], result: ExportResult) -> None:
        self.out = out
        self.result = result
        self.written: set[str] = set()

    def emit(self, proxy: EntityProxy) -> str:
        assert proxy.id is not None
        if proxy.id not in self.written:
            data = check(proxy).to_dict()
            self.out.write(json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n")
            self.written.add(proxy.id)
            self.result.written += 1
        return proxy.id


def write(rows: EventRows, out: IO[bytes], conn: Connection) -> ExportResult:
    result = ExportResult("ftm")
    writer = _Writer(out, result)
    chunk: list[dict[str, Any]] = []
    for row in rows:
        result.events += 1
        chunk.append(row)
        if len(chunk) >= CHUNK:
            _write_chunk(conn, writer, chunk)
            chunk.clear()
    if chunk:
        _write_chunk(conn, writer, chunk)
    return result


def _make(schema: str, *key: Any) -> EntityProxy:
    proxy = model.make_entity(schema, key_prefix=KEY_PREFIX)
    proxy.make_id(*key)
    return proxy


def _write_chunk(conn: Connection, writer: _Writer, rows: list[dict[str, Any]]) -> None:
    links = _links(conn, [row["id"] for row in rows])
    needed = {e.id for found in links.values() for e in found if party_schema(e) or e.type == "PROJECT"}
    spellings = _aliases(conn, needed)
    for row in rows:
        found = links.get(row["id"], [])
        ids: dict[tuple[str, int], str] = {}  # (role, position) -> FTM id of the entity written for it
        parties: list[str] = []
        for entity in found:
            schema = "Project" if entity.type == "PROJECT" else party_schema(entity)
            if schema is None or (schema != "Project" and entity.role not in PARTY_ROLES):
                continue
            ftm_id = writer.emit(_entity(schema, entity, spellings.get(entity.id, [])))
            ids[(entity.role, entity.position)] = ftm_id
            if schema != "Project" and ftm_id not in parties:
                parties.append(ftm_id)
        article = writer.emit(_article(row))
        writer.emit(_event(row, found, parties, article))
        if row["type"] == "FINANCING":
            money = _money(row, found, ids, article)
            if money is not None:
                writer.emit(money)


def _entity(schema: str, entity: Linked, spellings: list[str]) -> EntityProxy:
    proxy = _make(schema, "entity", entity.type, entity.norm_name)
    proxy.add("name", entity.name)
    proxy.add("alias", [s for s in spellings if s != entity.name])
    proxy.add("country", entity.country)
    if entity.type == "ORG":
        proxy.add("classification", entity.kind)
    return proxy


def _article(row: dict[str, Any]) -> EntityProxy:
    proxy = _make("Article", "article", row["article"])
    proxy.add("title", row["title"] or row["article"])
    proxy.add("publishedAt", row["published"])
    proxy.add("sourceUrl", row["url"])
    proxy.add("publisher", row["source"])
    return proxy


def _event(row: dict[str, Any], found: list[Linked], parties: list[str], article: str) -> EntityProxy:
    proxy = _make("Event", "event", row["article"], row["version"], row["position"])
    proxy.add("name", event_name(row))
    proxy.add("summary", row["evidence"])
    proxy.add("description", describe(row["arguments"]))
    proxy.add("date", row["date"])
    proxy.add("location", row["location"])
    proxy.add("country", [e.country for e in found if e.role in ("location", "locations") and e.country])
    proxy.add("involved", parties)
    proxy.add("keywords", row["type"])
    proxy.add("sourceUrl", row["url"])
    proxy.add("publisher", row["source"])
    proxy.add("proof", article)
    return proxy


def lends(instrument: Any) -> bool:
    """Whether a FINANCING's instrument is a debt (`DEBT_WORDS`) rather than money given or invested."""
    return isinstance(instrument, str) and _LENDS.search(instrument) is not None


def _money(
    row: dict[str, Any], found: list[Linked], ids: dict[tuple[str, int], str], article: str
) -> EntityProxy | None:
    """The `Debt` or `Payment` of a FINANCING event; None when FTM's required parties are not known."""
    funder, recipient = (_party(found, ids, role) for role in ("funder", "recipient"))
    args = row["arguments"] or {}
    if lends(args.get("instrument")):
        proxy = _debt(row, args, funder, recipient)
    else:
        projects = [
            ids[(e.role, e.position)] for e in found if e.type == "PROJECT" and (e.role, e.position) in ids
        ]
        proxy = _payment(row, args, funder, recipient, projects)
    if proxy is None:
        return None
    proxy.add("amount", _number(args.get("value")))
    proxy.add("currency", args.get("currency"))
    usd = args.get("usd_stated") if args.get("usd_stated") is not None else row.get("usd")
    proxy.add("amountUsd", _number(usd))
    proxy.add("date", row["date"])
    proxy.add("sourceUrl", row["url"])
    proxy.add("publisher", row["source"])
    proxy.add("proof", article)
    return proxy


def _party(found: list[Linked], ids: dict[tuple[str, int], str], role: str) -> str | None:
    """The FTM id of the first entity written for `role`."""
    return next(
        (ids[(e.role, e.position)] for e in found if e.role == role and (e.role, e.position) in ids), None
    )


def _debt(
    row: dict[str, Any], args: dict[str, Any], creditor: str | None, debtor: str | None
) -> EntityProxy | None:
    if debtor is None:
        return None
    proxy = _make("Debt", "debt", row["article"], row["version"], row["position"])
    proxy.add("debtor", debtor)
    proxy.add("creditor", creditor)
    proxy.add("description", row["evidence"])
    # a Debt has no `purpose`: what was lent and for what goes in its summary
    proxy.add("summary", ": ".join(str(v) for v in (args["instrument"], args.get("purpose")) if v))
    return proxy


def _payment(
    row: dict[str, Any], args: dict[str, Any], payer: str | None, beneficiary: str | None, projects: list[str]
) -> EntityProxy | None:
    if payer is None or beneficiary is None:
        return None
    proxy = _make("Payment", "payment", row["article"], row["version"], row["position"])
    proxy.add("payer", payer)
    proxy.add("beneficiary", beneficiary)
    if isinstance(args.get("purpose"), str):
        proxy.add("purpose", args["purpose"])
    if args.get("instrument"):
        proxy.add("description", f"instrument: {args['instrument']}")
    proxy.add("project", projects)
    proxy.add("summary", row["evidence"])
    return proxy


def event_name(row: dict[str, Any]) -> str:
    """A caption: "Attack: Balochistan Liberation Army, Gwadar, 2023-08-13"."""
    args = row["arguments"] or {}
    details: list[str] = []
    for role in PARTY_ROLES:
        for value in args.get(role) if isinstance(args.get(role), list) else [args.get(role)]:
            if isinstance(value, str) and value not in details and len(details) < 3:
                details.append(value)
    details += [v for v in (row["location"], row["date"]) if v]
    label = row["type"].replace("_", " ").capitalize()
    return f"{label}: {', '.join(details)}" if details else label


def describe(arguments: dict[str, Any] | None) -> str | None:
    """Every argument on a line of its own, e.g. "funder: China" or "claims: BLA killed 13"."""
    lines = []
    for key, value in (arguments or {}).items():
        if value is None or value == [] or key in ("date", "location"):
            continue
        lines.append(f"{key}: {_text(value)}")
    return "\n".join(lines) or None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(_number(value))
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        who = value.get("claimant")
        rest = ", ".join(f"{k} {_text(v)}" for k, v in value.items() if k != "claimant" and v is not None)
        return f"{who}: {rest}" if who else rest
    return str(value)


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else value


def _links(conn: Connection, event_ids: list[int]) -> dict[int, list[Linked]]:
    """The entities each event names: its arguments', its claimants', its resolved place."""
    fields = (
        entities.c.id,
        entities.c.type,
        entities.c.name,
        entities.c.norm_name,
        entities.c.country,
        entities.c.kind,
    )
    queries = [
        sa.select(
            event_arguments.c.event_id,
            event_arguments.c.name.label("role"),
            event_arguments.c.position,
            *fields,
        )
        .join(entities, entities.c.id == event_arguments.c.entity_id)
        .where(event_arguments.c.event_id.in_(event_ids)),
        sa.select(claims.c.event_id, sa.literal("claimant").label("role"), claims.c.position, *fields)
        .join(entities, entities.c.id == claims.c.claimant_entity_id)
        .where(claims.c.event_id.in_(event_ids)),
        sa.select(
            events.c.id.label("event_id"),
            sa.literal("location").label("role"),
            sa.literal(0).label("position"),
            *fields,
        )
        .join(entities, entities.c.id == events.c.location_entity_id)
        .where(events.c.id.in_(event_ids)),
    ]
    out: dict[int, list[Linked]] = defaultdict(list)
    for query in queries:
        for r in conn.execute(query):
            out[r.event_id].append(
                Linked(r.role, r.position, r.id, r.type, r.name, r.norm_name, r.country, r.kind)
            )
    order = {role: i for i, role in enumerate((*PARTY_ROLES, "location"))}
    for found in out.values():
        found.sort(key=lambda e: (order.get(e.role, len(order)), e.role, e.position, e.id))
    return out


def _aliases(conn: Connection, entity_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = sorted(set(entity_ids))
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        query = sa.select(aliases.c.entity_id, aliases.c.alias).where(aliases.c.entity_id.in_(ids))
        for r in conn.execute(query.order_by(aliases.c.entity_id, aliases.c.alias)):
            out[r.entity_id].append(r.alias)
    return out
