"""The project registry as a table for the CSV, Parquet and GeoJSON writers, with columns named after
AidData's Global Chinese Development Finance dataset where one corresponds (the README maps them).

One row per project record: its identity, its state, the years its lifecycle reached each stage (the
earliest report of that stage), the lenders and dollars committed, who implements it, and the
articles every fact comes from.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pycountry
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from beltwatch.export import Column, EventRows
from beltwatch.model import first_day
from beltwatch.projects import committed_usd
from beltwatch.store.projects import facts_in_force, list_projects

# AidData's status values for the stages it has; a suspension or cancellation is written as it is
AIDDATA_STATUS = {
    "announced": "Pipeline: Pledge",
    "proposed": "Pipeline: Pledge",
    "upgrade proposed": "Pipeline: Pledge",
    "agreement signed": "Pipeline: Commitment",
    "financing committed": "Pipeline: Commitment",
    "under construction": "Implementation",
    "completed": "Completion",
    "suspended": "Suspended",
    "cancelled": "Cancelled",
}
# the stages whose first reported year is a column
STAGE_YEARS = {
    "commitment_year": ("agreement signed", "financing committed"),
    "implementation_start_year": ("under construction",),
    "completion_year": ("completed",),
}
# parties that carry out a project, as `store.projects` names their roles
IMPLEMENTING_ROLES = ("company", "government")
SEPARATOR = "|"

PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("id", "int"),  # AidData Record ID: the record's id in this store
    Column("title", "text"),
    Column("recipient_iso2", "text"),
    Column("recipient_iso3", "text"),
    Column("recipient", "text"),
    Column("sector_name", "text"),
    Column("status", "text"),  # AidData's status value
    Column("beltwatch_status", "text"),  # the state as beltwatch gives it
    Column("status_date", "text"),
    Column("status_confidence", "text"),
    *(Column(name, "int") for name in STAGE_YEARS),
    Column("funding_agencies", "text"),
    Column("implementing_agencies", "text"),
    Column("amount_nominal_usd", "float"),  # loans and investments, each once (AidData counts equity too)
    Column("cost_nominal_usd", "float"),  # the latest reported cost
    Column("programme", "text"),
    Column("parent_project", "text"),
    Column("lat", "float"),
    Column("lon", "float"),
    Column("geographic_precision", "int"),  # 1 site or town, 2 district, 3 province, 4 country
    Column("articles", "int"),
    Column("last_reported", "date"),
    Column("source_urls", "text"),  # the articles every fact comes from: URL, else the article key
)


def read_projects(conn: Connection) -> EventRows:
    """Every project record as a row of `PROJECT_COLUMNS`."""

    def rows():
        facts = _facts_by_project(conn)
        for record in list_projects(conn):
            yield _row(record, facts.get(record["id"], []))

    return EventRows(list(PROJECT_COLUMNS), rows, table="projects")


def _facts_by_project(conn: Connection) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    for fact in facts_in_force(conn, sa.true()):
        found[fact.project_id].append(fact)
    return found


def _row(record: dict[str, Any], facts: list[Any]) -> dict[str, Any]:
    country = pycountry.countries.get(alpha_2=record["country"]) if record["country"] else None
    statuses = [(f.value["status"], first_day(f.date)) for f in facts if f.kind == "status"]
    # AidData's funding agencies include owners' investments, which the record's commitments leave out
    lenders = [f.value["name"] for f in facts if f.kind == "party" and f.value.get("role") == "lender"]
    implementing = [
        f.value["name"] for f in facts if f.kind == "party" and f.value.get("role") in IMPLEMENTING_ROLES
    ]
    return {
        "id": record["id"],
        "title": record["name"],
        "recipient_iso2": record["country"],
        "recipient_iso3": country.alpha_3 if country else None,
        "recipient": country.name if country else None,
        "sector_name": record["sector"],
        "status": AIDDATA_STATUS.get(record["status"]) if record["status"] else None,
        "beltwatch_status": record["status"],
        "status_date": record["status_date"],
        "status_confidence": record["confidence"],
        **{
            column: min((day.year for status, day in statuses if status in stages and day), default=None)
            for column, stages in STAGE_YEARS.items()
        },
        "funding_agencies": _joined(lenders),
        "implementing_agencies": _joined(implementing),
        "amount_nominal_usd": committed_usd(f.value for f in facts if f.kind in ("financing", "investment")),
        "cost_nominal_usd": record["cost_usd"],
        "programme": record["programme"],
        "parent_project": record["parent"],
        "lat": record["lat"],
        "lon": record["lon"],
        "geographic_precision": record["precision"],
        "articles": record["articles"],
        "last_reported": record["last_reported"],
        "source_urls": _joined(f.url or f.article_key for f in facts),
    }


def _joined(values: Any) -> str | None:
    distinct = list(dict.fromkeys(v for v in values if v))
    return SEPARATOR.join(distinct) if distinct else None
