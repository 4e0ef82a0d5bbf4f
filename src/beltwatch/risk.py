"""Security incidents along the corridor: one incident per happening, counted per district over a rolling
window and set against the window before it. Used by `beltwatch risk`, `GET /api/risk`, the `/risk` page
and the briefings (`beltwatch report`).

- An incident is an ATTACK. SECURITY_MEASURE (cordons, advisories, suspended works) and PROTEST
  (condemnations) are responses to incidents; counting them would count one attack several times.
- One happening is one incident, however many articles report it: reports are merged when their dates
  overlap (two days' slack, as stories merge reports) and they are in one story at one place, or, across
  stories, both are placed to a town, site or district within `SAME_PLACE_KM` of each other (an article
  recalling an old attack is a report of that attack, not a new one).
- An incident's date and place are those of its most precise report. Casualties are the lowest figure a
  report states as fact, the conservative reading conflict-event datasets use; when reports differ the
  incident says so (`figures`), and claims (a group's or an official's own figures) are listed apart,
  never counted.
- An undated report counts at its article's publication date. Analysts' corrections apply: events marked
  wrong are left out, edited figures replace the extracted ones.
- Each incident is counted in an area (`resolve.districts.area_of`): a district along the corridor, the
  rest of a province, another country, or "unlocated" (placed to a country only, or not at all).
"""

from __future__ import annotations

import gc
import json
import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property, lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from beltwatch.errors import UsageError
from beltwatch.resolve.districts import KIND_ORDER, UNLOCATED_AREA, Area, area_of
from beltwatch.resolve.places import DISTRICT, haversine_km, place_by_id
from beltwatch.store.changes import stamp
from beltwatch.store.queries import EventFilter, list_events
from beltwatch.store.reads import happening_figures, latest_event_day, lowest_stated

INCIDENT_TYPE = "ATTACK"
SAME_PLACE_KM = 25.0
SLACK_DAYS = 2
FIGURES = ("killed", "injured")
TRENDS = {"new": "★", "rising": "↑", "falling": "↓", "steady": "→"}


@dataclass
class Report:
    """One article's account of an incident, as stored (corrections applied)."""

    event: dict[str, Any]
    start: date
    end: date
    lat: float | None
    lon: float | None
    precision: int | None
    country: str | None
    region: str | None
    # what the merge compares, read once: each report is compared with several incidents
    first_day: int = field(init=False)  # the span as day numbers
    last_day: int = field(init=False)
    story: str | None = field(init=False)
    precise: bool = field(init=False)  # placed to a town, site or district

    def __post_init__(self) -> None:
        self.first_day, self.last_day = self.start.toordinal(), self.end.toordinal()
        self.story = self.event.get("story")
        self.precise = self.precision is not None and self.precision <= DISTRICT

    @cached_property
    def figures(self) -> dict[str, Any]:
        """What `happening_figures` reads of a report: its arguments and its article."""
        return {**self.event["arguments"], "article": self.event["article"]}

    def figure(self, name: str) -> int | float | None:
        return lowest_stated([self.event["arguments"].get(name)])

    def near(self, other: Report) -> bool:
        if None in (self.lat, self.lon, other.lat, other.lon):
            return False
        return _within_same_place(self.lat, self.lon, other.lat, other.lon)  # type: ignore[arg-type]

    @property
    def claims(self) -> list[dict[str, Any]]:
        return [c for c in self.event["arguments"].get("claims") or [] if isinstance(c, dict)]

    def to_json(self) -> dict[str, Any]:
        e = self.event
        return {
            "event": e["id"],
            "article": e["article"],
            "source": e.get("source"),
            "title": e.get("title"),
            "url": e.get("url"),
            "published": e.get("published"),
            "date": e.get("date"),
            "location": e.get("location"),
            "killed": self.figure("killed"),
            "injured": self.figure("injured"),
            "claimed_by": e["arguments"].get("claimed_by"),
            "claims": self.claims,
        }


@lru_cache(maxsize=1 << 16)
def _within_same_place(lat: float, lon: float, other_lat: float, other_lon: float) -> bool:
    # reports come from a few thousand places: most pairs compared have been compared before
    return haversine_km((lat, lon), (other_lat, other_lon)) <= SAME_PLACE_KM


