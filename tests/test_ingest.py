"""`beltwatch ingest` and the query commands on corpus articles, real files and real databases.

A small corpus subset is ingested once per database (module fixture `corpus_db`) and the
query tests read it; tests that change content get a database of their own. The crash test
kills a real `beltwatch ingest` process with SIGKILL and checks that running it again ends
with exactly the content of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from beltwatch.cli import main
from beltwatch.ingest import ingest
from beltwatch.settings import Settings
from beltwatch.store import open_database, reads
from beltwatch.store.schema import entities, ingest_errors, ingest_runs, role_history
from conftest import BACKENDS, POSTGRES_ENV, fresh_database

DEV = Path(__file__).parent / "corpus" / "dev"
SUBSET = (
    "seed-xi-kakar",
    "gwadar-convoy-attack-2023-bla-claim",
    "gwadar-convoy-attack-2023-official-account",
    "gwadar-convoy-attack-2023-brief",
    "karachi-airport-blast-2024",
)
BRIEF = "gwadar-convoy-attack-2023-brief"
COPY = "zz-copy-of-brief"  # an exact copy, sorted (and so stored) after its original
BAD = {"empty.txt": b"", "noise.txt": b"\x00\x01\x02binary\x00" * 64}
INJECTION = "x' OR 1=1 --"


def copy_article(name: str, folder: Path, as_name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{as_name or name}.txt"
    shutil.copyfile(DEV / f"{name}.txt", target)
    sidecar = DEV / f"{name}.meta.json"
    if sidecar.exists():
        shutil.copyfile(sidecar, folder / f"{as_name or name}.meta.json")
    return target


def command() -> list[str]:
    script = Path(sys.executable).parent / ("beltwatch.exe" if os.name == "nt" else "beltwatch")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "beltwatch.cli"]


def cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run `beltwatch ARGS` in this process (no new interpreter, no model load for queries)."""
    monkeypatch.setattr(sys, "argv", ["beltwatch", *args])
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    return info.value.code, out, err


def dump(url: str) -> dict:
    with open_database(url, create=False) as db, db.engine.connect() as conn:
        return reads.content_dump(conn)


@pytest.fixture(scope="module", params=BACKENDS)
def corpus_db(request, tmp_path_factory):
    """The subset, an exact copy of one article and two broken files, ingested once."""
    folder = tmp_path_factory.mktemp("articles")
    for name in SUBSET:
        copy_article(name, folder)
    copy_article(BRIEF, folder, COPY)
    for name, content in BAD.items():
        (folder / name).write_bytes(content)
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        summary = ingest([str(folder)], Settings(db_url=url))
        yield url, summary, folder


# --- ingest -----------------------------------------------------------------------------------


def test_good_articles_are_stored_and_broken_files_recorded_with_their_reason(corpus_db):
    url, summary, _ = corpus_db
    assert (summary.new, summary.unchanged, summary.updated, summary.failed) == (len(SUBSET) + 1, 0, 0, 2)
    assert summary.duplicates == 1
    with open_database(url, create=False) as db, db.engine.connect() as conn:
        errors = conn.execute(sa.select(ingest_errors).order_by(ingest_errors.c.source)).all()
        run = conn.execute(sa.select(ingest_runs).where(ingest_runs.c.id == summary.run_id)).one()
        numbers = reads.stats(conn)
    assert [(Path(e.source).name, e.run_id) for e in errors] == [
        ("empty.txt", summary.run_id),
        ("noise.txt", summary.run_id),
    ]
    assert "empty" in errors[0].reason and "binary" in errors[1].reason
    assert run.finished_at is not None and (run.new, run.failed, run.duplicates) == (len(SUBSET) + 1, 2, 1)
    assert numbers["articles"] == len(SUBSET) + 1 and numbers["events"] > 0 and numbers["entities"] > 0


