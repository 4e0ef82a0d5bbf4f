"""The REST API and the pages, in process (FastAPI's TestClient), on a real SQLite database filled by the
real ingest: a few corpus articles and one hostile article whose title, source and text carry
`<script>` tags and attribute-breaking quotes.

The database is built once per module and backend (SQLite; PostgreSQL when BELTWATCH_TEST_POSTGRES
is set, as in CI); tests that write (corrections, uploads, re-ingest) work on a copy of it (SQLite's
backup API, or a new PostgreSQL database ingested again), so the read tests see the ingested
content only.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import nullcontext
from functools import partial
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from beltwatch.api import create_app
from beltwatch.api.middleware import SECURITY_HEADERS
from beltwatch.ingest import ingest
from beltwatch.settings import Settings
from beltwatch.store import reads
from beltwatch.store.database import open_database
from beltwatch.store.queries import MAX_LIMIT, differing_figures
from beltwatch.store.schema import events
from beltwatch.web.render import Span, highlight
from conftest import BACKENDS, fresh_database

DEV = Path(__file__).parent / "corpus" / "dev"
ARTICLES = (
    "seed-xi-kakar",
    "gwadar-convoy-attack-2023-bla-claim",
    "gwadar-convoy-attack-2023-official-account",
    "karachi-airport-blast-2024",
    "china-exim-rollover-2023",
    "hambantota-port-lease-2017",
)
TOKEN = "correct-horse-battery-staple"
XSS_KEY = "hostile-report"
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="x'
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
ATTRIBUTE_ESCAPED = "&#34; onmouseover=&#34;x"
XSS_TEXT = f"""Gunmen attack Chinese convoy in Gwadar {SCRIPT}

GWADAR: Gunmen attacked a convoy carrying Chinese engineers in Gwadar on Sunday, killing two guards, officials said. {ATTRIBUTE}

The Balochistan Liberation Army said it carried out the attack {SCRIPT} and claimed that 13 soldiers were killed.
"""
INJECTIONS = (
    "x' OR 1=1 --",
    "'; DROP TABLE events; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "1) UNION SELECT sql FROM sqlite_master --",
    "NEAR(a b)",
    "* OR text:*",
)


def write_hostile_article(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{XSS_KEY}.txt"
    path.write_text(XSS_TEXT, encoding="utf-8")
    meta = {
        "published": "2024-05-06",
        "source": f"Evil {SCRIPT} Wire",
        "title": f"Convoy attacked {SCRIPT} {ATTRIBUTE}",
        "url": "javascript:alert(1)",
        "language": "en",
    }
    (folder / f"{XSS_KEY}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def build_database(folder: Path, url: str | None = None) -> str:
    """A database (SQLite in `folder` unless `url` is given) filled by the real ingest with the corpus
    subset and the hostile article."""
    sources = folder / "sources"
    sources.mkdir(parents=True)
    for name in ARTICLES:
        shutil.copyfile(DEV / f"{name}.txt", sources / f"{name}.txt")
        if (DEV / f"{name}.meta.json").exists():
            shutil.copyfile(DEV / f"{name}.meta.json", sources / f"{name}.meta.json")
    write_hostile_article(sources)
    url = url or f"sqlite:///{folder / 'beltwatch.db'}"
    summary = ingest([str(sources)], Settings.load(url))
    assert summary.failed == 0 and summary.new == len(ARTICLES) + 1, summary.to_json()
    return url


def copy_database(url: str, folder: Path) -> str:
    source = url.removeprefix("sqlite:///")
    target = folder / "copy.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return f"sqlite:///{target}"


@pytest.fixture(scope="module", params=BACKENDS)
def base_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The ingested database, once on SQLite and once on PostgreSQL (when BELTWATCH_TEST_POSTGRES is set)."""
    folder = tmp_path_factory.mktemp("api")
    with fresh_database(request.param, folder) as url:
        yield build_database(folder, url)


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[TestClient]:
    """Read-only: the server has no token."""
    with TestClient(create_app(base_url, environ={})) as test_client:
        yield test_client


