"""Attackers: server-side request forgery through redirects and DNS, SQL injection through every API
parameter, script injection through every page, writes without the token, oversized requests.

The SSRF tests fetch from a real HTTP server on 127.0.0.1 that plays a public news site: the
system's resolver (`socket.getaddrinfo`) is replaced by a table in which `news.example.test` is a
public address and other names are private, and `socket.create_connection` sends connections for
that public address to the local server. Both are the operating system's boundary; every line of
beltwatch between them runs as in production, with private addresses refused.

The API tests run on a database (SQLite and PostgreSQL) filled by the real ingest with two corpus
articles and the hostile article of `test_api.py`, and enumerate the application itself: every
query and path parameter of every GET operation in `/api/openapi.json`, every page route, every
write route, so a new route is attacked without a new test.
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.routing import Route

from beltwatch.api import create_app
from beltwatch.errors import InputError
from beltwatch.ingest import ingest
from beltwatch.settings import Settings
from beltwatch.sources.url import read_url
from beltwatch.store import open_database
from conftest import BACKENDS, fresh_database
from test_api import ATTRIBUTE, DEV, SCRIPT, TOKEN, XSS_KEY, assert_error, write_hostile_article

# the pages' own script tags: beltwatch's scripts (and the map's vendored ones) from /static, and the
# map's data as JSON (not run; its text stays checked: it escapes "<" as \u003c)
OWN_SCRIPT = re.compile(r'<script src="/static/[\w./-]+\.js" defer></script>')
DATA_ISLAND = re.compile(r'<script type="application/json" id="map-data">(.*?)</script>', re.DOTALL)
PUBLIC = "93.184.216.34"  # what news.example.test resolves to; connections to it reach the local server
NAMES = {
    "news.example.test": [PUBLIC],
    "intranet.example.test": ["10.0.0.7"],
    "mixed.example.test": [PUBLIC, "127.0.0.1"],  # any private address refuses the host
    "v6.example.test": ["::1"],
    "meta.example.test": ["169.254.169.254"],
}

# --- SSRF through redirects and names ------------------------------------------------------------


class Site:
    def __init__(self) -> None:
        self.paths: list[str] = []
        self.port = 0


def _site_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            site.paths.append(self.path)
            if self.path.startswith("/to?"):
                self.send_response(302)
                self.send_header("Location", self.path.split("?", 1)[1].replace("PORT", str(site.port)))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = (
                b"<html><body><article><p>"
                + b"Secret internal page with many words. " * 20
                + b"</p></article></body></html>"
            )
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _site_handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()

    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.create_connection

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in NAMES:
            return [
                (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in NAMES[name]
            ]
        if name == "localhost":
            return real_getaddrinfo(host, port, *args, **kwargs)
        try:  # numeric forms only (2130706433, 0177.0.0.1, ::ffff:127.0.0.1): nothing leaves the machine
            return real_getaddrinfo(host, port, *args, **{**kwargs, "flags": socket.AI_NUMERICHOST})
        except socket.gaierror:
            raise socket.gaierror(socket.EAI_NONAME, f"unknown test name {name!r}") from None

    def create_connection(address, *args, **kwargs):
        host = address[0]
        if host == PUBLIC:
            return real_connect(("127.0.0.1", state.port), *args, **kwargs)
        assert ipaddress.ip_address(host).is_loopback, f"a connection to {host} left the machine"
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_public_site_is_fetched(site: Site):
    [article] = list(read_url(f"http://news.example.test:{site.port}/page"))
    assert "Secret internal page" in article.text and site.paths == ["/page"]


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("http://127.0.0.1:PORT/secret", "127.0.0.1 is a loopback address"),
        ("http://[::1]:PORT/secret", "::1 is a loopback address"),
        ("http://10.0.0.1/secret", "10.0.0.1 is a private address"),
        ("http://192.168.0.10/secret", "is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "is a cloud metadata address"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "is a cloud metadata address"),
        ("http://169.254.10.1/", "is a link-local address"),
        ("http://[::ffff:127.0.0.1]:PORT/secret", "loopback address (embedded 127.0.0.1)"),
        ("http://2130706433:PORT/secret", "resolves to 127.0.0.1, which is a loopback address"),
        ("http://0177.0.0.1:PORT/secret", "Invalid IPv4 address"),  # httpx refuses octal itself
        ("http://0:PORT/secret", "is an unspecified address"),
        ("http://localhost:PORT/secret", "which is a loopback address"),
        ("http://intranet.example.test/secret", "resolves to 10.0.0.7, which is a private address"),
        ("http://mixed.example.test:PORT/secret", "resolves to 127.0.0.1, which is a loopback address"),
        ("http://v6.example.test:PORT/secret", "resolves to ::1, which is a loopback address"),
        ("http://meta.example.test/", "which is a cloud metadata address"),
    ],
)
def test_a_redirect_from_a_public_site_to_a_private_address_is_refused(site: Site, target: str, problem: str):
    start = f"http://news.example.test:{site.port}/to?{target}"
    with pytest.raises(InputError) as info:
        list(read_url(start))
    assert problem in info.value.message
    if "refused" in info.value.message:
        assert info.value.message.startswith(
            f"redirect to {target.replace('PORT', str(site.port))}: refused: "
        )
    assert site.paths == [f"/to?{target}"]  # the private target was never requested


@pytest.mark.parametrize("name", [n for n in NAMES if n != "news.example.test"])
def test_a_name_that_resolves_to_a_private_address_is_refused_before_connecting(site: Site, name: str):
    with pytest.raises(InputError) as info:
        list(read_url(f"http://{name}:{site.port}/secret"))
    assert info.value.message.startswith(f"refused: {name} resolves to ")
    assert site.paths == []


# --- the API over a database with a hostile article ---------------------------------------------

PAYLOADS = (
    "' OR 1=1 --",
    '"; DROP TABLE events; --',
    "'); DELETE FROM articles; --",
    "%' UNION SELECT name, sql FROM sqlite_master --",
    "1 UNION SELECT usename, passwd FROM pg_shadow",
    "1; SELECT pg_sleep(5) --",
    "NEAR(",
    '"',
    "*",
    "title:*",
    "a OR b AND NOT c",
    "\\",
    "%",
    "_",
    "\x00",
    "x\x00' OR 1=1",
    "9" * 40,
    "-1",
    "𝕏\u202e",
)


@pytest.fixture(scope="module", params=BACKENDS)
def hostile_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("attacks")
    with fresh_database(request.param, folder) as url:
        sources = folder / "sources"
        write_hostile_article(sources)
        for name in ("gwadar-convoy-attack-2023-official-account", "china-exim-rollover-2023"):
            for suffix in (".txt", ".meta.json"):
                shutil.copyfile(DEV / f"{name}{suffix}", sources / f"{name}{suffix}")
        assert ingest([str(sources)], Settings.load(url)).new == 3
        yield url


@pytest.fixture(scope="module")
def api(hostile_db: str) -> Iterator[TestClient]:
    app = create_app(hostile_db, environ={"BELTWATCH_TOKEN": TOKEN})
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def table_counts(url: str) -> dict[str, int]:
    with open_database(url, create=False) as db, db.engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}


def get_operations(spec: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(path, ops["get"].get("parameters", [])) for path, ops in spec["paths"].items() if "get" in ops]


def test_every_api_parameter_takes_sql_and_search_syntax_as_data(api: TestClient, hostile_db: str):
    before = table_counts(hostile_db)
    operations = get_operations(api.get("/api/openapi.json").json())
    assert len(operations) >= 10
    tried = 0
    for path, parameters in operations:
        for parameter in parameters:
            for payload in PAYLOADS:
                if parameter["in"] == "path":
                    url = path.replace("{" + parameter["name"] + "}", quote(payload, safe=""))
                    url = (
                        url.replace("{format}", "csv").replace("{event_id}", "1").replace("{entity_id}", "1")
                        .replace("{project_id}", "1")
                    )
                    response = api.get(url)
                else:
                    response = api.get(path.replace("{format}", "csv"), params={parameter["name"]: payload})
                tried += 1
                where = (path, parameter["name"], payload)
                assert response.status_code < 500, (where, response.text[:300])
                if response.status_code >= 400 and path.startswith("/api"):
                    assert_error(response, response.status_code)
                assert (
                    "sqlite_master" not in response.text.replace(quote(payload), "")
                    or "sqlite_master" in payload
                )
    assert tried > 200
    assert table_counts(hostile_db) == before  # nothing dropped, deleted or added


def routes(items: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route of the application, through included routers."""
    for route in items:
        included = getattr(route, "original_router", None)  # FastAPI >= 0.16x keeps included routers whole
        if included is not None:
            yield from routes(included.routes, prefix + getattr(route.include_context, "prefix", ""))
        elif isinstance(route, Route):
            yield prefix + route.path, set(route.methods or ())