def test_a_second_ingest_of_the_same_sources_adds_nothing(corpus_db):
    url, _, folder = corpus_db
    before = dump(url)
    again = ingest([str(folder)], Settings(db_url=url))
    assert (again.new, again.unchanged, again.updated, again.duplicates, again.failed) == (
        0,
        len(SUBSET) + 1,
        0,
        0,
        2,
    )
    assert dump(url) == before


def test_a_changed_text_is_a_new_version_and_the_old_one_is_kept_superseded(db_url, tmp_path):
    path = copy_article(BRIEF, tmp_path / "in")
    assert ingest([str(path)], Settings(db_url=db_url)).new == 1
    path.write_text(path.read_text(encoding="utf-8").replace("Gunmen", "Armed men"), encoding="utf-8")
    second = ingest([str(path)], Settings(db_url=db_url))
    assert (second.new, second.updated, second.unchanged) == (0, 1, 0)
    articles = dump(db_url)["articles"]
    assert [(a[0], a[2], a[4], a[5]) for a in articles] == [(BRIEF, 1, False, True), (BRIEF, 2, True, False)]
    assert "Gunmen" in _text_of(db_url, 1) and "Armed men" in _text_of(db_url, 2)
    assert ingest([str(path)], Settings(db_url=db_url)).unchanged == 1


def _text_of(url: str, version: int) -> str:
    from beltwatch.store.schema import article_versions

    with open_database(url, create=False) as db, db.engine.connect() as conn:
        return conn.execute(
            sa.select(article_versions.c.text).where(article_versions.c.version == version)
        ).scalar_one()


def test_sqlite_and_postgresql_hold_the_same_content(tmp_path):
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"needs {POSTGRES_ENV} (see .ci/run)")
    folder = tmp_path / "in"
    for name in ("seed-xi-kakar", BRIEF):
        copy_article(name, folder)
    dumps = []
    for backend in BACKENDS:
        with fresh_database(backend, tmp_path) as url:
            ingest([str(folder)], Settings(db_url=url))
            dumps.append(dump(url))
    assert dumps[0] == dumps[1]


def test_one_person_across_articles_with_spelling_variants_and_role_history(db_url, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Sharif meets Chinese envoy\n\nISLAMABAD: Prime Minister Shehbaz Sharif met the Chinese ambassador "
        "Jiang Zaidong in Islamabad on Monday to discuss the security of Chinese workers.\n",
        encoding="utf-8",
    )
    (folder / "a.meta.json").write_text('{"published": "2023-05-08"}', encoding="utf-8")
    (folder / "b.txt").write_text(
        "Pakistan and China sign railway accord\n\nBEIJING: Pakistan's Prime Minister Shahbaz Sharif and "
        "Chinese Premier Li Qiang signed an agreement on the ML-1 railway in Beijing on Wednesday.\n",
        encoding="utf-8",
    )
    (folder / "b.meta.json").write_text('{"published": "2024-06-07"}', encoding="utf-8")
    assert ingest([str(folder)], Settings(db_url=db_url)).new == 2
    with open_database(db_url, create=False) as db, db.engine.connect() as conn:
        people = conn.execute(sa.select(entities).where(entities.c.type == "PERSON")).all()
        sharifs = [p for p in people if "sharif" in p.norm_name]
        assert len(sharifs) == 1, [p.name for p in people]
        roles = conn.execute(sa.select(role_history).where(role_history.c.entity_id == sharifs[0].id)).all()
        [details] = reads.entity_details(conn, "Shahbaz Sharif")
    assert details["articles"] == 2
    assert min(r.first_seen for r in roles).isoformat() == "2023-05-08"
    assert max(r.last_seen for r in roles).isoformat() == "2024-06-07"


def test_a_project_named_as_its_facility_is_one_entity_across_articles(db_url, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Work halted at dam\n\nPESHAWAR: China Gezhouba Group has halted work on the Dasu Dam after the attack.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Dasu work resumes\n\nPESHAWAR: Work on the Dasu Hydropower Project resumed on Monday.\n", encoding="utf-8"
    )
    assert ingest([str(folder)], Settings(db_url=db_url)).new == 2
    with open_database(db_url, create=False) as db, db.engine.connect() as conn:
        dasu = conn.execute(sa.select(entities).where(entities.c.norm_name.like("%dasu hydropower%"))).all()
    assert len(dasu) == 1, [(d.name, d.type) for d in dasu]


