"""The SQLite database opened with Datasette's Python API: its tables are browsable and queryable as they are.

Uses the database that tests/test_export.py builds (the migrated schema, filled by hand with
corpus excerpts). Datasette is async; each test drives it with `asyncio.run`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from datasette.app import Datasette

from test_export import BLA_CLAIM, EXPECTED_TYPES, OFFICIAL, OFFICIAL_FIRST, build_database

# The ATTACK events of current article versions, with their article and evidence sentence.
CURRENT_ATTACKS = """
select a.key as article, e.date, e.location, json_extract(e.arguments, '$.claimed_by') as claimed_by,
       substr(v.text, e.sentence_start + 1, e.sentence_end - e.sentence_start) as evidence
from events e
join article_versions v on v.id = e.article_version_id and v.is_current
join articles a on a.id = v.article_id
where e.type = :type
order by v.published, a.key, e.position
"""


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("datasette") / "beltwatch.db"
    build_database(f"sqlite:///{path}")
    return path


async def _open(path: Path) -> Any:
    ds = Datasette([str(path)])
    await ds.invoke_startup()
    return ds


def test_tables_are_listed(db_path: Path) -> None:
    async def run() -> tuple[int, dict[str, Any]]:
        ds = await _open(db_path)
        response = await ds.client.get("/beltwatch.json")
        return response.status_code, response.json()

    status, body = asyncio.run(run())
    assert status == 200
    tables = {t["name"]: t for t in body["tables"]}
    assert {"events", "articles", "article_versions", "claims", "entities", "stories"} <= set(tables)
    # the table holds every version's events: the current ones and the superseded version's attack
    assert tables["events"]["count"] == sum(EXPECTED_TYPES.values()) + 1
    assert {"id", "type", "date", "location", "arguments", "sentence_start", "sentence_end"} <= set(
        tables["events"]["columns"]
    )


def test_table_filter_and_sql_query_return_the_expected_rows(db_path: Path) -> None:
    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        ds = await _open(db_path)
        filtered = await ds.client.get("/beltwatch/events.json?type=ATTACK&_shape=array&_sort=id")
        assert filtered.status_code == 200, filtered.text
        query = await ds.client.get(
            "/beltwatch.json", params={"sql": CURRENT_ATTACKS, "type": "ATTACK", "_shape": "array"}
        )
        assert query.status_code == 200, query.text
        direct = await ds.get_database("beltwatch").execute(
            "select type, count(*) as n from events group by type order by type"
        )
        return filtered.json(), query.json(), [dict(r) for r in direct.rows]

    filtered, current, counts = asyncio.run(run())
    assert len(filtered) == 3  # the table holds every version's events
    assert all(r["type"] == "ATTACK" and r["location"] == "Gwadar" for r in filtered)
    assert [r["article"] for r in current] == [
        "gwadar-convoy-attack-2023-bla-claim",
        "gwadar-convoy-attack-2023-official-account",
    ]
    assert [r["evidence"] for r in current] == [BLA_CLAIM, OFFICIAL]
    assert OFFICIAL_FIRST not in {r["evidence"] for r in current}
    assert all(
        r["claimed_by"] == "Balochistan Liberation Army" and r["date"] == "2023-08-13" for r in current
    )
    assert {r["type"]: r["n"] for r in counts} == {**EXPECTED_TYPES, "ATTACK": 3}
