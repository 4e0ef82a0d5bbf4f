"""Entities across articles: each article's entity mapped to one global entity, with role history.

An article entity joins a global entity of the same type (facilities and projects count as one type: an
article may name the Dasu Hydropower Project as "Dasu Dam", a facility), trying in order:

1. the same normalised name (case, diacritics and punctuation ignored);
2. its name is a known alias of the global entity, or one of its aliases is the global name
   or alias (not for GPE: articles give capitals as aliases of their country, "Beijing" for
   China, and a place is identified by its name);
3. PERSON and ORG only: a name or alias within rapidfuzz ratio >= 90 of a global name or
   alias ("Shehbaz Sharif" / "Shahbaz Sharif") with the same first character, when country and
   kind do not contradict (the candidates are read from an index on first character and length);
4. a one-word PERSON name ("Sharif") joins the one full name with that surname, if there is
   exactly one; with none it becomes an entity of its own, which the first full name with
   that surname later absorbs.

Otherwise it becomes a new global entity. All of this runs inside the write transaction of a
batch of articles, under the writer lock, so nothing but the resolver itself changes the entities
while it works: it remembers what it looked up (names, an entity's spellings, the full names
with a surname) for the rest of the transaction, updating what it changes itself, and is dropped
with the transaction. The per-entity summaries (role history, article counts) are `store.summaries`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from functools import lru_cache

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlalchemy.engine import Connection

from beltwatch.model import Entity
from beltwatch.store.schema import (
    aliases,
    article_entities,
    claims,
    entities,
    event_arguments,
    events,
    fuzzy_block,
    mentions,
    role_history,
)

FUZZY_TYPES = ("PERSON", "ORG")
FUZZY_CUTOFF = 90.0
NO_ALIAS_TYPES = ("GPE",)
_NON_WORD = re.compile(r"[\W_]+")


def _same_type(type_: str) -> tuple[str, ...]:
    return ("FAC", "PROJECT") if type_ in ("FAC", "PROJECT") else (type_,)


@lru_cache(maxsize=1 << 16)
def normalise(name: str) -> str:
    """Case-folded, no diacritics or punctuation, single-spaced: "Export–Import" -> "export import"."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).split())


def fuzzy_lengths(length: int) -> tuple[int, int]:
    """The shortest and longest names that can score FUZZY_CUTOFF against one of `length` characters.

    fuzz.ratio is 100 * 2 * M / (la + lb), M the longest common subsequence, at most the shorter
    length: a score of c needs 200 * min(la, lb) >= c * (la + lb), so lb lies between
    la * c / (200 - c) and la * (200 - c) / c (computed exactly, in fractions)."""
    cutoff = Fraction(FUZZY_CUTOFF)
    return math.ceil(length * cutoff / (200 - cutoff)), math.floor(length * (200 - cutoff) / cutoff)


def surname_of(norm: str) -> str | None:
    """The surname a PERSON's normalised name gives: its last word, if it has more than one."""
    return norm.rsplit(" ", 1)[1] if " " in norm else None


@dataclass
class _Global:
    id: int
    name: str
    norm: str
    country: str | None
    kind: str | None


@dataclass
class _Known:
    """An entity as the resolver knows it: its attributes and every normalised spelling it has."""

    country: str | None
    kind: str | None
    spellings: set[str]


