"""A store of N synthetic articles for benchmarks: extractions made directly (no NLP) and written by the
real writer in batches, as `ingest` writes them.

Articles come from `synthetic_extractions.py`; article ``i`` is the same on every run, and a store
that already holds articles is grown from where it stops (its number of articles is the first
``i``), so 100,000 can be built and then taken to 1,000,000. Everything the writer keeps is
written: versions with their story signals, entities resolved to global ones, role history and
entity counts, mentions, amounts, events with their arguments, claims, SQLite's full-text rows.
Stories are not computed. Reported: articles/s of the writing (making the extractions included,
about a fifth of the time), and the CPU seconds this process spent on it.

Commands (from the repository root)::

    .venv/bin/python bench/build_store.py --db sqlite:///store.db --articles 100000
    .venv/bin/python bench/build_store.py --db postgresql+psycopg://USER:PASSWORD@HOST/DB --articles 100000
"""

from __future__ import annotations

import argparse
import time

import sqlalchemy as sa
from synthetic_extractions import synthetic_extraction

from beltwatch.store import open_database, writes
from beltwatch.store.schema import articles
from beltwatch.stories import signal_of

# articles a transaction: on SQLite a commit writes every index page the batch dirtied, and at 100,000
# stored these lie scattered, so that a batch of 256 shares them where four of 64 wrote them four times
BATCH = 256
REPORT_EVERY = 10_000


def build(url: str, count: int, seed: int, batch: int) -> tuple[int, int, float, float]:
    """Grow the store at `url` to `count` articles; returns the first article written, the number written,
    the seconds it took and the CPU seconds of this process in them."""
    with open_database(url, create=True, writer=True) as db:
        with db.engine.connect() as conn:
            first = conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one()
        if first >= count:
            return first, 0, 0.0, 0.0  # nothing to write: no run is recorded, the store is left as it is
        run_id = writes.start_run(db, [f"build_store --articles {count} --seed {seed}"])
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(first, count, batch):
            made = [synthetic_extraction(j, seed) for j in range(i, min(i + batch, count))]
            writes.store_extractions(db, [(x, signal_of(x)) for x in made], run_id)
            done = i + len(made)
            if done // REPORT_EVERY != i // REPORT_EVERY:
                seconds = time.perf_counter() - start
                print(f"{done:,} articles, {(done - first) / seconds:.0f} articles/s", flush=True)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        writes.finish_run(db, run_id, {"new": max(count - first, 0)})
    return first, max(count - first, 0), seconds, cpu


def store_arguments(parser: argparse.ArgumentParser) -> None:
    """The store a benchmark builds or grows, and reads: `--db` and `--articles`."""
    parser.add_argument("--db", required=True, help="database URL (SQLite or PostgreSQL), created if need be")
    parser.add_argument("--articles", type=int, required=True, help="articles the store is to hold")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    store_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic articles (default 0)")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"articles a transaction (default {BATCH})")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.batch < 1:
        parser.error("--articles and --batch must be at least 1")
    first, written, seconds, cpu = build(args.db, args.articles, args.seed, args.batch)
    if not written:
        print(f"the store already holds {first:,} articles")
        return
    print(
        f"{written:,} articles written ({first:,} to {first + written:,}) in {seconds:.1f} s: "
        f"{written / seconds:.0f} articles/s; {cpu:.1f} CPU s in this process, {written / cpu:.0f} articles "
        "per CPU second (on a busy machine the steadier figure; a PostgreSQL server's own work is not in it)"
    )


if __name__ == "__main__":
    main()
