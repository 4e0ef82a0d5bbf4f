"""The briefing's charts, drawn with matplotlib (no display: `Figure` objects, never pyplot) and returned
as `data:image/svg+xml;base64,...` URIs for an <img>: vector in the PDF, and text taken from articles
(places, lenders, speakers) sits inside an image, where a browser never runs or parses it as the page's
markup."""

from __future__ import annotations

import base64
import io
import math
import warnings
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.path import Path

from beltwatch.web import render

INCIDENT_COLOUR = render.TYPE_COLOURS["ATTACK"]
INJURED_COLOUR = render.TYPE_COLOURS["SECURITY_MEASURE"]
BAR_COLOUR = render.TYPE_COLOURS["FINANCING"]
STATEMENT_COLOUR = render.TYPE_COLOURS["MEETING"]
MAX_BARS = 12
PT_PER_PX = 0.55  # the routes' widths and dashes are given in dashboard pixels; the figure is ~6.5 in wide


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # a name in a script the bundled font lacks is drawn as boxes; the tables carry the full text
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _empty(figure: Figure, message: str) -> str:
    figure.text(0.5, 0.5, message, ha="center", va="center", color="#666666")
    return _data_uri(figure)


def incident_map(incidents: list[dict[str, Any]]) -> str:
    return _data_uri(incident_figure(incidents))


def incident_figure(incidents: list[dict[str, Any]]) -> Figure:
    """Natural Earth outlines, the corridor's routes and project sites, and each located incident on
    top as a circle sized by casualties."""
    located = [i for i in incidents if i.get("lat") is not None and i.get("lon") is not None]
    view = render.view_for([(i["lon"], i["lat"]) for i in located], "all")
    figure = Figure(figsize=(6.5, min(6.5 * view.height / view.width, 7.0)))
    axes = figure.add_subplot()
    axes.set_facecolor("#eef3f7")
    rings = [ring for country in render.basemap() for ring in country["rings"] if _in_view(ring, view)]
    axes.add_collection(PolyCollection(rings, facecolors="#fbfaf6", edgecolors="#8a8a8a", linewidths=0.6))
    _draw_corridor(axes)
    if located:
        sizes = [30 + 25 * math.sqrt((i.get("killed") or 0) + (i.get("injured") or 0)) for i in located]
        axes.scatter(
            [i["lon"] for i in located],
            [i["lat"] for i in located],
            s=sizes,
            color=INCIDENT_COLOUR,
            alpha=0.75,
            edgecolors="#5a1f00",
            linewidths=0.6,
            zorder=4,
            label="incident (area: killed + injured)",
        )
    axes.set_xlim(view.west, view.east)
    axes.set_ylim(view.south, view.north)
    axes.set_aspect(1 / max(math.cos(math.radians((view.south + view.north) / 2)), 0.2))
    axes.tick_params(labelsize=7)
    axes.legend(loc="lower right", fontsize=6)
    axes.set_title(f"Incidents: {len(located)} located of {len(incidents)}", fontsize=10)
    return figure


def _draw_corridor(axes: Axes) -> None:
    """The routes in the dashboard map's styles, each named in the legend; the project sites by kind
    under one legend entry, unlabelled on the map; the towns where the routes end, labelled."""
    for i, alignment in enumerate(render.corridor()["alignments"]):
        style = render.route_style(i)
        axes.plot(
            [p["lon"] for p in alignment["points"]],
            [p["lat"] for p in alignment["points"]],
            color=style.colour,
            linewidth=style.width * PT_PER_PX,
            linestyle=(0, tuple(d * PT_PER_PX for d in style.dashes)) if style.dashes else "solid",
            dash_capstyle="butt",
            solid_joinstyle="round",
            zorder=2,
            label=alignment["name"],
        )
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for site in render.corridor()["sites"]:
        by_kind.setdefault(site["kind"], []).append(site)
    for n, (kind, sites) in enumerate(sorted(by_kind.items())):
        axes.scatter(
            [s["lon"] for s in sites],
            [s["lat"] for s in sites],
            s=14,
            marker=_marker(render.site_shape(kind)),
            facecolors="white",
            edgecolors="#333333",
            linewidths=0.6,
            zorder=3,
            label="project sites" if n == 0 else "_nolegend_",
        )
    for town in render.route_ends():
        axes.annotate(
            town["name"], (town["lon"], town["lat"]), fontsize=6, xytext=(3, 2), textcoords="offset points"
        )


def _marker(shape: tuple[tuple[float, float], ...]) -> Path:
    corners = [(x, -y) for x, y in shape]  # the shapes are drawn for SVG, where y grows downwards
    return Path([*corners, corners[0]], closed=True)  # the last vertex only closes the polygon


def _in_view(ring: list[list[float]], view: render.View, margin: float = 5) -> bool:
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return not (
        max(lons) < view.west - margin
        or min(lons) > view.east + margin
        or max(lats) < view.south - margin
        or min(lats) > view.north + margin
    )


def months_between(since: date, until: date) -> list[str]:
    months, year, month = [], since.year, since.month
    while (year, month) <= (until.year, until.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def casualties_by_month(incidents: list[dict[str, Any]], since: date, until: date) -> str:
    """Killed and injured per month of the period, stacked; every month shown, quiet ones too."""
    months = months_between(since, until)
    killed: Counter[str] = Counter()
    injured: Counter[str] = Counter()
    for i in incidents:
        killed[i["day"][:7]] += i.get("killed") or 0
        injured[i["day"][:7]] += i.get("injured") or 0
    figure = Figure(figsize=(7.5, 2.8))
    axes = figure.add_subplot()
    x = range(len(months))
    axes.bar(x, [killed[m] for m in months], color=INCIDENT_COLOUR, label="killed")
    axes.bar(
        x,
        [injured[m] for m in months],
        bottom=[killed[m] for m in months],
        color=INJURED_COLOUR,
        label="injured",
    )
    step = max(1, len(months) // 12)
    axes.set_xticks(list(x)[::step], months[::step], rotation=45, ha="right", fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(fontsize=7)
    axes.set_title("Casualties by month (lowest figure stated as fact)", fontsize=10)
    return _data_uri(figure)


def horizontal_bars(rows: Iterable[tuple[str, float]], *, title: str, colour: str, fmt=render.number) -> str:
    """One bar per (label, value), largest first, at most MAX_BARS."""
    rows = sorted(rows, key=lambda kv: -kv[1])[:MAX_BARS]
    figure = Figure(figsize=(7.5, 0.5 + 0.32 * max(len(rows), 2)))
    if not rows:
        return _empty(figure, f"{title}: nothing in this period")
    axes = figure.add_subplot()
    labels = [label if len(label) <= 40 else label[:39] + "…" for label, _ in rows]
    values = [value for _, value in rows]
    bars = axes.barh(range(len(rows)), values, color=colour)
    axes.bar_label(bars, labels=[fmt(v) for v in values], fontsize=7, padding=3)
    axes.set_yticks(range(len(rows)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xticks([])
    axes.set_xlim(0, max(values) * 1.25 or 1)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, fontsize=10)
    return _data_uri(figure)