@dataclass
class Incident:
    """One happening and every report of it; the first report is the most precisely dated."""

    reports: list[Report] = field(default_factory=list)
    area: Area = UNLOCATED_AREA

    @property
    def first(self) -> Report:
        return self.reports[0]

    @property
    def day(self) -> date:
        return self.first.start

    @property
    def placed(self) -> Report:
        """The most precisely placed report."""
        return min(self.reports, key=lambda r: r.precision if r.precision is not None else 99)

    def same_happening(self, report: Report) -> bool:
        seed = self.first
        if report.first_day - SLACK_DAYS > seed.last_day or report.last_day + SLACK_DAYS < seed.first_day:
            return False
        if report.story is not None and report.story == seed.story:
            return report.lat is None or seed.lat is None or report.near(seed)
        return report.precise and seed.precise and report.near(seed)

    def figure(self, name: str) -> dict[str, Any]:
        """The lowest figure stated as fact, and every differing figure, each with its reports."""
        found = happening_figures([r.figures for r in self.reports], name)
        return {key: found[key] for key in ("value", "basis", "stated")}

    def casualties(self) -> dict[str, int | float | None]:
        """The figures an area's totals add up, without the rest of `to_json`."""
        return {name: lowest_stated(r.event["arguments"].get(name) for r in self.reports) for name in FIGURES}

    def claims(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for r in self.reports:
            for claim in r.claims:
                plain = {k: v for k, v in claim.items() if k != "article"}
                if plain not in out:
                    out.append(plain)
        return out

    def to_json(self) -> dict[str, Any]:
        figures = {name: self.figure(name) for name in FIGURES}
        claimed_by = sorted(
            {
                str(r.event["arguments"]["claimed_by"])
                for r in self.reports
                if r.event["arguments"].get("claimed_by")
            }
        )
        nationalities = sorted(
            {str(n) for r in self.reports for n in r.event["arguments"].get("victim_nationality") or []}
        )
        placed = self.placed
        return {
            "date": self.first.event.get("date") or self.day.isoformat(),
            "day": self.day.isoformat(),
            "location": placed.event.get("location"),
            "corridor": placed.event.get("corridor"),  # nearest alignment and project site, with km
            "lat": placed.lat,
            "lon": placed.lon,
            **self.area.to_json(),
            "target": self.first.event["arguments"].get("target"),
            "victim_nationality": nationalities,
            "claimed_by": claimed_by,
            "killed": figures["killed"]["value"],
            "injured": figures["injured"]["value"],
            "figures": figures,
            "claims": self.claims(),
            "stories": sorted({r.story for r in self.reports if r.story}),
            "reports": [r.to_json() for r in self.reports],
        }


def _report(event: dict[str, Any]) -> Report:
    published = date.fromisoformat(event["published"]) if event.get("published") else None
    start = date.fromisoformat(event["date_start"]) if event.get("date_start") else published
    end = date.fromisoformat(event["date_end"]) if event.get("date_end") else start
    geo = event.get("geo") or {}
    country, region = _place_of(geo["place_id"]) if geo.get("place_id") else (None, None)
    return Report(
        event=event,
        start=start,  # type: ignore[arg-type]  # list_events only returns events dated by themselves or their article
        end=end,  # type: ignore[arg-type]
        lat=geo.get("lat"),
        lon=geo.get("lon"),
        precision=geo.get("precision"),
        country=country,
        region=geo.get("region") or region,
    )


@cache
def _place_of(place_id: str) -> tuple[str | None, str | None]:
    """A place's country and region, looked up once per place rather than once per report."""
    place = place_by_id(place_id)
    return (place.country, place.region) if place else (None, None)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile. A window's reports, incidents and their JSON are a
    million objects that hold no cycles (reference counting frees them); while they are made, or a
    page is written from them, each full collection scanned every one of them again: 40 % of the risk
    view's time at 504,000 articles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@collector_paused()  # a fresh pause for each call
def incidents(conn: Connection, since: date, until: date) -> list[Incident]:
    """The incidents whose (most precise) date is in [since, until], oldest first, reports merged."""
    window = EventFilter(type=INCIDENT_TYPE, since=since, until=until)
    _, found = list_events(conn, window, limit=None, evidence=False)  # no report shows its sentence
    reports = [_report(e) for e in found if e.get("date_start") or e.get("published")]
    reports.sort(key=lambda r: (r.last_day - r.first_day, r.first_day, r.event["article"], r.event["position"]))
    merged = _Happenings()
    for report in reports:
        merged.add(report)
    out = [i for i in merged.incidents if since <= i.day <= until]
    for incident in out:
        p = incident.placed
        incident.area = _area_of(p.lat, p.lon, p.precision, p.country, p.region)
    out.sort(key=lambda i: (i.day, i.first.event["article"]))
    return out


_area_of = lru_cache(maxsize=1 << 14)(area_of)  # incidents come from a few thousand places


class _Happenings:
    """Incidents as reports join them: a report joins the first incident (in the order they were
    started) it is the same happening as, else starts one. Incidents are found by the days their
    first report spans and the bands of latitude and longitude it lies in (unplaced reports in none),
    so that a report is compared with the few incidents of its days and place rather than with every one."""

    def __init__(self) -> None:
        self.incidents: list[Incident] = []
        # first report's start day -> its band of latitude -> its band of longitude -> incidents
        self.starting: dict[int, Bands] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
        self.longest = 0  # the longest span of a first report, in days

    def add(self, report: Report) -> None:
        lat_band, lon_band = _bands(report)
        candidates: list[int] = []
        for day in range(report.first_day - SLACK_DAYS - self.longest, report.last_day + SLACK_DAYS + 1):
            bands = self.starting.get(day)
            if bands:
                candidates += _around(bands, lat_band, lon_band)
        candidates.sort()  # the first incident started that it belongs to, found without testing the rest
        home = next((i for i in candidates if self.incidents[i].same_happening(report)), None)
        if home is not None:
            self.incidents[home].reports.append(report)
            return
        self.starting[report.first_day][lat_band][lon_band].append(len(self.incidents))
        self.incidents.append(Incident([report]))
        self.longest = max(self.longest, report.last_day - report.first_day)


Bands = dict[int | None, dict[int | None, list[int]]]


def _around(bands: Bands, lat_band: int | None, lon_band: int | None) -> list[int]:
    """The incidents of one day a report in these bands may join: any, for an unplaced report (only a
    report of its story can join it, wherever it is); else the unplaced ones (of its story) and those in
    its bands or the neighbouring ones, or in its bands of latitude where either has no band of longitude."""
    if lat_band is None:
        return [i for lons in bands.values() for found in lons.values() for i in found]
    out = list(bands.get(None, {}).get(None, ()))
    for near in (lat_band - 1, lat_band, lat_band + 1):
        lons = bands.get(near)
        if not lons:
            continue
        if lon_band is None:
            out += (i for found in lons.values() for i in found)
        else:
            for key in (lon_band - 1, lon_band, lon_band + 1, None):
                out += lons.get(key, ())
    return out


BAND_DEGREES = SAME_PLACE_KM / 100  # wider than SAME_PLACE_KM (a degree of latitude is 111 km)
# Bands of longitude are half a degree: wider than SAME_PLACE_KM up to 60 degrees of latitude (27.6 km
# there, where two places within 25 km lie). Nearer the poles, and next to the date line (where the
# bands wrap around), a report has none and is compared with every longitude of its bands of latitude.
LON_BAND_DEGREES = 0.5
LON_BANDS_UP_TO_LAT = 60.0
LON_BANDS_UP_TO_LON = 179.0


def _bands(report: Report) -> tuple[int | None, int | None]:
    """The bands of latitude and longitude a placed report lies in: two reports near enough to be one
    happening lie in the same bands or in neighbouring ones. (None, None) for an unplaced report."""
    if report.lat is None or report.lon is None:
        return None, None
    lat_band = math.floor(report.lat / BAND_DEGREES)
    if abs(report.lat) > LON_BANDS_UP_TO_LAT or abs(report.lon) > LON_BANDS_UP_TO_LON:
        return lat_band, None
    return lat_band, math.floor(report.lon / LON_BAND_DEGREES)


# --- the rolling window -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def windows(until: date, days: int) -> tuple[Window, Window]:
    """The `days` days ending on `until` (inclusive), and the same number of days before them."""
    if days < 1:
        raise UsageError(f"--days must be a positive number of days, not {days}")
    span = timedelta(days=days)
    current = Window(until - span + timedelta(days=1), until)
    return current, Window(current.start - span, current.start - timedelta(days=1))


def default_until(conn: Connection) -> date:
    """The latest event date in the database (so a historical corpus gives a meaningful view), else today."""
    return latest_event_day(conn) or date.today()


def trend(current: int, previous: int) -> str:
    if current and not previous:
        return "new"
    if current > previous:
        return "rising"
    if current < previous:
        return "falling"
    return "steady"


def _totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "incidents": len(rows),
        "killed": sum(r["killed"] or 0 for r in rows),
        "injured": sum(r["injured"] or 0 for r in rows),
    }


