"""Watch rules and alerts, on the real corpus through the real ingest, with real HTTP servers for webhooks.

- each rule kind, on the whole dev corpus: what it selects and what it leaves out;
- one alert per story across the three Gwadar convoy reports, ingested one run at a time;
- nothing raised twice: a second check, a restarted watcher, another ingest;
- webhooks: retried with backoff on 503, a dead or slow endpoint never holds the ingest up,
  and a later `watch --once` delivers what was left pending;
- a bad rules file is one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from beltwatch import cli
from beltwatch.alerts import Destinations, WebhookPolicy, watch
from beltwatch.alerts.check import check_stories
from beltwatch.alerts.delivery import summary_line
from beltwatch.alerts.rules import load_rules
from beltwatch.ingest import ingest
from beltwatch.settings import Settings
from beltwatch.store.database import open_database
from beltwatch.store.schema import alert_deliveries, alerts

CORPUS = Path(__file__).parent / "corpus" / "dev"
GWADAR = str(CORPUS / "gwadar-convoy-attack-2023-{}.txt")
GRACE = WebhookPolicy().grace

RULES = """
rules:
  - name: attacks-near-corridor
    event_types: [ATTACK]
    within_km: 50
    victim_nationality: [CN]
    min_killed: 0
  - name: bla-deaths-in-pakistan
    entities: [BLA]
    countries: [Pakistan]
    min_killed: 1
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def beltwatch(capsys):
    """Run the `beltwatch` command in this process (spaCy loads once), as `main` runs it."""

    def run(*args: str) -> Result:
        argv, sys.argv = sys.argv, ["beltwatch", *args]
        try:
            cli.main()
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.argv = argv
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def no_webhook_thread_outlives_its_test():
    yield
    for thread in threading.enumerate():
        if thread.name == "beltwatch-webhook":
            thread.join(timeout=3 * WebhookPolicy().timeout)


def rules_file(folder: Path, text: str = RULES) -> Path:
    path = folder / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def stored_alerts(url: str) -> list[sa.Row]:
    with open_database(url, create=False) as db, db.engine.connect() as conn:
        return conn.execute(sa.select(alerts).order_by(alerts.c.id)).all()


def deliveries(url: str) -> list[sa.Row]:
    with open_database(url, create=False) as db, db.engine.connect() as conn:
        return conn.execute(sa.select(alert_deliveries).order_by(alert_deliveries.c.id)).all()


# --- each rule kind, on the whole corpus -------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'corpus.db'}"
    ingest([str(CORPUS)], Settings(db_url=url))
    return url


def alerted(url: str, tmp_path: Path, rule: str) -> dict[str, str]:
    """First article of each story the rule alerts on -> the alerted event type; nothing is kept."""
    path = rules_file(
        tmp_path, "rules:\n  - name: probe\n" + "".join(f"    {line}\n" for line in rule.split("; "))
    )
    with open_database(url, writer=True) as db, db.engine.connect() as conn:
        transaction = conn.begin()
        raised = check_stories(conn, load_rules(path), None)
        transaction.rollback()
    return {r.message["sources"][0]["article"]: r.message["event_type"] for r in raised}


