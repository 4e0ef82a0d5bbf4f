"""`beltwatch follow` against a real HTTP server on 127.0.0.1 that the tests start and script.

The server serves feeds and pages written here, and keeps every request it got (path and
headers), so a test can say what was fetched, what was not, and with which validators. Waits
and backoff are the policy's and the clock's, injected: no test sleeps for a poll interval.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from beltwatch.follow import Follower, Poll, follow
from beltwatch.sources.canonical import canonical_url
from beltwatch.sources.outlets import Outlet, load_outlets
from beltwatch.sources.poll import Policy
from beltwatch.store import open_database
from beltwatch.store.health import source_health_view
from beltwatch.store.schema import article_versions, articles, source_health, source_items

ROOT = Path(__file__).parent.parent
POLICY = Policy(host_interval=0.0, timeout=2.0, allow_private=True)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

PARAGRAPHS = (
    ("Chinese engineers resumed work on the Karakoram Highway realignment near Attabad on Monday, "
    "officials of the National Highway Authority said, after a pause of three weeks."),
    ("The project, financed by a concessional loan from the Export-Import Bank of China, is part of the "
    "China-Pakistan Economic Corridor and is due to be finished next year, the authority said."),
    ("Security along the route was raised after an attack on a convoy in March, and the engineers now "
    "travel with an escort of the Special Security Division, a spokesman said on Monday."),
)


def page_html(title: str, extra: str = "") -> bytes:
    body = "".join(f"<p>{p} {extra}</p>" for p in PARAGRAPHS)
    return (
        f"<html><head><title>{title}</title><meta property='og:title' content='{title}'></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def feed_xml(items: list[tuple[str, str, str]], title: str = "Test feed") -> bytes:
    """RSS with (title, link, description) items, published a minute apart from START."""
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>{d}</description>"
        f"<pubDate>{format_datetime(START + timedelta(minutes=n))}</pubDate></item>"
        for n, (t, link, d) in enumerate(items)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>{entries}</channel></rss>".encode()


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Site:
    """What the server answers (path -> Route or a callable making one) and what it was asked."""

    routes: dict[str, Route | Callable[[dict[str, str]], Route]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""
    release: threading.Event = field(default_factory=threading.Event)

    def asked(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def feed(self, path: str, items: list[tuple[str, str, str]], etag: str | None = None) -> None:
        """A feed that answers 304 to the ETag it gave."""

        def answer(headers: dict[str, str]) -> Route:
            if etag and headers.get("if-none-match") == etag:
                return Route(304)
            return Route(200, feed_xml(items), "application/rss+xml", {"ETag": etag} if etag else {})

        self.routes[path] = answer


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            path = self.path.split("?", 1)[0]  # as a site would, the tracking parameters ignored
            site.requests.append((path, headers))
            route = site.routes.get(path, Route(404, b"not here", "text/plain"))
            if callable(route):
                route = route(headers)
            if route.delay:
                site.release.wait(route.delay)
            self.send_response(route.status)
            if route.status != 304:
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
            for key, value in route.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if route.status != 304:
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def outlet(name: str, site: Site, *feeds: str, **options: object) -> Outlet:
    return Outlet(name=name, feeds=tuple(site.base + f for f in feeds), interval=300, **options)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def run_once(db_url: str, outlets: list[Outlet], clock: Clock | None = None, policy: Policy = POLICY) -> list[Poll]:
    return follow(db_url, outlets, policy, once=True, clock=clock or Clock())


def due(db_url: str, outlets: list[Outlet], clock: Clock) -> list[str]:
    """The outlets the service would poll now."""
    with open_database(db_url) as db:
        follower = Follower(db, outlets, POLICY, threading.Event(), clock=clock)
        follower.close()
        return [o.name for o in follower.due()]


def stored(db_url: str) -> list[sa.Row]:
    with open_database(db_url) as db, db.engine.connect() as conn:
        return conn.execute(
            sa.select(articles.c.url, article_versions.c.text, article_versions.c.title)
            .join(article_versions, article_versions.c.article_id == articles.c.id)
            .where(article_versions.c.is_current)
            .order_by(articles.c.url)
        ).all()


def items_of(db_url: str) -> dict[str, sa.Row]:
    with open_database(db_url) as db, db.engine.connect() as conn:
        return {r.url: r for r in conn.execute(sa.select(source_items))}


def health_of(db_url: str, now: datetime | None = None) -> dict[str, dict]:
    with open_database(db_url) as db, db.engine.connect() as conn:
        return {s["name"]: s for s in source_health_view(conn, now)}


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'follow.db'}"


# --- polling -------------------------------------------------------------------------------------


def test_full_pages_are_stored_and_a_304_is_honoured(site: Site, db_url: str):
    site.feed("/feed.xml", [("Work resumes on the highway", f"{site.base}/news/highway-work?utm_source=rss", "teaser")], etag='"v1"')
    site.routes["/news/highway-work"] = Route(body=page_html("Work resumes on the highway"))
    clock = Clock()
    (poll,) = run_once(db_url, [outlet("Test Daily", site, "/feed.xml")], clock)
    assert (poll.error, poll.new, poll.feed_text) == (None, 1, 0)
    (article,) = stored(db_url)
    assert article.url == f"{site.base}/news/highway-work"  # the tracking parameter dropped
    assert "Special Security Division" in article.text  # the page's text, not the feed's teaser

    clock.advance(301)
    (poll,) = run_once(db_url, [outlet("Test Daily", site, "/feed.xml")], clock)
    assert (poll.error, poll.new) == (None, 0)
    last_feed_request = [h for p, h in site.requests if p == "/feed.xml"][-1]
    assert last_feed_request["if-none-match"] == '"v1"'
    assert site.asked("/news/highway-work") == 1  # never downloaded again
    assert site.asked("/robots.txt") == 2  # once per run: a new process reads it again


def test_a_changed_etag_brings_only_the_new_items(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    first = [("First report from Gwadar", f"{site.base}/news/first-report", "teaser one")]
    site.feed("/feed.xml", first, etag='"a"')
    site.routes["/news/first-report"] = Route(body=page_html("First report from Gwadar"))
    site.routes["/news/second-report"] = Route(body=page_html("Second report from Gwadar", "Later."))
    clock = Clock()
    run_once(db_url, [outlet("Test Daily", site, "/feed.xml")], clock)
    site.feed("/feed.xml", [("Second report from Gwadar", f"{site.base}/news/second-report", "two"), *first], etag='"b"')
    clock.advance(301)
    (poll,) = run_once(db_url, [outlet("Test Daily", site, "/feed.xml")], clock)
    assert (poll.new, poll.error) == (1, None)
    assert site.asked("/news/first-report") == 1 and site.asked("/news/second-report") == 1
    with open_database(db_url) as db, db.engine.connect() as conn:
        validators = conn.scalar(sa.select(source_health.c.validators))
    assert validators[f"{site.base}/feed.xml"]["etag"] == '"b"'


def test_server_errors_back_off_exponentially_and_show_as_failing(site: Site, db_url: str):
    site.routes["/feed.xml"] = Route(500, b"oops", "text/plain")
    clock = Clock()
    source = outlet("Broken Times", site, "/feed.xml")
    (poll,) = run_once(db_url, [source], clock)
    assert "HTTP 500" in poll.error
    health = health_of(db_url, clock.now)["Broken Times"]
    assert health["status"] == "failing" and "HTTP 500" in health["last_error"]
    assert health["next_poll"] == (clock.now + timedelta(seconds=600)).isoformat(timespec="seconds")

    clock.advance(300)  # not due yet
    assert due(db_url, [source], clock) == []
    clock.advance(300)
    assert due(db_url, [source], clock) == ["Broken Times"]
    (poll,) = run_once(db_url, [source], clock)
    health = health_of(db_url, clock.now)["Broken Times"]
    assert health["failures_in_a_row"] == 2
    assert health["next_poll"] == (clock.now + timedelta(seconds=1200)).isoformat(timespec="seconds")

    site.feed("/feed.xml", [])
    clock.advance(1200)
    (poll,) = run_once(db_url, [source], clock)
    assert poll.error is None
    health = health_of(db_url, clock.now)["Broken Times"]
    assert health["status"] == "ok" and health["failures_in_a_row"] == 0 and health["last_error"] is None


def test_a_timeout_is_a_failure_with_backoff(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.routes["/feed.xml"] = Route(200, feed_xml([]), "application/rss+xml", delay=3)
    clock = Clock()
    started = time.monotonic()
    (poll,) = run_once(db_url, [outlet("Slow Post", site, "/feed.xml")], clock, Policy(timeout=0.3, allow_private=True))
    assert time.monotonic() - started < 2.5
    assert "timed out" in poll.error
    assert health_of(db_url, clock.now)["Slow Post"]["next_poll"] == (clock.now + timedelta(seconds=600)).isoformat(
        timespec="seconds"
    )


def test_429_waits_as_long_as_retry_after_says_even_with_once(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.routes["/feed.xml"] = Route(429, b"", "text/plain", {"Retry-After": "7200"})
    clock = Clock()
    source = outlet("Busy Herald", site, "/feed.xml")
    (poll,) = run_once(db_url, [source], clock)
    assert "429" in poll.error
    assert health_of(db_url, clock.now)["Busy Herald"]["next_poll"] == (
        clock.now + timedelta(seconds=7200)
    ).isoformat(timespec="seconds")
    clock.advance(3600)
    assert run_once(db_url, [source], clock) == []  # --once polls what is not due, but not this
    assert site.asked("/feed.xml") == 1
    clock.advance(3600)
    site.feed("/feed.xml", [])
    (poll,) = run_once(db_url, [source], clock)
    assert poll.error is None


def test_once_polls_every_source_due_or_not(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.feed("/feed.xml", [])
    clock = Clock()
    source = outlet("Cron Daily", site, "/feed.xml")
    run_once(db_url, [source], clock)
    clock.advance(10)
    assert due(db_url, [source], clock) == []
    (poll,) = run_once(db_url, [source], clock)
    assert poll.error is None and site.asked("/feed.xml") == 2


def test_a_redirect_loop_fails_the_source(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.routes["/feed.xml"] = Route(302, b"", headers={"Location": "/feed.xml"})
    (poll,) = run_once(db_url, [outlet("Loop Gazette", site, "/feed.xml")])
    assert "too many redirects" in poll.error
    assert site.asked("/feed.xml") == 6


def test_robots_txt_disallowing_a_path_is_obeyed(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.routes["/robots.txt"] = Route(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.feed(
        "/feed.xml",
        [
            ("Closed door talks on the corridor", f"{site.base}/private/talks", "Officials met behind closed doors in Islamabad on Monday."),
            ("Open report on the corridor", f"{site.base}/news/open-report", "teaser"),
        ],
    )
    site.routes["/private/talks"] = Route(body=page_html("Closed door talks"))
    site.routes["/news/open-report"] = Route(body=page_html("Open report on the corridor"))
    (poll,) = run_once(db_url, [outlet("Polite Post", site, "/feed.xml")])
    assert (poll.new, poll.feed_text) == (2, 1)
    assert site.asked("/private/talks") == 0
    item = items_of(db_url)[f"{site.base}/private/talks"]
    assert "robots.txt disallows" in item.note and item.outcome == "new"
    texts = {a.url: a.text for a in stored(db_url)}
    assert "behind closed doors" in texts[f"{site.base}/private/talks"]


def test_a_feed_disallowed_by_robots_txt_is_never_fetched(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.routes["/robots.txt"] = Route(200, b"User-agent: beltwatch\nDisallow: /\n", "text/plain")
    site.feed("/feed.xml", [])
    (poll,) = run_once(db_url, [outlet("Closed Site", site, "/feed.xml")])
    assert "robots.txt disallows" in poll.error
    assert site.asked("/feed.xml") == 0


def test_a_5_mb_page_is_refused_at_the_cap_and_the_feed_text_kept(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.feed("/feed.xml", [("Huge page about the port", f"{site.base}/news/huge-page", "The port of Gwadar handled its first ship on Monday.")])
    site.routes["/news/huge-page"] = Route(body=b"<html><body><p>" + b"x" * 5_000_000 + b"</p></body></html>")
    (poll,) = run_once(db_url, [outlet("Heavy Daily", site, "/feed.xml")])
    assert (poll.new, poll.feed_text) == (1, 1)
    note = items_of(db_url)[f"{site.base}/news/huge-page"].note
    assert note.startswith("feed text kept:") and "too large" in note and "4,000,000" in note


def test_a_page_without_main_text_keeps_the_feed_text_with_the_reason(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.feed("/feed.xml", [("Video: the port at night", f"{site.base}/video/port-night", "Night falls over the port of Gwadar as ships wait.")])
    site.routes["/video/port-night"] = Route(body=b"<html><body><nav><a href='/'>Home</a></nav><script>play()</script></body></html>")
    (poll,) = run_once(db_url, [outlet("Video Desk", site, "/feed.xml")])
    assert (poll.new, poll.feed_text) == (1, 1)
    assert items_of(db_url)[f"{site.base}/video/port-night"].note.startswith("feed text kept: page has no main text")
    (article,) = stored(db_url)
    assert "Night falls over the port" in article.text


def test_one_article_in_two_feeds_is_fetched_and_stored_once(site: Site, db_url: str):
    page = f"{site.base}/news/2026/03/one-story"
    site.feed("/a.xml", [("One story", page + "?utm_source=rss&utm_medium=feed", "teaser")])
    site.feed("/b.xml", [("One story", page + "/amp/#comments", "teaser"), ("One story", page + "?fbclid=x", "again")])
    site.routes["/news/2026/03/one-story"] = Route(body=page_html("One story"))
    site.routes["/news/2026/03/one-story/amp/"] = Route(body=page_html("One story"))
    polls = run_once(db_url, [outlet("Feed A", site, "/a.xml"), outlet("Feed B", site, "/b.xml")])
    assert sum(p.new for p in polls) == 1 and sum(p.known for p in polls) == 1
    # whichever feed came first, its link was fetched, and no other
    assert site.asked("/news/2026/03/one-story") + site.asked("/news/2026/03/one-story/amp/") == 1
    assert [a.url for a in stored(db_url)] == [page]


def test_a_feed_of_1000_items_is_stored_once_each(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    items = [
        (f"Berth {n} of Gwadar port reopens", f"{site.base}/news/berth-{n}",
         f"Officials said on Monday that berth {n} of the port of Gwadar reopened after repairs worth {n} million rupees.")
        for n in range(1000)
    ]  # fmt: skip
    site.feed("/feed.xml", items)
    clock = Clock()
    (poll,) = run_once(db_url, [outlet("Big Feed", site, "/feed.xml", full_text=False)], clock)
    assert (poll.new, poll.failed, poll.error) == (1000, 0, None)
    assert len(stored(db_url)) == 1000
    clock.advance(301)
    (poll,) = run_once(db_url, [outlet("Big Feed", site, "/feed.xml", full_text=False)], clock)
    assert (poll.new, poll.known, poll.unchanged) == (0, 0, 0)  # all seen: nothing handed to the ingest
    health = health_of(db_url, clock.now)["Big Feed"]
    assert health["items_seen"] == 1000 and health["new_articles"] == 1000


def test_a_busy_page_host_puts_the_item_off_and_the_feed_is_read_again(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.feed("/feed.xml", [("Later please", f"{site.base}/news/later-please", "teaser")], etag='"x"')
    site.routes["/news/later-please"] = Route(503, b"", "text/plain", {"Retry-After": "1"})
    clock = Clock()
    (poll,) = run_once(db_url, [outlet("Deferring Daily", site, "/feed.xml")], clock)
    assert (poll.deferred, poll.new, poll.error) == (1, 0, None)
    site.routes["/news/later-please"] = Route(body=page_html("Later please"))
    clock.advance(301)
    (poll,) = run_once(db_url, [outlet("Deferring Daily", site, "/feed.xml")], clock)
    assert poll.new == 1
    assert "if-none-match" not in [h for p, h in site.requests if p == "/feed.xml"][-1]


def test_sources_health_counts_and_delay(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.feed("/feed.xml", [("Report", f"{site.base}/news/report-one", "The port of Gwadar reopened on Monday after repairs.")])
    clock = Clock()
    clock.advance(-60)  # polled a minute before the item is published ...
    site.feed("/feed.xml", [])
    run_once(db_url, [outlet("Timed", site, "/feed.xml", full_text=False)], clock)
    site.feed("/feed.xml", [("Report", f"{site.base}/news/report-one", "The port of Gwadar reopened on Monday after repairs.")])
    clock.advance(60 + 300)  # ... and stored five minutes after it was
    run_once(db_url, [outlet("Timed", site, "/feed.xml", full_text=False)], clock)
    health = health_of(db_url, clock.now)["Timed"]
    assert health["median_delay_s"] == 300.0
    assert health["new_per_day"] == 1.0 and health["items_seen"] == 1 and health["status"] == "ok"
    assert health_of(db_url, clock.now + timedelta(days=4))["Timed"]["status"] == "silent"


def test_section_pages_are_followed_by_their_article_links(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    site.routes["/cpec"] = Route(
        body=b"<html><body><nav><a href='/about'>About</a><a href='https://elsewhere.test/news/x-y'>Elsewhere</a></nav>"
        b"<a href='/news/2026/03/highway-work-resumes'>Work resumes on the highway</a>"
        b"<a href='/news/2026/03/highway-work-resumes#comments'>Comments</a>"
        b"<a href='/tag/cpec'>CPEC</a></body></html>"
    )
    site.routes["/news/2026/03/highway-work-resumes"] = Route(body=page_html("Work resumes on the highway"))
    source = Outlet(name="Section Daily", pages=(site.base + "/cpec",), interval=300)
    (poll,) = run_once(db_url, [source])
    assert (poll.new, poll.error) == (1, None)
    (article,) = stored(db_url)
    assert article.url == f"{site.base}/news/2026/03/highway-work-resumes"
    assert site.asked("/about") == site.asked("/tag/cpec") == 0


def test_a_selector_picks_the_article_body(site: Site, tmp_path: Path):
    db_url = sqlite_url(tmp_path)
    promo = "<p>Subscribe today and read every story of the week for half the price, our offer says.</p>" * 12
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    site.routes["/news/picked"] = Route(
        body=f"<html><head><title>Picked</title></head><body><div class='promo'>{promo}</div>"
        f"<div class='story-body'>{story}</div></body></html>".encode()
    )
    site.feed("/feed.xml", [("Picked", f"{site.base}/news/picked", "teaser")])
    (poll,) = run_once(db_url, [outlet("Picky Post", site, "/feed.xml", selector="div.story-body")])
    assert (poll.new, poll.feed_text) == (1, 0)
    (article,) = stored(db_url)
    assert "Special Security Division" in article.text and "Subscribe today" not in article.text


# --- the command ---------------------------------------------------------------------------------


def write_sources(path: Path, site: Site, full_text: bool = False, **feeds: str) -> Path:
    entries = [
        {"name": name, "feeds": [site.base + feed], "interval": 300, "full_text": full_text}
        for name, feed in feeds.items()
    ]
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


def beltwatch(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "beltwatch.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        **kwargs,
    )


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def items_recorded(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        with open_database(f"sqlite:///{db_path}") as db, db.engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(source_items)) or 0
    except sa.exc.OperationalError:
        return 0


def wait_for(check: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def test_once_exits_3_naming_the_failing_source_and_sources_shows_it(site: Site, tmp_path: Path):
    site.feed("/good.xml", [("Good news from the port", f"{site.base}/news/good", "The port of Gwadar reopened on Monday after repairs.")])
    site.routes["/bad.xml"] = Route(500, b"", "text/plain")
    sources = write_sources(tmp_path / "sources.yaml", site, **{"Good Paper": "/good.xml", "<b>Bad</b> Paper": "/bad.xml"})
    db = f"sqlite:///{tmp_path / 'bw.db'}"
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"rules": [{"name": "attacks", "event_types": ["ATTACK"]}]}), encoding="utf-8")
    code, out, err = finish(
        beltwatch("follow", str(sources), "--db", db, "--once", "--allow-private", "--json", "--rules", str(rules))
    )
    assert code == 3, err
    assert "<b>Bad</b> Paper" in err.splitlines()[-1] and "Good Paper" not in err.splitlines()[-1]
    polls = [json.loads(line)["poll"] for line in out.splitlines()]
    assert {p["source"]: p["new"] for p in polls} == {"Good Paper": 1, "<b>Bad</b> Paper": 0}

    code, out, err = finish(beltwatch("sources", "--db", db, "--json"))
    assert code == 0, err
    shown = json.loads(out)
    assert [s["name"] for s in shown] == ["<b>Bad</b> Paper", "Good Paper"]  # the broken one first
    assert shown[0]["status"] == "failing" and "HTTP 500" in shown[0]["last_error"]
    code, out, err = finish(beltwatch("sources", "--db", db))
    assert code == 0 and "failing" in out and "HTTP 500" in out

    from fastapi.testclient import TestClient

    from beltwatch.api import create_app

    with TestClient(create_app(db, environ={})) as client:
        html = client.get("/sources").text
    assert "&lt;b&gt;Bad&lt;/b&gt; Paper" in html and "<b>Bad</b>" not in html  # escaped
    assert html.index("Bad&lt;/b&gt; Paper") < html.index("Good Paper")  # the failing one first
    assert "status-failing" in html and "HTTP 500" in html


def test_service_sigterm_exits_0_a_second_follow_exits_2_sigkill_loses_nothing(site: Site, tmp_path: Path):
    items = [
        (f"Convoy {n} reaches Gwadar", f"{site.base}/news/convoy-{n}",
         f"A convoy of {n} trucks reached the port of Gwadar on Monday, officials of the port authority said.")
        for n in range(80)
    ]  # fmt: skip
    site.feed("/feed.xml", items, etag='"one"')
    sources = write_sources(tmp_path / "sources.yaml", site, **{"Convoy Watch": "/feed.xml"})
    db_path = tmp_path / "bw.db"
    db = f"sqlite:///{db_path}"

    first = beltwatch("follow", str(sources), "--db", db, "--allow-private")
    wait_for(lambda: items_recorded(db_path) > 0)
    first.kill()  # SIGKILL in the middle of the first poll
    assert finish(first, timeout=30)[0] == -signal.SIGKILL
    killed_at = items_recorded(db_path)
    assert killed_at < 80

    second = beltwatch("follow", str(sources), "--db", db, "--allow-private")
    wait_for(lambda: items_recorded(db_path) > killed_at)
    second.send_signal(signal.SIGTERM)  # in the middle of the poll that takes up the rest
    code, _out, err = finish(second, timeout=60)
    assert code == 0, err
    assert items_recorded(db_path) < 80

    service = beltwatch("follow", str(sources), "--db", db, "--allow-private")
    wait_for(lambda: items_recorded(db_path) == 80)
    code, _out, err = finish(beltwatch("follow", str(sources), "--db", db, "--once", "--allow-private"))
    assert code == 2 and "already running" in err
    service.send_signal(signal.SIGTERM)
    code, _out, err = finish(service, timeout=60)
    assert code == 0, err
    with open_database(db) as store, store.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(articles)) == 80
        validators = conn.scalar(sa.select(source_health.c.validators))
    assert validators[f"{site.base}/feed.xml"]["etag"] == '"one"'


def test_example_sources_file_is_valid_and_large_enough():
    outlets = load_outlets(ROOT / "examples" / "sources.yaml")
    assert len(outlets) >= 30
    assert all(o.feeds for o in outlets)
    assert len({canonical_url(f) for o in outlets for f in o.feeds}) == sum(len(o.feeds) for o in outlets)


# --- the parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.dawn.com/news/1830588/petrol-price",
        "https://WWW.Dawn.com/news/1830588/petrol-price/",
        "https://www.dawn.com/news/1830588/petrol-price?utm_source=rss&utm_medium=feed#comments",
        "https://m.dawn.com/news/1830588/petrol-price?fbclid=abc",
        "https://amp.dawn.com/news/1830588/petrol-price/amp/",
        "https://www.dawn.com/amp/news/1830588/petrol-price?amp=1",
        "https://www.dawn.com:443/news/1830588/petrol-price",
    ],
)
def test_canonical_url_maps_variants_to_one(variant: str):
    assert canonical_url(variant) == "https://www.dawn.com/news/1830588/petrol-price"


def test_canonical_url_keeps_what_names_the_article():
    assert canonical_url("https://x.org/story?id=42&utm_campaign=a&page=2") == "https://x.org/story?id=42&page=2"
    assert canonical_url("https://x.org/news/story.amp.html") == "https://x.org/news/story.html"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "A", "feeds": ["https://a.org/f"], "interval": 0}, "source 1 ('A'): interval: "),
        ({"name": "A", "feedz": ["https://a.org/f"]}, "source 1 ('A'): unknown key 'feedz'"),
        ({"name": "A", "feeds": ["ftp://a.org/f"]}, "not an http(s) URL"),
        ({"name": "A"}, "a source needs `feeds` or `pages`"),
        ({"name": "A", "feeds": ["https://a.org/f"], "country": "Narnia"}, "not a country code or name"),
        ({"name": "A", "feeds": ["https://a.org/f"], "selector": "div[["}, "not a CSS selector"),
        ({"feeds": ["https://a.org/f"]}, "source 1: name: Field required"),
    ],
)
def test_a_bad_sources_file_is_one_clear_line(tmp_path: Path, entry: dict, message: str):
    from beltwatch.errors import UsageError

    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [entry]}), encoding="utf-8")
    with pytest.raises(UsageError) as info:
        load_outlets(path)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert str(info.value).startswith(str(path))


def test_two_sources_of_one_name_are_refused(tmp_path: Path):
    from beltwatch.errors import UsageError

    path = tmp_path / "sources.yaml"
    entry = {"name": "Dawn", "feeds": ["https://a.org/f"]}
    path.write_text(yaml.safe_dump({"sources": [entry, {**entry, "name": "dawn"}]}), encoding="utf-8")
    with pytest.raises(UsageError, match="two sources are named 'dawn'"):
        load_outlets(path)


def test_retry_after_reads_seconds_and_dates():
    from beltwatch.sources.polite import backoff, retry_after

    assert retry_after("120") == 120.0
    assert retry_after(format_datetime(START + timedelta(minutes=5)), now=START) == 300.0
    assert retry_after("soon") is None and retry_after(None) is None
    assert [backoff(300, n, 3600) for n in range(4)] == [300, 600, 1200, 2400]
    assert backoff(300, 10, 3600) == 3600


def test_alerts_are_raised_once_per_story_whichever_outlet_brings_it(site: Site, tmp_path: Path):
    from beltwatch.alerts import Destinations, WebhookPolicy, check_ingest_run
    from beltwatch.alerts.rules import Rule

    text = (ROOT / "tests" / "corpus" / "dev" / "gwadar-convoy-attack-2023-brief.txt").read_text(encoding="utf-8")
    body = "".join(f"<p>{p}</p>" for p in text.split("\n\n")[2:-1] if p.strip())
    page = f"<html><head><title>Attack on convoy repulsed</title></head><body><article>{body}</article></body></html>"
    site.routes["/news/convoy-attack"] = Route(body=page.encode())
    site.routes["/copy/convoy-attack"] = Route(body=page.encode())  # another site's copy of it
    site.feed("/a.xml", [("Attack on convoy repulsed", f"{site.base}/news/convoy-attack", "teaser")])
    site.feed("/b.xml", [("Attack on convoy repulsed", f"{site.base}/copy/convoy-attack", "teaser")])
    db_url = sqlite_url(tmp_path)
    rules = [Rule(name="attacks-near-corridor", event_types=("ATTACK",), within_km=50.0)]
    raised: list[dict] = []

    def alert(run_id: int) -> None:  # what `follow --rules` does after each round
        outcome = check_ingest_run(db_url, rules, run_id, Destinations(stdout=None), WebhookPolicy())
        raised.extend(r.message for r in outcome.raised)

    a, b = outlet("Outlet A", site, "/a.xml"), outlet("Outlet B", site, "/b.xml")
    follow(db_url, [a], POLICY, once=True, on_run=alert)
    assert [(r["rule"], r["kind"]) for r in raised] == [("attacks-near-corridor", "new")]
    polls = follow(db_url, [a, b], POLICY, once=True, on_run=alert)
    assert {p.source: p.new for p in polls} == {"Outlet A": 0, "Outlet B": 1}
    assert len(raised) == 1  # the copy joins the story: nothing raised again


def test_one_follow_per_database(db_url: str):
    from beltwatch.errors import UsageError
    from beltwatch.store.database import FOLLOW_LOCK, exclusive

    with open_database(db_url) as first, open_database(db_url) as second:
        with (
            exclusive(first, FOLLOW_LOCK, "beltwatch follow"),
            pytest.raises(UsageError, match="beltwatch follow is already running"),
            exclusive(second, FOLLOW_LOCK, "beltwatch follow"),
        ):
            pass
        with exclusive(second, FOLLOW_LOCK, "beltwatch follow"):  # released with its holder
            pass
