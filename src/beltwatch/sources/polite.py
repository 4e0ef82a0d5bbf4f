"""Reading other people's sites politely: robots.txt, a pace per host, and backing off.

- `Robots` reads each site's robots.txt (RFC 9309) once a day through the same guarded fetch
  as everything else, and answers whether beltwatch may fetch a URL and how long the site asks
  it to wait between requests (`Crawl-delay`). Parsed with Protego, Scrapy's parser, rather
  than the standard library's `urllib.robotparser`: that one takes the first matching rule
  instead of the longest (so `Allow: /news/` under `Disallow: /` is missed) and knows neither
  `*` nor `$` in paths, which the RFC and the large sites use. A robots.txt that is missing (4xx)
  allows everything; one that cannot be had (5xx, a timeout) disallows everything until the next
  try, as the RFC says.
- `HostGate` keeps requests to one host at least `interval` seconds apart (longer when robots.txt
  or a 429/503 says so) and at most `per_host` at a time.
- `retry_after` reads a Retry-After header; `backoff` is the delay after the n-th failure in a row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

from beltwatch.errors import InputError

ROBOTS_AGENT = "beltwatch"  # the token robots.txt groups are matched against
ROBOTS_TTL = 86_400.0  # RFC 9309: a robots.txt should not be used for more than 24 hours
ROBOTS_RETRY = 600.0  # an unreachable robots.txt is asked for again after this long
ROBOTS_MAX_BYTES = 512_000  # RFC 9309: at least 500 KiB must be read
MAX_CRAWL_DELAY = 60.0  # a site asking for more is read at this pace all the same
MAX_RETRY_AFTER = 86_400.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str | None  # why not, when not allowed
    delay: float  # seconds the site asks between requests (Crawl-delay), 0 if it says nothing


Fetcher = Callable[..., object]  # url.get


class Robots:
    """robots.txt of every site seen, cached per origin (scheme, host, port)."""

    def __init__(self, get: Fetcher, *, clock: Callable[[], float] = time.monotonic, **fetch_options: object):
        self._get = get
        self._clock = clock
        self._options = fetch_options
        self._cache: dict[str, tuple[float, object | None, str | None]] = {}
        self._lock = threading.Lock()

    def check(self, url: str) -> Verdict:
        """Whether `url` may be fetched: its site's robots.txt allows it, or has none."""
        origin = _origin(url)
        with self._lock:
            cached = self._cache.get(origin)
        if cached is None or cached[0] <= self._clock():
            cached = self._load(origin)
            with self._lock:
                self._cache[origin] = cached
        _expires, parser, unreachable = cached
        if unreachable is not None:
            return Verdict(False, f"robots.txt cannot be read ({unreachable}): nothing is fetched from the site", 0.0)
        if parser is None:
            return Verdict(True, None, 0.0)
        delay = min(float(parser.crawl_delay(ROBOTS_AGENT) or 0.0), MAX_CRAWL_DELAY)  # type: ignore[attr-defined]
        if parser.can_fetch(url, ROBOTS_AGENT):  # type: ignore[attr-defined]
            return Verdict(True, None, delay)
        return Verdict(False, "robots.txt disallows it", delay)

    def _load(self, origin: str) -> tuple[float, object | None, str | None]:
        from protego import Protego

        now = self._clock()
        try:
            reply = self._get(f"{origin}/robots.txt", max_bytes=ROBOTS_MAX_BYTES, types=None, **self._options)
        except InputError as exc:
            return now + ROBOTS_RETRY, None, exc.message
        status = reply.status  # type: ignore[attr-defined]
        if 400 <= status < 500:
            return now + ROBOTS_TTL, None, None
        if not 200 <= status < 300:
            return now + ROBOTS_RETRY, None, f"HTTP {status}"
        text = reply.data.decode("utf-8", errors="replace")  # type: ignore[attr-defined]
        return now + ROBOTS_TTL, Protego.parse(text), None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


class HostGate:
    """Requests to one host: at least `interval` seconds apart, at most `per_host` at once.

    `hold_off` pushes a host's next request later (Crawl-delay, Retry-After). Waiting ends early
    when `stop` is set, and the caller is told (`slot` yields False) so it can give up.
    """

    def __init__(
        self,
        interval: float,
        per_host: int,
        stop: threading.Event,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval, self.per_host, self.stop, self.clock = interval, per_host, stop, clock
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._slots: dict[str, threading.Semaphore] = {}

    @contextmanager
    def slot(self, url: str, delay: float = 0.0) -> Iterator[bool]:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            slots = self._slots.setdefault(host, threading.Semaphore(self.per_host))
        while not slots.acquire(timeout=0.1):
            if self.stop.is_set():
                yield False
                return
        try:
            with self._lock:
                start = max(self.clock(), self._next.get(host, 0.0))
                self._next[host] = start + max(self.interval, delay)
            wait = start - self.clock()
            yield not (wait > 0 and self.stop.wait(wait))
        finally:
            slots.release()

    def hold_off(self, url: str, seconds: float) -> None:
        host = (urlsplit(url).hostname or "").lower()
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), self.clock() + seconds)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date), at most a day; None if unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def backoff(interval: float, failures: int, cap: float) -> float:
    """The wait before the next poll of a source that failed `failures` times in a row: its interval
    doubled per failure, at most `cap` (a source that keeps failing is still looked at now and then)."""
    if failures <= 0:
        return interval
    return min(interval * 2.0 ** min(failures, 30), max(cap, interval))
