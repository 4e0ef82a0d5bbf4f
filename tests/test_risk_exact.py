"""The risk view (`beltwatch.risk.risk_view`) against the plain computation it must equal: every ATTACK
report of the two windows read with `list_events`, each compared with every incident started before it
in the order of the rule, every figure read by `happening_figures`, the latest day read by joining every
event to its version. Compared on the bundled corpus, and on a shuffled stream of synthetic articles
(`bench/synthetic_extractions.py`) crowded into a few weeks so that reports merge, written in batches
with stories computed between them, then an article's new version and analysts' corrections.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from beltwatch.ingest import cluster_and_write_stories
from beltwatch.resolve.districts import KIND_ORDER, area_of
from beltwatch.resolve.places import DISTRICT, haversine_km, place_by_id
from beltwatch.risk import FIGURES, KEPT_VIEWS, SAME_PLACE_KM, _compare, _totals, risk_view, windows
from beltwatch.store import corrections, open_database, writes
from beltwatch.store.changes import stamp
from beltwatch.store.queries import EventFilter, list_events
from beltwatch.store.reads import happening_figures, iso_day
from beltwatch.store.schema import article_versions, events
from beltwatch.stories import signal_of
from test_risk import corpus, corpus_url  # noqa: F401  (the ingested corpus, once per backend)

SLACK = timedelta(days=2)


# --- the plain computation ------------------------------------------------------------------------


def plain_latest_day(conn: Any) -> date:
    row = conn.execute(
        sa.select(sa.func.max(events.c.date_start), sa.func.max(article_versions.c.published))
        .select_from(events)
        .join(article_versions, article_versions.c.id == events.c.article_version_id)
        .where(article_versions.c.is_current)
    ).one()
    return min(iso_day(d) for d in row if d is not None)


def plain_reports(conn: Any, since: date, until: date) -> list[dict[str, Any]]:
    _, found = list_events(conn, EventFilter(type="ATTACK", since=since, until=until), limit=None)
    reports = []
    for e in found:
        if not (e["date_start"] or e["published"]):
            continue
        start = date.fromisoformat(e["date_start"] or e["published"])
        end = date.fromisoformat(e["date_end"]) if e["date_end"] else start
        geo = e["geo"] or {}
        place = place_by_id(geo["place_id"]) if geo.get("place_id") else None
        reports.append(
            {
                "event": e,
                "start": start,
                "end": end,
                "lat": geo.get("lat"),
                "lon": geo.get("lon"),
                "precision": geo.get("precision"),
                "country": place.country if place else None,
                "region": geo.get("region") or (place.region if place else None),
            }
        )
    reports.sort(key=lambda r: ((r["end"] - r["start"]).days, r["start"], r["event"]["article"], r["event"]["position"]))
    return reports


def near(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if None in (a["lat"], a["lon"], b["lat"], b["lon"]):
        return False
    return haversine_km((a["lat"], a["lon"]), (b["lat"], b["lon"])) <= SAME_PLACE_KM


def same_happening(seed: dict[str, Any], report: dict[str, Any]) -> bool:
    if report["start"] - SLACK > seed["end"] or report["end"] + SLACK < seed["start"]:
        return False
    story = report["event"]["story"]
    if story is not None and story == seed["event"]["story"]:
        return report["lat"] is None or seed["lat"] is None or near(report, seed)
    precise = all(p is not None and p <= DISTRICT for p in (report["precision"], seed["precision"]))
    return precise and near(report, seed)


def plain_incidents(conn: Any, since: date, until: date) -> list[list[dict[str, Any]]]:
    incidents: list[list[dict[str, Any]]] = []
    for report in plain_reports(conn, since, until):
        home = next((i for i in incidents if same_happening(i[0], report)), None)
        if home is None:
            incidents.append([report])
        else:
            home.append(report)
    kept = [i for i in incidents if since <= i[0]["start"] <= until]
    kept.sort(key=lambda i: (i[0]["start"], i[0]["event"]["article"]))
    return kept


def stated(reports: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return happening_figures([{**r["event"]["arguments"], "article": r["event"]["article"]} for r in reports], name)


def report_json(r: dict[str, Any]) -> dict[str, Any]:
    e, arguments = r["event"], r["event"]["arguments"]
    return {
        **{key: e[key] for key in ("article", "source", "title", "url", "published", "date", "location")},
        "event": e["id"],
        "killed": stated([r], "killed")["value"],
        "injured": stated([r], "injured")["value"],
        "claimed_by": arguments.get("claimed_by"),
        "claims": [c for c in arguments.get("claims") or [] if isinstance(c, dict)],
    }


def incident_json(reports: list[dict[str, Any]]) -> dict[str, Any]:
    first = reports[0]
    placed = min(reports, key=lambda r: r["precision"] if r["precision"] is not None else 99)
    area = area_of(placed["lat"], placed["lon"], placed["precision"], placed["country"], placed["region"])
    figures = {}
    for name in FIGURES:
        found = stated(reports, name)
        figures[name] = {key: found[key] for key in ("value", "basis", "stated")}
    shown = [report_json(r) for r in reports]
    claims: list[dict[str, Any]] = []
    for claim in (c for r in shown for c in r["claims"]):
        plain = {k: v for k, v in claim.items() if k != "article"}
        if plain not in claims:
            claims.append(plain)
    arguments = [r["event"]["arguments"] for r in reports]
    return {
        "date": first["event"]["date"] or first["start"].isoformat(),
        "day": first["start"].isoformat(),
        "location": placed["event"]["location"],
        "corridor": placed["event"]["corridor"],
        "lat": placed["lat"],
        "lon": placed["lon"],
        **area.to_json(),
        "target": first["event"]["arguments"].get("target"),
        "victim_nationality": sorted({str(n) for a in arguments for n in a.get("victim_nationality") or []}),
        "claimed_by": sorted({str(a["claimed_by"]) for a in arguments if a.get("claimed_by")}),
        "killed": figures["killed"]["value"],
        "injured": figures["injured"]["value"],
        "figures": figures,
        "claims": claims,
        "stories": sorted({r["event"]["story"] for r in reports if r["event"]["story"]}),
        "reports": shown,
    }


def plain_view(conn: Any, days: int, until: date | None = None) -> dict[str, Any]:
    current, previous = windows(until or plain_latest_day(conn), days)
    shown = [incident_json(i) for i in plain_incidents(conn, previous.start, current.end)]
    now = [i for i in shown if i["day"] >= current.start.isoformat()]
    before = [i for i in shown if i["day"] < current.start.isoformat()]
    areas: dict[tuple, tuple[list, list]] = {}
    for rows, side in ((now, 0), (before, 1)):
        for row in rows:
            area = tuple((k, row[k]) for k in ("area", "kind", "province", "country"))
            areas.setdefault(area, ([], []))[side].append(row)
    rows = [{**dict(area), **_compare(_totals(a), _totals(b))} for area, (a, b) in areas.items()]
    rows.sort(key=lambda r: (-r["incidents"], -r["killed"], -r["previous"]["incidents"], KIND_ORDER.index(r["kind"]), r["area"]))
    return {
        "days": days,
        "until": current.end.isoformat(),
        "window": current.to_json(),
        "previous_window": previous.to_json(),
        "counted": "ATTACK events, one per happening; casualties: the lowest figure stated as fact, claims apart",
        "areas": rows,
        "totals": _compare(_totals(now), _totals(before)),
        "incidents": list(reversed(now)),
    }


def assert_views_equal(conn: Any, asked: list[tuple[int, date | None]]) -> None:
    """The view as computed (or as kept from before, if no write was counted since), and as kept, is
    the plain one."""
    for days, until in asked:
        fast, kept, plain = risk_view(conn, days, until), risk_view(conn, days, until), plain_view(conn, days, until)
        assert fast == plain, (days, until)
        assert kept == plain and kept is not fast, (days, until)


# --- the bundled corpus ---------------------------------------------------------------------------


def test_the_corpus_view_is_the_plain_one(corpus):  # noqa: F811
    asked = [(90, None), (365, None), (365, date(2024, 10, 6)), (90, date(2021, 7, 31)), (36_500, None)]
    assert_views_equal(corpus, asked)
    assert risk_view(corpus, 36_500)["totals"]["incidents"] >= 4  # Besham, Karachi, Gwadar, Dasu


# --- a shuffled stream of synthetic articles ------------------------------------------------------


def _synthetic() -> Any:
    path = Path(__file__).parent.parent / "bench" / "synthetic_extractions.py"
    spec = importlib.util.spec_from_file_location("synthetic_extractions", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


FIRST = date(2024, 3, 1)
CROWDED_DAYS = 24  # ~90 attacks a week at a few dozen places: many reports of one happening
# as many as a process keeps (`KEPT_VIEWS`): each stage finds the views of the one before, if no write moved them
ASKED = [(90, None), (7, date(2024, 3, 12)), (3, date(2024, 3, 20)), (365, None)]


def varied(extraction: Any, rng: random.Random) -> Any:
    """The synthetic attacks made less tidy, as real reports are: dated to a month or a year or not at
    all, unplaced, placed a few km off or only to a province, far north (where bands of longitude
    are too narrow) or next to the date line."""
    for n, event in enumerate(extraction.events):
        if event.type != "ATTACK":
            continue
        arguments, geo = dict(event.arguments), event.geo
        when = rng.random()
        if when < 0.15:
            arguments["date"] = arguments["date"][:7]
        elif when < 0.2:
            arguments["date"] = arguments["date"][:4]
        elif when < 0.25:
            del arguments["date"]
        where = rng.random()
        if where < 0.15:
            geo = None
        elif where < 0.6:
            lat, lon = geo.lat + rng.uniform(-0.3, 0.3), geo.lon + rng.uniform(-0.3, 0.3)
            if where > 0.5:
                lat += 36  # 60 to 72 degrees north
            if where > 0.55:
                lon = 179.9 - rng.uniform(0, 0.3) if rng.random() < 0.5 else -179.9 + rng.uniform(0, 0.3)
            geo = replace(geo, lat=lat, lon=lon, precision=rng.choice((1, 2, 3)))
        extraction.events[n] = replace(event, arguments=arguments, geo=geo, placed_by=geo and event.placed_by)
    return extraction


def test_a_shuffled_synthetic_stream_with_a_new_version_and_corrections_is_the_plain_view(db_url):
    assert len(ASKED) == KEPT_VIEWS
    made = _synthetic()
    rng = random.Random(7)
    order = list(range(360))
    rng.shuffle(order)
    extractions = {
        i: varied(made.synthetic_extraction(i, seed=5, published=FIRST + timedelta(days=rng.randrange(CROWDED_DAYS))), rng)
        for i in order
    }
    with open_database(db_url, writer=True) as db:
        for start in range(0, len(order), 60):
            batch = [extractions[i] for i in order[start : start + 60]]
            writes.store_extractions(db, [(x, signal_of(x)) for x in batch], None)
            if start == 120:  # stories for the articles so far; the later ones have none until the end
                cluster_and_write_stories(db)
            with db.engine.connect() as conn:
                assert_views_equal(conn, ASKED)
        cluster_and_write_stories(db)
        with db.engine.connect() as conn:
            assert_views_equal(conn, ASKED)
            attacks = list_events(conn, EventFilter(type="ATTACK"), limit=None)[1]
        assert len(attacks) > 300 and any(len(i["reports"]) > 1 for i in _view(db)["incidents"])

        # a new version of an attacked article: a higher toll, the attack moved to another place
        old = attacks[0]
        article = next(x for x in extractions.values() if x.article.id == old["article"])
        moved = next(e for e in article.events if e.type == "ATTACK")
        elsewhere = next(x.events[0].geo for x in extractions.values() if x.events[0].geo and x is not article)
        article.events[article.events.index(moved)] = replace(
            moved, arguments={**moved.arguments, "killed": 40}, geo=elsewhere
        )
        article.article.text += " Officials later raised the toll."
        writes.store_extractions(db, [(article, signal_of(article))], None)
        with db.engine.connect() as conn:
            assert_views_equal(conn, ASKED)
        shown = _reported(_view(db))
        assert old["id"] not in shown and any(shown[e]["killed"] == 40 for e in shown if shown[e]["article"] == old["article"])

        # analysts mark one attack wrong and correct another's toll
        with db.engine.begin() as conn:
            wrong, fixed = [a for a in attacks if a["article"] != old["article"]][3:5]
            corrections.record_event_correction(conn, wrong, action="reject", token_name="analyst")
            corrections.record_event_correction(
                conn, fixed, action="edit", token_name="analyst", argument="killed", value=123
            )
        with db.engine.connect() as conn:
            assert_views_equal(conn, ASKED)
        shown = _reported(_view(db))
        assert wrong["id"] not in shown and shown[fixed["id"]]["killed"] == 123


def test_each_write_the_view_reads_is_counted(db_url):
    made = _synthetic()
    first, second = (made.synthetic_extraction(i, seed=9) for i in range(2))
    with open_database(db_url, writer=True) as db:

        states: list[str] = []

        def counted() -> int:
            with db.engine.connect() as conn:
                state, changes = stamp(conn)
            if state not in states:
                states.append(state)
            return changes

        assert counted() == 0
        writes.store_extractions(db, [(x, signal_of(x)) for x in (first, second)], None)
        assert counted() == 1
        writes.store_extractions(db, [(first, signal_of(first))], None)  # unchanged: nothing written
        assert counted() == 1
        first.article.text += " Updated."
        writes.store_extractions(db, [(first, signal_of(first))], None)
        assert counted() == 2
        cluster_and_write_stories(db)
        assert counted() == 3
        with db.engine.begin() as conn:
            attack = list_events(conn, EventFilter(type="ATTACK"))[1][0]
            corrections.record_event_correction(conn, attack, action="reject", token_name="analyst")
        assert counted() == 4
        with db.engine.begin() as conn:  # a write rolled back: its state is not the store's again
            corrections.record_event_correction(
                conn, attack, action="edit", token_name="analyst", argument="killed", value=77
            )
            rolled_back = stamp(conn)[0]
            conn.rollback()
        assert counted() == 4 and len(states) == 5 and rolled_back not in states
        with db.engine.begin() as conn:
            corrections.record_event_correction(
                conn, attack, action="edit", token_name="analyst", argument="killed", value=78
            )
        assert counted() == 5 and len(states) == 6 and rolled_back not in states


def _view(db: Any) -> dict[str, Any]:
    with db.engine.connect() as conn:
        return risk_view(conn, 365)


def _reported(view: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {r["event"]: r for i in view["incidents"] for r in i["reports"]}
