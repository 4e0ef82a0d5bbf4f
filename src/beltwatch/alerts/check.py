"""Checking rules against stories, and recording the alerts they raise (exactly once).

A story is judged by its merged events (`store.reads.story_events`): one entry per happening,
with every report of it. Background is left out as the story stage leaves it out: a happening
dated more than `CURRENT_DAYS` before its first report ("the 2021 Dasu attack" in a 2024 report)
raises nothing. A rule holds for a merged event when all its conditions hold (see
`alerts.rules`); of the matching happenings of a story the one alerted on is a dated one before
an undated one (a condemnation "after the attack"), then by type (`PRIORITY`: an attack before
what is said about it), then the one most articles report, then the latest.

What has been alerted lives in the `alerts` table. A story is recognised by the articles it had
when alerted as well as by its key (the key changes when an earlier report joins the story), and
its figures by a fingerprint of every distinct killed/injured/value figure any report or claim
gives (`store.reads.happening_figures`, the reading `beltwatch risk` counts by too). So: no alert
yet for a story and rule -> `new`; a different fingerprint from the last alert -> one `update`;
the same -> nothing, however often the check runs. The check runs under the
writers' lock, so two checkers never raise the same alert twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beltwatch.alerts.rules import Rule
from beltwatch.knowledge import load_knowledge
from beltwatch.model import EVENT_TYPES
from beltwatch.store import reads
from beltwatch.store.database import lock_for_writing
from beltwatch.store.schema import (
    alert_deliveries,
    alerts,
    article_versions,
    articles,
    entities,
    event_arguments,
    events,
    ingest_runs,
    sources,
    stories,
    story_members,
)
from beltwatch.store.writes import date_span, now
from beltwatch.stories.clustering import CURRENT_DAYS

NEW, UPDATE = "new", "update"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
FINGERPRINTED = ("killed", "injured", "value", "currency")
CHUNK = 500  # stories checked per round of queries
# which happening of a story a security alert is about, when a rule matches several
PRIORITY = (
    "ATTACK",
    "SECURITY_MEASURE",
    "PROTEST",
    "FINANCING",
    "AGREEMENT",
    "PROJECT",
    "MEETING",
    "STATEMENT",
)


@dataclass(frozen=True)
class Raised:
    """An alert just recorded: its row id and the message every destination gets."""

    id: int
    message: dict[str, Any]


@dataclass
class _Report:
    """One source event of a merged event, with what the rules and the message need of it."""

    event_id: int
    article: str
    row: Any  # the events row joined with its article, version and source
    nationalities: set[str]


def stories_of_runs(conn: Connection, run_ids: Iterable[int]) -> list[int]:
    """The stories (row ids) holding an article version that one of these ingest runs stored, or that an
    earlier run stored and never finished (killed: the run that completes its work checks its stories)."""
    ids = list(run_ids)
    if not ids:
        return []
    unfinished = sa.select(ingest_runs.c.id).where(
        ingest_runs.c.finished_at.is_(None), ingest_runs.c.id < max(ids)
    )
    stored_by = article_versions.c.run_id.in_(ids) | article_versions.c.run_id.in_(
        unfinished.scalar_subquery()
    )
    return list(
        conn.scalars(
            sa.select(story_members.c.story_id)
            .join(article_versions, article_versions.c.article_id == story_members.c.article_id)
            .where(article_versions.c.is_current, stored_by)
            .distinct()
            .order_by(story_members.c.story_id)
        )
    )


def check_stories(
    conn: Connection,
    rules: list[Rule],
    story_ids: Iterable[int] | None,
    *,
    destinations: Iterable[str] = (),
    run_id: int | None = None,
) -> list[Raised]:
    """Check `rules` against the stories (None: every story), record what they raise, return it.

    Every alert gets a pending delivery row per destination (webhook URL or file path). Runs in
    the caller's transaction, after taking the writers' lock.
    """
    lock_for_writing(conn)
    if story_ids is None:
        story_ids = conn.scalars(sa.select(stories.c.id).order_by(stories.c.id))
    ids = list(story_ids)
    history = _history(conn, [r.name for r in rules])
    raised: list[Raised] = []
    for start in range(0, len(ids), CHUNK):  # bounded queries and memory, however many stories
        raised += _check_chunk(conn, rules, ids[start : start + CHUNK], history, list(destinations), run_id)
    return raised


def _check_chunk(
    conn: Connection,
    rules: list[Rule],
    story_ids: list[int],
    history: dict[str, list[dict[str, Any]]],
    destinations: list[str],
    run_id: int | None,
) -> list[Raised]:
    types = sorted(set().union(*(r.event_types or EVENT_TYPES for r in rules)))
    merged = reads.story_events(conn, story_ids, types)
    if not merged:
        return []
    reports = _reports(conn, [s["event"] for found in merged.values() for m in found for s in m["sources"]])
    story_rows = {r.id: r for r in conn.execute(sa.select(stories).where(stories.c.id.in_(list(merged))))}
    members = _members(conn, list(merged))
    entity_matches = {r.name: _involving(conn, r.entities, list(reports)) for r in rules if r.entities}
    country_matches = {r.name: _in_countries(conn, r.countries, list(reports)) for r in rules if r.countries}
    raised: list[Raised] = []
    for story_id, found in merged.items():
        story = story_rows[story_id]
        current = [m for m in found if not _background(m, reports)]
        for rule in rules:
            matching = [
                m
                for m in current
                if _holds(rule, m, reports, entity_matches.get(rule.name), country_matches.get(rule.name))
            ]
            if not matching:
                continue
            chosen = max(matching, key=lambda m: _rank(m, reports))
            fingerprint = _fingerprint(chosen)
            previous = _previous(history[rule.name], story.key, members[story_id])
            if previous is not None and previous["fingerprint"] == fingerprint:
                continue
            kind = NEW if previous is None else UPDATE
            payload = _payload(rule, kind, story, chosen, reports, previous)
            alert_id = conn.execute(
                alerts.insert()
                .values(
                    rule=rule.name,
                    story=story.key,
                    articles=sorted(members[story_id]),
                    event_type=chosen["type"],
                    kind=kind,
                    fingerprint=fingerprint,
                    payload=payload,
                    run_id=run_id,
                    created_at=now(),
                )
                .returning(alerts.c.id)
            ).scalar_one()
            history[rule.name].append(
                {
                    "story": story.key,
                    "articles": set(members[story_id]),
                    "fingerprint": fingerprint,
                    "payload": payload,
                }
            )
            for destination in destinations:
                conn.execute(
                    alert_deliveries.insert().values(
                        alert_id=alert_id, destination=destination, status=PENDING, updated_at=now()
                    )
                )
            raised.append(Raised(alert_id, {"id": alert_id, **payload}))
    return raised


# --- what the rules look at -------------------------------------------------------------------------


def _reports(conn: Connection, event_ids: list[int]) -> dict[int, _Report]:
    rows = conn.execute(
        sa.select(
            events,
            articles.c.key.label("article"),
            article_versions.c.title,
            article_versions.c.text,
            article_versions.c.published,
            sa.func.coalesce(article_versions.c.url, articles.c.url).label("url"),
            sources.c.name.label("outlet"),
        )
        .join(article_versions, article_versions.c.id == events.c.article_version_id)
        .join(articles, articles.c.id == article_versions.c.article_id)
        .outerjoin(sources, sources.c.id == article_versions.c.source_id)
        .where(events.c.id.in_(event_ids))
    ).all()
    # "entities' country as the extraction records them": a target that names a known entity
    target_countries: dict[int, set[str]] = defaultdict(set)
    for event_id, country in conn.execute(
        sa.select(event_arguments.c.event_id, entities.c.country)
        .join(entities, entities.c.id == event_arguments.c.entity_id)
        .where(event_arguments.c.event_id.in_(event_ids), event_arguments.c.name == "target")
    ):
        if country:
            target_countries[event_id].add(country)
    return {r.id: _Report(r.id, r.article, r, _nationalities(r, target_countries[r.id])) for r in rows}


def _nationalities(row: Any, target_countries: set[str]) -> set[str]:
    """An attack's victims' countries: the extracted `victim_nationality`, a demonym or country named in the
    target, and the country of an entity the target names. Other events have no victims."""
    if row.type != "ATTACK":
        return set()
    arguments = row.arguments
    found = {c for c in arguments.get("victim_nationality") or [] if isinstance(c, str)} | target_countries
    target = arguments.get("target")
    if isinstance(target, str):
        country = load_knowledge().country_in(target)
        if country is not None:
            found.add(country.code)
    return found


def _members(conn: Connection, story_ids: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for story_id, key in conn.execute(
        sa.select(story_members.c.story_id, articles.c.key)
        .join(articles, articles.c.id == story_members.c.article_id)
        .where(story_members.c.story_id.in_(story_ids))
    ):
        out[story_id].add(key)
    return out


def _involving(conn: Connection, names: tuple[str, ...], event_ids: list[int]) -> set[int]:
    ids = [entity_id for name in names for entity_id in reads.find_entities(conn, name)]
    if not ids:
        return set()
    return set(conn.scalars(sa.select(events.c.id).where(events.c.id.in_(event_ids), reads.involves(ids, probe=True))))


def _in_countries(conn: Connection, codes: tuple[str, ...], event_ids: list[int]) -> set[int]:
    condition = sa.or_(*(reads.in_country(code, probe=True) for code in codes))  # a few events: each tested
    return set(conn.scalars(sa.select(events.c.id).where(events.c.id.in_(event_ids), condition)))


def _holds(
    rule: Rule,
    merged: dict[str, Any],
    reports: dict[int, _Report],
    involved: set[int] | None,
    placed: set[int] | None,
) -> bool:
    found = [reports[s["event"]] for s in merged["sources"]]
    if rule.event_types and merged["type"] not in rule.event_types:
        return False
    if rule.within_km is not None and not any(
        (km := _corridor_km(r.row, rule.of)) is not None and km <= rule.within_km for r in found
    ):
        return False
    if rule.victim_nationality and not set(rule.victim_nationality) & set().union(
        *(r.nationalities for r in found)
    ):
        return False
    if involved is not None and not involved & {r.event_id for r in found}:
        return False
    if placed is not None and not placed & {r.event_id for r in found}:
        return False
    if rule.min_killed and _highest(merged, "killed") < rule.min_killed:
        return False
    if rule.min_injured and _highest(merged, "injured") < rule.min_injured:
        return False
    if rule.keywords and not any(_mentions(r.row, rule.keywords) for r in found):
        return False
    return rule.since is None or _day(merged, reports) >= rule.since


def _corridor_km(row: Any, of: str) -> float | None:
    distances = {"alignment": row.alignment_km, "site": row.site_km}
    known = [v for k, v in distances.items() if v is not None and of in ("any", k)]
    return min(known) if known else None


def _highest(merged: dict[str, Any], name: str) -> float:
    """A figure's highest value, stated or claimed: a threshold holds if any report or claim reaches it."""
    return reads.happening_figures(merged["sources"], name)["highest"] or 0