@pytest.fixture
def writable(base_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """A copy of the database (SQLite: a backup; PostgreSQL: ingested again) behind a server with a token."""
    if base_url.startswith("sqlite"):
        database = nullcontext(copy_database(base_url, tmp_path))
    else:
        database = fresh_database("postgresql", tmp_path)
    with database as url:
        if not base_url.startswith("sqlite"):
            build_database(tmp_path, url)
        app = create_app(url, environ={"BELTWATCH_TOKEN": TOKEN, "BELTWATCH_TOKEN_NAME": "tester"})
        with TestClient(app) as test_client:
            test_client.db_url = url  # type: ignore[attr-defined]
            yield test_client


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def all_events(client: TestClient, **params) -> list[dict]:
    out, offset = [], 0
    while True:
        body = client.get("/api/events", params={**params, "limit": MAX_LIMIT, "offset": offset}).json()
        out += body["items"]
        offset += MAX_LIMIT
        if offset >= body["total"] and not body["more"]:  # `more`: more than `total` match
            return out
        if not body["items"]:
            return out


def assert_error(response, status: int) -> str:
    """The one error shape: exactly {"error": {"status": <status>, "message": <text>}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


def first_attack(client: TestClient, article: str = "karachi-airport-blast-2024") -> dict:
    found = client.get("/api/events", params={"type": "ATTACK", "article": article}).json()["items"]
    assert found, f"no attack extracted from {article}"
    return found[0]


# --- reading ---------------------------------------------------------------------------------------


def test_openapi_describes_every_endpoint(client):
    spec = client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    for path in (
        "/api/events",
        "/api/events/{event_id}",
        "/api/entities",
        "/api/entities/{entity_id}",
        "/api/stories",
        "/api/stories/{key}",
        "/api/articles",
        "/api/articles/{key}",
        "/api/search",
        "/api/stats",
        "/api/exports/{format}",
        "/api/corrections",
        "/api/corrections.csv",
        "/api/events/{event_id}/corrections",
        "/api/entities/{entity_id}/corrections",
        "/api/ingest",
    ):
        assert path in paths, path
    assert not any(p.startswith("/map") or p == "/" for p in paths)  # pages are not API


def test_events_filter_by_type_dates_country_entity_article_story_and_text(client):
    everything = all_events(client)
    assert len(everything) > 20
    attacks = all_events(client, type="ATTACK")
    assert attacks and all(e["type"] == "ATTACK" for e in attacks)
    assert len(attacks) == sum(e["type"] == "ATTACK" for e in everything)
    assert_error(client.get("/api/events", params={"type": "attack"}), 422)  # the names the document lists

    in_2023 = all_events(client, since="2023-01-01", until="2023-12-31")
    assert in_2023
    for e in in_2023:
        when = e["date_start"] or e["published"]
        assert "2023-01-01" <= when <= "2023-12-31" or (e["date_end"] or "") >= "2023-01-01"

    pakistan = all_events(client, country="Pakistan")
    assert pakistan and {e["id"] for e in pakistan} == {e["id"] for e in all_events(client, country="PK")}
    assert len(pakistan) < len(everything)

    exim = all_events(client, entity="Export-Import Bank of China")
    assert exim and all("Export" in json.dumps(e, ensure_ascii=False) for e in exim)

    seed = all_events(client, article="seed-xi-kakar")
    assert seed and {e["article"] for e in seed} == {"seed-xi-kakar"}
    story = seed[0]["story"]
    assert {e["article"] for e in all_events(client, story=story)} >= {"seed-xi-kakar"}

    hits = all_events(client, text="Silk Road Fund")
    assert hits and all("silk road fund" in json.dumps(e, ensure_ascii=False).lower() for e in hits)


def test_a_text_filter_finds_every_event_whose_sentence_place_or_arguments_hold_the_words(base_url):
    """Read from the trigram index (three characters or more) or, shorter, from the events' own text: the
    same events a reading of every event finds, whatever the case, and words within one part, not across."""
    from beltwatch.store.queries import EventFilter, list_events

    def parts(event: dict) -> list[str]:
        values = [
            ("true" if item else "false") if isinstance(item, bool) else str(item)
            for name, value in event["arguments"].items()
            if value is not None and name != "claims"
            for item in (value if isinstance(value, list) else [value])
        ]
        return [(event["evidence"] or {}).get("text") or "", event["location"] or "", *values]

    with open_database(base_url) as db, db.engine.connect() as conn:
        _, every = list_events(conn, EventFilter(), limit=None)
        for words in ("convoy", "Silk  Road", "ARACH", "dasu", "ki", "Xi Jinping", "no such words"):
            wanted = " ".join(words.split()).casefold()
            expected = {e["id"] for e in every if any(wanted in part.casefold() for part in parts(e))}
            matching, found = list_events(conn, EventFilter(text=words), limit=None)
            assert {e["id"] for e in found} == expected and matching == reads.Matches(len(expected), False), words
            assert expected or words == "no such words"


def test_events_paginate_with_a_cap_and_sort(client):
    total = client.get("/api/events", params={"limit": 1}).json()["total"]
    first = client.get("/api/events", params={"limit": 5, "offset": 0}).json()
    second = client.get("/api/events", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == second["total"] == total
    assert len(first["items"]) == len(second["items"]) == 5
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in second["items"]}
    beyond = client.get("/api/events", params={"offset": total}).json()
    assert beyond["items"] == [] and beyond["total"] == total

    assert_error(client.get("/api/events", params={"limit": MAX_LIMIT + 1}), 422)
    assert_error(client.get("/api/events", params={"limit": 0}), 422)
    assert_error(client.get("/api/events", params={"offset": -1}), 422)
    assert_error(client.get("/api/entities", params={"limit": 10_000}), 422)

    newest = client.get("/api/events", params={"sort": "-date", "limit": 50}).json()["items"]
    keys = [e["date_start"] or e["published"] for e in newest if e["date_start"] or e["published"]]
    assert keys == sorted(keys, reverse=True)
    by_type = client.get("/api/events", params={"sort": "type", "limit": MAX_LIMIT}).json()["items"]
    assert [e["type"] for e in by_type] == sorted(e["type"] for e in by_type)
    assert_error(client.get("/api/events", params={"sort": "id; DROP TABLE events"}), 422)


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_are_only_ever_values(client, value):
    total = client.get("/api/events", params={"limit": 1}).json()["total"]
    for param in ("entity", "story", "article", "text"):
        response = client.get("/api/events", params={param: value})
        assert response.status_code == 200, (param, response.text)
        for e in response.json()["items"]:  # what matches must really contain the characters
            if param == "text":
                assert value.lower() in json.dumps(e, ensure_ascii=False).lower().replace("\\\\", "\\")
    assert client.get("/api/events", params={"text": value}).json()["total"] <= total
    if value in ("x' OR 1=1 --", "'; DROP TABLE events; --"):
        assert client.get("/api/events", params={"text": value}).json()["total"] == 0
        assert client.get("/api/events", params={"entity": value}).json()["total"] == 0
    for param, status in (("type", 422), ("country", 404)):  # not one of the types; no such country
        assert_error(client.get("/api/events", params={param: value}), status)
    for path in ("/api/entities", "/api/articles"):
        assert client.get(path, params={"q": value}).status_code == 200
    assert client.get("/api/search", params={"q": value}).status_code == 200
    assert client.get(f"/api/articles/{value}").status_code == 404
    assert client.get(f"/api/stories/{value}").status_code == 404
    assert client.get("/search", params={"q": value}).status_code == 200
    # nothing was dropped or changed
    assert client.get("/api/events", params={"limit": 1}).json()["total"] == total


def test_pages_of_articles_are_slices_of_the_whole_list(client):
    """A page of the newest articles is read down the index on the publication day to the day of its last
    (ties and undated articles included): each page is the slice of the whole list, every total the same."""
    whole = client.get("/api/articles", params={"limit": MAX_LIMIT}).json()
    keys = [a["id"] for a in whole["items"]]
    assert whole["total"] == len(keys) == len(ARTICLES) + 1
    for offset, limit in itertools.product(range(len(keys) + 1), (1, 2, 5)):
        page = client.get("/api/articles", params={"limit": limit, "offset": offset}).json()
        assert page["total"] == len(keys) and [a["id"] for a in page["items"]] == keys[offset : offset + limit]


def test_entities_articles_stories_search_and_stats(client):
    found = client.get("/api/entities", params={"q": "Kakar"}).json()["items"]
    kakar = next(e for e in found if e["type"] == "PERSON")
    details = client.get(f"/api/entities/{kakar['id']}").json()
    assert "Kakar" in details["name"]
    assert details["events"] and all("id" in e for e in details["events"])
    assert isinstance(details["roles"], list) and isinstance(details["aliases"], list)

    article = client.get("/api/articles/seed-xi-kakar").json()
    assert article["text"] and article["entities"] and article["events"] and article["amounts"]
    for e in article["events"]:
        ev = e["evidence"]
        assert article["text"][ev["start"] : ev["end"]] == ev["text"]
    for x in article["entities"]:
        for m in x["mentions"]:
            assert article["text"][m["start"] : m["end"]] == m["text"]

    listing = client.get("/api/articles", params={"limit": 3}).json()
    assert listing["total"] == len(ARTICLES) + 1 and len(listing["items"]) == 3

    stories = client.get("/api/stories").json()
    assert stories["total"] >= 1
    key = stories["items"][0]["story"]
    story = client.get(f"/api/stories/{key}").json()
    assert story["articles"] and "differences" in story

    hits = client.get("/api/search", params={"q": "Gwadar convoy"}).json()["items"]
    article_hits = [h for h in hits if h["kind"] == "article"]
    assert article_hits
    for h in article_hits:
        for start, end in h["highlights"]:
            assert h["snippet"][start:end].lower().startswith(("gwadar", "convoy"))
    assert client.get("/api/search", params={"q": "?!"}).json()["items"] == []

    stats = client.get("/api/stats").json()
    assert stats["articles"] == len(ARTICLES) + 1 and stats["corrections"] == 0
    assert "database" not in stats  # the server's path is not exposed


def test_differing_figures_are_listed_with_claims_beside_facts():
    found = [
        {"id": 1, "type": "ATTACK", "article": "a", "arguments": {"killed": 0}},
        {
            "id": 2,
            "type": "ATTACK",
            "article": "b",
            "arguments": {"killed": 2, "claims": [{"claimant": "BLA", "killed": 13}]},
        },
        {"id": 3, "type": "MEETING", "article": "b", "arguments": {}},
    ]
    (difference,) = differing_figures(found)
    assert difference["argument"] == "killed"
    assert [(v["value"], v["claimant"]) for v in difference["values"]] == [(0, None), (2, None), (13, "BLA")]


# --- errors ---------------------------------------------------------------------------------------


def test_every_api_error_has_one_shape(client, writable):
    assert "no such resource" in assert_error(client.get("/api/no-such-thing"), 404)
    assert_error(client.get("/api/events/999999"), 404)
    assert_error(client.get("/api/entities/999999"), 404)
    assert_error(client.get("/api/articles/no-such-article"), 404)
    assert_error(client.delete("/api/events"), 405)
    assert_error(client.get("/api/events", params={"since": "yesterday"}), 422)
    assert_error(client.get("/api/events/not-a-number"), 422)
    for too_big in ("/api/events/9223372036854775808", "/api/entities/9223372036854775808"):
        assert "less than or equal" in assert_error(client.get(too_big), 422)  # refused before any query
    assert_error(client.get("/api/events", params={"entity_id": 2**63}), 422)
    assert_error(client.get("/api/events", params={"type": "PICNIC"}), 422)
    assert_error(client.get("/api/events", params={"until": "0"}), 422)  # not a Unix time: YYYY-MM-DD only
    assert_error(client.post("/api/events/1/corrections", json={"action": "reject"}), 403)
    assert_error(writable.post("/api/events/1/corrections", json={"action": "reject"}), 401)
    assert_error(writable.post("/api/events/1/corrections", headers=AUTH, json={"action": "explode"}), 422)
    assert_error(writable.post("/api/ingest", headers=AUTH, content=b"x" * (5 * 1024 * 1024 + 1)), 413)
    # an unexpected exception: a 500 in the same shape, naming no internals
    app = create_app(writable.db_url, environ={})  # type: ignore[attr-defined]

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as broken:
        message = assert_error(broken.get("/api/boom"), 500)
    assert "secret" not in message


def test_a_server_error_carries_the_security_headers(writable):
    """A table the schema needs is gone: the reads fail in the database, and the 500s, JSON and page alike,
    still carry every security header."""
    with open_database(writable.db_url, create=False) as db, db.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.text("ALTER TABLE events RENAME TO events_gone"))
    app = create_app(writable.db_url, environ={})  # type: ignore[attr-defined]
    with TestClient(app, raise_server_exceptions=False) as broken:
        api = broken.get("/api/events")
        page = broken.get("/incidents")
    assert "events_gone" not in assert_error(api, 500)
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    for response in (api, page):
        for name, value in SECURITY_HEADERS:
            assert response.headers.get(name.decode()) == value.decode(), (response.url, name)


def test_pages_answer_errors_as_html_and_send_security_headers(client):
    response = client.get("/articles/no-such-article")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    ok = client.get("/")
    csp = ok.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert ok.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in ok.headers
    preflight = client.options(
        "/api/events", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers


# --- writes: tokens, size limit, corrections ------------------------------------------------------


def test_writes_need_the_token(client, writable):
    attack = first_attack(writable)
    path = f"/api/events/{attack['id']}/corrections"
    body = {"action": "reject", "note": "test"}
    assert "disabled" in assert_error(client.post(path, json=body), 403)  # no BELTWATCH_TOKEN: no writes
    assert "disabled" in assert_error(client.post(path, json=body, headers=AUTH), 403)
    missing = writable.post(path, json=body)
    assert_error(missing, 401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert (
        assert_error(writable.post(path, json=body, headers={"Authorization": "Bearer nope"}), 401)
        == "wrong token"
    )
    assert_error(writable.post(path, json=body, headers={"Authorization": f"Basic {TOKEN}"}), 401)
    assert_error(writable.post(path, json=body, headers={"Authorization": "Bearer "}), 401)
    assert writable.get("/api/corrections").json()["total"] == 0
    ok = writable.post(path, json=body, headers=AUTH)
    assert ok.status_code == 201, ok.text
    assert ok.json()["correction"]["token_name"] == "tester"


def test_request_bodies_over_the_limit_are_refused(writable):
    big = b"a" * (5 * 1024 * 1024 + 10)
    response = writable.post("/api/ingest", headers=AUTH, files={"file": ("big.txt", big, "text/plain")})
    assert_error(response, 413)

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(6):
            yield b"b" * (1024 * 1024)

    assert_error(writable.post("/api/events/1/corrections", headers=AUTH, content=chunks()), 413)
    assert writable.get("/api/articles", params={"q": "big"}).json()["total"] == 0


def test_upload_ingests_an_article(writable, client):
    text = (DEV / "dasu-bus-bombing-2021.txt").read_bytes()
    form = {"title": "Uploaded Dasu report", "published": "2021-07-15", "source": "Upload Desk"}
    response = writable.post(
        "/api/ingest", headers=AUTH, files={"file": ("../../dasu upload.txt", text, "text/plain")}, data=form
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["new"] == 1 and body["article"] == "dasu-upload"
    article = writable.get("/api/articles/dasu-upload").json()
    assert article["title"] == "Uploaded Dasu report" and article["source"] == "Upload Desk"
    assert article["events"]
    again = writable.post("/api/ingest", headers=AUTH, files={"file": ("dasu upload.txt", text)}, data=form)
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    assert_error(writable.post("/api/ingest", headers=AUTH, files={"file": ("x.exe", b"MZ")}), 400)
    assert_error(writable.post("/api/ingest", headers=AUTH, files={"file": ("empty.txt", b"")}), 422)
    assert_error(client.post("/api/ingest", files={"file": ("a.txt", b"text")}), 403)
    assert_error(writable.post("/api/ingest/url", headers=AUTH, json={"url": "file:///etc/passwd"}), 422)
    assert_error(writable.post("/api/ingest/url", json={"url": "http://127.0.0.1:1/feed.xml"}), 401)
    refused = writable.post("/api/ingest/url", headers=AUTH, json={"url": "http://127.0.0.1:1/feed.xml"})
    assert "loopback" in assert_error(refused, 422)  # the source stage's SSRF check: no private addresses


def test_event_corrections_are_versioned_logged_and_shown(writable, monkeypatch):
    attack = first_attack(writable)
    path = f"/api/events/{attack['id']}/corrections"
    before = attack["arguments"].get("killed")
    first = writable.post(
        path, headers=AUTH, json={"action": "edit", "argument": "killed", "value": "7", "note": "ISPR"}
    )
    assert first.status_code == 201, first.text
    record = first.json()["correction"]
    assert (record["field"], record["before"], record["after"], record["version"]) == (
        "arguments.killed",
        before,
        7,
        1,
    )
    assert first.json()["event"]["arguments"]["killed"] == 7
    assert first.json()["event"]["original"]["killed"] == before
    second = writable.post(path, headers=AUTH, json={"action": "edit", "argument": "killed", "value": 8})
    assert second.json()["correction"]["version"] == 2 and second.json()["correction"]["before"] == 7
    assert_error(
        writable.post(path, headers=AUTH, json={"action": "edit", "argument": "killed", "value": "many"}), 422
    )
    assert_error(
        writable.post(path, headers=AUTH, json={"action": "edit", "argument": "killed", "value": -1}), 422
    )
    assert_error(
        writable.post(path, headers=AUTH, json={"action": "edit", "argument": "date", "value": "2024-13-01"}),
        422,
    )
    assert_error(
        writable.post(path, headers=AUTH, json={"action": "edit", "argument": "evil_field", "value": 1}), 422
    )
    date_fix = writable.post(
        path, headers=AUTH, json={"action": "edit", "argument": "date", "value": "2024-10-05"}
    )
    assert date_fix.json()["event"]["date"] == "2024-10-05"

    shown = writable.get(f"/api/events/{attack['id']}").json()
    assert shown["arguments"]["killed"] == 8 and len(shown["corrections"]) == 3
    page = writable.get(f"/events/{attack['id']}").text
    assert "arguments.killed" in page and "tester" in page

    log = writable.get("/api/corrections").json()
    assert log["total"] == 3 and [c["version"] for c in log["items"]] == [1, 2, 1]
    assert {c["token_name"] for c in log["items"]} == {"tester"}
    as_csv = writable.get("/api/corrections.csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 3 and rows[-1]["after"] == "7" and rows[-1]["article"] == attack["article"]

    # mark wrong: gone from lists and exports, still there on request; restore brings it back
    assert writable.post(path, headers=AUTH, json={"action": "reject"}).status_code == 201
    assert_error(writable.post(path, headers=AUTH, json={"action": "reject"}), 409)
    ids = {e["id"] for e in all_events(writable)}
    assert attack["id"] not in ids
    assert attack["id"] in {e["id"] for e in all_events(writable, include_rejected="true")}
    # a total kept at write time (one country, one entity) leaves the rejected event out as the list does
    for chosen in ({"country": "PK"}, {"entity": attack["location"]}, {"country": "PK", "type": "ATTACK"}):
        listed, everything = all_events(writable, **chosen), all_events(writable, include_rejected="true", **chosen)
        assert attack["id"] in {e["id"] for e in everything} and len(listed) == len(everything) - 1
        assert writable.get("/api/events", params={**chosen, "limit": 1}).json()["total"] == len(listed)
    # so does a text's count, up to its bound and past it, and the pages by day that test events one by one
    from beltwatch.store import queries

    monkeypatch.setattr(queries, "TEXT_COUNTED", 3)
    for chosen in ({"text": "convoy"}, {"text": "convoy", "type": "ATTACK"}):
        listed, everything = all_events(writable, **chosen), all_events(writable, include_rejected="true", **chosen)
        assert attack["id"] in {e["id"] for e in everything} and len(listed) == len(everything) - 1
        first = writable.get("/api/events", params={**chosen, "limit": 1}).json()
        assert (first["total"], first["more"]) == ((3, True) if len(listed) > 3 else (len(listed), False))
    exported = [json.loads(line) for line in writable.get("/api/exports/jsonl").text.splitlines()]
    assert attack["id"] not in {e["id"] for e in exported}
    assert writable.post(path, headers=AUTH, json={"action": "restore"}).status_code == 201
    exported = {e["id"]: e for e in map(json.loads, writable.get("/api/exports/jsonl").text.splitlines())}
    fixed = exported[attack["id"]]
    assert fixed["arguments"]["killed"] == 8 and fixed["date"] == "2024-10-05"
    assert [c["field"] for c in fixed["corrections"]][:2] == ["arguments.killed", "arguments.killed"]
    raw = {
        e["id"]: e
        for e in map(
            json.loads, writable.get("/api/exports/jsonl", params={"corrected": "false"}).text.splitlines()
        )
    }
    assert raw[attack["id"]]["arguments"].get("killed") == before


def test_corrections_survive_reingest(writable, tmp_path):
    """Changing an article's text re-extracts it (new rows, new ids); its corrections still apply."""
    attack = first_attack(writable, XSS_KEY)
    path = f"/api/events/{attack['id']}/corrections"
    assert (
        writable.post(
            path, headers=AUTH, json={"action": "edit", "argument": "killed", "value": 3}
        ).status_code
        == 201
    )
    folder = write_hostile_article(tmp_path / "again")
    text = path_text = folder.read_text(encoding="utf-8")
    folder.write_text("Update: officials revised the account.\n\n" + text, encoding="utf-8")
    del path_text
    summary = ingest([str(folder)], Settings.load(writable.db_url))  # type: ignore[attr-defined]
    assert summary.updated == 1
    again = first_attack(writable, XSS_KEY)
    assert again["id"] != attack["id"]  # new rows
    assert again["arguments"]["killed"] == 3 and again["corrections"]
    article = writable.get(f"/api/articles/{XSS_KEY}").json()
    assert article["version"] == 2


def test_entity_merge_reject_and_exports(writable):
    def entity_id(name: str, type_: str) -> int:
        found = writable.get("/api/entities", params={"q": name, "type": type_}).json()["items"]
        return next(e["id"] for e in found if e["name"] == name)

    bla = entity_id("Balochistan Liberation Army", "ORG")
    exim = entity_id("Export-Import Bank of China", "ORG")
    cdb = entity_id("China Development Bank", "ORG")
    merged = writable.post(
        f"/api/entities/{cdb}/corrections", headers=AUTH, json={"action": "merge", "into": exim}
    )
    assert merged.status_code == 201, merged.text
    assert merged.json()["entity"]["merged_into"]["id"] == exim
    target = writable.get(f"/api/entities/{exim}").json()
    assert [m["id"] for m in target["merged_from"]] == [cdb]
    cdb_events = writable.get("/api/events", params={"entity_id": cdb}).json()["total"]
    assert (
        cdb_events and writable.get("/api/events", params={"entity_id": exim}).json()["total"] >= cdb_events
    )
    assert_error(
        writable.post(
            f"/api/entities/{exim}/corrections", headers=AUTH, json={"action": "merge", "into": cdb}
        ),
        409,
    )
    assert_error(
        writable.post(
            f"/api/entities/{cdb}/corrections", headers=AUTH, json={"action": "merge", "into": cdb}
        ),
        409,
    )
    assert_error(
        writable.post(f"/api/entities/{cdb}/corrections", headers=AUTH, json={"action": "merge"}), 422
    )
    assert_error(
        writable.post("/api/entities/999999/corrections", headers=AUTH, json={"action": "reject"}), 404
    )
    assert (
        writable.post(f"/api/entities/{bla}/corrections", headers=AUTH, json={"action": "reject"}).status_code
        == 201
    )
    assert writable.get(f"/api/entities/{bla}").json()["status"] == "wrong"
    page = writable.get(f"/entities/{cdb}").text
    assert "Merged into" in page

    rows = list(csv.DictReader(io.StringIO(writable.get("/api/exports/csv").text)))
    funders = {json.loads(r["arguments"]).get("funder") for r in rows}
    assert "China Development Bank" not in funders and "Export-Import Bank of China" in funders
    for r in rows:  # the rejected entity is no longer named as an argument (a claim keeps its claimant)
        args = json.loads(r["arguments"])
        assert "Balochistan Liberation Army" not in [v for v in args.values() if isinstance(v, str)], args
    log = writable.get("/api/corrections", params={"target": "entity"}).json()["items"]
    assert {c["action"] for c in log} == {"merge", "reject"}


def test_exports_stream_every_format(writable, tmp_path):
    media = {
        "csv": "text/csv",
        "jsonl": "application/x-ndjson",
        "geojson": "application/geo+json",
        "ftm": "application/x-ndjson",
        "parquet": "application/vnd.apache.parquet",
    }
    for fmt, kind in media.items():
        response = writable.get(f"/api/exports/{fmt}", params={"type": ["ATTACK", "FINANCING"]})
        assert response.status_code == 200, (fmt, response.text)
        assert response.headers["content-type"].startswith(kind)
        assert "attachment" in response.headers["content-disposition"]
        if fmt == "parquet":
            (tmp_path / "x.parquet").write_bytes(response.content)
            table = pq.read_table(tmp_path / "x.parquet")
            assert table.num_rows and "corrections" in table.column_names
            assert set(table.column("type").to_pylist()) <= {"ATTACK", "FINANCING"}
        if fmt == "geojson":
            assert response.json()["type"] == "FeatureCollection"
    assert_error(writable.get("/api/exports/xlsx"), 422)
    assert_error(writable.get("/api/exports/csv", params={"type": "PICNIC"}), 422)


# --- pages ------------------------------------------------------------------------------------------


PAGES = ("/api/docs", "/", "/map", "/map?view=world", "/map?view=corridor", "/timeline", "/finance", "/incidents", "/entities",
         "/stories", "/articles", "/corrections", "/ingest", "/search?q=Gwadar", "/projects", "/projects/1")  # fmt: skip


def test_every_page_renders(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert response.headers["content-type"].startswith("text/html")
        for asset in re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]*)"', response.text):
            assert asset.startswith(("/static/", "data:")), (path, asset)  # every asset is beltwatch's own
    event_map = client.get("/map").text  # the Leaflet map (tests/test_map_page.py, tests/test_web.py)
    assert 'id="live-map"' in event_map and '"type": "Feature"' in event_map
    assert "corridor" in event_map
    overview = client.get("/").text
    assert 'class="chart bars"' in overview and "Export-Import Bank of China" in overview
    assert "Read-only" in overview and 'class="correction"' not in client.get("/events/1").text