# --- queries ----------------------------------------------------------------------------------


def test_search_finds_articles_with_snippets_and_entities(corpus_db, monkeypatch, capsys):
    url, _, _ = corpus_db
    code, out, _ = cli(monkeypatch, capsys, "search", "Gwadar convoy", "--db", url, "--json")
    assert code == 0
    hits = json.loads(out)
    articles = [h["id"] for h in hits if h["kind"] == "article"]
    assert set(articles) >= {BRIEF, "gwadar-convoy-attack-2023-bla-claim"}
    assert "seed-xi-kakar" not in articles
    assert all("**" in h["snippet"] for h in hits if h["kind"] == "article")
    code, out, _ = cli(monkeypatch, capsys, "search", "Balochistan Liberation", "--db", url, "--json")
    assert "Balochistan Liberation Army" in [h["name"] for h in json.loads(out) if h["kind"] == "entity"]
    code, out, _ = cli(monkeypatch, capsys, "search", "Gwadar", "--db", url, "--limit", "1")
    assert code == 0 and "Articles" in out


def test_events_filters(corpus_db, monkeypatch, capsys):
    url, _, _ = corpus_db

    def events(*args: str) -> list[dict]:
        code, out, err = cli(monkeypatch, capsys, "events", "--db", url, "--json", *args)
        assert code == 0, err
        return json.loads(out)

    everything = events()
    assert everything and {e["type"] for e in everything} >= {"ATTACK", "STATEMENT"}
    attacks = events("--type", "attack")
    assert attacks and {e["type"] for e in attacks} == {"ATTACK"}
    august = events("--since", "2023-08-01", "--until", "2023-08-31")
    assert august and all("2023-08-01" <= (e["date"] or e["published"])[:10] <= "2023-08-31" for e in august)
    assert not any(e["article"] == "karachi-airport-blast-2024" for e in august)
    in_pakistan = events("--country", "PK", "--type", "ATTACK")
    assert any(e["location"] == "Gwadar" for e in in_pakistan)
    assert events("--country", "Pakistan", "--type", "ATTACK") == in_pakistan
    assert not any(e["location"] == "Gwadar" for e in events("--country", "CN", "--type", "ATTACK"))
    bla = events("--entity", "Balochistan Liberation Army")
    assert bla and events("--entity", "bla") == bla  # an alias finds the same entity
    assert all(e["evidence"]["text"] for e in bla)

    code, out, _ = cli(monkeypatch, capsys, "events", "--db", url, "--type", "ATTACK")
    assert code == 0 and "ATTACK" in out and "Gwadar" in out


def test_filter_values_that_look_like_sql_are_data(corpus_db, monkeypatch, capsys):
    url, _, _ = corpus_db
    code, out, _ = cli(monkeypatch, capsys, "events", "--db", url, "--json", "--entity", INJECTION)
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = cli(monkeypatch, capsys, "search", INJECTION, "--db", url, "--json")
    assert code == 0 and isinstance(json.loads(out), list)
    code, _, err = cli(monkeypatch, capsys, "entity", INJECTION, "--db", url)
    assert code == 2 and "no entity matches" in err
    for option in ("--type", "--country"):
        code, _, err = cli(monkeypatch, capsys, "events", "--db", url, option, INJECTION)
        assert code == 2 and err.startswith("beltwatch: ")
    code, _, err = cli(monkeypatch, capsys, "events", "--db", url, "--since", INJECTION)
    assert code == 2 and "YYYY-MM-DD" in err
    assert dump(url)["articles"]  # and nothing was harmed


