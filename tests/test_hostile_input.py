"""Hostile input through the real `beltwatch ingest`, in a subprocess: what a user would see.

Every case of `hostile.py` is written into one folder beside a good corpus article and ingested
by one run of the console script (one model load for all of them), with HOME, TMPDIR and the
working directory pointed at watched, empty folders. The run must finish (exit 3: some inputs
failed), record every bad item in `ingest_errors` with its reason and name it on stderr, store
every good item, stay under 2 GB of memory (the child's own peak RSS, from `os.wait4`), print
no traceback and no terminal escape sequence, and write no file but the database.

The 100,000 tiny articles are one JSON Lines file: 99,000 of one or two words are refused as too
short before any language processing, 1,000 one-line sentences are stored. The run takes about
40 s on a 2-core machine, most of it recording the 99,000 refusals.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

import hostile
from beltwatch.model import Article
from beltwatch.sources import SourceFailure, iter_articles, printable
from test_ingest import DEV, command

GOOD = "seed-xi-kakar"
MEMORY_LIMIT = 2 * 1024**3
TIMEOUT_S = 300
DATABASE_FILES = ("beltwatch.db", "beltwatch.db-wal", "beltwatch.db-shm")


@dataclass
class Outcome:
    cases: dict[str, hostile.Case]
    returncode: int
    max_rss: int  # bytes
    stdout: str
    stderr: str
    errors: list[tuple[str, str]]  # ingest_errors (source, reason)
    stored: set[str]  # keys of the stored articles
    written: dict[str, str]  # path -> what happened to it, outside the database
    integrity: str
    shown: list[str]  # stored titles, sources and URLs


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under `root` with (size, mtime in ns); every folder with (0, 0)."""
    out = {}
    for path in root.rglob("*"):
        info = path.lstat()
        out[str(path.relative_to(root))] = (0, 0) if path.is_dir() else (info.st_size, info.st_mtime_ns)
    return out


def changes(before: dict, after: dict) -> dict[str, str]:
    out = {p: "created" for p in after.keys() - before.keys()}
    out |= {p: "deleted" for p in before.keys() - after.keys()}
    out |= {p: "changed" for p in before.keys() & after.keys() if before[p] != after[p]}
    return out


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    root = tmp_path_factory.mktemp("hostile")
    sources, database, home, temp, cwd = (root / n for n in ("sources", "db", "home", "tmp", "cwd"))
    for folder in (database, home, temp, cwd):
        folder.mkdir()
    cases = hostile.write_cases(sources)
    for suffix in (".txt", ".meta.json"):
        shutil.copyfile(DEV / f"{GOOD}{suffix}", sources / f"{GOOD}{suffix}")
    logs = tmp_path_factory.mktemp("logs")  # the test's own files, outside the watched tree
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BELTWATCH_", "XDG_"))},
        "HOME": str(home),
        "TMPDIR": str(temp),
        "COLUMNS": "100",
    }
    before = snapshot(root)
    with (logs / "out").open("wb") as out, (logs / "err").open("wb") as err:
        process = subprocess.Popen(
            [*command(), "ingest", str(sources), "--db", f"sqlite:///{database / 'beltwatch.db'}"],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
        )
        deadline = threading.Timer(TIMEOUT_S, process.kill)  # a hang fails the test, not the suite
        deadline.start()
        _, status, usage = os.wait4(process.pid, 0)
        deadline.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
    after = snapshot(root)
    written = changes(before, after)
    for name in DATABASE_FILES:
        written.pop(f"db/{name}", None)
    with sqlite3.connect(database / "beltwatch.db") as conn:
        errors = conn.execute("SELECT source, reason FROM ingest_errors").fetchall()
        stored = {key for (key,) in conn.execute("SELECT key FROM articles")}
        shown = conn.execute(
            "SELECT v.title, s.name, v.url FROM article_versions v LEFT JOIN sources s ON s.id = v.source_id"
        ).fetchall()
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
    conn.close()
    return Outcome(
        cases=cases,
        returncode=process.returncode,
        max_rss=usage.ru_maxrss * 1024,  # kilobytes on Linux
        stdout=(logs / "out").read_text(encoding="utf-8"),
        stderr=(logs / "err").read_text(encoding="utf-8"),
        errors=errors,
        stored=stored,
        written=written,
        integrity=integrity,
        shown=[value for row in shown for value in row if value],
    )


