"""Ingest throughput, serial and on a 2-worker Dask cluster, beside spaCy's own `nlp.pipe`.

In one run, on the same synthetic articles (`synthetic_corpus.py`, ``--articles`` of them,
default 300) with the same model (`beltwatch.extract.nlp.MODEL`), each side in a child process
of its own (this script again, with ``--side``) with ``OPENBLAS_NUM_THREADS=1``:

- ``spacy``: plain ``spacy.load(MODEL)``, ``nlp.pipe(texts, batch_size=16)`` over the cleaned
  texts, every Doc consumed;
- ``extract``: beltwatch's `extract_articles` over the cleaned articles (what spaCy is
  compared with in the first ratio of earlier versions of this script);
- ``pipeline``: what ingest does to an article before storing it, per batch of 16:
  `clean_article` on the raw article, then `extraction.extract_batch` (extract, then resolve
  places and money);
- ``ingest``: the whole serial `beltwatch ingest` of a JSON Lines file of the articles into a
  new SQLite database: read, clean, extract, resolve, store, duplicates and stories;
- ``spacy-2``: spaCy's own ``nlp.pipe(texts, batch_size=16, n_process=2)``;
- ``cluster``: a 2-worker `LocalCluster` (processes, one thread each) is started and every
  worker extracts one short text before the clock starts; then, timed: ``extract on 2
  workers`` (`distributed.extract_on_cluster` over the cleaned articles in batches of 16) and
  ``ingest on 2 workers`` (the same ingest as ``ingest``, with ``scheduler=`` the cluster). The
  RSS of every worker process is sampled every 0.1 s; the peak of the largest is reported.

Model loading is outside the clock everywhere (each side warms up on one short text) except
in ``spacy-2``, whose child processes start inside ``nlp.pipe``. Figures: articles/s; the
ratio pipeline/spaCy (target >= 0.6); the speed-ups of 2 workers over serial (target >= 1.5)
beside spaCy's n_process=2 over n_process=1; the peak worker RSS (target < 1.5 GB).

Commands (from the repository root)::

    .venv/bin/python bench/ingest_speed.py                  # Markdown table, ratios, verdicts
    .venv/bin/python bench/ingest_speed.py --articles 1000  # more articles, steadier figures
    .venv/bin/python bench/ingest_speed.py --json           # the same figures as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from synthetic_corpus import synthetic_articles, write_corpus

SIDES = ("spacy", "extract", "pipeline", "ingest", "spacy-2", "cluster")
BATCH_SIZE = 16
WORKERS = 2
TARGET_RATIO = 0.6
TARGET_SPEEDUP = 1.5
TARGET_WORKER_MB = 1536
WARM_UP_TEXT = "Xi Jinping met Anwar-ul-Haq Kakar in Beijing on Monday to discuss a USD 60 billion CPEC loan."


def peak_rss_mb() -> float:
    """The process's RSS high-water mark in MB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def warm_up_article() -> Any:
    from beltwatch.model import Article, ArticleMeta

    return Article(id="warm-up", text=WARM_UP_TEXT, meta=ArticleMeta(published="2023-11-01", language="en"))


def batches(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + BATCH_SIZE] for i in range(0, len(items), BATCH_SIZE)]


def timed(name: str, count: int, run: Any) -> dict[str, Any]:
    """Run `run()` (which returns how many articles it finished) under the clock."""
    start = time.perf_counter()
    done = run()
    seconds = time.perf_counter() - start
    if done != count:
        raise SystemExit(f"ingest_speed: {name} finished {done} of {count} articles")
    return {"name": name, "articles": done, "seconds": seconds, "articles_per_s": done / seconds}


def run_side(side: str, count: int, seed: int, jsonl: Path) -> list[dict[str, Any]]:
    """Time one side in this process; one row per measure."""
    from beltwatch.clean import clean_article

    raw = list(synthetic_articles(count, seed))
    cleaned = [clean_article(a) for a in raw]
    texts = [a.text for a in cleaned]

    if side in ("spacy", "spacy-2"):
        import spacy

        from beltwatch.extract.nlp import MODEL

        nlp = spacy.load(MODEL)
        for _ in nlp.pipe([WARM_UP_TEXT]):
            pass
        n_process = 2 if side == "spacy-2" else 1
        rows = [
            timed(
                f"spaCy nlp.pipe, n_process={n_process}",
                count,
                lambda: sum(1 for _ in nlp.pipe(texts, batch_size=BATCH_SIZE, n_process=n_process)),
            )
        ]
    elif side == "cluster":
        rows = run_cluster(cleaned, count, jsonl)
    else:
        from beltwatch.extract import extract_articles
        from beltwatch.extraction import extract_batch

        extract_batch([warm_up_article()])  # the pipeline, the knowledge and the gazetteers
        if side == "extract":
            rows = [
                timed("beltwatch extract_articles", count, lambda: sum(1 for _ in extract_articles(cleaned)))
            ]
        elif side == "pipeline":

            def pipeline() -> int:
                return sum(len(extract_batch([clean_article(a) for a in batch])) for batch in batches(raw))

            rows = [timed("beltwatch clean + extract + resolve", count, pipeline)]
        else:
            rows = [timed("beltwatch ingest into SQLite, serial", count, lambda: ingest_into_sqlite(jsonl))]
    for row in rows:
        row.setdefault("peak_rss_mb", peak_rss_mb())
    return rows