def test_entity_shows_aliases_roles_and_events(corpus_db, monkeypatch, capsys):
    url, _, _ = corpus_db
    code, out, _ = cli(monkeypatch, capsys, "entity", "Kakar", "--db", url, "--json")
    assert code == 0
    [kakar] = json.loads(out)
    assert kakar["name"] == "Anwar-ul-Haq Kakar" and "Kakar" in kakar["aliases"]
    assert kakar["roles"] and kakar["roles"][0]["first_seen"] == "2023-10-19"
    assert any(e["type"] == "MEETING" for e in kakar["events"])
    code, out, _ = cli(monkeypatch, capsys, "entity", "Kakar", "--db", url)
    assert code == 0 and "Anwar-ul-Haq Kakar" in out and "Roles" in out


def test_stories_list_members_with_their_origin_and_duplicates(corpus_db, monkeypatch, capsys):
    url, _, folder = corpus_db
    code, out, _ = cli(monkeypatch, capsys, "stories", "--db", url, "--json")
    assert code == 0
    found = json.loads(out)
    members = {a["id"]: a for s in found for a in s["articles"]}
    assert set(members) == {*SUBSET, COPY}
    assert all(Path(a["origin"]).parent == folder for a in members.values())
    pair = {members[BRIEF]["duplicate_of"], members[COPY]["duplicate_of"]}
    assert pair in ({None, BRIEF}, {None, COPY})
    [story] = [s for s in found if {a["id"] for a in s["articles"]} >= {BRIEF, COPY}]
    assert any(a["duplicate_kind"] == "exact" for a in story["articles"])
    code, out, _ = cli(monkeypatch, capsys, "stories", "--db", url)
    assert code == 0 and COPY in out and "(exact)" in out


def test_a_story_is_titled_by_its_headline_not_by_the_section_label_above_it(corpus_db, monkeypatch, capsys):
    url, _, _ = corpus_db
    code, out, _ = cli(monkeypatch, capsys, "stories", "--db", url, "--json")
    titles = {a["id"]: s["title"] for s in json.loads(out) for a in s["articles"]}
    # the BLA-claim report opens with the label "BALOCHISTAN" above its headline
    assert code == 0 and titles["gwadar-convoy-attack-2023-bla-claim"].startswith(
        "Militants claim Chinese deaths"
    )


def test_stats(corpus_db, monkeypatch, capsys):
    url, _, _ = corpus_db
    code, out, _ = cli(monkeypatch, capsys, "stats", "--db", url, "--json")
    numbers = json.loads(out)
    assert code == 0 and numbers["articles"] == len(SUBSET) + 1 and numbers["duplicates"] == 1
    assert "beltwatch:" not in numbers["database"] or "***" in numbers["database"]  # no password shown
    code, out, _ = cli(monkeypatch, capsys, "stats", "--db", url)
    assert code == 0 and "entities by type" in out


