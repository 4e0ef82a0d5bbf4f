"""The corridor: its alignments and project sites, and how far any point is from them.

Data, loaded once (`load_corridor` is cached):

* ``data/corridor_alignments.yaml``: each alignment (western, central and eastern CPEC routes, the
  Karakoram Highway, the ML-1 railway) as the towns it runs through, by name. The names are
  resolved through the gazetteer, so the coordinates are those of `resolve_place` and live in
  one place (GeoNames or ``corridor_sites.yaml``).
* ``data/corridor_sites.yaml``: the curated places that carry a ``kind`` (port, dam, power_plant,
  economic_zone, railway, ...) and a ``project`` are the project sites.

Distance to an alignment is to the nearest point of its segments, not to its nearest town: each
segment is projected onto a plane tangent at the query point (equirectangular: east-west degrees
scaled by the cosine of the point's latitude), the closest point of the segment found there, and
the great-circle distance to that closest point computed with `haversine_km`. Over the lengths of
these segments (at most a few hundred km) the projection's error is far below the error of
drawing a road as a straight line between towns (tens of km, see the data file), so a geometry
library (shapely, pyproj) would add a dependency without adding accuracy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

import yaml

from beltwatch.model import CorridorDistance, Geo
from beltwatch.resolve.places import DATA_DIR, haversine_km, resolve_place

ALIGNMENTS_FILE = DATA_DIR / "corridor_alignments.yaml"
SITES_FILE = DATA_DIR / "corridor_sites.yaml"
CORRIDOR_COUNTRIES = ("PK", "CN")  # the countries the alignments' town names are looked up in first
# A place known only to its country (precision 4) is not a point on the ground: no distance for it.
MAX_PRECISION = 3


@dataclass(frozen=True)
class Alignment:
    name: str
    project: str
    towns: tuple[Geo, ...]
    source: str


@dataclass(frozen=True)
class Site:
    name: str
    kind: str
    project: str
    near: str
    country: str
    precision: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Corridor:
    alignments: tuple[Alignment, ...]
    sites: tuple[Site, ...]


def _read(path: Path) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


@cache
def load_corridor() -> Corridor:
    """The alignments (their towns resolved) and the project sites; a town that does not resolve is a ValueError."""
    data = _read(ALIGNMENTS_FILE)
    alignments = tuple(
        Alignment(entry["name"], entry["project"], _towns(entry["name"], entry["through"]), entry["source"])
        for entry in data["alignments"]
    )
    sites = tuple(
        Site(
            s["name"],
            s["kind"],
            s["project"],
            s["near"],
            s["country"],
            int(s["precision"]),
            float(s["lat"]),
            float(s["lon"]),
        )
        for s in _read(SITES_FILE)["sites"]
        if "kind" in s
    )
    return Corridor(alignments, sites)


def _towns(line: str, names: list[str]) -> tuple[Geo, ...]:
    towns = []
    for name in names:
        geo = resolve_place(name, context_countries=CORRIDOR_COUNTRIES)
        if geo is None:
            raise ValueError(f"{ALIGNMENTS_FILE.name}: {line}: no place named {name!r}")
        towns.append(geo)
    return tuple(towns)


def _segment_km(point: tuple[float, float], a: Geo, b: Geo) -> float:
    """Distance from `point` (lat, lon) to the segment a-b, via the closest point found in a plane tangent at `point`."""
    lat, lon = point
    scale = math.cos(math.radians(lat))

    def plane(g: Geo) -> tuple[float, float]:
        east = (g.lon - lon + 180) % 360 - 180  # the short way round
        return east * scale, g.lat - lat

    (ax, ay), (bx, by) = plane(a), plane(b)
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else min(1.0, max(0.0, -(ax * dx + ay * dy) / length))
    closest = (a.lat + t * (b.lat - a.lat), a.lon + t * ((b.lon - a.lon + 180) % 360 - 180))
    return haversine_km(point, closest)


def alignment_km(point: tuple[float, float], alignment: Alignment) -> float:
    """Distance in km from a (lat, lon) point to the nearest point of an alignment."""
    towns = alignment.towns
    if len(towns) == 1:
        return haversine_km(point, towns[0])
    return min(_segment_km(point, a, b) for a, b in pairwise(towns))


def corridor_distance(geo: Geo | None) -> CorridorDistance | None:
    """The nearest alignment and project site of a place, with their distances; None for no place or a country."""
    if geo is None or geo.precision > MAX_PRECISION:
        return None
    corridor = load_corridor()
    point = (geo.lat, geo.lon)
    # ties (a town on several routes, a port and a free zone given by one town) to the alignment listed
    # first and to the more precisely placed site
    lines = [(round(alignment_km(point, a), 1), i) for i, a in enumerate(corridor.alignments)]
    line_km, line = min(lines)
    sites = [
        (round(haversine_km(point, (s.lat, s.lon)), 1), s.precision, i) for i, s in enumerate(corridor.sites)
    ]
    site_km, _, site = min(sites)
    return CorridorDistance(corridor.alignments[line].name, line_km, corridor.sites[site].name, site_km)
