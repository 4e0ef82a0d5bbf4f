"""Build `web/static/corridor.json`, the corridor as the dashboard map draws it, from the corridor data.

The data is `resolve/data/corridor_alignments.yaml` (routes as town names) and the project sites
of `resolve/data/corridor_sites.yaml`, read through `resolve.corridor.load_corridor`, so the map and
the distances stored for events use the same coordinates. Run it after changing either file
(`tests/test_corridor.py` fails while the JSON is stale):

    python -m beltwatch.web.make_corridor

Output: `{"name", "note", "alignments": [{"name", "project", "points"}], "sites": [{"name", "kind",
"project", "lat", "lon", "precision"}]}`, each point `{"name", "place_id", "lat", "lon"}`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from beltwatch.model import Geo
from beltwatch.resolve.corridor import load_corridor

OUT = Path(__file__).parent / "static" / "corridor.json"
NAME = "China-Pakistan Economic Corridor"
NOTE = (
    "Generated from resolve/data/corridor_alignments.yaml and corridor_sites.yaml by"
    " python -m beltwatch.web.make_corridor; do not edit. Routes are drawn as straight segments"
    " between their towns, not along the roads."
)


def _point(geo: Geo) -> dict[str, Any]:
    return {"name": geo.name, "place_id": geo.place_id, "lat": round(geo.lat, 5), "lon": round(geo.lon, 5)}


def build() -> dict[str, Any]:
    corridor = load_corridor()
    return {
        "name": NAME,
        "note": NOTE,
        "alignments": [
            {"name": a.name, "project": a.project, "points": [_point(g) for g in a.towns]}
            for a in corridor.alignments
        ],
        "sites": [
            {
                "name": s.name,
                "kind": s.kind,
                "project": s.project,
                "lat": round(s.lat, 5),
                "lon": round(s.lon, 5),
                "precision": s.precision,
            }
            for s in corridor.sites
        ],
    }


def render() -> str:
    return json.dumps(build(), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.write_text(render(), encoding="utf-8")
    print(f"corridor written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
