"""Where alerts go: standard output, a JSON Lines file, a webhook; and what got there.

Standard output gets each alert once, as it is raised: a JSON object per line with `--json`,
otherwise one short line with control characters from article text escaped, so text from the
news cannot drive the terminal. Files and webhooks are tracked in `alert_deliveries`: a
delivery is `pending` until it succeeds (`delivered`) or the endpoint refuses it for good
(`failed`: a 4xx other than 408/429), and every pass retries the pending ones of its
destinations, so nothing is lost when a watcher or an ingest stops early. Delivery is at least
once: a receiver that must not see an alert twice keys it by its `id`.

Webhooks are POSTed (JSON body) by a background thread, so a slow or dead endpoint never holds up
the caller: each try has `timeout` seconds per network operation; connection errors, timeouts,
5xx and 429 are retried up to `attempts` times with exponential backoff (`backoff`, doubling).
The webhook URL passes the SSRF checks of URL ingest (`sources.url.check_url`) before every try
and the connection goes to the checked addresses only, unless `allow_private`; redirects are not
followed.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx
import sqlalchemy as sa

from beltwatch.alerts.check import DELIVERED, FAILED, PENDING, Raised
from beltwatch.errors import InputError, UsageError
from beltwatch.sources import printable
from beltwatch.sources.url import USER_AGENT, check_url, pin, pinned_client
from beltwatch.store.database import Database
from beltwatch.store.schema import alert_deliveries, alerts
from beltwatch.store.writes import now


@dataclass(frozen=True)
class WebhookPolicy:
    timeout: float = 5.0  # seconds per connect, read, write
    attempts: int = 4  # tries per pass before the delivery is left pending
    backoff: float = 0.5  # seconds before the second try; doubles after each
    grace: float = 5.0  # how long an ingest waits for its webhook deliveries before leaving them pending


# --- standard output -----------------------------------------------------------------------------


def summary_line(message: dict[str, Any]) -> str:
    """One line for a person: rule, kind, type, date, place, distance, figures, outlets, evidence."""
    place = message.get("place") or {}
    corridor = message.get("corridor") or {}
    figures = []
    for name in ("killed", "injured"):
        given = sorted({c[name] for c in message["claims"] if isinstance(c.get(name), int)})
        if message.get(name) is not None:
            figures.append(f"{name} {message[name]}")
        elif len(given) > 1:
            figures.append(f"{name} {given[0]}-{given[-1]} (disputed)")
    near = (
        f"{corridor['alignment_km']:g} km from the {corridor['alignment']}, {corridor['site_km']:g} km from {corridor['site']}"
        if corridor
        else ""
    )
    outlets = ", ".join(s["outlet"] or s["article"] for s in message["sources"])
    parts = [
        f"[{message['rule']}] {message['kind']} {message['event_type']}",
        message.get("date") or "undated",
        place.get("name") or "",
        near,
        "; ".join(figures),
        f"({outlets})",
        f"\u201c{message['evidence']}\u201d" if message.get("evidence") else "",
    ]
    line = " \u2013 ".join(p for p in parts[:5] if p) + " " + " ".join(p for p in parts[5:] if p)
    return printable(" ".join(line.split()))  # the failure lines' rule: escapes and bidi marks shown as \uXXXX


def print_alerts(raised: list[Raised], out: TextIO, as_json: bool) -> None:
    for alert in raised:
        line = json.dumps(alert.message, ensure_ascii=False) if as_json else summary_line(alert.message)
        out.write(line + "\n")
    out.flush()


# --- files and webhooks -----------------------------------------------------------------------------


def check_out_file(path: Path) -> str:
    """The absolute path of a JSON Lines file alerts can be appended to; `UsageError` otherwise."""
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"--out: cannot write {path}: {exc.strerror or exc}") from None
    return str(path.resolve())


def check_webhook(url: str, allow_private: bool) -> str:
    try:
        check_url(url, allow_private=allow_private)
    except InputError as exc:
        raise UsageError(f"--webhook: {exc.message}") from None
    return url


def append_line(path: str, message: dict[str, Any]) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(message, ensure_ascii=False) + "\n")


def record(db: Database, delivery_id: int, status: str, error: str | None, tried: bool = True) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            alert_deliveries.update()
            .where(alert_deliveries.c.id == delivery_id)
            .values(
                status=status,
                attempts=alert_deliveries.c.attempts + (1 if tried else 0),
                last_error=error,
                updated_at=now(),
            )
        )


def pending(db: Database, destination: str) -> list[tuple[int, dict[str, Any]]]:
    """(delivery id, message) of every alert not yet delivered to `destination`, oldest first."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(alert_deliveries.c.id, alerts.c.id.label("alert_id"), alerts.c.payload)
            .join(alerts, alerts.c.id == alert_deliveries.c.alert_id)
            .where(alert_deliveries.c.destination == destination, alert_deliveries.c.status == PENDING)
            .order_by(alerts.c.id)
        ).all()
    return [(r.id, {"id": r.alert_id, **r.payload}) for r in rows]


class WebhookSender:
    """POSTs alerts to one URL from a background thread, recording each try in the database."""

    def __init__(self, db: Database, url: str, policy: WebhookPolicy, allow_private: bool) -> None:
        self.db, self.url, self.policy, self.allow_private = db, url, policy, allow_private
        self.queue: queue.Queue[tuple[int, dict[str, Any]]] = queue.Queue()
        self.queued: set[int] = set()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="beltwatch-webhook", daemon=True)
        self.thread.start()

    def submit(self, delivery_id: int, message: dict[str, Any]) -> None:
        if delivery_id not in self.queued:
            self.queued.add(delivery_id)
            self.queue.put((delivery_id, message))

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the queue to empty; whether it did."""
        deadline = time.monotonic() + seconds
        with self.queue.all_tasks_done:
            while self.queue.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.queue.all_tasks_done.wait(left)
        return True

    def close(self) -> None:
        """Stop after the try in progress; whatever is left stays pending for a later pass."""
        self.stopping.set()
        self.thread.join(timeout=0.2)

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                delivery_id, message = self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                self._deliver(delivery_id, message)
            finally:
                self.queued.discard(delivery_id)
                self.queue.task_done()

    def _deliver(self, delivery_id: int, message: dict[str, Any]) -> None:
        delay = self.policy.backoff
        for attempt in range(1, self.policy.attempts + 1):
            status, error = self._post(message)
            record(self.db, delivery_id, status if status != "retry" else PENDING, error)
            if status != "retry" or attempt == self.policy.attempts or self.stopping.wait(delay):
                return
            delay *= 2

    def _post(self, message: dict[str, Any]) -> tuple[str, str | None]:
        """One try: (DELIVERED | FAILED | "retry", reason)."""
        client, pins = pinned_client(self.policy.timeout)
        try:
            pin(pins, self.url, allow_private=self.allow_private)
        except InputError as exc:
            client.close()
            return "retry", exc.message
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
        try:
            with client:
                response = client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return "retry", f"timed out after {self.policy.timeout:g} s"
        except httpx.HTTPError as exc:
            return "retry", " ".join(str(exc).split()) or type(exc).__name__
        code = response.status_code
        if 200 <= code < 300:
            return DELIVERED, None
        if code >= 500 or code in (408, 429):
            return "retry", f"HTTP {code}"
        return FAILED, f"HTTP {code}"