@cache
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + r")\b", re.IGNORECASE)


def _mentions(row: Any, keywords: tuple[str, ...]) -> bool:
    pattern = _keyword_pattern(keywords)
    return bool(pattern.search(row.title or "") or pattern.search(row.text or ""))


def _rank(merged: dict[str, Any], reports: dict[int, _Report]) -> tuple:
    articles_ = {s["article"] for s in merged["sources"]}
    return (
        merged["date"] is not None,
        -PRIORITY.index(merged["type"]),
        len(articles_),
        _day(merged, reports),
    )


def _first_published(merged: dict[str, Any], reports: dict[int, _Report]) -> date | None:
    days = [reports[s["event"]].row.published for s in merged["sources"]]
    return min((d for d in days if d is not None), default=None)


def _day(merged: dict[str, Any], reports: dict[int, _Report]) -> date:
    """The last day the merged event's date covers ("2021-07" is July 2021), else its first report's."""
    return date_span(merged.get("date"))[1] or _first_published(merged, reports) or date.min


def _background(merged: dict[str, Any], reports: dict[int, _Report]) -> bool:
    end, published = date_span(merged.get("date"))[1], _first_published(merged, reports)
    return end is not None and published is not None and (published - end).days > CURRENT_DAYS


# --- alerts already raised ---------------------------------------------------------------------------


