"""Read latency, one request at a time: p50 and p95 of each API list and dashboard page, on a store of
N synthetic articles.

The store is grown to ``--articles`` by `build_store.py` first (nothing is written when it holds
that many already), and its stories are computed once if it has none (as `ingest` computes them),
so that story pages have something to show. Then each path below is requested through the real
application (`beltwatch.api.create_app`, in this process, no network): one request first, shown
apart (the risk view is computed by it and kept until the store changes), then ``--requests`` more
one after another, or as many as ``--budget`` seconds allow (at least 3); ``--paths`` picks some of
them. Every answer must be 200. The entity asked for is the most reported one, the story the largest.

Commands (from the repository root)::

    .venv/bin/python bench/read_latency.py --db sqlite:///store.db --articles 100000
    .venv/bin/python bench/read_latency.py --db postgresql+psycopg://USER:PASSWORD@HOST/DB --articles 100000
    .venv/bin/python bench/read_latency.py --db sqlite:///store.db --articles 100000 --paths /api/events,/timeline
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from urllib.parse import quote

import sqlalchemy as sa
from build_store import BATCH, build, store_arguments

from beltwatch.ingest import cluster_and_write_stories
from beltwatch.store import open_database, writes
from beltwatch.store.schema import entities, stories

API = (
    "/api/events",
    "/api/events?type=ATTACK",
    "/api/events?since=2024-01-01&until=2024-03-31",
    "/api/events?country=PK",
    "/api/events?entity={entity_name}",
    "/api/events?text=convoy",
    "/api/search?q=Gwadar",
    "/api/entities",
    "/api/entities/{entity_id}",
    "/api/stories",
    "/api/stories/{story}",
    "/api/articles",
    "/api/risk",
)
PAGES = (
    "/",
    "/map",
    "/timeline",
    "/finance",
    "/incidents",
    "/risk",
    "/entities",
    "/entities/{entity_id}",
    "/stories",
    "/stories/{story}",
    "/articles",
    "/search?q=Gwadar",
)


def prepare(url: str, count: int, seed: int, with_stories: bool) -> dict[str, str]:
    """Grow the store, give it stories if it has none and they are asked for; the values the paths name."""
    first, written, seconds, _ = build(url, count, seed, batch=BATCH)
    if written:
        print(f"store grown from {first:,} to {first + written:,} articles in {seconds:.0f} s", flush=True)
    with open_database(url, writer=True) as db:
        if with_stories and writes.stories_stale(db):
            began = time.perf_counter()
            cluster_and_write_stories(db)
            print(f"stories computed in {time.perf_counter() - began:.0f} s", flush=True)
        with db.engine.connect() as conn:
            entity = conn.execute(
                sa.select(entities.c.id, entities.c.name).order_by(entities.c.articles.desc()).limit(1)
            ).one()
            story = conn.execute(sa.select(stories.c.key).order_by(stories.c.size.desc()).limit(1)).scalar()
    return {"entity_id": str(entity.id), "entity_name": quote(entity.name), "story": quote(story or "", safe="")}


def shown(template: str) -> str:
    return template.replace("{entity_name}", "NAME").replace("{entity_id}", "ID").replace("{story}", "KEY")


def chosen_paths(parser: argparse.ArgumentParser, wanted: str | None) -> list[str]:
    """The path templates `--paths` names as printed (all without it); an error if it names none."""
    paths = [t for t in (*API, *PAGES) if not wanted or shown(t) in wanted.split(",")]
    if not paths:
        parser.error(f"--paths names none of {', '.join(shown(t) for t in (*API, *PAGES))}")
    return paths


def measure(client: object, path: str, requests: int, budget: float) -> tuple[float, list[float]]:
    """Seconds of the first request to `path`, and of each request after it."""
    start = time.perf_counter()
    client.get(path)  # type: ignore[attr-defined]
    first = time.perf_counter() - start
    took: list[float] = []
    began = time.perf_counter()
    while len(took) < requests and (len(took) < 3 or time.perf_counter() - began < budget):
        start = time.perf_counter()
        response = client.get(path)  # type: ignore[attr-defined]
        took.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")
    return first, took


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    store_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic articles (default 0)")
    parser.add_argument("--requests", type=int, default=20, help="measured requests per path (default 20)")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per path at most (default 30)")
    parser.add_argument(
        "--paths", help="only these paths, comma-separated as printed (e.g. '/api/events,/timeline')"
    )
    args = parser.parse_args(argv)
    if args.articles < 1 or args.requests < 3:
        parser.error("--articles must be at least 1 and --requests at least 3")
    paths = chosen_paths(parser, args.paths)
    values = prepare(args.db, args.articles, args.seed, any("{story}" in t for t in paths))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient

        from beltwatch.api import create_app

    with TestClient(create_app(args.db)) as client:
        print("| path | first ms | requests | p50 ms | p95 ms |")
        print("|---|---:|---:|---:|---:|")
        for template in paths:
            first, took = measure(client, template.format(**values), args.requests, args.budget)
            print(
                f"| `{shown(template)}` | {first * 1000:.0f} | {len(took)} | {statistics.median(took) * 1000:.0f} "
                f"| {p95(took) * 1000:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