BESHAM, DASU, GWADAR_STORY = (
    "besham-attack-2024-security-measures",
    "dasu-bus-bombing-2021",
    "gwadar-convoy-attack-2023-bla-claim",
)
KARACHI_UNIVERSITY, KARACHI_AIRPORT = "karachi-university-confucius-institute-2022", "bri-topic-feed#2"
ATTACKS = {BESHAM, DASU, GWADAR_STORY, KARACHI_UNIVERSITY, KARACHI_AIRPORT}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("event_types: [ATTACK]", ATTACKS),
        ("event_types: [MEETING]", {BESHAM, DASU, "ml1-railway-cpec-jcc-2022", "seed-xi-kakar"}),
        # the airport bombing killed two Chinese engineers; the other attacks also hit Pakistanis
        ("event_types: [ATTACK]; victim_nationality: [PK]", ATTACKS - {KARACHI_AIRPORT}),
        ("victim_nationality: [US]", set()),
        # Besham lies on the Karakoram Highway but 55 km from the Dasu dam; the airport 16 km from the station
        ("event_types: [ATTACK]; within_km: 10; of: site", {DASU, GWADAR_STORY, KARACHI_UNIVERSITY}),
        ("event_types: [ATTACK]; within_km: 1; of: alignment", ATTACKS - {KARACHI_AIRPORT}),
        ("event_types: [ATTACK]; within_km: 60", ATTACKS),
        ("entities: [Balochistan Liberation Army]", {GWADAR_STORY, KARACHI_UNIVERSITY, KARACHI_AIRPORT}),
        ("entities: [BLA]; event_types: [ATTACK]", {GWADAR_STORY, KARACHI_UNIVERSITY, KARACHI_AIRPORT}),
        ("countries: [LK]", {"hambantota-port-lease-2017", "sri-lanka-exim-debt-deal-2023"}),
        # the highest figure any report or claim gives: the BLA claimed 13 dead in Gwadar
        ("min_killed: 5", {BESHAM, DASU, GWADAR_STORY}),
        ("min_injured: 5", {DASU, KARACHI_AIRPORT}),
        ("keywords: [bulletproof]", {GWADAR_STORY}),
        ("event_types: [ATTACK]; since: 2024-01-01", {BESHAM, KARACHI_AIRPORT}),
    ],
)
def test_each_rule_kind_selects_what_it_should(corpus_url, tmp_path, rule, expected):
    found = alerted(corpus_url, tmp_path, rule)
    assert set(found) == expected
    if "ATTACK" in rule or "min_" in rule or "within_km" in rule:
        assert set(found.values()) <= {"ATTACK"}


def test_background_attacks_raise_nothing(corpus_url, tmp_path):
    # the Besham report recalls the 2021 Dasu attack: its story alerts on Besham 2024, not on Dasu 2021
    found = alerted(corpus_url, tmp_path, "event_types: [ATTACK]; since: 2024-01-01; within_km: 1; of: site")
    assert BESHAM not in found


def test_an_alert_carries_what_the_store_knows(corpus_url, tmp_path):
    path = rules_file(tmp_path, "rules:\n  - name: r\n    keywords: [bulletproof]\n")
    with open_database(corpus_url, writer=True) as db, db.engine.connect() as conn:
        transaction = conn.begin()
        [alert] = check_stories(conn, load_rules(path), None)
        transaction.rollback()
    m = alert.message
    assert (m["event_type"], m["date"], m["place"]["name"]) == ("ATTACK", "2023-08-13", "Gwadar")
    assert m["place"]["lat"] == pytest.approx(25.12163)
    assert m["corridor"] == {
        "alignment": "Western alignment",
        "alignment_km": 0.0,
        "site": "Gwadar Port",
        "site_km": 0.0,
    }
    assert m["killed"] is None and m["disputed"]  # the reports differ: every figure is a claim
    assert {"claimant": "Balochistan Liberation Army", "killed": 13, "article": GWADAR_STORY} in m["claims"]
    assert "CN" in m["victim_nationality"] and m["claimed_by"] == ["Balochistan Liberation Army"]
    assert {s["outlet"] for s in m["sources"]} == {"Makran Coast Monitor", "Indus Ledger", "Asia Wire Desk"}
    assert m["evidence"].startswith("Militants claim Chinese deaths in Gwadar convoy ambush")


def test_the_terminal_line_cannot_carry_escape_sequences():
    message = {
        "rule": "r", "kind": "new", "event_type": "ATTACK", "date": None, "place": {"name": "Gwadar\x1b[2J"},
        "corridor": None, "killed": 2, "injured": None, "claims": [], "disputed": False,
        "sources": [{"outlet": "Wire\u202e", "article": "a"}], "evidence": "Bomb\x1b]0;pwned\x07 blast\nat night",
    }  # fmt: skip
    line = summary_line(message)
    assert "\x1b" not in line and "\x07" not in line and "\u202e" not in line and "\n" not in line
    assert "killed 2" in line and "Bomb" in line


# --- one alert per story: the three Gwadar reports, one ingest run each -------------------------------


