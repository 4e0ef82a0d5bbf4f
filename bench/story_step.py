"""The story step of an ingest on a large store: duplicates and stories for 1,000 new articles.

A SQLite store of ``--articles`` synthetic articles (`build_store.py`; grown if it holds fewer) is
given its stories once, as an ingest gives them. Then, in a child process and on a copy of the
file (so the store stays as it is for the next run), ``--new`` more synthetic articles, published
on the two days after the store's last (the next ingest's news, reporting those days'
happenings), are written by the real writer, and the ingest's story step runs as `ingest` runs it
(`IngestRun.finish`: the new articles, the stored articles `stories.reach` says they may join and
those articles' stories, clustered and written). Reported: the seconds of the step, how many
articles it clustered, and the child's peak RSS (writing the new articles included).

In the synthetic store every article falls in the same six years whatever their number, so
a store ten times larger has ten times the articles a day, and the step reads ten times as many
neighbours; a store that grows with the days it covers keeps that number.

Commands (from the repository root)::

    .venv/bin/python bench/story_step.py --db store.db --articles 100000
    .venv/bin/python bench/story_step.py --db store.db --articles 100000 --new 1000 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from build_store import build
from synthetic_extractions import LAST_DAY, synthetic_extraction

from beltwatch.ingest import IngestRun
from beltwatch.store import open_database, reads, writes
from beltwatch.stories import reach, signal_of

BATCH = 64


def prepare(path: Path, count: int, seed: int) -> None:
    """The store at `path` grown to `count` articles, every one of them in a story."""
    url = f"sqlite:///{path}"
    build(url, count, seed, batch=BATCH)
    with open_database(url, writer=True) as db:
        with db.engine.connect() as conn:
            waiting = conn.execute(sa.select(sa.func.count()).select_from(reads.unassigned().subquery())).scalar()
        if not waiting:
            return  # every article already in a story: the store is left as it is, no run recorded
        began = time.perf_counter()
        IngestRun(db, [f"story_step --articles {count}"]).finish()
        print(f"stories of {count:,} articles in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)


def step(path: Path, count: int, new: int, seed: int) -> dict:
    """Write `new` articles after the store's `count`, then time the story step."""
    with open_database(f"sqlite:///{path}", writer=True) as db:
        run = IngestRun(db, [f"story_step --new {new}"])
        for i in range(count, count + new, BATCH):
            made = [
                synthetic_extraction(j, seed, published=LAST_DAY + timedelta(days=1 + j % 2))
                for j in range(i, min(i + BATCH, count + new))
            ]
            writes.store_extractions(db, [(x, signal_of(x)) for x in made], run.summary.run_id)
        with db.engine.connect() as conn:
            scope = reads.story_scope(reach(reads.unassigned_signals(conn)))
            clustered = len(conn.execute(scope).all())
        began = time.perf_counter()
        run.finish()
        seconds = time.perf_counter() - began
    return {"store": count, "new": new, "clustered": clustered, "seconds": round(seconds, 2), "peak_mb": _peak_mb()}


def _peak_mb() -> int:
    """This process's own peak RSS. `ru_maxrss` would carry over the high-water mark of the parent it was
    started from (Linux keeps it across fork and exec), so a run whose parent first gave the store its
    stories would report the parent's peak; `VmHWM` is the peak of this program's memory alone."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path, help="SQLite file of the store, created if need be")
    parser.add_argument("--articles", type=int, required=True, help="articles the store is to hold")
    parser.add_argument("--new", type=int, default=1000, help="articles of the ingest (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--step", action="store_true", help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.db, args.articles, args.new, args.seed)))
        return 0
    prepare(args.db, args.articles, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "store.db"
        shutil.copyfile(args.db, copy)
        child = [sys.executable, __file__, "--step", "--db", str(copy), "--articles", str(args.articles)]
        done = subprocess.run(
            [*child, "--new", str(args.new), "--seed", str(args.seed)], capture_output=True, text=True, check=True
        )
    result = json.loads(done.stdout)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"store {result['store']:,}, {result['new']:,} new: story step {result['seconds']:.2f} s over "
            f"{result['clustered']:,} articles, peak RSS {result['peak_mb']:,} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
