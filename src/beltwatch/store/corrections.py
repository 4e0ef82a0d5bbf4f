"""Analyst corrections: versioned records of what a person changed, kept apart from what ingest wrote.

A correction never edits the extracted rows. It is a record in `corrections` (what, before,
after, when, by which token name) and is applied when the store is read: by the API, the pages
and the exports. Re-ingesting an article replaces its rows (new ids), so corrections are keyed
by what survives a re-ingest, never by autoincrement ids:

- an event by its article key, its position among that article's events and its type
  (`event:<article>#<position>:<TYPE>`), with the evidence sentence kept as `context`: when the
  article's text changed and the event at that position no longer has that type and sentence,
  the event of that type with that sentence is taken instead;
- an entity by its type and normalised name (`entity:<TYPE>:<norm name>`), the store's own
  unique key for a global entity.

Each target and field has a history of versions (1, 2, ...); the highest version is in force.
Fields: `status` (actions `reject`, `restore`), `merged_into` (`merge`, `unmerge`; entities
only) and `arguments.<name>` (`edit`; events only; after = null removes the argument).

The table lives on the schema's `metadata`; revision 0003 creates it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beltwatch.errors import BeltwatchError, UsageError
from beltwatch.store.changes import note_change
from beltwatch.store.entities import normalise
from beltwatch.store.schema import Json, Timestamp, aliases, entities, metadata

EVENT, ENTITY = "event", "entity"
STATUS, MERGED_INTO, ARGUMENT_PREFIX = "status", "merged_into", "arguments."
WRONG, OK = "wrong", "ok"
ACTIONS = {EVENT: ("reject", "restore", "edit"), ENTITY: ("reject", "restore", "merge", "unmerge")}
# arguments whose values an analyst may edit, and what each must be
INTEGER_ARGUMENTS = ("killed", "injured")
NUMBER_ARGUMENTS = ("value", "usd_stated", "usd", "usd_constant")
LIST_ARGUMENTS = ("participants", "parties", "victim_nationality", "sectors", "locations")
TEXT_ARGUMENTS = (
    "name", "funder", "recipient", "perpetrator", "claimed_by", "actor", "speaker", "target", "currency",
    "instrument", "purpose", "status", "subject", "measure", "topic", "form", "reason", "location", "date",
)  # fmt: skip
EDITABLE = (*INTEGER_ARGUMENTS, *NUMBER_ARGUMENTS, *LIST_ARGUMENTS, *TEXT_ARGUMENTS, "disputed")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_TEXT = 2000


class NotFoundError(BeltwatchError):
    """A record the request names does not exist (HTTP 404)."""

    exit_code = 2
    http_status = 404


class ConflictError(UsageError):
    """A correction the record's current state makes void: already so, or a merge that would loop (HTTP 409)."""

    http_status = 409


corrections = sa.Table(
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),  # order of recording only
    sa.Column("target", sa.String(8), nullable=False),  # "event" or "entity"
    sa.Column("key", sa.Text, nullable=False, index=True),  # the stable key (module docstring)
    sa.Column("article_key", sa.Text, index=True),  # events: the article's key
    sa.Column("event_position", sa.Integer),  # events: index among the article's events
    sa.Column("event_type", sa.String(32)),  # events: the type it had
    sa.Column("entity_type", sa.String(16)),  # entities: type
    sa.Column("entity_norm_name", sa.Text),  # entities: normalised name
    sa.Column("label", sa.Text),  # a human name for the target when recorded (entity name, event summary)
    sa.Column("context", sa.Text),  # events: the evidence sentence when recorded
    sa.Column("field", sa.String(64), nullable=False),  # status, merged_into, arguments.<name>
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("before", Json),
    sa.Column("after", Json),
    sa.Column("note", sa.Text),
    sa.Column("version", sa.Integer, nullable=False),  # 1, 2, ... per key and field
    sa.Column("token_name", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.UniqueConstraint("key", "field", "version"),
)


def event_key(article: str, position: int, type: str) -> str:
    return f"event:{article}#{position}:{type}"


def entity_key(type: str, norm_name: str) -> str:
    return f"entity:{type}:{norm_name}"


# --- validation -------------------------------------------------------------------------------


