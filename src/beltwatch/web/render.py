"""HTML and SVG built in Python for the pages: highlighted article text, the map, the charts.

Everything here returns `markupsafe.Markup` built with `Markup.format` / `escape`: every piece
of text that comes from an article, a feed or a user is escaped, segment by segment; only the
markup written here is trusted. Numbers are formatted by Python before they reach an attribute.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from beltwatch.model import EVENT_TYPES

STATIC = Path(__file__).parent / "static"
# Okabe-Ito colours (told apart with colour-blindness), one per event type
TYPE_COLOURS = {
    "MEETING": "#0072B2",
    "FINANCING": "#009E73",
    "PROJECT": "#56B4E9",
    "AGREEMENT": "#CC79A7",
    "ATTACK": "#D55E00",
    "SECURITY_MEASURE": "#E69F00",
    "STATEMENT": "#7f7f7f",
    "PROTEST": "#B8A800",
}


def colour(type_: str) -> str:
    return TYPE_COLOURS.get(type_, "#333333")


def money(value: float | None) -> str:
    """$1.2bn, $350m, $12,000."""
    if value is None:
        return "—"
    if abs(value) >= 1e9:
        return f"${value / 1e9:,.1f}bn"
    if abs(value) >= 1e6:
        return f"${value / 1e6:,.0f}m"
    return f"${value:,.0f}"


def number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value) if value is not None else ""
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)


# --- article text with its facts highlighted ----------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    css: str  # class names (fixed strings chosen here)
    label: str  # what the fact is (article-derived: escaped when rendered)


def highlight(text: str, spans: list[Span]) -> Markup:
    """`text` with every span wrapped: the text is cut at every span boundary and each piece escaped.

    Overlapping and nested spans are fine: a piece inside several spans gets all their classes
    and labels. The article text itself is never marked safe.
    """
    length = len(text)
    valid = [s for s in spans if 0 <= s.start < s.end <= length]
    cuts = sorted({0, length, *(s.start for s in valid), *(s.end for s in valid)})
    starts: dict[int, list[Span]] = defaultdict(list)
    for s in valid:
        starts[s.start].append(s)
    active: list[Span] = []
    out: list[Markup] = []
    for a, b in itertools.pairwise(cuts):
        active = [s for s in active if s.end > a] + starts.get(a, [])
        piece = text[a:b]
        if not active:
            out.append(escape(piece))
            continue
        classes = " ".join(sorted({c for s in active for c in s.css.split()}))
        labels = "; ".join(dict.fromkeys(s.label for s in active))
        out.append(Markup('<span class="{}" title="{}">{}</span>').format(classes, labels, piece))
    return Markup("").join(out)


def snippet_html(snippet: str, highlights: list[list[int]]) -> Markup:
    return highlight(snippet, [Span(a, b, "hit", "match") for a, b in highlights])


# --- bar charts --------------------------------------------------------------------------------------


def bar_chart(rows: list[tuple[str, float]], *, title: str, width: int = 640, fmt=money) -> Markup:
    """A horizontal bar chart: one bar per (label, value), labels and values as text."""
    if not rows:
        return Markup('<p class="empty">Nothing to chart yet.</p>')
    bar_h, gap, label_w, value_w = 22, 6, 220, 90
    height = len(rows) * (bar_h + gap) + gap
    top = max(v for _, v in rows) or 1.0
    inner = width - label_w - value_w - 10
    parts = [
        Markup(
            '<svg class="chart bars" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
            ' xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
        ).format(w=width, h=height, t=title)
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1.0, inner * value / top)
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            Markup(
                '<g class="bar"><title>{full}: {v}</title>'
                '<text class="label" x="{lx}" y="{ty}" text-anchor="end">{short}</text>'
                '<rect x="{x}" y="{y}" width="{bw}" height="{bh}" fill="#009E73"></rect>'
                '<text class="value" x="{vx}" y="{ty}">{v}</text></g>'
            ).format(
                full=label,
                v=fmt(value),
                lx=label_w - 8,
                ty=f"{y + bar_h * 0.7:.1f}",
                short=short,
                x=label_w,
                y=y,
                bw=f"{w:.1f}",
                bh=bar_h,
                vx=f"{label_w + w + 6:.1f}",
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def timeline_chart(data: dict[str, Any]) -> Markup:
    """Events per month, stacked by type, with a legend."""
    months: list[str] = data["months"]
    if not months:
        return Markup('<p class="empty">No dated events yet.</p>')
    types = [t for t in EVENT_TYPES if any(data["counts"][m].get(t) for m in months)]
    col, left, top_pad, bottom = 14, 40, 10, 40
    width = max(640, left + len(months) * col + 20)
    plot_h = 220
    height = top_pad + plot_h + bottom
    peak = max(sum(data["counts"][m].values()) for m in months) or 1
    parts = [
        Markup(
            '<svg class="chart timeline" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
            ' xmlns="http://www.w3.org/2000/svg"><title>Events per month by type</title>'
        ).format(w=width, h=height)
    ]
    for tick in sorted({0, peak // 2, peak}):
        y = top_pad + plot_h - plot_h * tick / peak
        parts.append(
            Markup(
                '<line class="grid" x1="{l}" x2="{r}" y1="{y}" y2="{y}"></line>'
                '<text class="axis" x="{tx}" y="{ty}" text-anchor="end">{n}</text>'
            ).format(l=left, r=width - 10, y=f"{y:.1f}", tx=left - 4, ty=f"{y + 4:.1f}", n=tick)
        )
    for i, month in enumerate(months):
        x = left + i * col
        y = top_pad + plot_h
        for type_ in types:
            n = data["counts"][month].get(type_, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                Markup(
                    '<rect class="seg" data-type="{t}" x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}">'
                    "<title>{m}: {n} {t}</title></rect>"
                ).format(
                    t=type_, x=x + 1, y=f"{y:.1f}", w=col - 2, h=f"{h:.1f}", c=colour(type_), m=month, n=n
                )
            )
        if month.endswith("-01") or i == 0:
            parts.append(
                Markup('<text class="axis" x="{x}" y="{y}">{label}</text>').format(
                    x=x, y=top_pad + plot_h + 16, label=month[:4] if month.endswith("-01") else month
                )
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def legend(types: list[str]) -> Markup:
    items = [
        Markup(
            '<li><label><input type="checkbox" class="type-toggle" value="{t}" checked>'
            '<svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" fill="{c}"></circle></svg>'
            " {name}</label></li>"
        ).format(t=t, c=colour(t), name=t.replace("_", " ").lower())
        for t in types
    ]
    return Markup('<ul class="legend">{}</ul>').format(Markup("").join(items))


# --- the map -----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def basemap() -> list[dict[str, Any]]:
    return json.loads((STATIC / "countries-110m.json").read_text(encoding="utf-8"))["countries"]


@lru_cache(maxsize=1)
def corridor() -> dict[str, Any]:
    """`static/corridor.json`: the corridor's alignments (each with its towns) and project sites."""
    return json.loads((STATIC / "corridor.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RouteStyle:
    colour: str
    width: float  # in SVG pixels
    dashes: tuple[float, ...]  # dash, gap, ... in SVG pixels; () for a solid line


# One per alignment, in the order of corridor_alignments.yaml (cycled if more are added). Colours
# none of the event types use; the dash patterns keep the routes apart in grey print, and where
# they share towns a thinner patterned line drawn later stays visible on a wider one.
ROUTE_STYLES = (
    RouteStyle("#1b2a49", 2.4, ()),
    RouteStyle("#6a3d9a", 2.2, (8, 4)),
    RouteStyle("#35978f", 3.4, ()),
    RouteStyle("#8c510a", 2.4, (2, 3)),
    RouteStyle("#222222", 1.6, (9, 3, 2, 3)),
)


def route_style(index: int) -> RouteStyle:
    return ROUTE_STYLES[index % len(ROUTE_STYLES)]


def _shape(corners: int, turn: float = 0, inner: float | None = None) -> tuple[tuple[float, float], ...]:
    """A regular polygon (or a star, with `inner` the radius of its inner corners) of radius 1
    around (0, 0), its first corner `turn` degrees clockwise from the top; y grows downwards."""
    radii = (1.0,) if inner is None else (1.0, inner)
    steps = corners * len(radii)
    return tuple(
        (
            round(radii[k % len(radii)] * math.sin(math.radians(turn + 360 * k / steps)), 3),
            round(-radii[k % len(radii)] * math.cos(math.radians(turn + 360 * k / steps)), 3),
        )
        for k in range(steps)
    )


# The marker of a project site, by its kind (corridor_sites.yaml); circles are left to the events.
SITE_SHAPES = {
    "port": _shape(4, 45),
    "airport": _shape(3),
    "dam": _shape(3, 180),
    "power_plant": _shape(4),
    "economic_zone": _shape(6),
    "railway": _shape(4, 0, inner=0.38),
    "road": _shape(4, 45, inner=0.38),
    "mine": _shape(5, 0, inner=0.45),
    "camp": _shape(5),
}
OTHER_SITE = _shape(8, 22.5)


def site_shape(kind: str) -> tuple[tuple[float, float], ...]:
    return SITE_SHAPES.get(kind, OTHER_SITE)


MIN_LABEL_SCALE = 10  # pixels per degree: on a smaller scale (the world) the town labels run together


def route_ends() -> list[dict[str, Any]]:
    """The towns where the alignments start or end, once each: the towns the maps label."""
    ends = {}
    for alignment in corridor()["alignments"]:
        for town in (alignment["points"][0], alignment["points"][-1]):
            ends.setdefault(town["name"], town)
    return list(ends.values())


@dataclass(frozen=True)
class View:
    """An equirectangular projection of a lon/lat box onto an SVG of `width` pixels."""

    west: float
    south: float
    east: float
    north: float
    width: int = 960

    @property
    def scale(self) -> float:
        return self.width / (self.east - self.west)

    @property
    def height(self) -> int:
        mid = math.radians((self.south + self.north) / 2)
        return round((self.north - self.south) * self.scale / max(math.cos(mid), 0.2))

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        mid = math.radians((self.south + self.north) / 2)
        ky = self.scale / max(math.cos(mid), 0.2)
        return (lon - self.west) * self.scale, (self.north - lat) * ky


CORRIDOR_VIEW = (58.0, 20.0, 82.0, 42.0)
WORLD_VIEW = (-180.0, -60.0, 180.0, 80.0)
AROUND_DEGREES = 2.0  # the margin of an "around" view: a project's site and what happened near it


def view_for(points: list[tuple[float, float]], which: str) -> View:
    if which == "world" or (which == "around" and not points):
        return View(*WORLD_VIEW)
    if which == "around":
        lons, lats = [lon for lon, _ in points], [lat for _, lat in points]
        west, east = min(lons) - AROUND_DEGREES, max(lons) + AROUND_DEGREES
        south, north = min(lats) - AROUND_DEGREES, max(lats) + AROUND_DEGREES
        return View(max(west, -180), max(south, -85), min(east, 180), min(north, 85))
    west, south, east, north = CORRIDOR_VIEW
    if which != "corridor" and points:
        west = min([west, *(lon for lon, _ in points)]) - 3
        east = max([east, *(lon for lon, _ in points)]) + 3
        south = min([south, *(lat for _, lat in points)]) - 3
        north = max([north, *(lat for _, lat in points)]) + 3
    return View(max(west, -180), max(south, -85), min(east, 180), min(north, 85))


@lru_cache(maxsize=16)
def _country_paths(view: View) -> Markup:
    out = []
    margin = 5
    for country in basemap():
        rings = country["rings"]
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        if (
            max(lons) < view.west - margin
            or min(lons) > view.east + margin
            or max(lats) < view.south - margin
            or min(lats) > view.north + margin
        ):
            continue
        d = []
        for ring in rings:
            coords = [view.xy(lon, lat) for lon, lat in ring]
            d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z")
        out.append(
            Markup('<path class="country" d="{d}"><title>{name}</title></path>').format(
                d="".join(d), name=country["name"] or ""
            )
        )
    return Markup("").join(out)


def _polygon(shape: tuple[tuple[float, float], ...], x: float, y: float, r: float) -> str:
    return " ".join(f"{x + r * dx:.1f},{y + r * dy:.1f}" for dx, dy in shape)


def _dasharray(style: RouteStyle) -> str:
    return " ".join(f"{d:g}" for d in style.dashes) or "none"


def _routes(view: View) -> Markup:
    out = []
    for i, alignment in enumerate(corridor()["alignments"]):
        style = route_style(i)
        xy = [view.xy(p["lon"], p["lat"]) for p in alignment["points"]]
        out.append(
            Markup(
                '<path class="route" d="{d}" stroke="{c}" stroke-width="{w}" stroke-dasharray="{dash}">'
                "<title>{name}: {towns}</title></path>"
            ).format(
                d="M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy),
                c=style.colour,
                w=f"{style.width:g}",
                dash=_dasharray(style),
                name=alignment["name"],
                towns=" – ".join(p["name"] for p in alignment["points"]),
            )
        )
    for town in route_ends() if view.scale >= MIN_LABEL_SCALE else []:
        x, y = view.xy(town["lon"], town["lat"])
        out.append(
            Markup(
                '<g class="anchor"><rect x="{x}" y="{y}" width="6" height="6"></rect>'
                '<text x="{tx}" y="{ty}">{name}</text></g>'
            ).format(
                x=f"{x - 3:.1f}", y=f"{y - 3:.1f}", tx=f"{x + 6:.1f}", ty=f"{y - 4:.1f}", name=town["name"]
            )
        )
    return Markup("").join(out)


def _in(view: View, lon: float, lat: float) -> bool:
    return view.west <= lon <= view.east and view.south <= lat <= view.north


def _sites(view: View) -> Markup:
    return Markup("").join(
        Markup(
            '<polygon class="site" data-kind="{kind}" points="{pts}"><title>{name} ({what}, {project})</title></polygon>'
        ).format(
            kind=s["kind"],
            pts=_polygon(site_shape(s["kind"]), *view.xy(s["lon"], s["lat"]), 4.5),
            name=s["name"],
            what=s["kind"].replace("_", " "),
            project=s["project"],
        )
        for s in corridor()["sites"]
        if _in(view, s["lon"], s["lat"])
    )


def _map_legend(view: View) -> Markup:
    """The routes and the kinds of project site in view, in a box in the map's lower left corner."""
    row = 17
    routes = [(a["name"], route_style(i)) for i, a in enumerate(corridor()["alignments"])]
    kinds = sorted({s["kind"] for s in corridor()["sites"] if _in(view, s["lon"], s["lat"])})
    kind_rows = math.ceil(len(kinds) / 2)
    height = row * (len(routes) + kind_rows + (1 if kinds else 0)) + 10
    top = view.height - height - 8
    out = [
        Markup('<g class="map-legend"><rect x="8" y="{y}" width="250" height="{h}"></rect>').format(
            y=top, h=height
        )
    ]
    for n, (name, style) in enumerate(routes):
        y = top + 14 + n * row
        out.append(
            Markup(
                '<path d="M16,{y}L52,{y}" stroke="{c}" stroke-width="{w}" stroke-dasharray="{dash}">'
                '</path><text x="60" y="{ty}">{name}</text>'
            ).format(
                y=f"{y - 4}", c=style.colour, w=f"{style.width:g}", dash=_dasharray(style), ty=y, name=name
            )
        )
    if kinds:
        y = top + 14 + len(routes) * row
        out.append(Markup('<text x="16" y="{y}">Project sites:</text>').format(y=y))
        for n, kind in enumerate(kinds):
            x, ky = 22 + 120 * (n % 2), y + row * (1 + n // 2)
            out.append(
                Markup('<polygon points="{pts}"></polygon><text x="{tx}" y="{ty}">{name}</text>').format(
                    pts=_polygon(site_shape(kind), x, ky - 4, 4.5),
                    tx=x + 10,
                    ty=ky,
                    name=kind.replace("_", " "),
                )
            )
    out.append(Markup("</g>"))
    return Markup("").join(out)


def event_map(points: list[dict[str, Any]], which: str = "all") -> Markup:
    """The SVG map: country outlines, the corridor's routes and project sites with a legend, and one
    circle per place and event type on top.

    `points`: dicts with lat, lon, type, label (text), href (a local path), approximate (bool).
    """
    view = view_for([(p["lon"], p["lat"]) for p in points], which)
    parts = [
        Markup(
            '<svg id="event-map" class="map" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
            ' xmlns="http://www.w3.org/2000/svg"><title>Events on the map</title>'
            '<defs><clipPath id="map-clip"><rect width="{w}" height="{h}"></rect></clipPath></defs>'
            '<rect class="sea" width="{w}" height="{h}"></rect><g clip-path="url(#map-clip)">'
        ).format(w=view.width, h=view.height),
        _country_paths(view),
        _routes(view),
        _sites(view),
        _map_legend(view),
    ]
    groups: dict[tuple[float, float, str], list[dict[str, Any]]] = defaultdict(list)
    for p in points:
        groups[(round(p["lat"], 3), round(p["lon"], 3), p["type"])].append(p)
    offsets = {t: i for i, t in enumerate(EVENT_TYPES)}
    for (lat, lon, type_), members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        x, y = view.xy(lon, lat)
        # events of different types at one place: a small ring of offsets so each stays visible
        angle = 2 * math.pi * offsets.get(type_, 0) / len(EVENT_TYPES)
        x, y = x + 5 * math.cos(angle), y + 5 * math.sin(angle)
        r = 4 + 2 * math.sqrt(len(members) - 1)
        labels = "\n".join(m["label"] for m in members[:12]) + (
            f"\n… and {len(members) - 12} more" if len(members) > 12 else ""
        )
        approximate = " approximate" if any(m.get("approximate") for m in members) else ""
        parts.append(
            Markup(
                '<a href="{href}" class="pt{approx}" data-type="{t}" data-count="{n}">'
                '<circle cx="{x}" cy="{y}" r="{r}" fill="{c}"></circle><title>{labels}</title></a>'
            ).format(
                href=members[0]["href"],
                approx=approximate,
                t=type_,
                n=len(members),
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                r=f"{r:.1f}",
                c=colour(type_),
                labels=labels,
            )
        )
    parts.append(Markup("</g></svg>"))
    return Markup("").join(parts)