def _compare(current: dict[str, int], previous: dict[str, int]) -> dict[str, Any]:
    return {
        **current,
        "previous": previous,
        "delta": {k: current[k] - previous[k] for k in current},
        "trend": trend(current["incidents"], previous["incidents"]),
    }


# Views computed lately, by database and its state (`store.changes`), as the API writes them:
# the view holds until the store changes, and computing it reads and merges every report of its two
# windows (50,156 at 504,000 articles). The API sends the text as kept; any other reader gets its own
# copy. A few windows are kept per process.
KEPT_VIEWS = 4
_kept: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_kept_lock = threading.Lock()


def risk_view(conn: Connection, days: int = 90, until: date | None = None) -> dict[str, Any]:
    """Incidents and casualties per area over the window, against the window before, with the incidents:
    as computed last for this database and window if the store has not changed since."""
    key = _key(conn, days, until)
    kept = _kept_text(key)
    if kept is not None:
        return _parsed(kept)
    view = _computed_view(conn, days, until)
    _keep(key, view)
    return view


def risk_view_json(conn: Connection, days: int = 90, until: date | None = None) -> bytes:
    """`risk_view` as JSON text (UTF-8, as the API writes any answer)."""
    key = _key(conn, days, until)
    kept = _kept_text(key)
    return kept if kept is not None else _keep(key, _computed_view(conn, days, until))


