"""Hard failures: an ingest killed at random points, reads during an ingest, a full disk, a read-only file.

Every ingest here is the real `ingest()` or the real `beltwatch` entry point run in a child
forked from this process after the spaCy model, the knowledge files and the gazetteer are
loaded (module fixture `reference`), so a child costs no model load and a kill trial a fraction
of a second. The children write into real SQLite files and, for the concurrent reads, into a
real PostgreSQL database too.

- 12 SIGKILL trials, each at a seeded random moment of the run (the delays are spread over the
  length of an uninterrupted run: reading and schema creation, extraction, storing, stories; and
  every fourth trial as soon as the run's articles are committed, in its stories step), each followed by a run to completion: SQLite's `integrity_check` passes after the kill and
  after the rerun, and the content equals that of an uninterrupted run.
- API and dashboard requests while an ingest writes: never a 5xx, never "database is locked", and
  every article the API lists shows the same facts then as at the end (nothing half-stored).
- A full disk, simulated with a file-size limit (RLIMIT_FSIZE: every write past it fails, as on a
  full disk) and, where this process may mount, on a real 1 MB tmpfs; a read-only database file
  (chmod, or as root a read-only tmpfs mount): one line on stderr, exit code 5, no traceback, and
  the database passes `integrity_check` with its content as before.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from beltwatch.api import create_app
from beltwatch.ingest import ingest
from beltwatch.settings import Settings
from test_ingest import DEV, _check_sqlite, copy_article, dump

KILL_TRIALS = 12
KILL_SEED = 8
KILLED = ("seed-xi-kakar", "gwadar-convoy-attack-2023-brief", "karachi-airport-blast-2024")
FIRST = "gwadar-convoy-attack-2023-official-account"
# enough articles that the ingest outlasts a round of page reads on a slow machine
DURING = tuple(sorted(p.stem for p in DEV.glob("*.txt") if p.stem != FIRST))[:16]
FORK = multiprocessing.get_context("fork")


def _ingest_child(folder: str, url: str) -> None:
    # two articles a transaction, so that a kill can fall inside a batch, between two or after both
    ingest([folder], Settings(db_url=url), batch_size=2)


def _cli_child(args: list[str], out: str, err: str, file_limit: int | None) -> None:
    """`beltwatch ARGS` in this forked child, stdout and stderr into files, writes capped at `file_limit` bytes."""
    from beltwatch.cli import main

    if file_limit is not None:
        signal.signal(
            signal.SIGXFSZ, signal.SIG_IGN
        )  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))
    for fd, path in ((1, out), (2, err)):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
    sys.stdout, sys.stderr = (open(fd, "w", encoding="utf-8", closefd=False) for fd in (1, 2))  # noqa: SIM115
    sys.argv = ["beltwatch", *args]
    main()


def run_cli(tmp_path: Path, *args: str, file_limit: int | None = None) -> tuple[int, str, str]:
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    child = FORK.Process(target=_cli_child, args=(list(args), str(out), str(err), file_limit))
    child.start()
    child.join(120)
    assert child.exitcode is not None, "the command hung"
    return child.exitcode, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, float]:
    """The articles to kill runs of, the content of an uninterrupted run, and how long a warm run takes.

    The uninterrupted run is in this process, so it loads the model, knowledge and gazetteer that
    every forked child then shares.
    """
    folder = tmp_path_factory.mktemp("killed")
    for name in KILLED:
        copy_article(name, folder)
    clean = tmp_path_factory.mktemp("clean") / "clean.db"
    ingest([str(folder)], Settings(db_url=sqlite_url(clean)))
    timed = clean.with_name("timed.db")
    start = time.monotonic()
    child = FORK.Process(target=_ingest_child, args=(str(folder), sqlite_url(timed)))
    child.start()
    child.join(120)
    duration = time.monotonic() - start
    assert child.exitcode == 0
    return folder, dump(sqlite_url(clean)), duration


# --- SIGKILL at random points ---------------------------------------------------------------------


def _stored_at_kill(path: Path) -> tuple[int, int]:
    """(article versions, story members) in a killed run's database."""
    if not path.exists():
        return (0, 0)
    conn = sqlite3.connect(path)
    try:
        tables = {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "story_members" not in tables:
            return (0, 0)
        return tuple(
            conn.execute(  # type: ignore[return-value]
                "SELECT (SELECT count(*) FROM article_versions), (SELECT count(*) FROM story_members)"
            ).fetchone()
        )
    finally:
        conn.close()


def _check_killed(path: Path) -> None:
    """A killed run's database is whole: all checks once the schema is there, SQLite's own before."""
    if not path.exists():
        return
    conn = sqlite3.connect(path)
    try:
        tables = {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    if {"article_fts", "entity_fts"} <= tables:
        _check_sqlite(path)


def _until_stored(path: Path, child: multiprocessing.process.BaseProcess, timeout: float) -> float:
    """Wait until the child's run has committed articles (or ended, or `timeout` passed); the seconds waited."""
    started = time.monotonic()
    while child.is_alive() and time.monotonic() - started < timeout and _stored_at_kill(path)[0] == 0:
        time.sleep(0.001)
    return time.monotonic() - started


def test_sigkill_at_random_points_and_a_rerun_end_as_an_uninterrupted_run(reference, tmp_path):
    folder, expected, duration = reference
    rng = random.Random(KILL_SEED)
    # moments as fractions of a run; reading and extracting take most of a run, storing and
    # stories its last part, so every other kill aims at 55-95 % of it
    fractions = [
        0.55 + 0.4 * rng.random() if trial % 2 else (trial + rng.random()) / KILL_TRIALS
        for trial in range(KILL_TRIALS)
    ]
    at_kill: list[tuple[float, int | None, tuple[int, int]]] = []
    trial = 0
    for attempt in range(3 * KILL_TRIALS):
        if trial == KILL_TRIALS:
            break
        delay = duration * fractions[trial]
        path = tmp_path / f"trial-{attempt}.db"
        child = FORK.Process(target=_ingest_child, args=(str(folder), sqlite_url(path)))
        started = time.monotonic()
        child.start()
        if trial % 4 == 3:  # storing takes a small part of a run: aim at the moment after its commit
            delay = _until_stored(path, child, timeout=3 * duration)
        else:
            child.join(delay)  # returns early if the run ends first
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
            trial += 1
        else:  # the run ended before its moment: a faster machine now; aim by this run next time
            took = time.monotonic() - started
            if took >= 0.9 * duration:  # not faster: the moment lies past this run's end, go on
                trial += 1
            duration = min(duration, took)
        child.join(60)
        at_kill.append((round(delay, 2), child.exitcode, _stored_at_kill(path)))
        _check_killed(path)
        ingest([str(folder)], Settings(db_url=sqlite_url(path)))
        _check_sqlite(path)
        recovered = dump(sqlite_url(path))
        assert [k for k in expected if recovered[k] != expected[k]] == [], (attempt, at_kill[-1])
    killed = [k for k in at_kill if k[1] == -signal.SIGKILL]
    assert len(killed) >= 10, at_kill
    assert any(stored == 0 for _, _, (stored, _) in killed), at_kill  # killed before storing
    assert any(stored > 0 for _, _, (stored, _) in killed), at_kill  # killed while storing or after


# --- reads during an ingest --------------------------------------------------------------------------

POLLED = ("/api/events?limit=500", "/api/articles?limit=500", "/api/search?q=Gwadar", "/api/stats", "/",
          "/incidents", "/finance", "/articles", "/stories")  # fmt: skip


def facts(client: TestClient, key: str) -> str:
    """What the API says an article holds, without what later articles may change (story, entity ids)."""
    response = client.get(f"/api/articles/{key}")
    assert response.status_code == 200, response.text
    a = response.json()
    held = {
        "version": a["version"],
        "text": a["text"],
        "entities": sorted((e["name"], e["type"], len(e["mentions"])) for e in a["entities"]),
        "amounts": [(x["text"], x["value"], x["currency"], x["start"]) for x in a["amounts"]],
        "events": [(e["position"], e["type"], e["evidence"], e["arguments"]) for e in a["events"]],
    }
    return json.dumps(held, sort_keys=True, ensure_ascii=False)


def test_api_and_pages_during_an_ingest_never_fail_nor_show_half_an_article(reference, db_url, tmp_path):
    first, rest = tmp_path / "first", tmp_path / "rest"
    copy_article(FIRST, first)
    for name in DURING:
        copy_article(name, rest)
    ingest([str(first)], Settings(db_url=db_url))  # the schema and one article, before the server starts
    seen: dict[str, set[str]] = {}
    counts: list[int] = []  # articles listed at each poll
    polls = 0
    with TestClient(create_app(db_url, environ={})) as client:
        child = FORK.Process(target=_ingest_child, args=(str(rest), db_url))
        child.start()
        running = True
        while running or polls < 3:
            running = child.is_alive()  # the last poll starts after the ingest has ended
            listed = client.get("/api/articles", params={"limit": 500}).json()["items"]
            counts.append(len(listed))
            for item in listed:
                seen.setdefault(item["id"], set()).add(facts(client, item["id"]))
            for path in POLLED:
                response = client.get(path)
                assert response.status_code == 200, (path, response.text[:500])
                assert "locked" not in response.text
            polls += 1
        child.join(60)
        assert child.exitcode == 0
        final = {key: facts(client, key) for key in seen}
    assert set(seen) == {FIRST, *DURING}
    assert {key: list(observed) for key, observed in seen.items()} == {key: [final[key]] for key in seen}
    assert min(counts) < len(seen), counts  # some polls ran while the ingest was writing


# --- full disk and read-only database ---------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder`; the test is skipped where mounting is not permitted."""
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def assert_one_line(code: int, err: str, why: str) -> None:
    assert code == 5, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("beltwatch: cannot write to the database: "), err
    assert why in lines[0] and "Traceback" not in err


def _database_with_one_article(tmp_path: Path, folder: Path) -> Path:
    source = tmp_path / "one"
    copy_article(FIRST, source)
    path = folder / "beltwatch.db"
    ingest([str(source)], Settings(db_url=sqlite_url(path)))
    return path


@pytest.mark.usefixtures("reference")  # the model, loaded once for the forked command
def test_a_file_size_limit_stops_the_ingest_with_one_line_and_exit_5(tmp_path):
    path = _database_with_one_article(tmp_path, tmp_path)
    code, _, err = run_cli(
        tmp_path, "ingest", str(DEV), "--db", sqlite_url(path), file_limit=path.stat().st_size + 100_000
    )
    assert_one_line(code, err, "disk")
    _check_sqlite(path)
    stopped = len(dump(sqlite_url(path))["articles"])
    ingest([str(DEV)], Settings(db_url=sqlite_url(path)))  # room again: a run completes
    _check_sqlite(path)
    assert stopped < len(dump(sqlite_url(path))["articles"])  # the limited run did stop short


@pytest.mark.usefixtures("reference")  # the model, loaded once for the forked command
def test_a_full_tmpfs_stops_the_ingest_with_one_line_and_exit_5(tmp_path):
    with tmpfs(tmp_path / "small", "1200k") as small:  # room for a store of one article, not for the corpus
        path = _database_with_one_article(tmp_path, small)
        code, _, err = run_cli(tmp_path, "ingest", str(DEV), "--db", sqlite_url(path))
        assert_one_line(code, err, "full")
        _check_sqlite(path)


def test_a_read_only_database_gives_one_line_and_exit_5(reference, tmp_path):
    folder, _, _ = reference
    with contextlib.ExitStack() as stack:
        if os.geteuid() == 0:  # chmod does not bind root: a read-only mount does
            place = stack.enter_context(tmpfs(tmp_path / "ro", "8m"))
        else:
            place = tmp_path / "ro"
            place.mkdir()
        path = _database_with_one_article(tmp_path, place)
        before = dump(sqlite_url(path))
        if os.geteuid() == 0:
            subprocess.run(["mount", "-o", "remount,ro", str(place)], check=True)
        else:
            path.chmod(0o444)
            place.chmod(0o555)
            stack.callback(place.chmod, 0o755)
        code, _, err = run_cli(tmp_path, "ingest", str(folder), "--db", sqlite_url(path))
        assert_one_line(code, err, "read-only")
        copy = tmp_path / "copy.db"
        shutil.copyfile(path, copy)
    _check_sqlite(copy)
    assert dump(sqlite_url(copy)) == before
