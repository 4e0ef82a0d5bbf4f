"""`beltwatch export`: every format from one real SQLite database, read back with the tools that consume it.

The database is created by the store's own `open_database` (the migrated schema) and filled by
hand, as `store.writes` fills it, with excerpts of four corpus articles: the Gwadar convoy
attack as two reports of one story (an ATTACK with casualty claims; the second report also has
a superseded version whose event must not be exported), the China Exim rollover (a FINANCING
with funder and recipient) and the Xi-Kakar meeting (a MEETING, a FINANCING without a
recipient, and one from China to the Silk Road Fund for the Belt and Road Initiative).
Each test runs on every backend of the shared `db_url` fixture (tests/conftest.py): SQLite, and
PostgreSQL when `BELTWATCH_TEST_POSTGRES` is set. `build_database` is also used by
tests/test_datasette.py.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from beltwatch.export import BASE_COLUMNS, read_events
from beltwatch.store import open_database
from beltwatch.store.schema import (
    aliases,
    article_versions,
    articles,
    claims,
    entities,
    event_arguments,
    events,
    sources,
    stories,
    story_members,
)

STAMP = datetime(2024, 1, 1, tzinfo=UTC)

# (type, name, country, kind, aliases)
ENTITIES = [
    ("ORG", "Balochistan Liberation Army", "PK", "armed_group", ["BLA"]),
    ("PERSON", "Jeeyand Baloch", "PK", None, []),
    ("ORG", "Chinese Embassy in Pakistan", "CN", "government", ["Chinese embassy in Pakistan"]),
    ("ORG", "Inter-Services Public Relations", "PK", "government", ["ISPR"]),
    ("GPE", "Gwadar", "PK", None, []),
    ("ORG", "Export-Import Bank of China", "CN", "lender", ["Export–Import Bank of China", "Exim Bank"]),
    ("GPE", "Pakistan", "PK", None, []),
    ("GPE", "China", "CN", None, []),
    ("PERSON", "Ishaq Dar", "PK", None, ["Dar"]),
    ("PERSON", "Xi Jinping", "CN", None, ["Xi"]),
    ("PERSON", "Anwar-ul-Haq Kakar", "PK", None, ["Kakar", "Kakkar"]),
    ("GPE", "Beijing", "CN", None, []),
    ("ORG", "China Development Bank", "CN", "lender", []),
    ("ORG", "Silk Road Fund", "CN", "lender", []),
    ("PROJECT", "Belt and Road Initiative", None, None, ["BRI"]),
]

BLA_CLAIM = (
    "The banned Balochistan Liberation Army (BLA) said on Sunday that its fighters had killed at least four"
    " Chinese nationals and nine Pakistani soldiers in an ambush on a convoy of Chinese engineers in Gwadar,"
    " figures that neither the Pakistani nor the Chinese side accepted."
)
EMBASSY = (
    "The Chinese embassy in Pakistan said the convoy had come under attack near the port but that there were no"
    " casualties on the Chinese side, and that everyone travelling in it had been taken to safety."
)
OFFICIAL = (
    "ISLAMABAD, Aug 14 (Asia Wire Desk) - Pakistani security forces shot dead two gunmen who attacked a convoy"
    " carrying Chinese engineers in the southwestern port city of Gwadar on Sunday, and nobody travelling in the"
    " convoy or guarding it was hurt, officials said."
)
OFFICIAL_FIRST = (
    "ISLAMABAD, Aug 13 (Asia Wire Desk) - Gunmen attacked a convoy carrying Chinese engineers in Gwadar on"
    " Sunday and two of them were killed, officials said."
)
ROLLOVER = (
    "The Export-Import Bank of China has agreed to roll over USD 2.4 billion of principal that Pakistan was due to"
    " repay over the next two fiscal years, Finance Minister Ishaq Dar said on Thursday, giving the government"
    " more breathing space as it tries to rebuild its foreign exchange reserves."
)
MEETING = (
    "Chinese President Xi Jinping on Thursday proposed to upgrade the USD 60 billion CPEC during a meeting with"
    ' Pakistan\'s caretaker Prime Minister Anwar-ul-Haq Kakar here but sought "effective measures" to ensure'
    " security for hundreds of Chinese workers who faced frequent attacks from militants in the country."
)
WINDOWS = (
    "In his speech at the concluding session of the meeting on Wednesday, Xi promised that two Chinese-backed"
    " development banks – the China Development Bank and the Export–Import Bank of China – will each set up"
    " 350 billion yuan (USD 47.9 billion) financing windows."
)
SILK_ROAD = (
    "An additional 80 billion yuan (USD11 billion) will be invested in Beijing’s Silk Road Fund to support BRI"
    " projects."
)

# key -> source, published, url, title, [(text, is_current, [(type, evidence, arguments)])] oldest version first
ARTICLES: dict[str, tuple[str, str, str | None, str, list[tuple[str, bool, list[tuple[str, str, dict]]]]]] = {
    "gwadar-convoy-attack-2023-bla-claim": (
        "Makran Coast Monitor",
        "2023-08-13",
        "https://makran-coast-monitor.example/2023/08/13/gwadar-convoy-ambush",
        (
            "Militants claim Chinese deaths in Gwadar convoy ambush; Islamabad and Beijing say nobody in the convoy"
            " was harmed"
        ),
        [
            (
                (
                    "Militants claim Chinese deaths in Gwadar convoy ambush\n\n"
                    f"{BLA_CLAIM}\n\n"
                    "The attack began in the morning near the Faqeer Colony bridge, on the road between Gwadar"
                    " Airport and the port.\n\n"
                    f"Beijing's account was entirely different. {EMBASSY}\n"
                ),
                True,
                [
                    (
                        "ATTACK",
                        BLA_CLAIM,
                        {
                            "claimed_by": "Balochistan Liberation Army",
                            "target": "convoy of Chinese engineers",
                            "victim_nationality": ["CN"],
                            "location": "Gwadar",
                            "date": "2023-08-13",
                            "disputed": True,
                            "claims": [
                                {"claimant": "Jeeyand Baloch", "killed": 13},
                                {"claimant": "Inter-Services Public Relations", "killed": 0, "injured": 0},
                            ],
                        },
                    ),
                    (
                        "STATEMENT",
                        EMBASSY,
                        {"speaker": "Chinese Embassy in Pakistan", "topic": "security", "date": "2023-08-13"},
                    ),
                ],
            )
        ],
    ),
    "gwadar-convoy-attack-2023-official-account": (
        "Asia Wire Desk",
        "2023-08-14",
        "https://asia-wire-desk.example/world/pakistan-gwadar-convoy",
        "Pakistan says two attackers killed, nobody hurt in assault on Chinese convoy in Gwadar",
        [
            (
                f"ASIA WIRE DESK\n\n{OFFICIAL_FIRST}\n",
                False,
                [("ATTACK", OFFICIAL_FIRST, {"location": "Gwadar", "date": "2023-08-13", "killed": 2})],
            ),
            (
                f"ASIA WIRE DESK\n\nPakistan says two attackers killed, nobody hurt in assault on Chinese convoy\n\n{OFFICIAL}\n",
                True,
                [
                    (
                        "ATTACK",
                        OFFICIAL,
                        {
                            "claimed_by": "Balochistan Liberation Army",
                            "target": "convoy carrying Chinese engineers",
                            "victim_nationality": ["CN"],
                            "killed": 0,
                            "injured": 0,
                            "location": "Gwadar",
                            "date": "2023-08-13",
                        },
                    )
                ],
            ),
        ],
    ),
    "china-exim-rollover-2023": (
        "Indus Ledger",
        "2023-07-27",
        "https://indus-ledger.example/business/china-exim-rollover",
        "China's Exim Bank rolls over USD 2.4bn of Pakistan's loans for two years",
        [
            (
                (
                    "Indus Ledger - Business & Economy\n\n"
                    "China's Exim Bank rolls over USD 2.4bn of Pakistan's loans for two years\n\n"
                    f"{ROLLOVER}\n"
                ),
                True,
                [
                    (
                        "FINANCING",
                        ROLLOVER,
                        {
                            "funder": "Export-Import Bank of China",
                            "recipient": "Pakistan",
                            "value": 2400000000,
                            "currency": "USD",
                            "instrument": "rollover",
                            "purpose": "principal repayments due in fiscal years 2023-24 and 2024-25",
                            "date": "2023-07-27",
                        },
                    ),
                    (
                        "STATEMENT",
                        ROLLOVER,
                        {"speaker": "Ishaq Dar", "topic": "finance", "date": "2023-07-27"},
                    ),
                ],
            )
        ],
    ),
    "seed-xi-kakar": (
        "Outlook Business & Money",
        "2023-10-19",
        None,
        "President Xi Meets Pak PM Kakar, Seeks 'Effective Measures' For Chinese Personnel Working For CPEC Projects",
        [
            (
                f"President Xi Meets Pak PM Kakar\n\n{MEETING}\n\n{WINDOWS} {SILK_ROAD}\n",
                True,
                [
                    (
                        "MEETING",
                        MEETING,
                        {
                            "participants": ["Xi Jinping", "Anwar-ul-Haq Kakar"],
                            "date": "2023-10-19",
                            "location": "Beijing",
                        },
                    ),
                    (
                        "FINANCING",
                        WINDOWS,
                        {
                            "funder": "China Development Bank",
                            "value": 350000000000,
                            "currency": "CNY",
                            "usd_stated": 47900000000,
                            "instrument": "financing window",
                            "purpose": "Belt and Road Initiative",
                        },
                    ),
                    (
                        "FINANCING",
                        SILK_ROAD,
                        {
                            "funder": "China",
                            "recipient": "Silk Road Fund",
                            "value": 80000000000,
                            "currency": "CNY",
                            "usd_stated": 11000000000,
                            "instrument": "investment",
                            "purpose": "Belt and Road Initiative",
                        },
                    ),
                ],
            )
        ],
    ),
}
STORIES = {
    "2023-08-gwadar-convoy-attack": [
        "gwadar-convoy-attack-2023-bla-claim",
        "gwadar-convoy-attack-2023-official-account",
    ],
    "2023-07-china-exim-rollover-pakistan": ["china-exim-rollover-2023"],
    "2023-10-bri-forum-xi-kakar": ["seed-xi-kakar"],
}
EXPECTED_TYPES = {"ATTACK": 2, "STATEMENT": 2, "FINANCING": 3, "MEETING": 1}
EXPECTED_ORDER = [  # published, then article key, then position
    "china-exim-rollover-2023",
    "china-exim-rollover-2023",
    "gwadar-convoy-attack-2023-bla-claim",
    "gwadar-convoy-attack-2023-bla-claim",
    "gwadar-convoy-attack-2023-official-account",
    "seed-xi-kakar",
    "seed-xi-kakar",
    "seed-xi-kakar",
]
EXTRA_COLUMNS = (
    *("place_id", "lat", "lon", "precision", "region", "usd", "usd_constant"),  # revision 0002
    *("alignment", "alignment_km", "site", "site_km"),  # revision 0004
    "placed_by",  # revision 0006
)
ALL_COLUMNS = [*(c.name for c in BASE_COLUMNS), *EXTRA_COLUMNS]
EXPORTED_COLUMNS = [*ALL_COLUMNS, "corrections"]  # the command applies analysts' corrections


def norm(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.casefold())
    return " ".join(
        re.sub(r"[^\w\s]", " ", "".join(c for c in folded if not unicodedata.combining(c))).split()
    )


def _span(value: str | None) -> tuple[date | None, date | None]:
    if value is None:
        return None, None
    if len(value) == 10:
        day = date.fromisoformat(value)
        return day, day
    raise AssertionError(f"the fixture only uses full dates, not {value!r}")


def build_database(url: str) -> str:
    """Migrate the empty database at `url` and fill it with ARTICLES, ENTITIES and STORIES; returns `url`."""
    with open_database(url) as db, db.engine.begin() as conn:
        names: dict[str, int] = {}
        for type_, name, country, kind, spellings in ENTITIES:
            entity_id = conn.execute(
                entities.insert()
                .values(
                    type=type_, name=name, norm_name=norm(name), country=country, kind=kind, created_at=STAMP
                )
                .returning(entities.c.id)
            ).scalar_one()
            for spelling in (name, *spellings):
                names.setdefault(norm(spelling), entity_id)
                if spelling != name:
                    conn.execute(
                        aliases.insert().values(
                            entity_id=entity_id, alias=spelling, norm_alias=norm(spelling)
                        )
                    )
        current: dict[str, tuple[int, int]] = {}  # article key -> (article id, current version id)
        for key, (source, published, link, title, versions) in ARTICLES.items():
            source_id = conn.execute(
                sources.insert().values(name=source).returning(sources.c.id)
            ).scalar_one()
            article_id = conn.execute(
                articles.insert().values(key=key, url=link, created_at=STAMP).returning(articles.c.id)
            ).scalar_one()
            for number, (text, is_current, found) in enumerate(versions, 1):
                version_id = conn.execute(
                    article_versions.insert()
                    .values(
                        article_id=article_id,
                        version=number,
                        content_hash=f"{number:064x}",
                        is_current=is_current,
                        superseded_at=None if is_current else STAMP,
                        title=title,
                        text=text,
                        published=date.fromisoformat(published),
                        language="en",
                        source_id=source_id,
                        url=link,
                        origin=f"tests/corpus/dev/{key}.txt",
                        created_at=STAMP,
                    )
                    .returning(article_versions.c.id)
                ).scalar_one()
                if is_current:
                    current[key] = (article_id, version_id)
                for position, (type_, sentence, args) in enumerate(found):
                    _add_event(conn, names, version_id, position, type_, text, sentence, args)
        for story_key, members in STORIES.items():
            first = min(ARTICLES[k][1] for k in members)
            last = max(ARTICLES[k][1] for k in members)
            story_id = conn.execute(
                stories.insert()
                .values(
                    key=story_key,
                    title=ARTICLES[members[0]][3],
                    first_published=date.fromisoformat(first),
                    last_published=date.fromisoformat(last),
                    size=len(members),
                )
                .returning(stories.c.id)
            ).scalar_one()
            for key in members:
                article_id, version_id = current[key]
                conn.execute(
                    story_members.insert().values(
                        story_id=story_id, article_id=article_id, article_version_id=version_id
                    )
                )
    return url


def _add_event(
    conn: sa.Connection,
    names: dict[str, int],
    version_id: int,
    position: int,
    type_: str,
    text: str,
    sentence: str,
    args: dict[str, Any],
) -> None:
    start = text.index(sentence)
    end = start + len(sentence)
    date_start, date_end = _span(args.get("date"))
    location = args.get("location")
    event_id = conn.execute(
        events.insert()
        .values(
            article_version_id=version_id,
            position=position,
            type=type_,
            date=args.get("date"),
            date_start=date_start,
            date_end=date_end,
            location=location,
            location_entity_id=names.get(norm(location)) if location else None,
            arguments=args,
            sentence_start=start,
            sentence_end=end,
        )
        .returning(events.c.id)
    ).scalar_one()
    for name, value in args.items():
        if name == "claims":
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            conn.execute(
                event_arguments.insert().values(
                    event_id=event_id,
                    name=name,
                    position=index,
                    value=item,
                    value_text=("true" if item else "false") if isinstance(item, bool) else str(item),
                    entity_id=names.get(norm(item)) if isinstance(item, str) else None,
                    sentence_start=start,
                    sentence_end=end,
                )
            )
    for index, claim in enumerate(args.get("claims", [])):
        conn.execute(
            claims.insert().values(
                event_id=event_id,
                article_version_id=version_id,
                position=index,
                claimant=claim["claimant"],
                claimant_entity_id=names.get(norm(claim["claimant"])),
                killed=claim.get("killed"),
                injured=claim.get("injured"),
            )
        )


def add_coordinates(url: str) -> None:
    """What the resolve stage stores: coordinates and dollars, filled for some events."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE events SET lat = 25.1216, lon = 62.3254, precision = 1, place_id = 'geonames:1177446'"
            " WHERE location = 'Gwadar'"
        )
        conn.exec_driver_sql(
            "UPDATE events SET lat = 95.0, lon = 116.3975 WHERE location = 'Beijing'"  # out of range: left out
        )
        financing = conn.execute(
            sa.select(events.c.id, events.c.arguments).where(events.c.type == "FINANCING")
        )
        for event_id in [r.id for r in financing if r.arguments.get("currency") == "USD"]:
            conn.execute(
                sa.text("UPDATE events SET usd = :usd, usd_constant = :constant WHERE id = :id"),
                {"usd": 2400000000, "constant": 2310000000, "id": event_id},
            )
    engine.dispose()


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def store(db_url: str) -> str:
    """The fixture database on each backend of `db_url` (tests/conftest.py): SQLite, and PostgreSQL when set up."""
    return build_database(db_url)