def test_hostile_text_is_escaped_on_every_page_that_shows_it(writable):
    attack = first_attack(writable, XSS_KEY)
    note = f"checked {SCRIPT} {ATTRIBUTE}"
    writable.post(
        f"/api/events/{attack['id']}/corrections",
        headers=AUTH,
        json={"action": "edit", "argument": "target", "value": f"convoy {SCRIPT}", "note": note},
    )
    story = writable.get(f"/api/articles/{XSS_KEY}").json()["story"]
    entity = next(e["entity_id"] for e in writable.get(f"/api/articles/{XSS_KEY}").json()["entities"])
    pages = [
        f"/articles/{XSS_KEY}",
        "/articles",
        f"/events/{attack['id']}",
        "/incidents",
        "/",
        "/corrections",
        f"/stories/{story}",
        "/search?q=convoy+attacked",
        f"/search?q={SCRIPT}",
        f"/entities/{entity}",
    ]
    for path in pages:
        html = writable.get(path).text
        assert SCRIPT not in html, path
        assert ATTRIBUTE not in html, path
        assert "<script>" not in html.replace('<script src="/static/app.js" defer></script>', ""), path
        assert "javascript:" not in html, path
    article = writable.get(f"/articles/{XSS_KEY}").text
    assert SCRIPT_ESCAPED in article and ATTRIBUTE_ESCAPED in article  # shown, as text
    assert 'class="hl hl-ev' in article or "hl-ev" in article
    assert SCRIPT_ESCAPED in writable.get(f"/events/{attack['id']}").text
    assert SCRIPT_ESCAPED in writable.get("/corrections").text
    assert SCRIPT_ESCAPED in writable.get("/articles").text