def _page_routes(client: TestClient) -> list[str]:
    return sorted(
        path
        for path, methods in routes(client.app.routes)
        if "GET" in methods and not path.startswith("/api/")
    )


def test_every_page_shows_the_hostile_article_escaped(api: TestClient):
    article = api.get(f"/api/articles/{XSS_KEY}").json()
    event = article["events"][0]["id"]
    entity = article["entities"][0]["entity_id"]
    project = next((p["id"] for p in api.get("/api/projects").json()["items"]), 1)
    visited = 0
    for route in _page_routes(api):
        if route.startswith("/stories/{"):
            path = "/stories/" + quote(article["story"], safe="")
        else:
            path = route.replace("{key:path}", XSS_KEY).replace("{event_id}", str(event))
            path = path.replace("{entity_id}", str(entity)).replace("{project_id}", str(project))
        assert "{" not in path, f"no value for a parameter of {route}: add it to this test"
        for query in ("", "?q=convoy", f"?q={quote(SCRIPT)}"):
            response = api.get(path + query)
            assert response.status_code < 500, (path + query, response.text[:300])
            html = DATA_ISLAND.sub(r"\1", OWN_SCRIPT.sub("", response.text))
            assert SCRIPT not in html and ATTRIBUTE not in html, path + query
            assert "<script" not in html.lower() and "javascript:" not in html, path + query
            visited += 1
    assert visited >= 3 * 12


