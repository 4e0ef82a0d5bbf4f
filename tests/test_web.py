"""The dashboard in a real browser: Playwright (sync API) driving Debian's chromium against `uvicorn`
serving a database filled by the real ingest (the same articles as tests/test_api.py, with the
hostile one whose text and title carry `<script>` tags).

The server runs in a thread on 127.0.0.1 with an ephemeral port. Any JavaScript dialog fails the
test (an `alert` would mean injected script ran), and so does any console error (a blocked
inline script or a broken asset shows up there). Skipped only when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from beltwatch.resolve.corridor import ALIGNMENTS_FILE
from beltwatch.web import vendor

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "browser-test-token"
SCRIPT = "<script>alert(1)</script>"
ROUTES = [a["name"] for a in yaml.safe_load(ALIGNMENTS_FILE.read_text(encoding="utf-8"))["alignments"]]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from beltwatch.api import create_app
    from test_api import build_database

    url = build_database(tmp_path_factory.mktemp("web"))
    with serve(create_app(url, environ={"BELTWATCH_TOKEN": TOKEN, "BELTWATCH_TOKEN_NAME": "browser"})) as base:
        yield base


@contextmanager
def serve(app: object) -> Iterator[str]:
    """`app` served by uvicorn in a thread on 127.0.0.1 at an ephemeral port; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser, server) -> Iterator[object]:
    context = browser.new_context(base_url=server)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    problems: list[str] = []

    def on_dialog(dialog) -> None:
        problems.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.problems = problems
    yield tab
    context.close()
    assert problems == [], problems


def test_overview_incidents_and_timeline_load(page):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator(".count").count() >= 5
    assert page.locator("svg.chart.bars rect").count() >= 1

    page.goto("/incidents")
    assert page.locator("tr.incident").count() >= 2
    assert page.get_by_text("Balochistan Liberation Army").count() >= 1

    page.goto("/timeline")
    assert page.locator("svg.timeline rect.seg").count() >= 3


def open_live_map(page, path: str = "/map") -> None:
    assert vendor.assets() is not None, "the map's scripts are missing: run `make install`"
    page.goto(path)
    page.locator('#live-map[data-ready="true"]').wait_for()


def shown(page) -> int:
    """The events the map shows: single markers, and the count on each cluster."""
    counts = page.locator("#live-map .marker-cluster span").all_text_contents()
    return page.locator("#live-map path.event-marker").count() + sum(int(n) for n in counts)


def test_the_map_zooms_shows_the_events_and_switches_the_corridor_off_and_on(page):
    open_live_map(page)
    live = page.locator("#live-map")
    assert page.locator("#live-map path.country").count() > 100
    assert page.locator("#live-map path.route").count() == len(ROUTES)
    assert page.locator("#live-map path.site").count() >= 20
    assert (
        page.locator("#live-map .marker-cluster").count()
        + page.locator("#live-map path.event-marker").count()
        >= 3
    )
    clusters = page.locator("#live-map .marker-cluster span").all_text_contents()
    assert any(int(n) >= 2 for n in clusters)  # the Gwadar reports share a place: one cluster
    features = page.evaluate("JSON.parse(document.getElementById('map-data').textContent).events.features")
    attacks = sum(f["properties"]["type"] == "ATTACK" for f in features)
    assert shown(page) == len(features) and attacks >= 3  # every event, alone or in a cluster
    page.locator('input.type-toggle[value="ATTACK"]').uncheck()  # the legend hides a type
    assert shown(page) == len(features) - attacks
    page.locator('input.type-toggle[value="ATTACK"]').check()
    assert shown(page) == len(features)

    zoom = int(live.get_attribute("data-zoom"))
    page.locator(".leaflet-control-zoom-in").click()
    page.locator(f'#live-map[data-zoom="{zoom + 1}"]').wait_for()
    page.locator(".leaflet-control-zoom-out").click()
    page.locator(f'#live-map[data-zoom="{zoom}"]').wait_for()

    routes = page.locator(".leaflet-control-layers label", has_text="Corridor routes").locator("input")
    routes.uncheck()
    assert page.locator("#live-map path.route").count() == 0
    assert page.locator("#live-map path.site").count() >= 20  # the other layers stay
    routes.check()
    assert page.locator("#live-map path.route").count() == len(ROUTES)