def test_highlight_escapes_every_segment_and_handles_overlaps():
    text = 'a <b>Xi</b> met "Kakar" & <script>x</script>'
    spans = [
        Span(0, 11, "hl hl-ev", 'event "1"'),
        Span(5, 7, "hl hl-ent", "<PERSON>"),
        Span(16, 23, "hl hl-ent", "x"),
    ]
    html = str(highlight(text, spans))
    assert "<script>" not in html and "<b>" not in html
    assert '<span class="hl hl-ent hl-ev" title="event &#34;1&#34;; &lt;PERSON&gt;">Xi</span>' in html
    assert "&amp; &lt;script&gt;x&lt;/script&gt;" in html
    assert str(highlight("plain", [Span(3, 99, "x", "out of range")])) == "plain"


def test_the_export_command_applies_corrections(writable, tmp_path):
    """A correction made through the API is in force in `beltwatch export` too."""
    from beltwatch.export import export_to_path

    attack = first_attack(writable)
    path = f"/api/events/{attack['id']}/corrections"
    edited = writable.post(path, headers=AUTH, json={"action": "edit", "argument": "killed", "value": 3})
    assert edited.status_code == 201, edited.text
    out = tmp_path / "events.jsonl"
    export_to_path(writable.db_url, "jsonl", out, ["ATTACK"])
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows[attack["id"]]["arguments"]["killed"] == 3
    assert rows[attack["id"]]["corrections"]
    writable.post(path, headers=AUTH, json={"action": "reject"})
    export_to_path(writable.db_url, "jsonl", out, ["ATTACK"])
    assert attack["id"] not in {
        json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()
    }


