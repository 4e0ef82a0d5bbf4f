"""`beltwatch report`: briefings in HTML and PDF from the bundled corpus ingested by the real ingest (once,
on SQLite; the reads under them are checked on both backends by tests/test_risk.py and tests/test_api.py).

The PDF test renders page 1 with Debian's poppler-utils (`pdftoppm`) and checks with Pillow that the page
is not blank.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import yaml
from matplotlib.collections import PathCollection
from PIL import Image

from beltwatch.ingest import ingest
from beltwatch.report import build_briefing, render_html
from beltwatch.report.charts import incident_figure
from beltwatch.resolve.corridor import ALIGNMENTS_FILE, SITES_FILE
from beltwatch.settings import Settings
from beltwatch.store import open_database
from test_api import SCRIPT, SCRIPT_ESCAPED, write_hostile_article
from test_cli import _command

DEV = Path(__file__).parent / "corpus" / "dev"
CHARTS = ("map", "casualties", "lenders", "speakers")
SINCE, UNTIL = date(2021, 1, 1), date(2024, 12, 31)


@pytest.fixture(scope="module")
def corpus_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'beltwatch.db'}"
    assert ingest([str(DEV)], Settings.load(url)).new == 19
    return url


def _briefing_html(url: str, since: date, until: date) -> str:
    with open_database(url, create=False) as store, store.engine.connect() as conn:
        return render_html(build_briefing(conn, since, until, title="Corridor security"))


def _charts(html: str) -> dict[str, bytes]:
    found = re.findall(
        r'<figure class="chart chart-(\w+)"><img alt="[^"]*" src="data:image/svg\+xml;base64,([^"]+)"', html
    )
    return {name: base64.b64decode(data) for name, data in found}


def _report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_command(), "report", *args], check=False, capture_output=True, text=True)


def test_html_briefing_has_the_charts_and_the_incidents_with_their_sources(corpus_url):
    html = _briefing_html(corpus_url, SINCE, UNTIL)
    charts = _charts(html)
    assert sorted(charts) == sorted(CHARTS)
    assert all(svg.lstrip().startswith(b"<?xml") and b"<svg" in svg for svg in charts.values())
    assert len(charts["map"]) > 20_000  # the Natural Earth outlines are drawn
    # five attacks in 2021-2024 (Dasu, Karachi University, Gwadar, Besham, Karachi airport), newest first
    rows = re.findall(r'<tr class="incident">(.*?)</tr>', html, re.DOTALL)
    assert [re.search(r"<td>([\d-]+)</td>", row).group(1) for row in rows] == [
        "2024-10-06",
        "2024-03-26",
        "2023-08-13",
        "2022-04-26",
        "2021-07-14",
    ]
    airport, _, gwadar, _, dasu = rows
    assert "Port City Observer" in airport and "Corridor Monitor - Belt and Road" in airport
    assert '<a href="https://news.example.org/2024/10/07/karachi-airport-convoy-bombing">' in airport
    assert "Balochistan Liberation Army: 13 killed" in gwadar  # a claim, beside the stated 0
    assert dasu.count('<div class="report">') == 3  # one incident, its three reports
    assert "<b>5</b> incidents" in html and "<b>25</b> killed" in html
    assert "km from the Western alignment" in gwadar  # the stored distance to the corridor
    assert (
        "Export-Import Bank of China" not in html.split("Latest statements")[1]
    )  # lenders only in their chart
    assert (
        "Chinese Embassy in Pakistan" in html and "Sindh Home Minister Ziaul Hasan Lanjar" in html
    )  # speaker, sentence
    assert "<script" not in html and not re.search(r'src="(?!data:)', html)  # self-contained, no script


def test_incident_map_draws_every_route_and_the_project_sites_under_the_incidents():
    routes = [a["name"] for a in yaml.safe_load(ALIGNMENTS_FILE.read_text(encoding="utf-8"))["alignments"]]
    sites = [s for s in yaml.safe_load(SITES_FILE.read_text(encoding="utf-8"))["sites"] if "kind" in s]
    incidents = [{"lat": 35.29, "lon": 73.29, "killed": 13, "injured": 28}, {"lat": 24.9, "lon": 67.1}]
    (axes,) = incident_figure(incidents).axes
    lines = axes.get_lines()
    assert [line.get_label() for line in lines] == routes
    styles = {(line.get_color(), line.get_linestyle(), line.get_linewidth()) for line in lines}
    assert len(styles) == len(routes)
    scatters = [c for c in axes.collections if isinstance(c, PathCollection)]
    (drawn,) = [c for c in scatters if c.get_label().startswith("incident")]
    site_markers = [c for c in scatters if c is not drawn]
    assert sum(len(c.get_offsets()) for c in site_markers) == len(sites)
    assert drawn.get_zorder() > max(c.get_zorder() for c in [*site_markers, *lines])  # incidents on top
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend == [*routes, "project sites", drawn.get_label()]  # one entry for all the sites
    assert not {s["name"] for s in sites} & {text.get_text() for text in axes.texts}  # sites unlabelled


def test_an_empty_period_is_a_briefing_that_says_so(corpus_url):
    html = _briefing_html(corpus_url, date(2019, 1, 1), date(2019, 12, 31))
    assert "No incidents were reported in this period." in html and "<b>0</b> incidents" in html
    assert sorted(_charts(html)) == sorted(CHARTS)
    assert "No statements on security in this period." in html


def test_article_text_is_escaped(tmp_path):
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    write_hostile_article(tmp_path / "in")
    assert ingest([str(tmp_path / "in")], Settings.load(url)).new == 1
    html = _briefing_html(url, date(2024, 1, 1), date(2024, 12, 31))
    assert 'class="incident"' in html and SCRIPT_ESCAPED in html  # the crafted title, shown as text
    assert SCRIPT not in html and "<script" not in html and "javascript:" not in html


def test_command_writes_a_pdf_whose_first_page_is_not_blank(corpus_url, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("needs Debian's poppler-utils (pdftoppm) to render the PDF; CI installs it")
    out = tmp_path / "briefing.pdf"
    done = _report("--db", corpus_url, "--since", "2021-01-01", "--until", "2024-12-31", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "5 incidents" in done.stderr and out.read_bytes().startswith(b"%PDF-")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")], check=True
    )
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as page:
        colours = page.convert("RGB").getcolors(maxcolors=1 << 24)  # (pixel count, colour) pairs
    inked = sum(n for n, colour in colours if sum(colour) < 3 * 235) / sum(n for n, _ in colours)
    assert 0.03 < inked < 0.9, inked  # text and the map, on a white page
    assert len(colours) > 20  # more than black on white: the map's colours


def test_command_refuses_bad_arguments_in_one_line(corpus_url, tmp_path):
    for args in (
        ("--since", "2021-01-01", "--until", "2024-12-31", "--out", str(tmp_path / "b.docx")),
        ("--since", "2024-12-31", "--until", "2021-01-01", "--out", str(tmp_path / "b.html")),
    ):
        done = _report("--db", corpus_url, *args)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, (args, done.stderr)
    assert not any(tmp_path.iterdir())
