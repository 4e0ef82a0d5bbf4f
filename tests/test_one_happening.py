"""One happening reported by several outlets in two languages is one story, one alert, one incident.

The reports below were written for this test, each in the manner of a kind of outlet: a wire service's
dateline and attribution, a city daily's next-morning account with the police's figures, a Chinese
state outlet's embassy statement (its own words, nothing in common with the English but the place names
and the numbers) and an Urdu channel's two-line bulletin. They report a bombing in Karachi on 10 March
2025 that killed two and injured five. Ingested by the real ingest into a fresh store (SQLite and
PostgreSQL), they are one story, and the alert rule, the risk view's incidents and the `beltwatch risk`
table see the happening once.

The story page lists the four in time order with their outlet and date.

Stories over weeks: a report of arrests a month on, recalling the bombing by its date and place, joins
its story; a second bombing at the same place that day, recalling the first by its month only, starts
its own.
"""

from __future__ import annotations

import html
import json
import subprocess
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from beltwatch.alerts.check import check_stories
from beltwatch.alerts.rules import load_rules
from beltwatch.api import create_app
from beltwatch.clean import clean_article
from beltwatch.extract import extract_articles
from beltwatch.ingest import ingest
from beltwatch.model import Article, ArticleMeta
from beltwatch.resolve import resolve_extraction
from beltwatch.risk import risk_view
from beltwatch.settings import Settings
from beltwatch.store import open_database, reads
from beltwatch.stories import cluster_stories, signal_of
from conftest import BACKENDS, fresh_database
from test_cli import _command

# (key, outlet, language, published, text)
REPORTS = [
    (
        "wire",
        "Indus Wire",
        "en",
        "2025-03-10",
        ("Bomb kills two Chinese engineers near Karachi port\n\n"
        "KARACHI, March 10 (Indus Wire) - A roadside bomb struck a van carrying Chinese engineers near "
        "Port Qasim in Karachi on March 10, killing two of them and injuring five, police said.\n\n"
        "The engineers worked on a power plant at Port Qasim, police official Imran Khattak told Indus "
        "Wire. No group has yet said it carried out the attack in Karachi."),
    ),
    (
        "daily",
        "Karachi Morning Courier",
        "en",
        "2025-03-11",
        ("Two Chinese nationals killed in Port Qasim blast\n\n"
        "KARACHI: Two Chinese nationals were killed and five people were injured when an improvised "
        "explosive device went off beside their van near Port Qasim on March 10, police said on Tuesday.\n\n"
        "SSP Imran Khattak said the van was taking the engineers from their camp to the power plant at "
        "Port Qasim when the bomb, planted on the roadside, went off. The injured were taken to Jinnah "
        "Postgraduate Medical Centre in Karachi."),
    ),
    (
        "xinhua-style",
        "Hua Xia News Agency",
        "zh",
        "2025-03-11",
        ("中国驻巴基斯坦使馆就卡拉奇袭击事件发表声明\n\n"
        "新华社伊斯兰堡3月11日电 中国驻巴基斯坦使馆11日发表声明说，3月10日，"
        "一辆载有中方人员的车辆在巴基斯坦卡拉奇卡西姆港附近遭遇炸弹袭击，造成2名中方人员遇难、5人受伤。"
        "使馆强烈谴责这一恐怖袭击，要求巴方彻查此事、严惩凶手。"),
    ),
    (
        "urdu-bulletin",
        "Sindh Khabar TV",
        "ur",
        "2025-03-10",
        ("کراچی: پورٹ قاسم کے قریب چینی انجینئرز کی گاڑی پر بم حملہ\n\n"
        "کراچی میں پورٹ قاسم کے قریب 10 مارچ کو چینی انجینئرز کی گاڑی پر بم حملے میں 2 چینی شہری جاں بحق "
        "اور 5 افراد زخمی ہو گئے۔ پولیس کے مطابق دھماکہ خیز مواد سڑک کے کنارے نصب تھا۔"),
    ),
]
# a month on: arrests over the bombing, which the report recalls by its date and place
FOLLOW_UP = (
    "arrests",
    "Karachi Morning Courier",
    "en",
    "2025-04-14",
    ("Two held over Port Qasim bombing\n\n"
    "KARACHI: Police arrested two suspects on Monday over last month's bombing near Port Qasim, SSP "
    "Imran Khattak said.\n\n"
    "On March 10, a roadside bomb hit a van carrying Chinese engineers near Port Qasim in Karachi, "
    "killing two of them and injuring five. The suspects had planted the bomb beside the road the van "
    "took to the power plant every morning, Khattak said."),
)
# six days on: another bombing at the same place, which recalls the first by its month only
NEW_HAPPENING = (
    "second-bombing",
    "Indus Wire",
    "en",
    "2025-04-20",
    ("Bomb near Karachi port kills three\n\n"
    "KARACHI, April 20 (Indus Wire) - A bomb hidden in a motorcycle exploded outside a warehouse near "
    "Port Qasim in Karachi on April 20, killing three guards and injuring seven, police said.\n\n"
    "It was the second bombing in the Port Qasim area since March, police official Imran Khattak told "
    "Indus Wire."),
)
RULES = "rules:\n  - name: attacks\n    event_types: [ATTACK]\n"