def test_the_run_finishes_with_partial_success_and_no_traceback(outcome: Outcome):
    assert outcome.returncode == 3, outcome.stderr[-2000:]
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr
    assert "\x1b" not in outcome.stderr and "\u202e" not in outcome.stderr  # no escape reaches the terminal
    for line in outcome.stderr.splitlines():  # failures, then the summary table
        assert line.startswith(("beltwatch: skipped ", "ingest run ", *"┏┃┡│└")), line
    assert outcome.integrity == "ok"


def test_stored_titles_sources_and_urls_hold_no_control_characters(outcome: Outcome):
    assert "Convoy [2Jattacked" in outcome.shown  # the sidecar's title, without its ESC and BEL
    assert [value for value in outcome.shown if re.search(r"[\x00-\x1f\x7f-\x9f]", value)] == []


def test_memory_stays_under_2_gb(outcome: Outcome):
    assert outcome.max_rss < MEMORY_LIMIT, f"peak RSS {outcome.max_rss / 1024**2:.0f} MB"


def test_no_file_is_written_outside_the_database(outcome: Outcome):
    assert outcome.written == {}


def test_nothing_fails_that_should_not(outcome: Outcome):
    """Every recorded failure is one a case expects: no good item fails beside a bad one."""
    expected = {printable(source) for case in outcome.cases.values() for source in case.failures}
    prefixes = tuple(p for case in outcome.cases.values() for p in case.failure_prefix)
    unexpected = [(s, r) for s, r in outcome.errors if s not in expected and not s.startswith(prefixes)]
    assert unexpected == []
    assert GOOD in outcome.stored


@pytest.mark.parametrize("name", list(hostile.CASES))
def test_every_bad_item_is_recorded_with_its_reason_and_every_good_one_stored(outcome: Outcome, name: str):
    case = outcome.cases[name]
    recorded = dict(outcome.errors)
    shown = {line for line in outcome.stderr.splitlines() if line.startswith("beltwatch: skipped ")}
    for source, pattern in case.failures.items():
        source = printable(source)
        assert source in recorded, f"{source} not recorded"
        assert re.search(pattern, recorded[source]), (source, recorded[source])
        assert f"beltwatch: skipped {source}: {recorded[source]}" in shown
    for prefix, (count, pattern) in case.failure_prefix.items():
        reasons = [r for s, r in outcome.errors if s.startswith(prefix)]
        assert len(reasons) == count, prefix
        assert all(re.search(pattern, r) for r in reasons), {r for r in reasons if not re.search(pattern, r)}
    missing = case.stored - outcome.stored
    assert not missing, sorted(missing)[:10]


# --- what bench/fuzz_readers.py found, kept as tests ----------------------------------------------


def test_a_feed_with_a_character_reference_beyond_unicode_is_one_failure(tmp_path: Path):
    path = tmp_path / "beyond.rss"
    path.write_text(hostile.rss(hostile.rss_item("Port &#x110000; deal", "Officials &#1114112; said so.")))
    [item] = list(iter_articles([path]))
    assert isinstance(item, SourceFailure) or "Port" in item.text


def test_a_warc_reader_prints_nothing_on_a_malformed_record(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
):
    page = hostile.page("Port deal signed", "Officials in Gwadar said the port deal was signed on Monday.")
    body = page.encode()
    record = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.example.org/a b\x1b[2J\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\nWARC-Date: 2024-10-07T12:00:00Z\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n%s\r\n\r\n"
    )
    http_length = len(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n") + len(body)
    path = tmp_path / "odd.warc"
    path.write_bytes(
        record % (http_length - 5, body) + record % (http_length, body)
    )  # the first one's length is off
    items = list(iter_articles([path]))
    assert items and all(isinstance(i, Article | SourceFailure) for i in items)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