@pytest.fixture
def geo_store(store: str) -> str:
    add_coordinates(store)
    return store


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run `beltwatch ARGS` in-process through `cli.main`: (exit code, stdout, stderr)."""
    from beltwatch import cli
    from beltwatch.export import register

    if not any(command.name == "export" for command in cli.app.registered_commands):
        register(cli.app)  # until cli.py registers it itself
    monkeypatch.setattr(sys, "argv", ["beltwatch", *args])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        cli.main()
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err


def export(
    url: str,
    fmt: str,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *more: str,
) -> str:
    code, _, err = run_cli(
        ["export", "--format", fmt, "--db", url, "--out", str(out), *more], monkeypatch, capsys
    )
    assert code == 0, err
    assert len(err.strip().splitlines()) == 1, err
    return err


def check_geojson(doc: Any) -> list[dict[str, Any]]:
    """RFC 7946 structure for a FeatureCollection of Points; returns the features."""
    assert isinstance(doc, dict) and doc.get("type") == "FeatureCollection"
    assert isinstance(doc.get("features"), list)
    for feature in doc["features"]:
        assert feature.get("type") == "Feature"
        assert isinstance(feature.get("properties"), dict)
        geometry = feature.get("geometry")
        assert isinstance(geometry, dict) and geometry.get("type") == "Point"
        coordinates = geometry.get("coordinates")
        assert isinstance(coordinates, list) and len(coordinates) == 2
        lon, lat = coordinates
        assert all(
            isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in (lon, lat)
        )
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    return doc["features"]


# --- the reader ----------------------------------------------------------------------------


def test_reader_yields_current_events_with_evidence_article_and_story(store: str) -> None:
    with open_database(store, create=False) as db, db.engine.connect() as conn:
        rows = read_events(conn)
        assert [c.name for c in rows.columns] == ALL_COLUMNS
        found = list(rows)
        texts = {
            r.id: r.text for r in conn.execute(sa.select(article_versions.c.id, article_versions.c.text))
        }
        version_of = dict(conn.execute(sa.select(events.c.id, events.c.article_version_id)).all())
    assert [r["article"] for r in found] == EXPECTED_ORDER
    assert Counter(r["type"] for r in found) == EXPECTED_TYPES
    assert all(list(r) == ALL_COLUMNS for r in found)
    for r in found:  # the evidence is the version's text sliced by the sentence offsets, in characters
        text = texts[version_of[r["id"]]]
        assert r["evidence"] == text[r["sentence_start"] : r["sentence_end"]]
    by_evidence = {r["evidence"]: r for r in found}
    assert set(by_evidence) == {BLA_CLAIM, EMBASSY, OFFICIAL, ROLLOVER, MEETING, WINDOWS, SILK_ROAD}
    assert OFFICIAL_FIRST not in by_evidence  # the superseded version's event

    attack = by_evidence[BLA_CLAIM]
    assert attack["type"] == "ATTACK" and attack["date"] == "2023-08-13" and attack["location"] == "Gwadar"
    assert attack["date_start"] == attack["date_end"] == "2023-08-13"
    assert attack["arguments"]["claims"][0] == {"claimant": "Jeeyand Baloch", "killed": 13}
    assert attack["source"] == "Makran Coast Monitor" and attack["published"] == "2023-08-13"
    assert attack["url"] == ARTICLES["gwadar-convoy-attack-2023-bla-claim"][2]
    assert attack["story"] == "2023-08-gwadar-convoy-attack" and attack["duplicate_of"] is None
    official = by_evidence[OFFICIAL]
    assert official["version"] == 2 and official["story"] == attack["story"]
    windows = by_evidence[WINDOWS]  # after en dashes and a curly quote: offsets count characters
    assert (
        windows["url"] is None
        and windows["date"] is None
        and windows["arguments"]["usd_stated"] == 47900000000
    )
    assert by_evidence[SILK_ROAD]["evidence"].startswith("An additional 80 billion yuan")


def test_reader_filters_types_and_rejects_unknown_ones(store: str) -> None:
    from beltwatch.errors import UsageError

    with open_database(store, create=False) as db, db.engine.connect() as conn:
        assert [r["type"] for r in read_events(conn, ["attack"])] == ["ATTACK", "ATTACK"]
        assert Counter(r["type"] for r in read_events(conn, ["MEETING", "FINANCING"])) == {
            "FINANCING": 3,
            "MEETING": 1,
        }
        with pytest.raises(UsageError, match="--type must be one of"):
            read_events(conn, ["BOMBING"])


# --- the formats ---------------------------------------------------------------------------


def test_csv_has_one_row_per_event_in_a_stable_column_order(store, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "events.csv"
    err = export(store, "csv", out, monkeypatch, capsys)
    assert "8 events written" in err
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == EXPORTED_COLUMNS
    assert len(rows) == 8 and len({r["id"] for r in rows}) == 8
    assert Counter(r["type"] for r in rows) == EXPECTED_TYPES
    attack = next(r for r in rows if r["evidence"] == BLA_CLAIM)
    assert json.loads(attack["arguments"])["claimed_by"] == "Balochistan Liberation Army"
    assert attack["sentence_start"].isdigit() and attack["published"] == "2023-08-13"
    windows = next(r for r in rows if r["evidence"] == WINDOWS)
    assert windows["url"] == "" and windows["date"] == ""  # nulls are empty cells


def test_csv_type_filter(store, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "attacks.csv"
    export(store, "csv", out, monkeypatch, capsys, "--type", "ATTACK")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["type"] for r in rows] == ["ATTACK", "ATTACK"]
    export(store, "csv", out, monkeypatch, capsys, "--type", "attack", "--type", "meeting")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert Counter(r["type"] for r in rows) == {"ATTACK": 2, "MEETING": 1}


def test_jsonl_has_one_object_per_event_with_nested_arguments(store, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "events.jsonl"
    export(store, "jsonl", out, monkeypatch, capsys)
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 8
    assert all(list(r) == EXPORTED_COLUMNS for r in records)
    meeting = next(r for r in records if r["type"] == "MEETING")
    assert meeting["arguments"]["participants"] == ["Xi Jinping", "Anwar-ul-Haq Kakar"]
    assert meeting["evidence"] == MEETING and meeting["story"] == "2023-10-bri-forum-xi-kakar"


def test_jsonl_to_stdout(store, monkeypatch, capsys) -> None:
    code, out, err = run_cli(
        ["export", "-f", "jsonl", "--db", store, "--out", "-", "--type", "FINANCING"], monkeypatch, capsys
    )
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["arguments"]["value"] for r in records] == [2400000000, 350000000000, 80000000000]


def test_parquet_reads_back_with_pyarrow_and_duckdb(store, tmp_path, monkeypatch, capsys) -> None:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "events.parquet"
    export(store, "parquet", out, monkeypatch, capsys)
    table = pq.read_table(out)
    assert table.num_rows == 8
    assert table.schema.names == EXPORTED_COLUMNS
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("arguments").type == pa.string()  # JSON as text
    assert table.schema.field("published").type == pa.date32()
    assert table.schema.field("sentence_start").type == pa.int64()
    rows = table.to_pylist()
    assert rows[0]["published"] == date(2023, 7, 27)
    assert json.loads(rows[0]["arguments"])["funder"] == "Export-Import Bank of China"

    counts = dict(duckdb.sql(f"select type, count(*) from '{out}' group by type").fetchall())
    assert counts == EXPECTED_TYPES
    funders = duckdb.sql(
        f"select json_extract_string(arguments, '$.funder') as funder from '{out}'"
        " where type = 'FINANCING' order by published, position"
    ).fetchall()
    assert [f for (f,) in funders] == ["Export-Import Bank of China", "China Development Bank", "China"]


def test_geojson_without_coordinates_is_empty_and_says_so(store, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "events.geojson"
    err = export(store, "geojson", out, monkeypatch, capsys)
    assert check_geojson(json.loads(out.read_text(encoding="utf-8"))) == []
    assert "8 of 8 events have no coordinates and were left out" in err


def test_coordinates_and_dollars_are_exported(geo_store, tmp_path, monkeypatch, capsys) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "events.geojson"
    err = export(geo_store, "geojson", out, monkeypatch, capsys)
    features = check_geojson(json.loads(out.read_text(encoding="utf-8")))
    # the two attacks in Gwadar have coordinates; the meeting's latitude is out of range; the rest have none
    assert [f["properties"]["evidence"] for f in features] == [BLA_CLAIM, OFFICIAL]
    gwadar = next(f for f in features if f["properties"]["evidence"] == BLA_CLAIM)
    assert gwadar["geometry"]["coordinates"] == [62.3254, 25.1216]
    assert (
        gwadar["properties"]["place_id"] == "geonames:1177446" and gwadar["id"] == gwadar["properties"]["id"]
    )
    assert "6 of 8 events have no coordinates and were left out" in err

    csv_out = tmp_path / "events.csv"
    export(geo_store, "csv", csv_out, monkeypatch, capsys)
    with csv_out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == EXPORTED_COLUMNS
    rollover = next(r for r in rows if r["evidence"] == ROLLOVER and r["type"] == "FINANCING")
    assert float(rollover["usd"]) == 2400000000 and rollover["lat"] == ""

    pq_out = tmp_path / "events.parquet"
    export(geo_store, "parquet", pq_out, monkeypatch, capsys)
    schema = pq.read_schema(pq_out)
    assert schema.names[-len(EXTRA_COLUMNS) - 1 : -1] == list(EXTRA_COLUMNS)
    assert schema.field("lat").type == pa.float64() and schema.field("place_id").type == pa.string()


# --- FollowTheMoney --------------------------------------------------------------------------


def ftm_entities(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_valid_ftm(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Every entity validates, round-trips through `model.get_proxy` as Aleph reads it, and links resolve."""
    from followthemoney import model

    proxies = {}
    for data in records:
        assert set(data) == {"id", "schema", "properties"}
        proxy = model.get_proxy(data, cleaned=False)  # Aleph's bulk import re-cleans every value like this
        assert proxy.to_dict() == data, data
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract
        schema.validate(data)  # raises InvalidData
        assert all(proxy.get(name) for name in schema.required), (data, schema.required)
        assert proxy.id not in proxies, f"{proxy.id} written twice"
        proxies[proxy.id] = proxy
    for proxy in proxies.values():  # every entity property points at an entity of the export, of its range
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in proxies, (proxy.id, prop.name, value)
                assert proxies[value].schema.is_a(prop.range), (prop.name, proxies[value].schema)
    return proxies


