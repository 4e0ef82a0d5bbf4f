"""Build `web/static/countries-110m.json`, the offline basemap of the map page (run by hand, at build time).

Source: Natural Earth 1:110m Admin 0 countries, as the `naturalearth_lowres` shapefile that
the GeoPandas wheel ships up to version 0.14 (GeoPandas: BSD-3-Clause; Natural Earth: public
domain, "Made with Natural Earth", https://www.naturalearthdata.com/about/terms-of-use/).
Nothing is imported from GeoPandas: the shapefile is read from the wheel (a zip) with the
small reader below, so the script needs only the standard library:

    pip download --no-deps geopandas==0.14.4 -d wheels
    python -m beltwatch.web.make_basemap wheels/geopandas-0.14.4-py3-none-any.whl

Output: `{"source", "licence", "countries": [{"iso_a3", "name", "rings": [[[lon, lat], ...], ...]}]}`,
coordinates rounded to 0.01 degree (about 1 km; far below a pixel at the map's scale).
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).parent / "static" / "countries-110m.json"
MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
SOURCE = (
    "Natural Earth 1:110m Admin 0 - Countries (naturalearth_lowres as shipped in the geopandas 0.14.4 wheel)"
)
LICENCE = "Natural Earth: public domain (Made with Natural Earth). GeoPandas packaging: BSD-3-Clause."


def read_shapes(shp: bytes) -> list[list[list[tuple[float, float]]]]:
    """The rings of each record of a polygon shapefile (shape type 5; null shapes give no rings)."""
    out = []
    pos = 100
    while pos + 8 <= len(shp):
        _number, words = struct.unpack(">ii", shp[pos : pos + 8])
        content = shp[pos + 8 : pos + 8 + 2 * words]
        pos += 8 + 2 * words
        (shape_type,) = struct.unpack("<i", content[:4])
        if shape_type == 0:
            out.append([])
            continue
        if shape_type != 5:
            raise ValueError(f"shape type {shape_type} is not a polygon")
        n_parts, n_points = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", content[44 : 44 + 4 * n_parts]))
        start = 44 + 4 * n_parts
        coords = struct.unpack(f"<{2 * n_points}d", content[start : start + 16 * n_points])
        points = list(zip(coords[0::2], coords[1::2], strict=True))
        bounds = [*parts, n_points]
        out.append([points[bounds[i] : bounds[i + 1]] for i in range(n_parts)])
    return out


def read_dbf(dbf: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    """The records of a dBASE III table, every value as stripped text."""
    n_records, header_length, record_length = struct.unpack("<IHH", dbf[4:12])
    fields = []
    pos = 32
    while dbf[pos] != 0x0D:
        name = dbf[pos : pos + 11].split(b"\x00", 1)[0].decode("ascii")
        fields.append((name, dbf[pos + 16]))
        pos += 32
    out = []
    for i in range(n_records):
        record = dbf[header_length + i * record_length : header_length + (i + 1) * record_length]
        values, offset = {}, 1  # byte 0: deletion flag
        for name, length in fields:
            values[name] = record[offset : offset + length].decode(encoding, "replace").strip()
            offset += length
        out.append(values)
    return out


def build(source: Path) -> dict:
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            shp, dbf = wheel.read(MEMBER + ".shp"), wheel.read(MEMBER + ".dbf")
    else:
        shp, dbf = source.with_suffix(".shp").read_bytes(), source.with_suffix(".dbf").read_bytes()
    countries = []
    for rings, record in zip(read_shapes(shp), read_dbf(dbf), strict=True):
        cleaned = []
        for ring in rings:
            points: list[list[float]] = []
            for lon, lat in ring:
                point = [round(lon, 2), round(lat, 2)]
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) >= 4:
                cleaned.append(points)
        if cleaned:
            countries.append({"iso_a3": record.get("iso_a3"), "name": record.get("name"), "rings": cleaned})
    countries.sort(key=lambda c: c["name"] or "")
    return {"source": SOURCE, "licence": LICENCE, "countries": countries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the geopandas 0.14 wheel, or a .shp path")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = build(args.source)
    args.out.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(data['countries'])} countries written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