def popup_saying(page, text: str):
    """The popup of the event whose evidence holds `text`: clusters are clicked open (zoomed into,
    then spread out) until a marker's popup says it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    popup = page.locator("#live-map .leaflet-popup-content").last  # the one closing may still fade out
    for _ in range(20):
        markers = page.locator("#live-map path.event-marker")
        for i in range(markers.count()):
            try:
                markers.nth(i).click(timeout=2_000)
            except PlaywrightTimeout:
                continue  # under a cluster's icon: that cluster opens below
            if popup.count() and text in popup.inner_text():
                return popup
        clusters = page.locator("#live-map .marker-cluster")
        if not clusters.count():
            break
        clusters.first.click()
        page.wait_for_timeout(500)  # the cluster's zoom or spread animation
    raise AssertionError(f"no popup says {text!r}")


def test_a_map_popup_shows_the_evidence_as_text_and_links_the_article(page):
    open_live_map(page, "/map?type=ATTACK&view=corridor")
    popup = popup_saying(page, SCRIPT)
    assert popup.locator("script").count() == 0
    assert (
        popup.locator("blockquote.evidence").inner_text()
        == f"Gunmen attack Chinese convoy in Gwadar {SCRIPT}"
    )
    assert popup.locator("span.type").inner_text() == "ATTACK"
    assert popup.locator("p.placed").inner_text() == "Placed where its own sentence says."
    # the event's date: the Sunday before publication
    assert popup.locator("p").first.inner_text() == "ATTACK 2024-05-05 · Gwadar"
    article = popup.locator('a[href="/articles/hostile-report"]')
    assert article.count() == 1
    with page.expect_navigation(url="**/articles/hostile-report"):
        article.click()
    assert page.locator("#article-text script").count() == 0


@pytest.mark.parametrize("width", [1400, 800])
def test_the_finance_by_year_chart_stays_inside_its_column(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/finance")
    column = page.locator("figure.chart", has=page.locator("figcaption", has_text="By year"))
    chart, cell = column.locator("svg.chart").bounding_box(), column.bounding_box()
    assert chart is not None and cell is not None and chart["width"] > 100
    assert cell["x"] - 0.5 <= chart["x"] and chart["x"] + chart["width"] <= cell["x"] + cell["width"] + 0.5
    assert cell["x"] + cell["width"] <= width  # and the column inside the window


def test_article_page_highlights_facts_and_runs_no_injected_script(page):
    page.goto("/articles/seed-xi-kakar")
    assert page.locator("#article-text .hl-ev").count() >= 3
    assert page.locator("#article-text .hl-ent").count() >= 5
    assert page.locator("#article-text .hl-amt").count() >= 2

    page.goto("/articles/hostile-report")
    text = page.locator("#article-text").inner_text()
    assert "<script>alert(1)</script>" in text  # shown as text
    assert page.locator("#article-text script").count() == 0
    assert page.locator("[onmouseover]").count() == 0
    assert page.evaluate("Array.from(document.scripts).every(s => s.src.endsWith('/static/app.js'))")
    for selector in ("h1", "#article-text .hl", "#article-text"):
        page.locator(selector).first.hover()
    page.goto("/search?q=convoy")
    page.goto("/incidents")
    page.locator("tr.incident").first.hover()
    page.wait_for_timeout(200)
    assert page.problems == []  # no alert dialog, no console error


def test_a_story_page_shows_one_page_of_its_articles_and_links_the_next(page, monkeypatch):
    from urllib.parse import quote

    from beltwatch.store import queries

    listed = page.request.get("/api/stories", params={"limit": 500}).json()["items"]
    largest = max(listed, key=lambda s: (len(s["articles"]), s["story"]))
    size = len(largest["articles"])
    assert size >= 2
    monkeypatch.setattr(queries, "STORY_PAGE", 1)
    page.goto(f"/stories/{quote(largest['story'], safe='')}")
    columns = page.locator("section.source-column h3")
    assert columns.count() == 1 and page.locator("ol.story-timeline li").count() == 1
    first = columns.first.inner_text()
    assert f"1–1 of {size}" in page.locator("nav.pager").first.inner_text()
    page.locator("nav.pager").first.get_by_text("next →").click()
    page.wait_for_url("**offset=1")
    assert columns.count() == 1 and columns.first.inner_text() != first
    assert f"2–2 of {size}" in page.locator("nav.pager").first.inner_text()
    page.locator("nav.pager").first.get_by_text("← previous").click()
    page.wait_for_url("**offset=0")
    assert columns.first.inner_text() == first


def test_a_correction_submitted_on_the_page_is_shown(page):
    page.goto("/incidents")
    page.locator("tr.incident td a").first.click()
    page.wait_for_url("**/events/*")
    form = page.locator("form.correction")
    assert form.count() == 1
    page.locator("details.review-token summary").click()
    page.locator("#bw-token").fill(TOKEN)
    form.locator('select[name="action"]').select_option("edit")
    form.locator('select[name="argument"]').select_option("killed")
    form.locator('input[name="value"]').fill("42")
    form.locator('input[name="note"]').fill("checked against the ISPR statement")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    killed = page.locator('.args .arg[data-arg="killed"]').first
    assert "42" in killed.inner_text() and "was" in killed.inner_text()
    history = page.locator("table.history tr.correction-row")
    assert history.count() == 1
    row = history.first.inner_text()
    assert "browser" in row and "arguments.killed" in row and "ISPR" in row

    # a wrong token is refused and the page says so
    page.locator("details.review-token").evaluate("d => d.open = true")
    page.locator("#bw-token").fill("not-the-token")
    form = page.locator("form.correction")
    form.locator('input[name="value"]').fill("43")
    form.locator('button[type="submit"]').click()
    status = form.locator(".form-status")
    status.filter(has_text="wrong token").wait_for()
    page.problems[:] = [p for p in page.problems if "401" not in p]  # the refused request is logged

    page.goto("/corrections")
    assert page.locator("tr.correction-row").count() == 1


def test_an_article_uploaded_on_the_page_is_ingested_and_shown(page, tmp_path):
    article = tmp_path / "browser-upload.txt"
    article.write_text(
        "Gunmen attacked a convoy carrying Chinese engineers in Gwadar on Sunday, officials said.\n",
        encoding="utf-8",
    )
    page.goto("/ingest")
    page.locator("details.review-token summary").click()
    page.locator("#bw-token").fill(TOKEN)
    form = page.locator("form.upload")
    form.locator('input[name="file"]').set_input_files(str(article))
    form.locator('input[name="title"]').fill("Uploaded in the browser")
    form.locator('input[name="published"]').fill("2024-02-02")
    with page.expect_navigation(url="**/articles/browser-upload"):
        form.locator('button[type="submit"]').click()
    assert page.locator("h1").inner_text() == "Uploaded in the browser"
    assert page.locator("#article-text").inner_text().startswith("Gunmen attacked")