def test_ftm_entities_are_valid_and_link_up(store, tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "events.ftm.json"
    err = export(store, "ftm", out, monkeypatch, capsys)
    records = ftm_entities(out)
    proxies = assert_valid_ftm(records)
    assert f"{len(records)} FollowTheMoney entities for 8 events" in err

    by_schema = Counter(p.schema.name for p in proxies.values())
    assert by_schema["Event"] == 8 and by_schema["Article"] == 4
    assert by_schema["Debt"] == 1 and by_schema["Payment"] == 1
    names = {
        p.first("name"): p
        for p in proxies.values()
        if p.schema.is_a("LegalEntity") or p.schema.name == "Project"
    }
    assert names["Balochistan Liberation Army"].schema.name == "Organization"
    assert names["Balochistan Liberation Army"].get("classification") == ["armed_group"]
    assert names["Balochistan Liberation Army"].get("alias") == ["BLA"]
    assert names["Inter-Services Public Relations"].schema.name == "PublicBody"
    assert names["Jeeyand Baloch"].schema.name == "Person"  # a claimant
    assert names["Pakistan"].schema.name == "PublicBody"  # a state as a party
    assert names["Belt and Road Initiative"].schema.name == "Project"
    assert "Gwadar" not in names and "Beijing" not in names  # places are event locations, not parties

    events_ = {p.first("summary"): p for p in proxies.values() if p.schema.name == "Event"}
    attack = events_[BLA_CLAIM]
    involved = {proxies[i].first("name") for i in attack.get("involved")}
    assert involved == {"Balochistan Liberation Army", "Jeeyand Baloch", "Inter-Services Public Relations"}
    assert attack.get("date") == ["2023-08-13"] and attack.get("location") == ["Gwadar"]
    assert attack.get("country") == ["pk"] and attack.get("keywords") == ["ATTACK"]
    assert "Jeeyand Baloch: killed 13" in attack.first("description")
    article = proxies[attack.first("proof")]
    assert article.schema.name == "Article" and article.get("publishedAt") == ["2023-08-13"]
    assert article.get("publisher") == ["Makran Coast Monitor"]
    assert (
        attack.get("sourceUrl")
        == article.get("sourceUrl")
        == [ARTICLES["gwadar-convoy-attack-2023-bla-claim"][2]]
    )
    meeting = events_[MEETING]
    assert {proxies[i].first("name") for i in meeting.get("involved")} == {"Xi Jinping", "Anwar-ul-Haq Kakar"}
    assert names["Anwar-ul-Haq Kakar"].get("alias") == ["Kakar", "Kakkar"]

    debts = [p for p in proxies.values() if p.schema.name == "Debt"]
    assert [d.first("description") for d in debts] == [ROLLOVER]  # a rollover lends: Pakistan owes it
    rollover = debts[0]
    assert proxies[rollover.first("creditor")].first("name") == "Export-Import Bank of China"
    assert proxies[rollover.first("debtor")].first("name") == "Pakistan"
    assert rollover.get("amount") == ["2400000000"] and rollover.get("currency") == ["USD"]
    assert rollover.get("date") == ["2023-07-27"]
    assert rollover.get("summary") == [
        "rollover: principal repayments due in fiscal years 2023-24 and 2024-25"
    ]
    assert rollover.first("proof") == events_[ROLLOVER].first("proof")

    payments = [p for p in proxies.values() if p.schema.name == "Payment"]
    assert [p.first("summary") for p in payments] == [SILK_ROAD]  # an investment is paid, not owed
    silk = payments[0]
    assert proxies[silk.first("payer")].first("name") == "China"
    assert proxies[silk.first("beneficiary")].first("name") == "Silk Road Fund"
    assert silk.get("amountUsd") == ["11000000000"] and silk.get("currency") == ["CNY"]
    assert silk.get("description") == ["instrument: investment"]
    assert proxies[silk.first("project")].first("name") == "Belt and Road Initiative"

    # the CDB's financing window has no recipient, so no Debt can name a debtor: its Event keeps what is known
    window = events_[WINDOWS]
    assert {proxies[i].first("name") for i in window.get("involved")} == {"China Development Bank"}
    assert names["China Development Bank"].schema.name == "Organization"
    assert {"funder: China Development Bank", "value: 350000000000", "currency: CNY"} <= set(
        window.first("description").splitlines()
    )
    assert "instrument: financing window" in window.first("description")


def test_a_loan_without_a_known_funder_is_a_valid_debt_without_creditor(store, tmp_path, monkeypatch, capsys):
    engine = sa.create_engine(store)
    with engine.begin() as conn:  # as if the lender's name had not been resolved to an entity
        conn.execute(
            event_arguments.update()
            .where(
                event_arguments.c.name == "funder",
                event_arguments.c.value_text == "Export-Import Bank of China",
            )
            .values(entity_id=None)
        )
    engine.dispose()
    out = tmp_path / "events.ftm.json"
    export(store, "ftm", out, monkeypatch, capsys, "--type", "FINANCING")
    proxies = assert_valid_ftm(ftm_entities(out))
    (debt,) = [p for p in proxies.values() if p.schema.name == "Debt"]
    assert proxies[debt.first("debtor")].first("name") == "Pakistan" and debt.get("creditor") == []
    assert debt.first("description") == ROLLOVER and debt.get("amount") == ["2400000000"]
    named = {p.first("name") for p in proxies.values() if p.schema.is_a("LegalEntity")}
    assert "Pakistan" in named and "Export-Import Bank of China" not in named


@pytest.mark.parametrize(
    ("instrument", "lends"),
    [
        *((label, True) for label in ("loan", "credit line", "rollover", "financing window", "deposit")),
        *((label, False) for label in ("grant", "investment", "equity", "other")),
        ("sovereign bond", True),  # an analyst's correction
        ("Roll-over of SAFE deposits", True),
        ("payroll support", False),
        (None, False),
    ],
)
def test_which_instruments_are_debts(instrument, lends) -> None:
    from beltwatch.export.ftm_format import lends as is_debt

    assert is_debt(instrument) is lends


def test_ftm_ids_are_stable_and_the_type_filter_applies(store, tmp_path, monkeypatch, capsys) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    export(store, "ftm", first, monkeypatch, capsys)
    export(store, "ftm", second, monkeypatch, capsys)
    assert first.read_bytes() == second.read_bytes()

    attacks = tmp_path / "attacks.json"
    export(store, "ftm", attacks, monkeypatch, capsys, "--type", "ATTACK")
    proxies = assert_valid_ftm(ftm_entities(attacks))
    assert Counter(p.schema.name for p in proxies.values())["Event"] == 2
    assert not any(p.schema.name in ("Payment", "Debt") for p in proxies.values())
    all_ids = {r["id"] for r in ftm_entities(first)}
    assert set(proxies) <= all_ids  # the same entities get the same ids in a filtered export


# --- the command's errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml", "--out", "{tmp}/x"], "format"),
        (["--format", "csv", "--out", "{tmp}/x", "--type", "BOMBING"], "--type must be one of"),
        (["--format", "parquet", "--out", "-"], "Parquet needs a file"),
        (["--format", "csv", "--out", "{tmp}/missing/x.csv"], "does not exist"),
        (["--format", "csv", "--out", "{tmp}"], "is a folder"),
    ],
)
def test_usage_errors_exit_2_with_one_line(store, tmp_path, monkeypatch, capsys, args, message) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    args = [a.replace("{tmp}", str(folder)) for a in args]
    code, out, err = run_cli(["export", "--db", store, *args], monkeypatch, capsys)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert out == ""
    assert list(folder.iterdir()) == []  # nothing written, not even a partial file