def test_three_reports_of_one_attack_raise_one_alert_and_one_update(db_url, tmp_path, beltwatch):
    """Ingested in this order, the reports change the story's figures once.

    1. the brief (Indus Ledger): an attack in Gwadar on Chinese engineers, nobody killed or hurt
       -> `new` for attacks-near-corridor; bla-deaths-in-pakistan waits for a death (min_killed 1);
    2. the BLA's claim (Makran Coast Monitor) joins the story (whose key changes: the story is now
       named after this earlier-sorting report) and brings a new figure, the BLA's 13 dead
       -> one `update` for attacks-near-corridor, and a first, `new` alert for bla-deaths-in-pakistan;
    3. the official account (Asia Wire Desk) says 0 killed and 0 injured, figures the story
       already has -> nothing.
    """
    rules = rules_file(tmp_path)
    out = tmp_path / "alerts.jsonl"
    raised = []
    for report in ("brief", "bla-claim", "official-account"):
        result = beltwatch("ingest", GWADAR.format(report), "--db", db_url, "--rules", str(rules),
                           "--out", str(out), "--json")  # fmt: skip
        assert result.code == 0, result.err
        raised.append([(a["rule"], a["kind"]) for a in json.loads(result.out)["alerts"]])
    assert raised == [
        [("attacks-near-corridor", "new")],
        [("attacks-near-corridor", "update"), ("bla-deaths-in-pakistan", "new")],
        [],
    ]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(a["rule"], a["kind"]) for a in lines] == raised[0] + raised[1]
    first, update = lines[0], lines[1]
    assert first["story"] != update["story"]  # the key changed; the alert still knew the story
    assert (first["killed"], first["injured"]) == (0, 0)
    assert update["previous"]["killed"] == 0 and update["disputed"]
    assert len(stored_alerts(db_url)) == 3

    # nothing again: a check of every story, and the same reports ingested once more
    again = beltwatch("watch", str(rules), "--db", db_url, "--backfill", "--once", "--json")
    assert (again.code, again.out) == (0, "")
    result = beltwatch(
        "ingest", str(CORPUS / "gwadar-convoy-attack-2023-brief.txt"), "--db", db_url, "--rules", str(rules)
    )
    assert (result.code, result.out) == (0, "")
    assert len(stored_alerts(db_url)) == 3


def test_a_watcher_alerts_only_on_runs_that_finish_after_it_starts(tmp_path, beltwatch):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    ingest([str(CORPUS / f"{BESHAM}.txt")], Settings(db_url=url))
    path = rules_file(tmp_path, RULES.split("  - name: bla-deaths")[0])
    rules = load_rules(path)
    naps: list[float] = []

    def sleep(seconds: float) -> None:  # the watcher's pause: another process ingests meanwhile
        naps.append(seconds)
        if len(naps) == 1:
            ingest([str(CORPUS / f"{KARACHI_UNIVERSITY}.txt")], Settings(db_url=url))
        elif len(naps) == 3:
            raise KeyboardInterrupt

    printed = tmp_path / "printed.txt"
    with printed.open("w", encoding="utf-8") as stdout:
        outcome = watch(url, rules, Destinations(stdout=stdout), WebhookPolicy(), interval=7, sleep=sleep)
    assert naps == [7, 7, 7]
    assert [a.message["sources"][0]["article"] for a in outcome.raised] == [KARACHI_UNIVERSITY]
    assert printed.read_text(encoding="utf-8").startswith("[attacks-near-corridor] new ATTACK – 2022-04-26")

    # --backfill: the Besham story too, and only it (the other is already alerted)
    result = beltwatch("watch", str(path), "--db", url, "--backfill", "--once", "--json")
    assert result.code == 0
    assert [json.loads(line)["sources"][0]["article"] for line in result.out.splitlines()] == [BESHAM]
    assert beltwatch("watch", str(path), "--db", url, "--backfill", "--once").out == ""


# --- webhooks ------------------------------------------------------------------------------------------


