"""Alerts: watch rules checked against the stories in the store, each alert raised once per story.

- `rules`: the rules file (`load_rules`), every mistake one line and exit code 2.
- `check`: rules against stories' merged events; what was raised is kept in `alerts`, so a
  story raises one `new` alert per rule, one `update` when its figures change, and nothing
  again however often it is checked, by however many processes.
- `delivery`: standard output, a JSON Lines file (`--out`), a webhook (`--webhook`), the last two
  tracked per alert in `alert_deliveries` and retried until they succeed.

`check_ingest_run` is what `beltwatch ingest --rules` runs after an ingest: the stories the run
touched, then at most `WebhookPolicy.grace` seconds for the webhook. `watch` is `beltwatch watch`:
optionally every story first (`backfill`), then the stories of each ingest run that finishes
after it started, polled every `interval` seconds (or one pass with `once`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

import sqlalchemy as sa

from beltwatch.alerts.check import DELIVERED, Raised, check_stories, stories_of_runs
from beltwatch.alerts.delivery import (
    WebhookPolicy,
    WebhookSender,
    append_line,
    pending,
    print_alerts,
    record,
)
from beltwatch.alerts.rules import Rule, load_rules
from beltwatch.store.database import Database, open_database
from beltwatch.store.schema import ingest_runs

__all__ = ["Destinations", "Raised", "Rule", "WebhookPolicy", "check_ingest_run", "load_rules", "watch"]


@dataclass
class Destinations:
    """Where alerts go besides standard output: a checked file path and webhook URL (see `delivery`)."""

    out: str | None = None
    webhook: str | None = None
    as_json: bool = False
    allow_private: bool = False
    stdout: TextIO | None = field(default_factory=lambda: sys.stdout)  # None: not printed

    @property
    def tracked(self) -> list[str]:
        return [d for d in (self.out, self.webhook) if d]


@dataclass
class Outcome:
    """What a check or a watch did: alerts raised, and webhook deliveries still pending at the end."""

    raised: list[Raised] = field(default_factory=list)
    pending: int = 0


class Alerter:
    """Rules, a database and destinations: checks stories, prints, and hands deliveries over."""

    def __init__(
        self, db: Database, rules: list[Rule], destinations: Destinations, policy: WebhookPolicy
    ) -> None:
        self.db, self.rules, self.destinations, self.policy = db, rules, destinations, policy
        self.sender = (
            WebhookSender(db, destinations.webhook, policy, destinations.allow_private)
            if destinations.webhook
            else None
        )

    def check(self, story_ids: Iterable[int] | None, run_id: int | None = None) -> list[Raised]:
        with self.db.engine.begin() as conn:
            raised = check_stories(
                conn, self.rules, story_ids, destinations=self.destinations.tracked, run_id=run_id
            )
        if self.destinations.stdout is not None:
            print_alerts(raised, self.destinations.stdout, self.destinations.as_json)
        self.deliver_pending()
        return raised

    def deliver_pending(self) -> None:
        """Write pending alerts to the file, queue pending ones for the webhook."""
        if self.destinations.out:
            for delivery_id, message in pending(self.db, self.destinations.out):
                try:
                    append_line(self.destinations.out, message)
                except OSError as exc:
                    record(self.db, delivery_id, "pending", f"cannot write: {exc.strerror or exc}")
                    break
                record(self.db, delivery_id, DELIVERED, None)
        if self.sender is not None:
            for delivery_id, message in pending(self.db, self.sender.url):
                self.sender.submit(delivery_id, message)

    def finish(self, grace: float) -> int:
        """Give the webhook up to `grace` seconds, stop it, and count what it left pending."""
        if self.sender is None:
            return 0
        self.sender.wait(grace)
        self.sender.close()
        return len(pending(self.db, self.sender.url))


def check_ingest_run(
    db_url: str, rules: list[Rule], run_id: int, destinations: Destinations, policy: WebhookPolicy
) -> Outcome:
    """Check the stories one ingest run touched; wait at most `policy.grace` for the webhook."""
    with open_database(db_url, writer=True) as db:
        alerter = Alerter(db, rules, destinations, policy)
        with db.engine.connect() as conn:
            story_ids = stories_of_runs(conn, [run_id])
        raised = alerter.check(story_ids, run_id)
        return Outcome(raised, alerter.finish(policy.grace))


def _finished_runs(db: Database) -> set[int]:
    with db.engine.connect() as conn:
        return set(conn.scalars(sa.select(ingest_runs.c.id).where(ingest_runs.c.finished_at.is_not(None))))


def watch(
    db_url: str,
    rules: list[Rule],
    destinations: Destinations,
    policy: WebhookPolicy,
    *,
    backfill: bool = False,
    once: bool = False,
    interval: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Every story first with `backfill`; then, every `interval` seconds, the stories of ingest runs
    that finished since the watcher started. `once`: one pass, then wait for the webhook to finish
    its tries. Ctrl-C stops it cleanly."""
    outcome = Outcome()
    with open_database(db_url, create=False, writer=True) as db:
        alerter = Alerter(db, rules, destinations, policy)
        seen = _finished_runs(db)
        try:
            if backfill:
                outcome.raised += alerter.check(None)
            else:
                alerter.deliver_pending()
            while not once:
                sleep(interval)
                runs = _finished_runs(db) - seen
                if runs:
                    with db.engine.connect() as conn:
                        story_ids = stories_of_runs(conn, runs)
                    outcome.raised += alerter.check(story_ids, max(runs))
                    seen |= runs
                else:
                    alerter.deliver_pending()
        except KeyboardInterrupt:
            outcome.pending = alerter.finish(0)
            return outcome
        # each try is bounded (3 network operations of `timeout` each) and so are the tries
        tries = policy.attempts * (3 * policy.timeout) + policy.backoff * 2**policy.attempts
        outcome.pending = alerter.finish(tries)
        return outcome
