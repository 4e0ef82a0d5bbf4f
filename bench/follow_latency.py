"""Latency of `beltwatch follow`: from an item's publication to the article being found by /api/search.

A local server on 127.0.0.1 publishes a new article every ``--every`` seconds (default 5) for
``--minutes`` (default 10): its feed lists the latest 50 items, each with its publication time
and a link to a page of its own. `beltwatch follow` (a real process, ``--interval`` 30 s,
full text on) follows the feed into a new SQLite database, and `beltwatch serve` serves it; every
published article carries a word of its own, which the benchmark asks /api/search for once a
second until the article is returned. Reported: p50, p95 and the worst latency, and how many
articles were never found (each article is given 120 s after the end). Target: p95 <= 60 s.

Command (from the repository root)::

    .venv/bin/python bench/follow_latency.py [--minutes 10] [--every 5] [--interval 30]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEED_LENGTH = 50
GRACE = 120.0


class Newsroom:
    """The articles published so far: (number, publication time), newest last."""

    def __init__(self) -> None:
        self.published: list[tuple[int, float]] = []
        self.lock = threading.Lock()

    def publish(self) -> None:
        with self.lock:
            self.published.append((len(self.published), time.time()))

    def feed(self, base: str) -> bytes:
        with self.lock:
            latest = list(reversed(self.published[-FEED_LENGTH:]))
        items = "".join(
            f"<item><title>Convoy {n} reaches Gwadar</title><link>{base}/news/convoy-{n}</link>"
            f"<description>Convoy {n} reached the port.</description>"
            f"<pubDate>{formatdate(at, usegmt=True)}</pubDate></item>"
            for n, at in latest
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Bench</title>{items}</channel></rss>".encode()


def page(number: int) -> bytes:
    paragraphs = (
        (f"A convoy of {number + 10} trucks carrying equipment for the port reached Gwadar on Monday, officials "
        f"of the Gwadar Port Authority said. The shipment, marker{number:05d}x in the authority's register, "
        "was escorted by the Special Security Division from Karachi."),
        ("The authority said work on the new berths financed by the Export-Import Bank of China would resume "
        "next week, after a pause of three weeks caused by the weather."),
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>Convoy {number} reaches Gwadar</title></head><body><article>{body}</article></body></html>".encode()


def serve_newsroom(newsroom: Newsroom) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            base = f"http://{self.headers.get('Host')}"
            if self.path == "/feed.xml":
                body, kind = newsroom.feed(base), "application/rss+xml"
            elif self.path.startswith("/news/convoy-"):
                body, kind = page(int(self.path.rsplit("-", 1)[1])), "text/html; charset=utf-8"
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def found(api: str, number: int) -> bool:
    with urllib.request.urlopen(f"{api}/api/search?q=marker{number:05d}x", timeout=10) as answer:
        return any(hit["kind"] == "article" for hit in json.load(answer)["items"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between two articles")
    parser.add_argument("--interval", type=int, default=30, help="the source's polling interval, seconds")
    args = parser.parse_args()

    beltwatch = [sys.executable, "-m", "beltwatch.cli"]
    newsroom = Newsroom()
    httpd = serve_newsroom(newsroom)
    feed = f"http://127.0.0.1:{httpd.server_address[1]}/feed.xml"
    with tempfile.TemporaryDirectory() as folder:
        sources = Path(folder) / "sources.yaml"
        sources.write_text(
            f"sources:\n  - name: Bench Daily\n    feeds: ['{feed}']\n    interval: {args.interval}\n", encoding="utf-8"
        )
        db = f"sqlite:///{Path(folder) / 'bench.db'}"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": {**os.environ}}
        follower = subprocess.Popen([*beltwatch, "follow", str(sources), "--db", db, "--allow-private"], **quiet)
        while not (Path(folder) / "bench.db").exists():
            time.sleep(0.2)
        port = free_port()
        server = subprocess.Popen([*beltwatch, "serve", "--db", db, "--port", str(port)], **quiet)
        api = f"http://127.0.0.1:{port}"
        latencies: dict[int, float] = {}
        try:
            end = time.time() + args.minutes * 60
            next_item = time.time()
            while time.time() < end + GRACE:
                now = time.time()
                if now >= next_item and now < end:
                    newsroom.publish()
                    next_item += args.every
                with newsroom.lock:
                    waiting = [(n, at) for n, at in newsroom.published if n not in latencies]
                for number, at in waiting:
                    try:
                        if found(api, number):
                            latencies[number] = time.time() - at
                    except OSError:
                        break  # the server is still starting
                if now >= end and not waiting:
                    break
                time.sleep(1.0)
        finally:
            for process in (follower, server):
                process.terminate()
                process.wait(60)
            httpd.shutdown()
    values = sorted(latencies.values())
    published = len(newsroom.published)
    report = {
        "published": published,
        "found": len(values),
        "missed": published - len(values),
        "interval_s": args.interval,
        "p50_s": round(statistics.median(values), 1) if values else None,
        "p95_s": round(values[max(0, round(0.95 * len(values)) - 1)], 1) if values else None,
        "max_s": round(values[-1], 1) if values else None,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