def _key(conn: Connection, days: int, until: date | None) -> tuple[Any, ...]:
    # the state is read before the rows the view is made of; today: the window of an empty store ends
    # on it (`default_until`)
    return (str(conn.engine.url), *stamp(conn), days, until, date.today())


def _kept_text(key: tuple[Any, ...]) -> bytes | None:
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    return kept


def _keep(key: tuple[Any, ...], view: dict[str, Any]) -> bytes:
    text = json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode()
    with _kept_lock:
        _kept[key] = text
        while len(_kept) > KEPT_VIEWS:
            _kept.popitem(last=False)
    return text


@collector_paused()  # a fresh pause for each call
def _parsed(text: bytes) -> dict[str, Any]:
    return json.loads(text)


@collector_paused()  # a fresh pause for each call
def _computed_view(conn: Connection, days: int, until: date | None) -> dict[str, Any]:
    current, previous = windows(until or default_until(conn), days)
    found = incidents(conn, previous.start, current.end)
    now = [(i, i.to_json()) for i in found if i.day >= current.start]
    before = [(i, i.casualties()) for i in found if i.day < current.start]  # counted, never shown
    areas: dict[Area, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = defaultdict(lambda: ([], []))
    for i, row in now:
        areas[i.area][0].append(row)
    for i, row in before:
        areas[i.area][1].append(row)
    rows = [{**area.to_json(), **_compare(_totals(a), _totals(b))} for area, (a, b) in areas.items()]
    rows.sort(
        key=lambda r: (
            -r["incidents"],
            -r["killed"],
            -r["previous"]["incidents"],
            KIND_ORDER.index(r["kind"]),
            r["area"],
        )
    )
    return {
        "days": days,
        "until": current.end.isoformat(),
        "window": current.to_json(),
        "previous_window": previous.to_json(),
        "counted": "ATTACK events, one per happening; casualties: the lowest figure stated as fact, claims apart",
        "areas": rows,
        "totals": _compare(_totals([row for _, row in now]), _totals([row for _, row in before])),
        "incidents": [row for _, row in reversed(now)],
    }
