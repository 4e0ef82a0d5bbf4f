"""GeoJSON (RFC 7946): a FeatureCollection of the events that have coordinates.

Each feature is a Point at `[lon, lat]` from the event's own `lat` and `lon` columns, with
the event row as its properties and the event id as its id. Events without both, or with a
value that is not a finite number in range, are left out and counted in `left_out`. How sure
a point is, is in its properties: `precision` (1 town … 4 country) and `placed_by` ("sentence"
for the event's own place, else the paragraph, dateline or article it was taken from).
"""

from __future__ import annotations

import json
import math
from typing import IO, Any

from beltwatch.export import EventRows, ExportResult


def point(row: dict[str, Any]) -> list[float] | None:
    """`[lon, lat]` when the row has valid coordinates, else None."""
    lat, lon = row.get("lat"), row.get("lon")
    if isinstance(lat, bool) or isinstance(lon, bool):
        return None
    try:
        lat, lon = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return [lon, lat]


def write(rows: EventRows, out: IO[bytes]) -> ExportResult:
    result = ExportResult("geojson")
    out.write(b'{"type": "FeatureCollection", "features": [')
    for row in rows:
        result.events += 1
        coordinates = point(row)
        if coordinates is None:
            result.left_out += 1
            continue
        feature = {
            "type": "Feature",
            "id": row["id"],
            "geometry": {"type": "Point", "coordinates": coordinates},
            "properties": row,
        }
        text = json.dumps(feature, ensure_ascii=False, allow_nan=False)
        out.write(((",\n" if result.written else "\n") + text).encode("utf-8"))
        result.written += 1
    out.write(b"\n]}\n")
    return result
