"""Database load rate: synthetic extractions stored through the real writer, into SQLite and PostgreSQL.

``--distinct`` (default 32) synthetic articles (`synthetic_corpus.py`) are cleaned, extracted and
resolved once, before the clock starts; then ``--articles`` (default 500) extractions, those
repeated under new ids, are stored one transaction each by `store.writes.store_extraction`, as
`ingest` stores them: article and version, entities mapped to global entities with role history,
mentions, amounts, events with their arguments, claims, full-text search rows. Stories are not
computed (`stories_scale.py` measures them).

Each database is new and empty: a SQLite file in a temporary folder, and, when a server URL is
given (``--postgres URL``, else ``$BELTWATCH_BENCH_POSTGRES`` or ``$BELTWATCH_TEST_POSTGRES``, a
role that may create databases), a new database on that server, dropped afterwards. Reported:
articles/s and rows/s (rows in all tables after the load; the schema's own rows before it are
subtracted).

Commands (from the repository root)::

    .venv/bin/python bench/db_load.py
    .venv/bin/python bench/db_load.py --articles 5000 \\
        --postgres postgresql+psycopg://beltwatch:beltwatch@localhost:5432/beltwatch
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from synthetic_corpus import synthetic_articles

from beltwatch.store.database import scratch_postgres

POSTGRES_ENVS = ("BELTWATCH_BENCH_POSTGRES", "BELTWATCH_TEST_POSTGRES")


def extractions(distinct: int, seed: int) -> list[Any]:
    from beltwatch.clean import clean_article
    from beltwatch.extraction import ExtractionFailure, extract_batch

    cleaned = [clean_article(a) for a in synthetic_articles(distinct, seed)]
    out = [x for i in range(0, len(cleaned), 16) for x in extract_batch(cleaned[i : i + 16])]
    return [x for x in out if not isinstance(x, ExtractionFailure)]


def renamed(extraction: Any, i: int) -> Any:
    """The extraction as the one of another article: a new id (and so a new stored article)."""
    article = replace(extraction.article, id=f"load-{i:08d}", origin=None)
    return replace(extraction, article=article)


def row_count(url: str) -> int:
    from beltwatch.store import open_database
    from beltwatch.store.schema import metadata

    with open_database(url, create=False) as db, db.engine.connect() as conn:
        return sum(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in metadata.tables.values()
        )


def load(url: str, source: list[Any], count: int) -> dict[str, Any]:
    from beltwatch.store import open_database, writes
    from beltwatch.stories import signal_of

    with open_database(url, create=True, writer=True) as db:
        run_id = writes.start_run(db, ["db_load"])
    before = row_count(url)
    with open_database(url, create=True, writer=True) as db:
        start = time.perf_counter()
        for i in range(count):
            extraction = renamed(source[i % len(source)], i)
            writes.store_extraction(db, extraction, signal_of(extraction), run_id)
        seconds = time.perf_counter() - start
    rows = row_count(url) - before
    return {
        "articles": count,
        "rows": rows,
        "seconds": seconds,
        "articles_per_s": count / seconds,
        "rows_per_s": rows / seconds,
    }


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/load.db"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=500, help="extractions to store (default 500)")
    parser.add_argument("--distinct", type=int, default=32, help="distinct synthetic articles (default 32)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus (default 0)")
    parser.add_argument("--postgres", help="PostgreSQL server URL (a role that may create databases)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.distinct < 1:
        parser.error("--articles and --distinct must be at least 1")
    server = args.postgres or next((os.environ[e] for e in POSTGRES_ENVS if os.environ.get(e)), None)

    source = extractions(args.distinct, args.seed)
    targets = [("SQLite", sqlite_database())]
    if server:
        targets.append(("PostgreSQL", scratch_postgres(server)))
    results = {}
    for name, database in targets:
        with database as url:
            results[name] = load(url, source, args.articles)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print("| database | articles | rows | seconds | articles/s | rows/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['articles']:,} | {r['rows']:,} | {r['seconds']:.1f} "
            f"| {r['articles_per_s']:.0f} | {r['rows_per_s']:,.0f} |"
        )
    if not server:
        print(f"(no PostgreSQL: pass --postgres URL or set {POSTGRES_ENVS[0]})")
    print(f"({len(source)} distinct extractions stored under new ids, one transaction each)")


if __name__ == "__main__":
    main()