def _history(conn: Connection, rule_names: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in rule_names}
    for r in conn.execute(
        sa.select(alerts.c.rule, alerts.c.story, alerts.c.articles, alerts.c.fingerprint, alerts.c.payload)
        .where(alerts.c.rule.in_(rule_names))
        .order_by(alerts.c.id)
    ):
        out[r.rule].append(
            {
                "story": r.story,
                "articles": set(r.articles),
                "fingerprint": r.fingerprint,
                "payload": r.payload,
            }
        )
    return out


def _previous(history: list[dict[str, Any]], story_key: str, members: set[str]) -> dict[str, Any] | None:
    """The latest alert of a rule on this story: by its key, or by an article it had then."""
    for entry in reversed(history):
        if entry["story"] == story_key or entry["articles"] & members:
            return entry
    return None


def _fingerprint(merged: dict[str, Any]) -> str:
    figures = {name: _every_figure(merged, name) for name in FINGERPRINTED}
    text = json.dumps({"type": merged["type"], **figures}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _agreed(merged: dict[str, Any], name: str) -> Any:
    """The figure every report and claim gives; None when they differ, so a message never picks one."""
    return reads.happening_figures(merged["sources"], name)["agreed"]


def _every_figure(merged: dict[str, Any], name: str) -> list[str]:
    """Each distinct value of a figure that a report states or a claim gives, as JSON, sorted."""
    found = reads.happening_figures(merged["sources"], name)
    return sorted({json.dumps(e["value"]) for e in found["stated"] + found["claimed"]})


# --- the message ------------------------------------------------------------------------------------


def _payload(
    rule: Rule,
    kind: str,
    story: Any,
    merged: dict[str, Any],
    reports: dict[int, _Report],
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    found = [reports[s["event"]] for s in merged["sources"]]
    placed = next((r.row for r in found if r.row.lat is not None), None)
    first = found[0].row
    out: dict[str, Any] = {
        "rule": rule.name,
        "kind": kind,
        "story": story.key,
        "title": story.title,
        "event_type": merged["type"],
        "date": merged["date"],
        "place": None
        if placed is None
        else {
            "name": placed.location,
            "lat": placed.lat,
            "lon": placed.lon,
            "precision": placed.precision,
            "region": placed.region,
        },
        "corridor": None if placed is None else reads.corridor_of(placed._mapping),
        "killed": _agreed(merged, "killed"),
        "injured": _agreed(merged, "injured"),
        "disputed": merged["disputed"],
        "claims": merged["claims"],
        "victim_nationality": sorted(set().union(*(r.nationalities for r in found))),
        "perpetrator": _named(found, "perpetrator"),
        "claimed_by": _named(found, "claimed_by"),
        "target": _named(found, "target"),
        "evidence": (first.text or "")[first.sentence_start : first.sentence_end].strip() or None,
        "sources": [
            {
                "outlet": r.row.outlet,
                "title": r.row.title,
                "url": r.row.url,
                "published": reads.iso(r.row.published),
                "article": r.article,
                **{k: s[k] for k in ("killed", "injured", "value", "currency") if k in s},
            }
            for r, s in zip(found, merged["sources"], strict=True)
        ],
    }
    if previous is not None:
        before = previous["payload"]
        out["previous"] = {k: before.get(k) for k in ("killed", "injured", "claims")}
    return out


def _named(found: list[_Report], argument: str) -> list[str]:
    names: list[str] = []
    for r in found:
        value = r.row.arguments.get(argument)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item not in names:
                names.append(item)
    return names