def check_argument(name: str, value: Any) -> Any:
    """An edited argument value in the shape the extractor gives it; `UsageError` otherwise."""
    if name not in EDITABLE:
        raise UsageError(f"argument {name!r} cannot be edited; editable: {', '.join(EDITABLE)}")
    if value is None:
        return None
    if name in INTEGER_ARGUMENTS:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise UsageError(f"{name} must be a whole number")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise UsageError(f"{name} must be a whole number, not {value!r}") from None
        if number < 0 or number > 1_000_000:
            raise UsageError(f"{name} must be between 0 and 1000000")
        return number
    if name in NUMBER_ARGUMENTS:
        try:
            number = float(str(value).replace(",", "").strip())
        except ValueError:
            raise UsageError(f"{name} must be a number, not {value!r}") from None
        if not (0 <= number < 1e16):
            raise UsageError(f"{name} must be a non-negative number")
        return int(number) if number.is_integer() else number
    if name == "disputed":
        if isinstance(value, bool):
            return value
        if str(value).strip().lower() in ("true", "yes", "1"):
            return True
        if str(value).strip().lower() in ("false", "no", "0"):
            return False
        raise UsageError("disputed must be true or false")
    if name in LIST_ARGUMENTS:
        items = value if isinstance(value, list) else str(value).split(";")
        out = [_text(name, item) for item in items if str(item).strip()]
        return out or None
    text = _text(name, value)
    if name == "date":
        if not _DATE.match(text):
            raise UsageError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, not {text!r}")
        try:
            parts = [int(p) for p in text.split("-")] + [1, 1]
            date(parts[0], parts[1], parts[2])
        except ValueError:
            raise UsageError(f"not a date: {text!r}") from None
    if name == "currency" and not re.fullmatch(r"[A-Z]{3}", text):
        raise UsageError("currency must be an ISO 4217 code such as USD")
    return text


def _text(name: str, value: Any) -> str:
    if isinstance(value, dict | list):
        raise UsageError(f"{name} must be text")
    text = " ".join(str(value).split())
    if not text:
        raise UsageError(f"{name} must not be empty (send null to remove it)")
    if len(text) > MAX_TEXT:
        raise UsageError(f"{name} is longer than {MAX_TEXT} characters")
    return text


# --- recording --------------------------------------------------------------------------------


