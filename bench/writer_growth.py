"""Writer throughput as the store grows: synthetic pre-extracted articles written one block after
another into one store per writer (SQLite files, or databases on a PostgreSQL server with
``--postgres``), the writers side by side in one run.

Three writers, each into a store of its own, take turns block by block (so each block meets the
same machine load): ``full recompute`` stores one article per transaction and then recomputes
the summaries (role history, article counts) of every entity the article names from all
current versions, as the writer did before they were kept incrementally; ``incremental`` stores
one article per transaction; ``batched`` stores ``--batch`` articles per transaction, as
`ingest` does. Articles are `synthetic_extractions.py`'s (made before each block's clock starts).
Printed per block: the store's size before it and each writer's articles/s.

Commands (from the repository root)::

    .venv/bin/python bench/writer_growth.py                                  # 6,000 in blocks of 1,000
    .venv/bin/python bench/writer_growth.py --articles 10000 --block 500
    .venv/bin/python bench/writer_growth.py --postgres postgresql+psycopg://USER:PASSWORD@HOST/DB
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import sqlalchemy as sa
from synthetic_extractions import synthetic_extraction

from beltwatch.store import Database, open_database, writes
from beltwatch.store.database import scratch_postgres
from beltwatch.store.schema import article_entities, article_versions, articles
from beltwatch.store.summaries import rebuild_summaries
from beltwatch.stories import signal_of

Items = Sequence[tuple[Any, Any]]


def full_recompute(db: Database, items: Items, batch: int) -> None:
    for item in items:
        stored = writes.store_extraction(db, *item, run_id=None)
        with db.engine.begin() as conn:
            named = conn.scalars(
                sa.select(article_entities.c.entity_id)
                .join(article_versions, article_versions.c.id == article_entities.c.article_version_id)
                .join(articles, articles.c.id == article_versions.c.article_id)
                .where(articles.c.key == stored.key, article_versions.c.version == stored.version)
            )
            rebuild_summaries(conn, set(named))


def incremental(db: Database, items: Items, batch: int) -> None:
    for item in items:
        writes.store_extraction(db, *item, run_id=None)


def batched(db: Database, items: Items, batch: int) -> None:
    for i in range(0, len(items), batch):
        writes.store_extractions(db, items[i : i + batch], run_id=None)


WRITERS: dict[str, Callable[[Database, Items, int], None]] = {
    "full recompute": full_recompute,
    "incremental": incremental,
    "batched": batched,
}


@contextmanager
def stores(postgres: str | None) -> Iterator[dict[str, Database]]:
    """An empty store per writer: SQLite files in a temporary folder, or new databases on `postgres`."""
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        urls = {
            name: stack.enter_context(scratch_postgres(postgres, "writer_growth"))
            if postgres
            else f"sqlite:///{folder}/{i}.db"
            for i, name in enumerate(WRITERS)
        }
        yield {name: stack.enter_context(open_database(url, writer=True)) for name, url in urls.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=6000, help="articles per store (default 6,000)")
    parser.add_argument("--block", type=int, default=1000, help="articles per block (default 1,000)")
    parser.add_argument("--batch", type=int, default=64, help="articles per batched transaction (default 64)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic articles (default 0)")
    parser.add_argument("--postgres", help="a PostgreSQL server URL whose role may create databases")
    args = parser.parse_args(argv)
    if min(args.articles, args.block, args.batch) < 1:
        parser.error("--articles, --block and --batch must be at least 1")
    with stores(args.postgres) as opened:
        print("| stored before | " + " | ".join(f"{name}, articles/s" for name in WRITERS) + " |")
        print("|---:|" + "---:|" * len(WRITERS))
        for start in range(0, args.articles, args.block):
            block = range(start, min(start + args.block, args.articles))
            items = [(x, signal_of(x)) for x in (synthetic_extraction(i, args.seed) for i in block)]
            rates = []
            for name, write in WRITERS.items():
                began = time.perf_counter()
                write(opened[name], items, args.batch)
                rates.append(len(items) / (time.perf_counter() - began))
            print(f"| {start:,} | " + " | ".join(f"{r:.0f}" for r in rates) + " |", flush=True)


if __name__ == "__main__":
    main()