class EntityResolver:
    """Maps article entities to global ones, on the connection of one write transaction."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.touched: set[int] = set()  # entities created or given new aliases
        self.merged_into: dict[int, int] = {}  # entities merged away, and where they went
        # countries whose events change without a new event: given to a stored entity, or merged
        self.recount_countries: set[str] = set()
        # what this transaction has looked up so far (see the module docstring)
        self._by_norm: dict[tuple[tuple[str, ...], str], int | None] = {}  # smallest id with that name
        self._known: dict[int, _Known] = {}
        self._surnames: dict[str, list[_Global]] = {}

    # --- lookup ---------------------------------------------------------------------------

    def resolve(self, entity: Entity) -> int:
        """The global entity id for `entity`, created if nothing matches; its spellings become aliases."""
        norm = normalise(entity.name) or entity.name.casefold()
        spellings = _unique(n for n in (normalise(a) for a in entity.aliases) if n and n != norm)
        found = (
            self._by_name(entity.type, [norm])
            or self._by_alias(entity.type, norm, spellings)
            or self._by_fuzzy(entity, [norm, *spellings])
            or self._by_surname(entity, norm, spellings)
        )
        if found is None:
            display = _display_name(entity)
            found = self._create(entity, display, normalise(display) or norm)
        if entity.type == "PERSON" and " " in norm:
            self._absorb_surname(found, norm)
        self._merge_in(found, entity)
        return found

    def prefetch(self, batch: Iterable[Entity]) -> None:
        """Look up at once what resolving a batch's entities will ask: entities by their names and
        spellings, those entities' attributes and spellings, and the full names with each surname
        (a few queries per batch instead of a few per entity)."""
        norms: dict[tuple[str, ...], set[str]] = defaultdict(set)
        surnames: set[str] = set()
        for entity in batch:
            norm = normalise(entity.name) or entity.name.casefold()
            norms[_same_type(entity.type)].update([norm, *(n for n in map(normalise, entity.aliases) if n)])
            if entity.type == "PERSON":
                surnames.add(norm.rsplit(" ", 1)[-1])
                norms[_same_type("PERSON")].add(norm.rsplit(" ", 1)[-1])  # the surname-only entity
        for types, wanted in norms.items():
            self._by_name(types[0], sorted(wanted))
        self._load(sorted({found for found in self._by_norm.values() if found is not None} - set(self._known)))
        self._load_surnames(sorted(surnames - set(self._surnames)))

    def current(self, entity_id: int) -> int:
        """The id an entity resolved earlier in this transaction has now (it may have been merged since)."""
        while entity_id in self.merged_into:
            entity_id = self.merged_into[entity_id]
        return entity_id

    def _by_name(self, type_: str, norms: list[str]) -> int | None:
        types = _same_type(type_)
        missing = [n for n in norms if (types, n) not in self._by_norm]
        if missing:
            smallest: dict[str, int] = {}
            for r in self.conn.execute(
                sa.select(entities.c.id, entities.c.norm_name).where(
                    entities.c.type.in_(types), entities.c.norm_name.in_(missing)
                )
            ):
                smallest[r.norm_name] = min(r.id, smallest.get(r.norm_name, r.id))
            for norm in missing:
                self._by_norm[(types, norm)] = smallest.get(norm)
        found = [self._by_norm[(types, n)] for n in norms]
        return min((f for f in found if f is not None), default=None)

    def _by_alias(self, type_: str, norm: str, spellings: list[str]) -> int | None:
        if type_ in NO_ALIAS_TYPES:
            return None
        in_aliases = (
            sa.select(aliases.c.entity_id)
            .join(entities, entities.c.id == aliases.c.entity_id)
            .where(entities.c.type.in_(_same_type(type_)))
            .order_by(aliases.c.entity_id)
            .limit(1)
        )
        # the article's name among global aliases first, then its aliases among global names and aliases
        row = self.conn.execute(in_aliases.where(aliases.c.norm_alias == norm)).first()
        if row:
            return row.entity_id
        if not spellings:
            return None
        found = self._by_name(type_, spellings)
        if found is not None:
            return found
        row = self.conn.execute(in_aliases.where(aliases.c.norm_alias.in_(spellings))).first()
        return row.entity_id if row else None

    def _by_fuzzy(self, entity: Entity, norms: list[str]) -> int | None:
        if entity.type not in FUZZY_TYPES:
            return None
        candidates = self._fuzzy_candidates(entity.type, [n for n in norms if n])
        if not candidates:
            return None
        choices = [norm for _, norm in candidates]
        best: tuple[float, int] | None = None
        for norm in norms:
            for _, score, index in process.extract(
                norm, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
            ):
                entity_id = candidates[index][0]
                if not self._compatible(entity_id, entity):
                    continue
                key = (-score, entity_id)
                if best is None or key < best:
                    best = key
        return best[1] if best else None

    def _fuzzy_candidates(self, type_: str, norms: list[str]) -> list[tuple[int, str]]:
        """(id, spelling) of every name and alias of the type that starts as one of `norms` does and
        whose length lets it score FUZZY_CUTOFF against one of them: a typo in the first character is
        rare, and a candidate outside the lengths cannot match. They come in a fixed order, which
        decides between equal scores."""
        if not norms:
            return []
        firsts = sorted({n[0] for n in norms})
        bands = [fuzzy_lengths(len(n)) for n in norms]
        shortest, longest = min(low for low, _ in bands), max(high for _, high in bands)

        def blocked(norm: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
            first, length = fuzzy_block(norm)
            return sa.and_(first.in_(firsts), length.between(shortest, longest))

        names = sa.select(entities.c.id, entities.c.norm_name.label("norm")).where(
            entities.c.type == type_, blocked(entities.c.norm_name)
        )
        alias_rows = (
            sa.select(aliases.c.entity_id.label("id"), aliases.c.norm_alias.label("norm"))
            .join(entities, entities.c.id == aliases.c.entity_id)
            .where(entities.c.type == type_, blocked(aliases.c.norm_alias))
        )
        rows = self.conn.execute(sa.union_all(names, alias_rows).order_by("id", "norm"))
        return [(r.id, r.norm) for r in rows]

    def _by_surname(self, entity: Entity, norm: str, spellings: list[str]) -> int | None:
        if entity.type != "PERSON" or " " in norm or any(" " in s for s in spellings):
            return None
        full = self._full_names_with_surname(norm)
        if len(full) == 1 and self._compatible(full[0].id, entity):
            return full[0].id
        return None

    def _full_names_with_surname(self, surname: str) -> list[_Global]:
        if surname not in self._surnames:
            self._load_surnames([surname])
        return self._surnames[surname]

    def _load_surnames(self, surnames: list[str]) -> None:
        if not surnames:
            return
        rows = self.conn.execute(
            sa.select(entities)
            .where(entities.c.type == "PERSON", entities.c.surname.in_(surnames))
            .order_by(entities.c.id)
        )
        found: dict[str, list[_Global]] = {surname: [] for surname in surnames}
        for r in rows:
            found[r.surname].append(_Global(r.id, r.name, r.norm_name, r.country, r.kind))
        self._surnames.update(found)

    def _compatible(self, entity_id: int, entity: Entity) -> bool:
        row = self._entity(entity_id)
        if row.country and entity.country and row.country != entity.country:
            return False
        return not (row.kind and entity.kind and row.kind != entity.kind)

    def _entity(self, entity_id: int) -> _Known:
        if entity_id not in self._known:
            self._load([entity_id])
        return self._known[entity_id]

    def _load(self, entity_ids: list[int]) -> None:
        """Remember these entities' attributes and spellings."""
        if not entity_ids:
            return
        for row in self.conn.execute(sa.select(entities).where(entities.c.id.in_(entity_ids))):
            self._known[row.id] = _Known(row.country, row.kind, {row.norm_name})
        for row in self.conn.execute(
            sa.select(aliases.c.entity_id, aliases.c.norm_alias).where(aliases.c.entity_id.in_(entity_ids))
        ):
            self._known[row.entity_id].spellings.add(row.norm_alias)

    # --- changes ------------------------------------------------------------------------------

    def _create(self, entity: Entity, name: str, norm: str) -> int:
        entity_id = self.conn.execute(
            entities.insert()
            .values(
                type=entity.type,
                name=name,
                norm_name=norm,
                country=entity.country,
                kind=entity.kind,
                created_at=self.now,
                surname=surname_of(norm) if entity.type == "PERSON" else None,
            )
            .returning(entities.c.id)
        ).scalar_one()
        self.touched.add(entity_id)
        self._known[entity_id] = _Known(entity.country, entity.kind, {norm})
        key = (_same_type(entity.type), norm)
        self._by_norm[key] = min(entity_id, self._by_norm.get(key) or entity_id)
        if entity.type == "PERSON" and " " in norm:
            self._surnames.pop(surname_of(norm), None)
        return entity_id

    def _merge_in(self, entity_id: int, entity: Entity) -> None:
        """Add the article's spellings as aliases and fill attributes the global entity lacks."""
        known = self._entity(entity_id)
        for spelling in [entity.name, *entity.aliases]:
            norm = normalise(spelling)
            if norm and norm not in known.spellings:
                known.spellings.add(norm)
                self.conn.execute(
                    aliases.insert().values(entity_id=entity_id, alias=spelling, norm_alias=norm)
                )
                self.touched.add(entity_id)
        fill = {}
        if known.country is None and entity.country:
            fill["country"] = known.country = entity.country
            self.recount_countries.add(entity.country)
        if known.kind is None and entity.kind:
            fill["kind"] = known.kind = entity.kind
        if fill:
            self.conn.execute(entities.update().where(entities.c.id == entity_id).values(**fill))

    def _absorb_surname(self, entity_id: int, norm: str) -> None:
        """A full name that is now the only one with its surname takes over the surname-only entity."""
        surname = surname_of(norm)
        if len(self._full_names_with_surname(surname)) != 1:
            return
        alone = self._by_name("PERSON", [surname])
        if alone is None or alone == entity_id:
            return
        country, target = self._entity(alone).country, self._entity(entity_id).country
        if country and target and country != target:
            return
        self.merge(alone, entity_id)

    def _forget(self, entity_id: int) -> None:
        """Drop what is remembered of an entity merged away (names and surnames are looked up again)."""
        self._known.pop(entity_id, None)
        self._by_norm = {key: found for key, found in self._by_norm.items() if found != entity_id}
        self._surnames.clear()

    def merge(self, source_id: int, target_id: int) -> None:
        """Point everything at `source_id` to `target_id`, keep its spellings as aliases, delete it."""
        name = self.conn.execute(sa.select(entities.c.name).where(entities.c.id == source_id)).scalar_one()
        self.recount_countries |= {self._entity(i).country for i in (source_id, target_id)} - {None}
        spellings = [
            name,
            *self.conn.scalars(sa.select(aliases.c.alias).where(aliases.c.entity_id == source_id)),
        ]
        for table, column in (
            (article_entities, article_entities.c.entity_id),
            (mentions, mentions.c.entity_id),
            (event_arguments, event_arguments.c.entity_id),
            (events, events.c.location_entity_id),
            (claims, claims.c.claimant_entity_id),
        ):
            self.conn.execute(table.update().where(column == source_id).values({column.name: target_id}))
        self.conn.execute(role_history.delete().where(role_history.c.entity_id == source_id))
        self.conn.execute(aliases.delete().where(aliases.c.entity_id == source_id))
        self.conn.execute(entities.delete().where(entities.c.id == source_id))
        self.touched.discard(source_id)
        self.merged_into[source_id] = target_id
        self._forget(source_id)
        self._merge_in(target_id, Entity(name=name, type="PERSON", aliases=spellings[1:]))
        self.touched.add(target_id)


def _display_name(entity: Entity) -> str:
    """The global name: the article's own, or its Latin-script alias when the article wrote the name in
    another script ("夏巴兹·谢里夫" is stored as Shehbaz Sharif, with the Chinese as an alias)."""
    if _latin(entity.name):
        return entity.name
    latin = [a for a in entity.aliases if _latin(a) and " " in a]
    return max(latin, key=len) if latin else entity.name


def _latin(text: str) -> bool:
    return all(unicodedata.name(c, "").startswith("LATIN") for c in text if c.isalpha())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))