class Hook:
    """A real HTTP server on 127.0.0.1 that fails the first `fail_first` POSTs with 503, or answers after `delay`."""

    def __init__(self, fail_first: int = 0, delay: float = 0.0, port: int = 0) -> None:
        self.fail_first, self.delay = fail_first, delay
        self.posts: list[dict] = []
        self.accepted: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.posts.append(body)
                time.sleep(hook.delay)
                failing = len(hook.posts) <= hook.fail_first
                if not failing:
                    hook.accepted.append(body)
                try:
                    self.send_response(503 if failing else 200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def one_story_db(tmp_path_factory) -> Path:
    """A database holding the Gwadar brief and no alerts: copied for each webhook test."""
    path = tmp_path_factory.mktemp("hook") / "template.db"
    ingest([GWADAR.format("brief")], Settings(db_url=f"sqlite:///{path}"))
    return path


def fresh_copy(template: Path, folder: Path) -> str:
    target = folder / "hook.db"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


def test_a_webhook_that_fails_twice_gets_the_alert_once_after_retries(one_story_db, tmp_path, beltwatch):
    url = fresh_copy(one_story_db, tmp_path)
    hook = Hook(fail_first=2)
    try:
        result = beltwatch("watch", str(rules_file(tmp_path)), "--db", url, "--backfill", "--once",
                           "--webhook", hook.url, "--allow-private")  # fmt: skip
    finally:
        hook.close()
    assert result.code == 0, result.err
    assert len(hook.posts) == 3 and len(hook.accepted) == 1
    [delivery] = deliveries(url)
    assert (delivery.status, delivery.attempts, delivery.destination) == ("delivered", 3, hook.url)
    assert hook.accepted[0]["id"] == delivery.alert_id and hook.accepted[0]["rule"] == "attacks-near-corridor"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dead_webhook_never_holds_up_the_ingest_and_a_later_watch_delivers(tmp_path, beltwatch):
    url, port = f"sqlite:///{tmp_path / 'dead.db'}", _closed_port()
    webhook = f"http://127.0.0.1:{port}/hook"
    rules = rules_file(tmp_path)
    started = time.monotonic()
    result = beltwatch("ingest", GWADAR.format("brief"), "--db", url, "--rules", str(rules),
                       "--webhook", webhook, "--allow-private")  # fmt: skip
    assert time.monotonic() - started < GRACE + 10  # the article itself takes about a second
    assert result.code == 0
    assert "1 alert(s) not delivered" in result.err and "left pending" in result.err
    assert result.out.startswith("[attacks-near-corridor] new ATTACK")  # standard output got it at once
    [delivery] = deliveries(url)
    assert delivery.status == "pending" and delivery.attempts == WebhookPolicy().attempts
    assert "connect" in delivery.last_error.lower() or "refused" in delivery.last_error.lower()

    hook = Hook(port=port)  # the endpoint is back
    try:
        later = beltwatch("watch", str(rules), "--db", url, "--once", "--webhook", webhook, "--allow-private")
        again = beltwatch("watch", str(rules), "--db", url, "--once", "--webhook", webhook, "--allow-private")
    finally:
        hook.close()
    assert (later.code, later.out, again.out) == (0, "", "")  # nothing new to print: only the delivery
    assert [a["kind"] for a in hook.accepted] == ["new"]
    assert deliveries(url)[0].status == "delivered"


def test_a_slow_webhook_is_left_pending_after_the_grace_time(one_story_db, tmp_path, beltwatch):
    url = fresh_copy(one_story_db, tmp_path)
    hook = Hook(delay=WebhookPolicy().timeout + 3)
    rules = rules_file(tmp_path)
    try:
        # a new report of the story makes the ingest check it
        started = time.monotonic()
        result = beltwatch("ingest", GWADAR.format("official-account"), "--db", url, "--rules", str(rules),
                           "--webhook", hook.url, "--allow-private")  # fmt: skip
        elapsed = time.monotonic() - started
        assert result.code == 0 and "left pending" in result.err
        assert elapsed < GRACE + 10
        assert [d.status for d in deliveries(url)] == ["pending"]
        hook.delay = 0  # it recovers
        later = beltwatch(
            "watch", str(rules), "--db", url, "--once", "--webhook", hook.url, "--allow-private"
        )
    finally:
        hook.close()
    assert later.code == 0
    [delivery] = deliveries(url)
    assert delivery.status == "delivered"
    # at least once: the first try may still reach the slow server after the client gave up on it
    assert {a["id"] for a in hook.accepted} == {delivery.alert_id}


def test_a_webhook_is_checked_like_url_ingest(tmp_path, beltwatch):
    rules = str(rules_file(tmp_path))
    result = beltwatch(
        "watch",
        rules,
        "--db",
        f"sqlite:///{tmp_path / 'x.db'}",
        "--once",
        "--webhook",
        "http://127.0.0.1:9/x",
    )
    assert result.code == 2 and "--webhook: refused" in result.err and "loopback" in result.err
    result = beltwatch(
        "watch", rules, "--db", f"sqlite:///{tmp_path / 'x.db'}", "--once", "--webhook", "ftp://x.org/"
    )
    assert result.code == 2 and "--webhook" in result.err


# --- bad rules files -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  - name: a\n    withinkm: 50\n", "rule 'a': unknown key 'withinkm'"),
        ("rules:\n  - name: a\n    within_km: fifty\n", "`within_km` must be a number"),
        ("rules:\n  - name: a\n    min_killed: -1\n", "`min_killed` must be a number, 0 or more"),
        ("rules:\n  - name: a\n    event_types: [BOMBING]\n", "unknown event type 'BOMBING'"),
        ("rules:\n  - name: a\n    event_types: ATTACK, MEETING\n", "unknown event type 'ATTACK, MEETING'"),
        ("rules:\n  - name: a\n    victim_nationality: [Narnia]\n", "not a country code or name: 'Narnia'"),
        ("rules:\n  - name: a\n    of: site\n", "`of` goes with `within_km`"),
        ("rules:\n  - name: a\n    since: last week\n", "`since` must be a date"),
        ("rules:\n  - event_types: [ATTACK]\n", "every rule needs a `name`"),
        ("rules:\n  - name: a\n  - name: a\n", "two rules are named 'a'"),
        ("rules: []\n", "`rules` is empty"),
        ("- name: a\n", "a mapping with one key, `rules`"),
        ("rules: [\n", "not valid YAML at line"),
    ],
)
def test_a_bad_rules_file_is_one_clear_line(tmp_path, beltwatch, text, message):
    path = rules_file(tmp_path, text)
    result = beltwatch("watch", str(path), "--db", f"sqlite:///{tmp_path / 'none.db'}", "--once")
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith(f"beltwatch: {path}")
    assert message in result.err
    assert not (tmp_path / "none.db").exists()