def test_missing_database_is_a_usage_error_and_creates_nothing(tmp_path, monkeypatch, capsys) -> None:
    missing = tmp_path / "nowhere.db"
    code, _, err = run_cli(
        ["export", "-f", "csv", "--db", f"sqlite:///{missing}", "--out", str(tmp_path / "x.csv")],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "no database" in err and len(err.strip().splitlines()) == 1
    assert not missing.exists() and not (tmp_path / "x.csv").exists()


def test_no_matching_events_still_gives_valid_files(store, tmp_path, monkeypatch, capsys) -> None:
    import pyarrow.parquet as pq

    for fmt in ("csv", "jsonl", "parquet", "geojson", "ftm"):
        out = tmp_path / f"protests.{fmt}"
        err = export(store, fmt, out, monkeypatch, capsys, "--type", "PROTEST")
        assert "0 " in err and "left out" not in err
    assert (tmp_path / "protests.csv").read_text(encoding="utf-8").splitlines() == [
        ",".join(EXPORTED_COLUMNS)
    ]
    assert (tmp_path / "protests.jsonl").read_bytes() == (tmp_path / "protests.ftm").read_bytes() == b""
    table = pq.read_table(tmp_path / "protests.parquet")
    assert table.num_rows == 0 and table.schema.names == EXPORTED_COLUMNS
    assert check_geojson(json.loads((tmp_path / "protests.geojson").read_text(encoding="utf-8"))) == []


def test_an_invalid_ftm_entity_is_refused() -> None:
    from followthemoney import model

    from beltwatch.errors import BeltwatchError
    from beltwatch.export.ftm_format import check

    payment = model.make_entity("Payment", key_prefix="beltwatch")
    payment.make_id("payment", "no-beneficiary")
    payment.add("payer", "46c7dc83cf99471ae4c99a48c65af8d63656d2a4")
    payment.add("amount", 2400000000)
    with pytest.raises(BeltwatchError, match="beneficiary"):
        check(payment)