def test_query_commands_on_a_missing_sqlite_file_exit_2(tmp_path, monkeypatch, capsys):
    code, _, err = cli(monkeypatch, capsys, "stats", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 2 and "no database" in err
    assert not (tmp_path / "none.db").exists()


def test_article_text_cannot_style_the_terminal(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "markup.txt").write_text(
        "Zanzibar [bold red]ALERT[/bold red] port deal\n\nThe [link=http://evil.example]Zanzibar[/link] "
        "port deal with China was signed on Monday.\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'm.db'}"
    assert ingest([str(folder)], Settings(db_url=url)).new == 1
    code, out, _ = cli(monkeypatch, capsys, "search", "Zanzibar", "--db", url)
    assert code == 0
    assert "[bold red]" in out and "[/bold red]" in out and "[link=http://evil.example]" in out
    code, out, _ = cli(monkeypatch, capsys, "stories", "--db", url)
    assert code == 0 and "[bold red]ALERT[/bold red]" in out


# --- the command, in a subprocess --------------------------------------------------------------


def test_ingest_command_exits_3_on_failures_with_a_summary(tmp_path):
    folder = tmp_path / "in"
    copy_article(BRIEF, folder)
    (folder / "empty.txt").write_bytes(b"")
    env = {**os.environ, "BELTWATCH_DB": f"sqlite:///{tmp_path / 'env.db'}"}
    done = subprocess.run(
        [*command(), "ingest", str(folder), "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 3, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["new"], summary["failed"]) == (1, 1)
    assert summary["failures"][0]["source"].endswith("empty.txt")
    assert "skipped" in done.stderr and "empty.txt" in done.stderr
    assert "\x1b[" not in done.stderr  # no progress bar or colour when stderr is not a terminal
    (folder / "empty.txt").unlink()
    done = subprocess.run(
        [*command(), "ingest", str(folder)], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0 and done.stdout == ""
    assert "unchanged" in done.stderr and "│   0 │         1 │" in done.stderr
    done = subprocess.run(
        [*command(), "ingest", str(folder), "--published", "May 5"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr


# --- crash safety -----------------------------------------------------------------------------

CRASH_COPIES = 2  # x every corpus text article: a run of several seconds, killed early on


def _stored(path: Path, running: bool = True) -> int:
    """Article versions in the database; read-only while the ingest runs, so it never creates the file.

    After a kill, a read-write connection: the first one after a crash may have to rebuild the
    WAL index, which a read-only connection cannot do.
    """
    if not path.exists():
        return 0
    try:
        conn = (
            sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) if running else sqlite3.connect(path)
        )
        try:
            return conn.execute("SELECT count(*) FROM article_versions").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        if running:
            return 0
        raise


def _check_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")  # raises if corrupt
        conn.execute("INSERT INTO entity_fts(entity_fts) VALUES ('integrity-check')")
    finally:
        conn.close()


def test_an_ingest_killed_with_sigkill_and_run_again_ends_as_an_uninterrupted_run(tmp_path):
    folder = tmp_path / "articles"
    names = sorted(p.stem for p in DEV.glob("*.txt"))
    for copy in range(CRASH_COPIES):
        for name in names:
            copy_article(name, folder, f"{name}-{copy}")
    total = len(names) * CRASH_COPIES
    clean, crashed = tmp_path / "clean.db", tmp_path / "crashed.db"

    def run(db: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*command(), "ingest", str(folder), "--db", f"sqlite:///{db}"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run(clean).returncode == 0

    process = subprocess.Popen(
        [*command(), "ingest", str(folder), "--db", f"sqlite:///{crashed}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        stored = _stored(crashed)
        if stored >= 2:
            break
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    at_kill = _stored(crashed, running=False)
    assert 0 < at_kill < total, f"{at_kill} of {total} articles stored when killed"
    _check_sqlite(crashed)

    rerun = run(crashed)
    assert rerun.returncode == 0, rerun.stderr
    _check_sqlite(crashed)
    recovered, expected = dump(f"sqlite:///{crashed}"), dump(f"sqlite:///{clean}")
    assert [k for k in expected if recovered[k] != expected[k]] == []  # names what differs, if anything
    assert recovered == expected


@pytest.mark.parametrize(
    ("given", "shown"),
    [("2022-11", "2022-11"), ("2022", "2022"), ("Tue, 26 Mar 2024 09:00:00 EST", "2024-03-26")],
)
def test_an_imprecise_publication_date_is_stored_with_its_precision(db_url, tmp_path, given: str, shown: str):
    """A sidecar giving only a month or a year: the article is extracted and stored, the date kept as given."""
    from beltwatch.store.queries import get_article

    path = copy_article(BRIEF, tmp_path / "in")
    path.with_name(f"{BRIEF}.meta.json").write_text(json.dumps({"published": given}), encoding="utf-8")
    assert ingest([str(path)], Settings(db_url=db_url)).new == 1
    with open_database(db_url, create=False) as db, db.engine.connect() as conn:
        article = get_article(conn, BRIEF)
    assert article["published"] == shown
    assert any(e["type"] == "ATTACK" for e in article["events"])
