"""A simulated cluster: can the one writer keep up with N extraction workers?

No NLP runs: ``--workers`` threads stand for the cluster's workers, each handing over a batch of 16
pre-made synthetic extractions (`synthetic_extractions.py`) every ``16 / --rate`` seconds, ``--rate``
being one worker's articles a second (about 10 measured on this machine, `ingest_speed.py`). As in
`distributed.extract_on_cluster`, at most two batches per worker are out at a time (a worker whose
batches wait for the writer waits too), and the batches that are back when the writer turns to them
are stored together, up to `WRITE_AT_MOST` articles. The writer is `IngestRun.store`, what a Dask run calls on
each batch that comes back, into a store (SQLite or PostgreSQL) that may already hold articles
(`build_store.py`); the story step then runs as the run's end.

Printed: the workers' nominal rate, the run's articles a second, the share of the run the writer was
busy, the most batches waiting, and the story step's seconds. The writer keeps up when the run's rate
is the workers' and it is busy less than all the time.

Commands (from the repository root)::

    .venv/bin/python bench/cluster_replay.py --db sqlite:///replay.db --workers 16 --articles 4000
    .venv/bin/python bench/cluster_replay.py --db postgresql+psycopg://USER:PASSWORD@HOST/DB --workers 16
"""

from __future__ import annotations

import argparse
import json
import queue
import threading
import time

import sqlalchemy as sa
from build_store import BATCH as BUILD_BATCH
from build_store import build
from synthetic_extractions import synthetic_extraction

from beltwatch.distributed import IN_FLIGHT_PER_WORKER, WRITE_AT_MOST
from beltwatch.ingest import IngestRun
from beltwatch.store import open_database
from beltwatch.store.schema import articles

BATCH = 16


def replay(url: str, workers: int, rate: float, count: int, seed: int) -> dict:
    """`count` articles, after those the store holds, from `workers` simulated workers into `url`."""
    with open_database(url, create=True, writer=True) as db:
        with db.engine.connect() as conn:
            first = conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one()
        made = [synthetic_extraction(i, seed) for i in range(first, first + count)]
        batches = [made[i : i + BATCH] for i in range(0, count, BATCH)]
        out = threading.BoundedSemaphore(IN_FLIGHT_PER_WORKER * workers)
        ready: queue.Queue = queue.Queue()
        deepest = 0

        def worker(mine: list[list]) -> None:
            for batch in mine:
                out.acquire()  # blocks while the writer holds this cluster's share of batches
                time.sleep(len(batch) / rate)
                ready.put(batch)

        threads = [threading.Thread(target=worker, args=(batches[w::workers],), daemon=True) for w in range(workers)]
        run = IngestRun(db, [f"cluster_replay --workers {workers} --rate {rate}"])
        began, busy = time.perf_counter(), 0.0
        for thread in threads:
            thread.start()
        stored = 0
        while stored < count:
            taken = [ready.get()]  # and, as `distributed.extract_on_cluster` does, the batches back with it
            deepest = max(deepest, ready.qsize() + 1)
            while not ready.empty() and sum(map(len, taken)) + BATCH <= WRITE_AT_MOST:
                taken.append(ready.get_nowait())
            writing = time.perf_counter()
            run.store([x for batch in taken for x in batch])
            busy += time.perf_counter() - writing
            stored += sum(map(len, taken))
            for _ in taken:
                out.release()
        seconds = time.perf_counter() - began
        stories = time.perf_counter()
        run.finish()
        stories = time.perf_counter() - stories
    return {
        "stored_before": first,
        "articles": count,
        "workers": workers,
        "nominal_per_s": round(workers * rate, 1),
        "run_per_s": round(count / seconds, 1),
        "writer_busy": round(busy / seconds, 2),
        "writer_per_busy_s": round(count / busy, 1),
        "most_waiting": deepest,
        "story_step_s": round(stories, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL (SQLite or PostgreSQL), created if need be")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--rate", type=float, default=10.0, help="one worker's articles a second (default 10)")
    parser.add_argument("--articles", type=int, default=4000, help="articles of the run (default 4000)")
    parser.add_argument("--store", type=int, default=0, help="articles the store holds first (build_store.py)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.store:
        build(args.db, args.store, args.seed, batch=BUILD_BATCH)
    print(json.dumps(replay(args.db, args.workers, args.rate, args.articles, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
