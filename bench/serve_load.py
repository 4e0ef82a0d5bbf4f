"""Latency under load: `beltwatch serve --workers N` answering concurrent clients on 127.0.0.1, while
an ingest writes.

The store is prepared as `read_latency.py` prepares it (grown to ``--articles``, stories computed if
it has none). Then the real server is started as a separate process (``--workers`` uvicorn worker
processes), and ``--clients`` threads each request the paths of `read_latency.py` (API lists with each
filter, search, an entity, a story, every dashboard page) one after another for ``--seconds``, each
client starting at another path. With ``--write N``, `build_store.py` grows the store by N more
articles in another process during the run, as an ingest's writer would. Every answer must be 200;
any other is counted as an error and reported. Reported: requests, requests/s, errors, p50 / p95 /
max over all requests, and p95 per path; and how many articles the writer stored meanwhile.

Commands (from the repository root)::

    .venv/bin/python bench/serve_load.py --db sqlite:///store.db --articles 100000 --workers 2
    .venv/bin/python bench/serve_load.py --db postgresql+psycopg://USER:PASSWORD@HOST/DB \\
        --articles 100000 --workers 2 --write 2000
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
from build_store import store_arguments
from read_latency import chosen_paths, p95, prepare, shown

from beltwatch.settings import DB_ENV

BENCH = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: str, workers: int, port: int) -> subprocess.Popen:
    """`beltwatch serve` in its own process, once it answers."""
    server = subprocess.Popen(
        [sys.executable, "-m", "beltwatch.cli", "serve", "--db", db, "--port", str(port), "--workers", str(workers)],
        env={**os.environ, DB_ENV: db},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/entities?limit=1", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not answer within 120 s")


def client(base: str, paths: list[str], first: int, until: float, took: dict[str, list[float]], errors: list[str]) -> None:
    """Request the paths in turn, from the `first`, until the clock passes `until`."""
    with httpx.Client(base_url=base, timeout=120) as http:
        i = first
        while time.monotonic() < until:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                status = http.get(path).status_code
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}")
                continue
            took[path].append(time.perf_counter() - start)
            if status != 200:
                errors.append(f"{path}: {status}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    store_arguments(parser)
    parser.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run (default 60)")
    parser.add_argument("--write", type=int, default=0, help="articles to write during the run (default 0)")
    parser.add_argument("--paths", help="only these paths, comma-separated as printed")
    args = parser.parse_args(argv)
    templates = chosen_paths(parser, args.paths)
    values = prepare(args.db, args.articles, 0, any("{story}" in t for t in templates))
    paths = [t.format(**values) for t in templates]
    port = free_port()
    server = start_server(args.db, args.workers, port)
    writer = None
    try:
        if args.write:
            writer = subprocess.Popen(
                [sys.executable, str(BENCH / "build_store.py"), "--db", args.db, "--articles", str(args.articles + args.write)],
                stdout=subprocess.PIPE,
                text=True,
            )
        took: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        until = time.monotonic() + args.seconds
        began = time.perf_counter()
        threads = [
            threading.Thread(target=client, args=(f"http://127.0.0.1:{port}", paths, i, until, took, errors))
            for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        written = "no writer"
        if writer is not None:
            writing = writer.poll() is None
            writer.terminate()
            out, _ = writer.communicate()
            last = [line for line in out.splitlines() if line.strip()]
            written = ("still writing at the end; " if writing else "") + (last[-1] if last else "nothing reported")
    finally:
        server.terminate()
        server.wait(timeout=30)
    every = [t for found in took.values() for t in found]
    print(
        f"{len(every)} requests in {elapsed:.0f} s ({len(every) / elapsed:.1f}/s), {len(errors)} errors;"
        f" p50 {statistics.median(every) * 1000:.0f} ms, p95 {p95(every) * 1000:.0f} ms,"
        f" max {max(every) * 1000:.0f} ms; {args.workers} worker(s), {args.clients} clients; writer: {written}"
    )
    for message in sorted(set(errors))[:10]:
        print(f"error: {message}")
    print("| path | requests | p95 ms |")
    print("|---|---:|---:|")
    for template, path in zip(templates, paths):
        if took[path]:
            print(f"| `{shown(template)}` | {len(took[path])} | {p95(took[path]) * 1000:.0f} |")


if __name__ == "__main__":
    main()
