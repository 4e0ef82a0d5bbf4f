"""The map page's two forms: Leaflet when `make install` has fetched its scripts (the browser tests in
tests/test_web.py drive that one), and the server-drawn SVG map, with a notice, when they are missing.

Served in process (FastAPI's TestClient) from a database filled by the real ingest (the articles of
tests/test_api.py, with the hostile one).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from beltwatch.api import create_app
from beltwatch.web import vendor
from test_api import SCRIPT, build_database
from test_web import ROUTES


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, object]]:
    app = create_app(build_database(tmp_path_factory.mktemp("map")), environ={})
    with TestClient(app) as client:
        yield client, app


def map_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.DOTALL)
    assert found is not None
    return json.loads(found.group(1))


def test_the_installed_scripts_are_served_with_their_licences(served):
    client, _ = served
    assets = vendor.assets()
    assert assets is not None, "the map's scripts are missing: run `make install`"
    html = client.get("/map").text
    for url in (*assets.scripts, *assets.styles):
        assert url in html
        assert client.get(url).status_code == 200
    for package in vendor.PACKAGES:
        assert (vendor.VENDOR / package.name / package.licence).stat().st_size > 500


def test_the_map_data_is_geojson_with_the_evidence_escaped_for_the_page(served):
    client, _ = served
    html = client.get("/map").text
    assert SCRIPT not in html  # the JSON in the page escapes < and >
    features = map_data(html)["events"]["features"]
    hostile = [f for f in features if f["properties"]["article"] == "/articles/hostile-report"]
    assert any(SCRIPT in (f["properties"]["evidence"] or "") for f in hostile)
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert feature["properties"]["placed_by"] in ("sentence", "paragraph", "dateline", "article")


def test_a_half_installed_folder_is_not_used(tmp_path):
    shutil.copytree(vendor.VENDOR, tmp_path / "vendor")
    assert vendor.assets(tmp_path / "vendor") is not None
    (tmp_path / "vendor" / "leaflet" / "dist" / "leaflet.js").unlink()
    assert vendor.assets(tmp_path / "vendor") is None
    assert vendor.assets(tmp_path / "nothing") is None


def test_without_the_scripts_the_page_says_so_and_draws_the_fixed_map(served, tmp_path: Path):
    client, app = served
    installed = app.state.map_assets
    app.state.map_assets = vendor.assets(tmp_path)  # an empty folder: nothing installed
    try:
        html = client.get("/map").text
    finally:
        app.state.map_assets = installed
    assert 'id="no-live-map"' in html and "make install" in html
    assert "/static/vendor/" not in html and "/static/map.js" not in html and 'id="map-data"' not in html
    svg = html[html.index('<svg id="event-map"') : html.index("</svg>", html.index('<svg id="event-map"'))]
    assert svg.count('class="country"') > 10
    assert [t.split(":")[0] for t in re.findall(r'<path class="route"[^>]*><title>([^<]*)', svg)] == ROUTES
    assert "Dasu Dam (dam, Dasu Hydropower Project)" in svg and "Gwadar Port (port, Gwadar Port)" in svg
    assert svg.rindex('class="site"') < svg.index('class="pt')  # events drawn on top
    assert re.search(r'<a href="/events/\d+" class="pt[^"]*" data-type="ATTACK"', svg)
    assert SCRIPT not in html


def test_the_geojson_export_says_how_each_event_was_placed(served):
    """The hostile article's statement names no place: it takes the dateline's ("GWADAR: ...") at
    province precision, while its attack is placed by its own sentence."""
    client, _ = served
    features = client.get("/api/exports/geojson").json()["features"]
    hostile = {
        f["properties"]["type"]: f["properties"]
        for f in features
        if f["properties"]["article"] == "hostile-report"
    }
    assert (hostile["ATTACK"]["placed_by"], hostile["ATTACK"]["precision"]) == ("sentence", 1)
    statement = hostile["STATEMENT"]
    assert (statement["placed_by"], statement["precision"], statement["location"]) == ("dateline", 3, None)
    assert "location" not in statement["arguments"]
    assert {f["properties"]["placed_by"] for f in features} <= {
        "sentence",
        "paragraph",
        "dateline",
        "article",
    }