def ingest_into_sqlite(jsonl: Path, scheduler: str | None = None) -> int:
    from beltwatch.ingest import ingest
    from beltwatch.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        summary = ingest([str(jsonl)], Settings(db_url=f"sqlite:///{folder}/bench.db"), scheduler=scheduler)
    if summary.failed:
        raise SystemExit(f"ingest_speed: {summary.failed} articles failed: {summary.failures[:3]}")
    return summary.new


def run_cluster(cleaned: list[Any], count: int, jsonl: Path) -> list[dict[str, Any]]:
    """Both cluster measures on one warmed 2-worker cluster, with the workers' RSS sampled."""
    import psutil
    from distributed import Client, LocalCluster

    from beltwatch.distributed import extract_on_cluster
    from beltwatch.extraction import extract_batch

    with (
        LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(extract_batch, [warm_up_article()])  # every worker loads its pipeline
        workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        peaks = {p.pid: 0 for p in workers}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                for p in workers:
                    try:
                        peaks[p.pid] = max(peaks[p.pid], p.memory_info().rss)
                    except psutil.Error:
                        pass
                stop.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            rows = [
                timed(
                    f"beltwatch extract + resolve on {WORKERS} workers",
                    count,
                    lambda: sum(len(r) for r in extract_on_cluster(client, batches(cleaned))),
                ),
                timed(
                    f"beltwatch ingest into SQLite, {WORKERS} workers",
                    count,
                    lambda: ingest_into_sqlite(jsonl, scheduler=cluster.scheduler_address),
                ),
            ]
        finally:
            stop.set()
            sampler.join()
    worker_mb = max(peaks.values()) / (1024 * 1024)
    for row in rows:
        row["peak_rss_mb"] = worker_mb  # the largest worker's peak, not this client's
        row["peak_is_worker"] = True
    return rows


def spawn_side(side: str, count: int, seed: int, jsonl: Path) -> list[dict[str, Any]]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--side", side, "--articles", str(count)]
    cmd += ["--seed", str(seed), "--jsonl", str(jsonl)]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"ingest_speed: the {side} side failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarise(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    def rate(name_start: str) -> float:
        return next(r["articles_per_s"] for n, r in rows.items() if n.startswith(name_start))

    spacy_1 = rate("spaCy nlp.pipe, n_process=1")
    return {
        "ratio_pipeline_to_spacy": rate("beltwatch clean") / spacy_1,
        "ratio_extract_to_spacy": rate("beltwatch extract_articles") / spacy_1,
        "speedup_spacy_2_processes": rate("spaCy nlp.pipe, n_process=2") / spacy_1,
        "speedup_extract_2_workers": rate("beltwatch extract + resolve on") / rate("beltwatch clean"),
        "speedup_ingest_2_workers": rate("beltwatch ingest into SQLite, 2")
        / rate("beltwatch ingest into SQLite, s"),
        "peak_worker_rss_mb": next(r["peak_rss_mb"] for r in rows.values() if r.get("peak_is_worker")),
    }


def markdown(rows: dict[str, dict[str, Any]], figures: dict[str, Any], count: int, load: str) -> str:
    lines = ["| measure | articles | seconds | articles/s | peak RSS MB |", "|---|---:|---:|---:|---:|"]
    for r in rows.values():
        who = " (per worker)" if r.get("peak_is_worker") else ""
        lines.append(
            f"| {r['name']} | {r['articles']} | {r['seconds']:.1f} | {r['articles_per_s']:.1f} "
            f"| {r['peak_rss_mb']:.0f}{who} |"
        )

    def verdict(ok: bool) -> str:
        return "meets the target" if ok else "BELOW the target"

    f = figures
    lines += [
        "",
        (
            f"- pipeline / spaCy: {f['ratio_pipeline_to_spacy']:.2f} "
            f"({verdict(f['ratio_pipeline_to_spacy'] >= TARGET_RATIO)} of {TARGET_RATIO}); "
            f"extract alone / spaCy: {f['ratio_extract_to_spacy']:.2f}"
        ),
        (
            f"- {WORKERS} workers over serial: extract + resolve {f['speedup_extract_2_workers']:.2f}x, "
            f"whole ingest {f['speedup_ingest_2_workers']:.2f}x "
            f"({verdict(f['speedup_ingest_2_workers'] >= TARGET_SPEEDUP)} of {TARGET_SPEEDUP}x); "
            f"spaCy n_process=2 over 1: {f['speedup_spacy_2_processes']:.2f}x"
        ),
        (
            f"- peak worker RSS: {f['peak_worker_rss_mb']:.0f} MB "
            f"({verdict(f['peak_worker_rss_mb'] < TARGET_WORKER_MB)} of {TARGET_WORKER_MB} MB)"
        ),
        (
            f"({count} synthetic articles; batch size {BATCH_SIZE}; OPENBLAS_NUM_THREADS=1; "
            f"{os.cpu_count()} CPUs; load average before the run {load})"
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles per side (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus (default 0)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)  # internal: run one side here
    parser.add_argument("--jsonl", type=Path, help=argparse.SUPPRESS)  # internal: the articles as a file
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")

    if args.side:
        print(json.dumps(run_side(args.side, args.articles, args.seed, args.jsonl)))
        return

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        jsonl = Path(folder) / "articles.jsonl"
        write_corpus(synthetic_articles(args.articles, args.seed), jsonl)
        rows = {r["name"]: r for side in SIDES for r in spawn_side(side, args.articles, args.seed, jsonl)}
    figures = summarise(rows)
    if args.json:
        print(json.dumps({"rows": list(rows.values()), **figures, "load_average": load}, indent=2))
    else:
        print(markdown(rows, figures, args.articles, load))


if __name__ == "__main__":
    main()