def test_a_missing_rules_file_and_options_without_rules(tmp_path, beltwatch):
    result = beltwatch("watch", str(tmp_path / "nope.yaml"), "--once")
    assert result.code == 2 and "cannot read rules file" in result.err and result.err.count("\n") == 1
    result = beltwatch(
        "ingest", GWADAR.format("brief"), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--out", "a.jsonl"
    )
    assert result.code == 2 and "--out and --webhook need --rules" in result.err


def test_the_stories_of_a_killed_run_are_checked_by_the_run_that_completes_it(tmp_path, beltwatch):
    from beltwatch.clean import clean_article
    from beltwatch.extract import extract_articles
    from beltwatch.resolve import resolve_extraction
    from beltwatch.sources import iter_articles
    from beltwatch.store import writes
    from beltwatch.stories import signal_of

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    with open_database(url, writer=True) as db:  # a run killed after storing its article, before its stories
        run = writes.start_run(db, ["killed"])
        articles = [clean_article(a) for a in iter_articles([str(CORPUS / f"{KARACHI_UNIVERSITY}.txt")])]
        for extraction in extract_articles(articles):
            resolve_extraction(extraction)
            writes.store_extraction(db, extraction, signal_of(extraction), run)
    path = rules_file(tmp_path, RULES.split("  - name: bla-deaths")[0])
    result = beltwatch("ingest", str(CORPUS / f"{BESHAM}.txt"), "--db", url, "--rules", str(path), "--json")
    assert result.code == 0
    alerted = {a["sources"][0]["article"] for a in json.loads(result.out)["alerts"]}
    assert alerted == {BESHAM, KARACHI_UNIVERSITY}