def test_every_write_needs_the_token(api: TestClient, hostile_db: str):
    before = table_counts(hostile_db)
    writes = [
        (method, path)
        for path, methods in routes(api.app.routes)
        for method in methods
        if method not in ("GET", "HEAD", "OPTIONS")
    ]
    assert len(writes) >= 4, writes
    for method, route in writes:
        path = route.replace("{event_id}", "1").replace("{entity_id}", "1").replace("{key}", XSS_KEY)
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
            response = api.request(method, path, headers=headers, json={"action": "reject"})
            assert response.status_code in (401, 403), (method, path, headers, response.status_code)
    assert table_counts(hostile_db) == before


def test_requests_are_bounded_in_size_and_parts(api: TestClient):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    huge_query = api.get("/api/events", params={"text": "x" * 60_000})
    assert_error(huge_query, 422)
    fields = {f"field{n}": "x" for n in range(2_000)}  # many small parts, well under 5 MB
    many_parts = api.post(
        "/api/ingest", headers=auth, data=fields, files={"file": ("a.txt", b"Port works resume.")}
    )
    assert 400 <= many_parts.status_code < 500, many_parts.text[:300]
    files = [("file", (f"f{n}.txt", b"x")) for n in range(2_000)]
    many_files = api.post("/api/ingest", headers=auth, files=files)
    assert 400 <= many_files.status_code < 500, many_files.text[:300]
    nested = json.dumps({"action": "edit", "argument": "target", "value": "[" * 50_000 + "]" * 50_000})
    deep = api.post(
        "/api/events/1/corrections", headers={**auth, "Content-Type": "application/json"}, content=nested
    )
    assert deep.status_code < 500, deep.text[:300]


def test_url_ingest_through_the_api_refuses_the_servers_own_network(api: TestClient, tmp_path: Path):
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        auth = {"Authorization": f"Bearer {TOKEN}"}
        for url in (
            f"http://127.0.0.1:{port}/admin",
            f"http://localhost:{port}/admin",
            "http://169.254.169.254/",
        ):
            response = api.post("/api/ingest/url", headers=auth, json={"url": url})
            assert response.status_code < 500 and "refused" in response.text, (url, response.text[:300])
    finally:
        server.shutdown()
        server.server_close()
    assert seen == []