def _record(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    latest = conn.execute(
        sa.select(sa.func.max(corrections.c.version)).where(
            corrections.c.key == values["key"], corrections.c.field == values["field"]
        )
    ).scalar_one()
    values = {**values, "version": (latest or 0) + 1, "created_at": datetime.now(UTC)}
    new_id = conn.execute(corrections.insert().values(**values).returning(corrections.c.id)).scalar_one()
    note_change(conn)
    return _row_json(conn.execute(sa.select(corrections).where(corrections.c.id == new_id)).one())


def record_event_correction(
    conn: Connection,
    event: dict[str, Any],
    *,
    action: str,
    token_name: str,
    argument: str | None = None,
    value: Any = None,
    note: str | None = None,
    current: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Record a correction of `event` (a dict with article, position, type, evidence, arguments).

    `current` is the event as corrected so far (its `arguments` and `status`): "before" is that.
    """
    if action not in ACTIONS[EVENT]:
        raise UsageError(f"action must be one of {', '.join(ACTIONS[EVENT])} for an event, not {action!r}")
    seen = current or event
    base = {
        "target": EVENT,
        "key": event_key(event["article"], event["position"], event["type"]),
        "article_key": event["article"],
        "event_position": event["position"],
        "event_type": event["type"],
        "label": summary(event),
        "context": (event.get("evidence") or {}).get("text"),
        "action": action,
        "note": _note(note),
        "token_name": token_name,
    }
    if action in ("reject", "restore"):
        before = seen.get("status") or OK
        after = WRONG if action == "reject" else OK
        if before == after:
            raise ConflictError(f"the event is already marked {after}")
        return _record(conn, {**base, "field": STATUS, "before": before, "after": after})
    if not argument:
        raise UsageError("an edit needs the argument to change")
    checked = check_argument(argument, value)
    before_value = (seen.get("arguments") or {}).get(argument)
    if before_value == checked:
        raise ConflictError(f"{argument} is already {checked!r}")
    return _record(
        conn, {**base, "field": ARGUMENT_PREFIX + argument, "before": before_value, "after": checked}
    )


def record_entity_correction(
    conn: Connection,
    entity_id: int,
    *,
    action: str,
    token_name: str,
    into: int | None = None,
    note: str | None = None,
    index: CorrectionIndex | None = None,
) -> dict[str, Any]:
    """Record a correction of the entity `entity_id`: reject, restore, merge into `into`, unmerge."""
    if action not in ACTIONS[ENTITY]:
        raise UsageError(f"action must be one of {', '.join(ACTIONS[ENTITY])} for an entity, not {action!r}")
    row = _entity(conn, entity_id)
    index = index or CorrectionIndex.load(conn)
    state = index.entity_state(row.type, row.norm_name)
    base = {
        "target": ENTITY,
        "key": entity_key(row.type, row.norm_name),
        "entity_type": row.type,
        "entity_norm_name": row.norm_name,
        "label": row.name,
        "action": action,
        "note": _note(note),
        "token_name": token_name,
    }
    if action in ("reject", "restore"):
        before, after = state.status, WRONG if action == "reject" else OK
        if before == after:
            raise ConflictError(f"the entity is already marked {after}")
        return _record(conn, {**base, "field": STATUS, "before": before, "after": after})
    if action == "unmerge":
        if state.merged_into is None:
            raise ConflictError("the entity is not merged into another")
        return _record(conn, {**base, "field": MERGED_INTO, "before": state.merged_into, "after": None})
    if into is None:
        raise UsageError("a merge needs `into`: the id of the entity to merge into")
    target = _entity(conn, into)
    if target.id == row.id:
        raise ConflictError("an entity cannot be merged into itself")
    target_ref = {"type": target.type, "norm_name": target.norm_name, "name": target.name}
    # no cycles: the target must not end up (through earlier merges) in this entity
    final = index.final_entity(target.type, target.norm_name)
    if (final["type"], final["norm_name"]) == (row.type, row.norm_name):
        raise ConflictError(f"{target.name!r} is already merged into {row.name!r}")
    if state.merged_into == target_ref:
        raise ConflictError(f"already merged into {target.name!r}")
    return _record(conn, {**base, "field": MERGED_INTO, "before": state.merged_into, "after": target_ref})


def _entity(conn: Connection, entity_id: int) -> sa.Row:
    row = conn.execute(sa.select(entities).where(entities.c.id == entity_id)).first()
    if row is None:
        raise NotFoundError(f"no entity {entity_id}")
    return row


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    text = " ".join(str(note).split())
    if len(text) > MAX_TEXT:
        raise UsageError(f"note is longer than {MAX_TEXT} characters")
    return text or None


def summary(event: dict[str, Any]) -> str:
    """A short human label for an event: type, date, main actors."""
    args = event.get("arguments") or {}
    parts = [event["type"]]
    for key in ("date", "location", "funder", "recipient", "claimed_by", "speaker", "participants"):
        value = args.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value[:3])
        if value:
            parts.append(str(value))
    return " · ".join(parts)[:300]


# --- reading ----------------------------------------------------------------------------------


def _row_json(r: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "target": r.target,
        "key": r.key,
        "field": r.field,
        "action": r.action,
        "before": r.before,
        "after": r.after,
        "version": r.version,
        "note": r.note,
        "token_name": r.token_name,
        "created_at": r.created_at.isoformat() if isinstance(r.created_at, datetime) else r.created_at,
        "label": r.label,
    }
    if r.target == EVENT:
        out.update(article=r.article_key, position=r.event_position, type=r.event_type, context=r.context)
    else:
        out.update(entity_type=r.entity_type, norm_name=r.entity_norm_name)
    return out


def list_corrections(
    conn: Connection, *, target: str | None = None, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """The correction log, newest first."""
    query = sa.select(corrections).order_by(corrections.c.id.desc())
    if target:
        query = query.where(corrections.c.target == target)
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [_row_json(r) for r in conn.execute(query)]


def count_corrections(conn: Connection, target: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(corrections)
    if target:
        query = query.where(corrections.c.target == target)
    return conn.execute(query).scalar_one()


LOG_COLUMNS = (
    "id", "created_at", "token_name", "target", "key", "label", "field", "action", "before", "after",
    "version", "note", "article", "position", "type", "entity_type", "norm_name",
)  # fmt: skip


@dataclass
class EntityState:
    status: str = OK
    merged_into: dict[str, Any] | None = None  # {"type", "norm_name", "name"}
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EventState:
    status: str = OK
    arguments: dict[str, Any] = field(default_factory=dict)  # argument -> value in force (None: removed)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def corrected(self) -> bool:
        return bool(self.history)


@dataclass
class _EventCorrections:
    position: int
    type: str
    context: str | None
    rows: list[dict[str, Any]]


class CorrectionIndex:
    """Every correction, loaded once, answering "what is in force" for an event or an entity."""

    def __init__(self, rows: list[dict[str, Any]], alias_norms: dict[tuple[str, str], set[str]]) -> None:
        self.rows = rows  # oldest first
        self.by_article: dict[str, dict[str, _EventCorrections]] = defaultdict(dict)
        self.by_entity: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            if r["target"] == EVENT:
                found = self.by_article[r["article"]].setdefault(
                    r["key"], _EventCorrections(r["position"], r["type"], r["context"], [])
                )
                found.rows.append(r)
            else:
                self.by_entity[(r["entity_type"], r["norm_name"])].append(r)
        self.alias_norms = alias_norms
        self._claimed: dict[str, dict[str, tuple[int, str]]] = {}

    @classmethod
    def load(cls, conn: Connection) -> CorrectionIndex:
        rows = [_row_json(r) for r in conn.execute(sa.select(corrections).order_by(corrections.c.id))]
        keys = {(r["entity_type"], r["norm_name"]) for r in rows if r["target"] == ENTITY}
        alias_norms: dict[tuple[str, str], set[str]] = {k: {k[1]} for k in keys}
        if keys:
            norms = sorted({k[1] for k in keys})
            for r in conn.execute(
                sa.select(entities.c.type, entities.c.norm_name, aliases.c.norm_alias)
                .join(aliases, aliases.c.entity_id == entities.c.id, isouter=True)
                .where(entities.c.norm_name.in_(norms))
            ):
                if (r.type, r.norm_name) in alias_norms and r.norm_alias:
                    alias_norms[(r.type, r.norm_name)].add(r.norm_alias)
        return cls(rows, alias_norms)

    def __bool__(self) -> bool:
        return bool(self.rows)

    # events

    def _match(self, article: str, events: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
        """Which corrections of `article` apply to which of its current events (by position)."""
        wanted = self.by_article.get(article)
        if not wanted:
            return {}
        by_position = {e["position"]: e for e in events}
        out: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for group in wanted.values():
            target = by_position.get(group.position)
            same = target is not None and target["type"] == group.type
            if same and group.context and _evidence_text(target) not in (None, group.context):
                same = False  # the text changed: look for the event with that sentence
            if not same:
                moved = [
                    e
                    for e in events
                    if e["type"] == group.type and group.context and _evidence_text(e) == group.context
                ]
                if moved:
                    target = moved[0]
                elif target is None or target["type"] != group.type:
                    continue  # the event is gone: the correction stays in the log, applied nowhere
            out[target["position"]].extend(group.rows)
        return out

    def event_states(self, article: str, events: list[dict[str, Any]]) -> dict[int, EventState]:
        """The corrections in force for the current events of one article, by event position.

        `events` must be every current event of the article (position, type, evidence)."""
        states: dict[int, EventState] = {}
        for position, rows in self._match(article, events).items():
            state = EventState()
            for r in sorted(rows, key=lambda r: r["id"]):
                state.history.append(r)
                if r["field"] == STATUS:
                    state.status = r["after"] or OK
                elif r["field"].startswith(ARGUMENT_PREFIX):
                    state.arguments[r["field"][len(ARGUMENT_PREFIX) :]] = r["after"]
            states[position] = state
        return states

    def articles(self) -> set[str]:
        return set(self.by_article)

    # entities

    def entity_state(self, type: str, norm_name: str) -> EntityState:
        state = EntityState()
        for r in self.by_entity.get((type, norm_name), []):
            state.history.append(r)
            if r["field"] == STATUS:
                state.status = r["after"] or OK
            elif r["field"] == MERGED_INTO:
                state.merged_into = r["after"]
        return state

    def final_entity(self, type: str, norm_name: str) -> dict[str, Any]:
        """Where an entity ends up after following merges (itself when not merged)."""
        current = {"type": type, "norm_name": norm_name, "name": None}
        seen = set()
        while (current["type"], current["norm_name"]) not in seen:
            seen.add((current["type"], current["norm_name"]))
            nxt = self.entity_state(current["type"], current["norm_name"]).merged_into
            if not nxt:
                break
            current = nxt
        return current

    def merged_from(self, type: str, norm_name: str) -> list[tuple[str, str]]:
        """The entities merged (directly or through others) into this one."""
        out = []
        for key in self.by_entity:
            if key == (type, norm_name):
                continue
            if self.entity_state(*key).merged_into is None:
                continue
            final = self.final_entity(*key)
            if (final["type"], final["norm_name"]) == (type, norm_name):
                out.append(key)
        return sorted(out)

    def name_rewrites(self) -> tuple[dict[str, str], set[str]]:
        """Normalised names (and aliases) of merged entities -> the name to use; and of rejected ones."""
        rewrites: dict[str, str] = {}
        rejected: set[str] = set()
        for key in self.by_entity:
            state = self.entity_state(*key)
            norms = self.alias_norms.get(key, {key[1]})
            if state.merged_into:
                final = self.final_entity(*key)
                name = final.get("name") or state.merged_into.get("name")
                for norm in norms:
                    rewrites[norm] = name
            if state.status == WRONG:
                rejected |= norms
        return rewrites, rejected


def _evidence_text(event: dict[str, Any]) -> str | None:
    evidence = event.get("evidence")
    if isinstance(evidence, dict):
        return evidence.get("text")
    return evidence if isinstance(evidence, str) else None


def apply_state(event: dict[str, Any], state: EventState | None) -> dict[str, Any]:
    """The event dict with the corrections in force: arguments replaced, `status`, `corrections`."""
    out = dict(event)
    out["status"] = OK
    out["corrections"] = []
    if state is None or not state.corrected:
        return out
    arguments = dict(event.get("arguments") or {})
    original: dict[str, Any] = {}
    for name, value in state.arguments.items():
        original[name] = arguments.get(name)
        if value is None:
            arguments.pop(name, None)
        else:
            arguments[name] = value
    out["arguments"] = arguments
    if "date" in state.arguments:
        out["date"] = state.arguments["date"]
    if "location" in state.arguments:
        out["location"] = state.arguments["location"]
    out["status"] = state.status
    out["original"] = original
    out["corrections"] = [
        {
            k: r[k]
            for k in (
                "id",
                "field",
                "action",
                "before",
                "after",
                "version",
                "token_name",
                "created_at",
                "note",
            )
        }
        for r in state.history
    ]
    return out


def rewrite_names(arguments: dict[str, Any], rewrites: dict[str, str], rejected: set[str]) -> dict[str, Any]:
    """Argument values naming a merged entity renamed to the entity merged into; rejected ones dropped."""
    if not rewrites and not rejected:
        return arguments

    def one(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        norm = normalise(value)
        if norm in rejected:
            return None
        return rewrites.get(norm, value)

    out: dict[str, Any] = {}
    for key, value in arguments.items():
        if key in ("date", "location") and not isinstance(value, list):
            out[key] = value
            continue
        if isinstance(value, list):
            items = []
            for item in value:
                if isinstance(item, dict):  # a claim: its claimant renamed, the claim kept
                    claimant = item.get("claimant")
                    renamed = one(claimant) if isinstance(claimant, str) else claimant
                    items.append({**item, "claimant": renamed if renamed is not None else claimant})
                    continue
                new = one(item)
                if new is not None and new not in items:
                    items.append(new)
            out[key] = items
        elif isinstance(value, str):
            new = one(value)
            if new is not None:
                out[key] = new
        else:
            out[key] = value
    return out