@pytest.fixture(scope="module", params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("one-happening")
    for key, outlet, language, published, text in REPORTS:
        (folder / f"{key}.txt").write_text(text, encoding="utf-8")
        meta = {"published": published, "source": outlet, "language": language}
        (folder / f"{key}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        summary = ingest([str(folder)], Settings.load(url))
        assert summary.failed == 0 and summary.new == len(REPORTS), summary.to_json()
        yield url


def test_the_reports_are_one_story(store_url):
    with open_database(store_url, create=False) as store, store.engine.connect() as conn:
        stories = reads.list_stories(conn)
    assert len(stories) == 1, [[a["id"] for a in s["articles"]] for s in stories]
    (story,) = stories
    assert sorted(a["id"] for a in story["articles"]) == sorted(key for key, *_ in REPORTS)
    assert {a["source"] for a in story["articles"]} == {outlet for _, outlet, *_ in REPORTS}


def test_the_story_page_lists_its_reports_in_time_order_with_outlet_and_date(store_url):
    with TestClient(create_app(store_url, environ={})) as client:
        (story,) = client.get("/api/stories").json()["items"]
        page = client.get(f"/stories/{story['story']}").text
    timeline = page[page.index('<ol class="story-timeline">') : page.index("</ol>")]
    items = timeline.split("<li>")[1:]
    expected = sorted((published, key, outlet) for key, outlet, _, published, _ in REPORTS)
    assert len(items) == len(expected)
    for item, (published, key, outlet) in zip(items, expected, strict=True):
        assert published in item and html.escape(outlet) in item and f"/articles/{key}" in item


def test_one_alert_and_one_incident(store_url, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with open_database(store_url, writer=True) as store, store.engine.connect() as conn:
        transaction = conn.begin()
        raised = check_stories(conn, load_rules(rules), None)
        transaction.rollback()
        view = risk_view(conn, 90, until=date(2025, 3, 31))
    (alert,) = [r.message for r in raised]
    assert (alert["date"], alert["killed"], alert["injured"]) == ("2025-03-10", 2, 5)
    assert {s["article"] for s in alert["sources"]} == {"wire", "daily"}  # the reports whose figures were read

    (incident,) = view["incidents"]
    assert (incident["date"], incident["killed"], incident["injured"]) == ("2025-03-10", 2, 5)
    assert {r["article"] for r in incident["reports"]} == {"wire", "daily"}
    assert [(row["area"], row["incidents"], row["killed"]) for row in view["areas"] if row["incidents"]] == [
        ("Karachi", 1, 2)
    ]


def test_the_risk_command_counts_it_once(store_url):
    if not store_url.startswith("sqlite"):
        pytest.skip("the command's output is checked once, on SQLite; the view itself on both backends")
    table = subprocess.run(
        [*_command(), "risk", "--db", store_url, "--days", "90", "--until", "2025-03-31", "--json"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert table.returncode == 0, table.stderr
    view = json.loads(table.stdout)
    assert [(row["area"], row["incidents"]) for row in view["areas"] if row["incidents"]] == [("Karachi", 1)]
    assert len(view["incidents"]) == 1


def test_a_follow_up_joins_the_story_and_a_new_happening_at_the_place_starts_its_own():
    reports = [*REPORTS, FOLLOW_UP, NEW_HAPPENING]
    articles = [
        clean_article(Article(id=key, text=text, meta=ArticleMeta(published=published, source=outlet, language=lang)))
        for key, outlet, lang, published, text in reports
    ]
    signals = [signal_of(resolve_extraction(x)) for x in extract_articles(articles)]
    story_of = {a.article_id: a.story_id for a in cluster_stories(signals)}
    happening = {story_of[key] for key, *_ in REPORTS}
    assert len(happening) == 1
    assert story_of["arrests"] in happening
    assert story_of["second-bombing"] not in happening
