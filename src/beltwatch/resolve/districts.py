"""Pakistan's districts along the corridor (`data/districts.yaml`) and the area an event falls in.

The assignment is an approximation stated in the data file: a district is a circle of `radius_km`
round its headquarters town, and an event placed to a town, site or district (precision 1-2) is in
the district whose headquarters is nearest, when within that district's radius. Anything else in
Pakistan is "rest of <province>" (a province-precision event too); an event placed only to a country
is "unlocated"; an event in another country is grouped under that country, so incidents elsewhere
on the Belt and Road stay in view instead of disappearing from the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
import yaml

from beltwatch.errors import KnowledgeError
from beltwatch.resolve.places import COUNTRY, DISTRICT, haversine_km

DISTRICTS_FILE = Path(__file__).parent / "data" / "districts.yaml"
PAKISTAN = "PK"
UNLOCATED = "unlocated"

# kinds of area, in the order a table lists them
KIND_DISTRICT, KIND_PROVINCE, KIND_COUNTRY, KIND_UNLOCATED = (
    "district",
    "rest of province",
    "country",
    UNLOCATED,
)
KIND_ORDER = (KIND_DISTRICT, KIND_PROVINCE, KIND_COUNTRY, KIND_UNLOCATED)


@dataclass(frozen=True)
class District:
    name: str
    province: str
    hq: str
    lat: float
    lon: float
    geonameid: int | None
    radius_km: float
    source: str


@dataclass(frozen=True)
class Area:
    """Where an incident is counted: a district, the rest of a province, a country, or unlocated."""

    name: str
    kind: str
    province: str | None  # of a district or the rest of a province
    country: str | None  # ISO 3166-1 alpha-2

    def to_json(self) -> dict[str, str | None]:
        return {"area": self.name, "kind": self.kind, "province": self.province, "country": self.country}


UNLOCATED_AREA = Area(UNLOCATED, KIND_UNLOCATED, None, None)
FIELDS = ("name", "province", "hq", "lat", "lon", "radius_km", "source")


@cache
def load_districts(path: Path = DISTRICTS_FILE) -> tuple[District, ...]:
    """The districts of the data file, checked: every field present, coordinates in range, names unique."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"cannot read districts: {exc}", source=path.name) from None
    out = []
    for number, entry in enumerate((data or {}).get("districts") or [], 1):
        missing = [f for f in FIELDS if not isinstance(entry, dict) or entry.get(f) in (None, "")]
        if missing:
            raise KnowledgeError(f"district {number}: missing {', '.join(missing)}", source=path.name)
        district = District(
            name=str(entry["name"]),
            province=str(entry["province"]),
            hq=str(entry["hq"]),
            lat=float(entry["lat"]),
            lon=float(entry["lon"]),
            geonameid=int(entry["geonameid"]) if entry.get("geonameid") is not None else None,
            radius_km=float(entry["radius_km"]),
            source=str(entry["source"]),
        )
        if not (-90 <= district.lat <= 90 and -180 <= district.lon <= 180 and district.radius_km > 0):
            raise KnowledgeError(f"{district.name}: coordinates or radius out of range", source=path.name)
        out.append(district)
    names = [d.name for d in out]
    if len(set(names)) != len(names):
        raise KnowledgeError("district names must be unique", source=path.name)
    return tuple(out)


def nearest_district(lat: float, lon: float) -> District | None:
    """The district whose headquarters is nearest to the point, if the point is within its radius."""
    district = min(load_districts(), key=lambda d: haversine_km((lat, lon), (d.lat, d.lon)))
    return district if haversine_km((lat, lon), (district.lat, district.lon)) <= district.radius_km else None


def area_of(
    lat: float | None, lon: float | None, precision: int | None, country: str | None, region: str | None
) -> Area:
    """The area an event placed at (lat, lon) with this precision, country and first-level region counts in."""
    if lat is None or lon is None or country is None or (precision or COUNTRY) >= COUNTRY:
        return UNLOCATED_AREA
    if country != PAKISTAN:
        return Area(country_name(country), KIND_COUNTRY, None, country)
    if precision is not None and precision <= DISTRICT:
        district = nearest_district(lat, lon)
        if district is not None:
            return Area(district.name, KIND_DISTRICT, district.province, PAKISTAN)
    if region:
        return Area(f"rest of {region}", KIND_PROVINCE, region, PAKISTAN)
    return Area(f"rest of {country_name(PAKISTAN)}", KIND_PROVINCE, None, PAKISTAN)


def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return getattr(found, "common_name", None) or (found.name if found else code)
