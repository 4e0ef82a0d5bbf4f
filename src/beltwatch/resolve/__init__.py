"""Resolution of extracted facts against reference data: places to coordinates, money to US dollars.

`resolve_extraction` is the stage between extract and stories: it gives every place entity and every
event it can place a `Geo` and its distances to the corridor's nearest alignment and project site
(`resolve.corridor`), every amount its value in US dollars at the publication date and in constant
2023 dollars, and every FINANCING event the same at the event's date.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from beltwatch.model import PLACE_TYPES, Amount, Entity, Event, Extraction, Geo, first_day
from beltwatch.resolve.corridor import corridor_distance
from beltwatch.resolve.money import check_stated, to_constant_usd, to_usd
from beltwatch.resolve.placement import PLACED_BY, fallback_place
from beltwatch.resolve.places import haversine_km, resolve_place

__all__ = [
    "PLACED_BY",
    "Geo",
    "check_stated",
    "corridor_distance",
    "haversine_km",
    "resolve_extraction",
    "resolve_place",
    "to_constant_usd",
    "to_usd",
]

STATED_TOLERANCE = 0.05  # a stated conversion further than this from the dated rate is flagged


def resolve_extraction(extraction: Extraction) -> Extraction:
    """Places and money of one article, resolved in place; returns the same record."""
    published = first_day(extraction.article.meta.published)  # rates of a month's or year's first day
    context = focus_countries(extraction.entities)
    resolved: list[Geo] = []
    for entity in extraction.entities:
        if entity.type in PLACE_TYPES:
            entity.geo = _resolve_entity(entity, context, resolved)
            if entity.geo is not None:
                resolved.append(entity.geo)
    places = {e.name: e for e in extraction.entities if e.geo is not None}
    for event in extraction.events:
        event.geo = _event_geo(event, places, context, resolved)
        event.placed_by = "sentence" if event.geo is not None else None
        if event.geo is None:
            event.geo, event.placed_by = fallback_place(event, extraction)
        event.corridor = corridor_distance(event.geo)
        if event.type == "FINANCING":
            _financing_in_usd(event, first_day(event.arguments.get("date")) or published)
    for amount in extraction.amounts:
        _amount_in_usd(amount, published)
    return extraction


def focus_countries(entities: list[Entity]) -> list[str]:
    """The article's countries, most mentioned first: they decide between places of the same name."""
    counts: Counter[str] = Counter()
    for entity in entities:
        if entity.country and entity.type in PLACE_TYPES:
            counts[entity.country] += len(entity.mentions)
    return [code for code, _ in counts.most_common()]


def _resolve_entity(entity: Entity, context: list[str], nearby: list[Geo]) -> Geo | None:
    countries = [entity.country, *context] if entity.country else context
    for name in (entity.name, *entity.aliases):
        geo = resolve_place(name, context_countries=countries, nearby=nearby)
        if geo is not None:
            return geo
    return None


def _event_geo(event: Event, places: dict[str, Entity], context: list[str], nearby: list[Geo]) -> Geo | None:
    name = event.arguments.get("location")
    if not isinstance(name, str):
        return None
    entity = places.get(name)
    if entity is not None:
        return entity.geo
    return resolve_place(name, context_countries=context, nearby=nearby)


def in_usd(value: float, currency: str, on: date | None) -> tuple[float | None, float | None]:
    """Nominal dollars at a date and constant 2023 dollars; (None, None) when no rate is known."""
    if on is None:
        return None, None
    usd = value if currency == "USD" else to_usd(value, currency, on)
    if usd is None:
        return None, None
    try:
        return usd, to_constant_usd(usd, on.year)
    except ValueError:
        return usd, None


def _amount_in_usd(amount: Amount, on: date | None) -> None:
    amount.usd, amount.usd_constant = in_usd(amount.value, amount.currency, on)
    if amount.usd_stated is not None and on is not None:
        gap = check_stated(amount.value, amount.currency, amount.usd_stated, on)
        amount.stated_disagrees = gap is not None and gap > STATED_TOLERANCE


def _financing_in_usd(event: Event, on: date | None) -> None:
    value, currency = event.arguments.get("value"), event.arguments.get("currency")
    if not isinstance(value, (int, float)) or not isinstance(currency, str):
        return
    usd, constant = in_usd(float(value), currency, on)
    if usd is not None:
        event.arguments["usd"] = round(usd)
        event.arguments["usd_constant"] = round(constant) if constant is not None else None