def test_serve_with_several_workers_answers_from_each_and_stops_on_sigterm(base_url, tmp_path):
    """`beltwatch serve --workers 2`: two processes answer on one port from one database, the pages and
    the API alike, and SIGTERM stops them all."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx
    import psutil

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("BELTWATCH_TOKEN", "BELTWATCH_DB")}
    server = subprocess.Popen(
        [sys.executable, "-m", "beltwatch.cli", "serve", "--db", base_url, "--port", str(port), "--workers", "2"],
        env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline, answered = time.monotonic() + 90, None
        while answered is None and time.monotonic() < deadline:
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/api/events", params={"limit": 5}, timeout=10)
            except httpx.TransportError:
                time.sleep(0.5)
        assert answered is not None and answered.status_code == 200 and answered.json()["items"]
        workers = [p for p in psutil.Process(server.pid).children() if "spawn_main" in " ".join(p.cmdline())]
        assert len(workers) == 2
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for path in ("/", "/api/entities", "/timeline", "/api/search?q=Gwadar") * 3:
                assert http.get(path).status_code == 200, path
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in workers)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)  # the workers too, which hold the pipe open
        stderr = server.communicate(timeout=30)[1]
    assert "2 worker(s)" in stderr and "Traceback" not in stderr


def test_an_entity_shows_its_latest_events_with_the_number_of_all(client, monkeypatch):
    """China or Pakistan are named in most articles of a large store: an entity gives its latest events,
    newest first, and how many there are; the page says where the rest are."""
    from beltwatch.store import queries

    found = client.get("/api/entities", params={"q": "Pakistan"}).json()["items"]
    pakistan = next(e for e in found if e["type"] == "GPE")
    every = client.get("/api/events", params={"entity_id": pakistan["id"], "sort": "-date", "limit": 500}).json()
    assert every["total"] > 3
    monkeypatch.setattr(queries, "ENTITY_EVENTS", 3)
    details = client.get(f"/api/entities/{pakistan['id']}").json()
    assert details["events_total"] == every["total"]
    assert [e["id"] for e in details["events"]] == [e["id"] for e in every["items"][:3]]
    page = client.get(f"/entities/{pakistan['id']}").text
    assert f"The latest 3 of {every['total']} events" in page


def test_a_search_ranks_the_newest_matches_and_says_how_many_match(client, base_url, monkeypatch):
    """A common word is in most articles of a large store: a search ranks (and counts) the most recently
    stored matches only, saying "more than" past them; below that bound it is exact."""
    from beltwatch.web import pages

    whole = client.get("/api/search", params={"q": "Gwadar", "limit": 100}).json()
    keys = [h["id"] for h in whole["items"] if h["kind"] == "article"]
    named = [h["id"] for h in whole["items"] if h["kind"] == "entity"]
    assert len(keys) >= 3 and named
    assert whole["articles"] == {"total": len(keys), "more": False}
    assert whole["entities"] == {"total": len(named), "more": False}
    with open_database(base_url) as db, db.engine.connect() as conn:
        stored = dict(
            conn.execute(
                sa.text(
                    "SELECT a.key, av.id FROM articles a JOIN article_versions av ON av.article_id = a.id"
                    " WHERE av.is_current"
                )
            ).all()
        )
    newest = sorted(keys, key=stored.__getitem__, reverse=True)

    monkeypatch.setattr(reads, "SEARCH_RANKED", 2)
    bounded = client.get("/api/search", params={"q": "Gwadar", "limit": 2}).json()
    found = [h["id"] for h in bounded["items"] if h["kind"] == "article"]
    assert sorted(found) == sorted(newest[:2])  # the two stored last, in their order of relevance
    assert [k for k in keys if k in found] == found  # which is their order among all matches
    assert bounded["articles"] == {"total": 2, "more": True}
    monkeypatch.setattr(pages, "SEARCH_HITS", 2)
    page = client.get("/search", params={"q": "Gwadar"}).text
    assert "(more than 2 found)" in page and "The best of the 2 stored last." in page
    nothing = client.get("/api/search", params={"q": "?!"}).json()
    assert nothing["articles"] == nothing["entities"] == {"total": 0, "more": False}


def test_a_story_is_read_one_page_of_its_articles_at_a_time(client, monkeypatch):
    """The largest synthetic story has 2,163 reports: a story gives its counts and one page of its
    member articles with their events, the happenings and the differing figures of that page; one that
    fits in a page is given whole, as before."""
    from beltwatch.store import queries

    listed = client.get("/api/stories", params={"limit": MAX_LIMIT}).json()["items"]
    largest = max(listed, key=lambda s: (s["counts"]["articles"], s["story"]))
    key, size = largest["story"], largest["counts"]["articles"]
    assert size >= 2 and size == len(largest["articles"]) <= queries.STORY_PAGE
    whole = client.get(f"/api/stories/{key}").json()
    assert (whole["limit"], whole["offset"]) == (queries.STORY_PAGE, 0)
    assert whole["counts"]["articles"] == size and [a["id"] for a in whole["articles"]] == [
        a["id"] for a in largest["articles"]
    ]
    assert whole["events"] == largest["events"]
    assert whole["counts"]["duplicates"] == sum(1 for a in whole["articles"] if a["duplicate_of"])
    pages = [client.get(f"/api/stories/{key}", params={"limit": 1, "offset": i}).json() for i in range(size + 1)]
    assert [a for p in pages for a in p["articles"]] == whole["articles"]  # with each article's events
    for p in pages:
        assert p["counts"] == whole["counts"] and p["size"] == whole["size"]
        shown = {a["id"] for a in p["articles"]}
        assert all(s["article"] in shown for e in p["events"] for s in e["sources"])
        assert all(v["article"] in shown for d in p["differences"] for v in d["values"])
    assert pages[-1]["articles"] == pages[-1]["events"] == pages[-1]["differences"] == []
    for limit in (0, MAX_LIMIT + 1):
        assert_error(client.get(f"/api/stories/{key}", params={"limit": limit}), 422)

    monkeypatch.setattr(queries, "STORY_PAGE", 1)
    # the list gives each story's counts and its first page of articles, with that page's happenings
    for story in client.get("/api/stories", params={"limit": MAX_LIMIT}).json()["items"]:
        first_page = client.get(f"/api/stories/{story['story']}", params={"limit": 1}).json()
        assert {k: story[k] for k in ("counts", "articles", "events")} == {
            "counts": first_page["counts"],
            "articles": [{k: v for k, v in a.items() if k != "events"} for a in first_page["articles"]],
            "events": first_page["events"],
        }
    first, last = client.get(f"/stories/{key}").text, client.get(f"/stories/{key}?offset={size - 1}").text
    assert f"1–1 of {size}" in first and "offset=1" in first and "next →" in first and "previous" not in first
    assert f"{size}–{size} of {size}" in last and "← previous" in last and "next →" not in last
    assert f"/articles/{whole['articles'][0]['id']}" in first and f"/articles/{whole['articles'][0]['id']}" not in last


def test_a_text_filter_counts_its_matches_up_to_a_bound_and_its_pages_are_slices_of_the_whole_list(
    base_url, client, monkeypatch
):
    """A text in more than `TEXT_COUNTED` events is tested on each event, not read as a set, and a page of it
    counts its matches up to there and says "more than"; each page is the slice of the whole list, with
    other filters too, in each order; a text in fewer events is counted exactly."""
    from datetime import date

    from beltwatch.store import queries
    from beltwatch.store.queries import EventFilter, list_events

    monkeypatch.setattr(queries, "TEXT_COUNTED", 3)
    chosen = [
        EventFilter(text="the"),
        EventFilter(text="THE", type="STATEMENT"),
        EventFilter(text="th", since=date(2021, 7, 1)),  # shorter than a trigram: no index
        EventFilter(text="convoy"),
        EventFilter(text="the", article="gwadar-convoy-attack-2023-official-account"),
        EventFilter(text="the", type="ATTACK"),
        EventFilter(text="Silk Road Fund"),
    ]
    with open_database(base_url) as db, db.engine.connect() as conn:
        for filters, sort in itertools.product(chosen, ("date", "-date", "type", "published")):
            exact, whole = list_events(conn, filters, limit=None, sort=sort)
            assert exact == reads.Matches(len(whole), False) and whole, filters
            bounded = reads.Matches(3, True) if len(whole) > 3 else exact
            for offset, limit in ((0, 1), (0, 7), (3, 5), (len(whole) - 2, 10), (len(whole), 5)):
                counted, page = list_events(conn, filters, limit=limit, offset=max(offset, 0), sort=sort)
                assert counted == bounded, (filters, sort)
                assert [e["id"] for e in page] == [e["id"] for e in whole[max(offset, 0) : max(offset, 0) + limit]]
    assert {k: v for k, v in client.get("/api/events", params={"text": "the", "limit": 2}).json().items()
            if k != "items"} == {"total": 3, "more": True, "limit": 2, "offset": 0}  # fmt: skip
    assert client.get("/api/events", params={"limit": 2}).json()["more"] is False


def test_pages_of_events_by_day_are_slices_of_the_whole_list(base_url):
    """A page by date is read up to the day of its last event (found first, from an index where the filters
    allow); every page must be the slice of the whole list in the same order, with each filter, and the
    window the one the stored dates give."""
    from datetime import date

    from beltwatch.store.queries import EventFilter, list_events

    windows = (
        (None, None),
        (date(2021, 1, 1), None),
        (None, date(2022, 12, 31)),
        (date(2021, 7, 1), date(2024, 3, 31)),
        (date(2000, 1, 1), date(9999, 12, 31)),  # every dated event: counted as all but those outside
        (None, date(9999, 12, 31)),  # and the undated
        (date(2023, 8, 14), date(2023, 8, 13)),  # none but those whose span holds both days
    )
    by_day = [
        EventFilter(type=type_, since=since, until=until)
        for type_, (since, until) in itertools.product((None, "STATEMENT", "ATTACK"), windows)
    ]
    others = [
        EventFilter(country="PK"),
        EventFilter(country="Pakistan", type="STATEMENT", since=date(2021, 7, 1)),
        EventFilter(entity="China"),
        EventFilter(text="the"),
        EventFilter(article="seed-xi-kakar"),
    ]
    with open_database(base_url) as db, db.engine.connect() as conn:
        for chosen, sort in itertools.product(by_day + others, ("date", "-date")):
            matching, whole = list_events(conn, chosen, limit=None, sort=sort)
            total = matching.total
            assert matching == reads.Matches(len(whole), False)
            assert total > 0 or chosen.type == "ATTACK" or chosen.since == date(2023, 8, 14)
            for offset, limit in ((0, 1), (0, 7), (3, 5), (total - 2, 10), (total, 5)):
                counted, page = list_events(conn, chosen, limit=limit, offset=max(offset, 0), sort=sort)
                assert counted == matching
                assert [e["id"] for e in page] == [e["id"] for e in whole[max(offset, 0) : max(offset, 0) + limit]]
        # the window as the stored dates give it: an event's span, else its article's publication day
        _, every = list_events(conn, EventFilter(), limit=None)
        # and from the middle of each span longer than a day (a month, a year), which starts before `since`
        spans = {(e["date_start"], e["date_end"]) for e in every if e["date_start"] != e["date_end"]}
        middles = [date.fromisoformat(a) + (date.fromisoformat(b) - date.fromisoformat(a)) / 2 for a, b in spans]
        assert middles
        around = [((day, day), (day, date(2099, 12, 31)), (date(2000, 1, 1), day)) for day in middles]
        for since, until in [(date(2021, 7, 1), date(2024, 3, 31)), *itertools.chain(*around)]:
            inside = [
                e["id"] for e in every
                if (e["date_end"] or e["published"]) and (e["date_end"] or e["published"]) >= since.isoformat()
                and (e["date_start"] or e["published"]) <= until.isoformat()
            ]  # fmt: skip
            matching, found = list_events(conn, EventFilter(since=since, until=until), limit=None)
            assert sorted(e["id"] for e in found) == sorted(inside) and inside, since
            assert matching == list_events(conn, EventFilter(since=since, until=until), limit=1)[0]
            assert matching == reads.Matches(len(inside), False), (since, until)
        # without the sentences' text: the same events, their sentences placed but not read
        lean = list_events(conn, EventFilter(), limit=None, evidence=False)[1]
        assert [(e["id"], e["evidence"]["start"]) for e in lean] == [(e["id"], e["evidence"]["start"]) for e in every]
        assert {e["evidence"]["text"] for e in lean} == {None} and all(e["evidence"]["text"] for e in every)
        # an entity's or a country's events asked as sets or tested one by one (`probe`): the same events
        china = reads.find_entities(conn, "China")
        for condition in (partial(reads.involves, china), partial(reads.in_country, "PK")):
            both = [set(conn.scalars(sa.select(events.c.id).where(condition(probe=p)))) for p in (False, True)]
            assert both[0] == both[1] and both[0]
