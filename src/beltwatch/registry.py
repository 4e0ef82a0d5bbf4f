"""A project as the faces show it: its record and every fact behind it (`store.projects`), with the
incidents near its site, one per happening however many articles report it (`beltwatch.risk`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from beltwatch.resolve.places import haversine_km
from beltwatch.risk import incidents
from beltwatch.store.projects import project_detail

# incidents this close to a project's site are shown with it (the 2024 Besham attack on a convoy bound
# for Dasu was 55 km from the dam)
NEARBY_KM = 75.0
# a site known only to its province or country is no point to measure from
MAX_PRECISION = 3


def project_view(conn: Connection, project_id: int) -> dict[str, Any] | None:
    """`store.projects.project_detail` with `incidents`: those within NEARBY_KM of its site, oldest first."""
    found = project_detail(conn, project_id)
    if found is None:
        return None
    placed = found["lat"] is not None and (found["precision"] or 4) <= MAX_PRECISION
    found["incidents"] = nearby_incidents(conn, found["lat"], found["lon"]) if placed else []
    return found


def nearby_incidents(conn: Connection, lat: float, lon: float) -> list[dict[str, Any]]:
    near = []
    for incident in incidents(conn, date.min, date.max):
        shown = incident.to_json()
        if shown["lat"] is None or shown["lon"] is None:
            continue
        km = haversine_km((lat, lon), (shown["lat"], shown["lon"]))
        if km <= NEARBY_KM:
            first = shown["reports"][0]
            near.append({**shown, "km": round(km, 1), "event": first["event"], "article": first["article"]})
    return near
