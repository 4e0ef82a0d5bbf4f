"""`beltwatch follow`: the outlets of a sources file, polled around the clock into the store.

A round polls every outlet that is due: its feeds and section pages (`sources.poll.read_listing`,
a few at a time on worker threads), then the page of every item the outlet never listed before
(`read_item`), and hands the articles, in batches as they come, to one `IngestRun` per round,
the run `beltwatch ingest` uses: the same cleaning, extraction, store, stories, and the same
alerts once per story (`on_run` checks the watch rules against the finished run). Only this
thread touches the database; the workers only fetch.

An item is recorded (`source_items`) once its article is stored, and a feed's ETag and
Last-Modified are kept only when every new item it listed has been recorded. So a process
killed at any moment loses nothing: the next start polls the feed in full again and takes up
the items not recorded yet. A stop (SIGTERM, Ctrl-C: `stop` is set) finishes the batch of
articles in hand, closes the run and leaves the rest to the next start.

After a poll an outlet is due again after its interval; after a failure after its interval
doubled per failure in a row (`polite.backoff`), and never before a server's Retry-After. A
`once` round (`--once`, from cron) polls every outlet, due or not, but still none before its
Retry-After: cron sets the pace, and due times drift against its ticks (a poll a few seconds
late would make a 15-minute cron skip a 15-minute source every other time).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from beltwatch.errors import InputError
from beltwatch.ingest import BATCH_SIZE, IngestRun
from beltwatch.sources import SourceFailure, failure, vetted
from beltwatch.sources.outlets import Outlet
from beltwatch.sources.polite import HostGate, Robots, backoff
from beltwatch.sources.poll import Busy, Fetching, Gathered, Lead, Policy, read_item, read_listing
from beltwatch.sources.url import get
from beltwatch.store import health
from beltwatch.store.database import FOLLOW_LOCK, Database, exclusive, open_database
from beltwatch.store.writes import now as utc_now

MAX_IDLE = 60.0  # seconds between looks at the clock when nothing is due


@dataclass
class Poll:
    """What one poll of one outlet did."""

    source: str
    error: str | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    known: int = 0  # listed before by another feed, or already stored
    failed: int = 0
    feed_text: int = 0  # stored with the feed's text, the page not to be had
    deferred: int = 0  # put off: the page's host asked us to come back later

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Outlet:
    """An outlet during a round: its listings still open, its items in flight, what it found."""

    outlet: Outlet
    health: health.Health
    poll: Poll
    open_listings: set[str] = field(default_factory=set)
    in_flight: dict[str, set[str]] = field(default_factory=dict)  # listing URL -> lead URLs
    incomplete: set[str] = field(default_factory=set)  # listings whose items are not all recorded
    validators: dict[str, dict[str, str]] = field(default_factory=dict)  # new ones, per listing
    errors: list[str] = field(default_factory=list)
    wait: float = 0.0  # what a server asked for (Retry-After)
    recorded: bool = False

    @property
    def done(self) -> bool:
        return not self.open_listings and not any(self.in_flight.values())


class Follower:
    """The outlets, the database, and the workers that fetch; `poll_round` does one round."""

    def __init__(
        self,
        db: Database,
        outlets: list[Outlet],
        policy: Policy,
        stop: threading.Event,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_poll: Callable[[Poll], None] | None = None,
        on_run: Callable[[int], None] | None = None,
    ) -> None:
        self.db, self.outlets, self.stop, self.clock = db, outlets, stop, clock
        self.on_poll, self.on_run = on_poll, on_run
        self.fetching = Fetching(
            policy,
            Robots(get, **policy.fetch_options()),
            HostGate(policy.host_interval, policy.per_host, stop),
        )
        self.executor = ThreadPoolExecutor(policy.workers, thread_name_prefix="beltwatch-follow")
        self.health = health.ensure_sources(db, [o.name for o in outlets])

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    def due(self, every: bool = False) -> list[Outlet]:
        """The outlets due for a poll; with `every`, all of them but those a server asked to wait."""
        now = self.clock()
        return [
            o
            for o in self.outlets
            if (self.health[o.name].not_before or now) <= now
            and (every or (self.health[o.name].next_poll_at or now) <= now)
        ]

    def seconds_to_next(self) -> float:
        now = self.clock()
        times = [h.next_poll_at or now for h in self.health.values()]
        return max(min((t - now).total_seconds() for t in times), 0.0) if times else MAX_IDLE

    def poll_round(self, due: list[Outlet]) -> list[Poll]:
        """Poll these outlets and ingest what they bring; the polls, as each outlet finished."""
        states = {o.name: _Outlet(o, self.health[o.name], Poll(o.name)) for o in due}
        # a listing's future maps to (None, its outlet, its URL), an item's to (its lead, outlet, listing URL)
        futures: dict[Future, tuple[Lead | None, _Outlet, str]] = {}
        for state in states.values():
            for url in state.outlet.urls:
                validators = state.health.validators.get(url, {})
                listing = self.executor.submit(read_listing, state.outlet, url, validators, self.fetching)
                futures[listing] = (None, state, url)
                state.open_listings.add(url)
        claimed: dict[str, str] = {}  # lead URL -> the outlet fetching it this round
        ready: list[tuple[_Outlet, str, Gathered]] = []
        polls: list[Poll] = []
        with self._run() as run:
            while (futures or ready) and not self.stop.is_set():
                if futures:
                    done, _ = wait(futures, timeout=0.5 if not ready else 0, return_when=FIRST_COMPLETED)
                    for future in done:
                        lead, state, url = futures.pop(future)
                        if lead is None:
                            self._listed(state, url, future, futures, claimed)
                        else:
                            ready.append((state, url, _gathered(lead, future)))
                if ready:
                    batch, ready = ready[:BATCH_SIZE], ready[BATCH_SIZE:]
                    self._ingest(run, batch)
                for state in states.values():
                    if state.done and not state.recorded:
                        polls.append(self._record_poll(state))
        for future in futures:
            future.cancel()
        return polls

    @contextmanager
    def _run(self) -> Iterator[_LazyRun]:
        """One ingest run for the round, opened with its first article, closed (stories, alerts) at the end."""
        lazy = _LazyRun(self.db)
        yield lazy
        if lazy.run is not None:
            summary = lazy.run.finish()
            if self.on_run is not None:
                self.on_run(summary.run_id)

    def _listed(
        self,
        state: _Outlet,
        url: str,
        future: Future,
        futures: dict[Future, tuple[Lead | None, _Outlet, str]],
        claimed: dict[str, str],
    ) -> None:
        """A listing came back: its new leads go to the workers, the others are recorded as known."""
        state.open_listings.discard(url)
        try:
            listing = future.result()
        except Busy as exc:
            state.errors.append(str(exc))
            state.wait = max(state.wait, exc.wait)
            return
        except InputError as exc:
            state.errors.append(str(failure(exc.source or url, exc.message)))
            return
        except Exception as exc:  # noqa: BLE001 - a library bug on one outlet must not stop the others
            state.errors.append(str(failure(url, f"unexpected error: {type(exc).__name__}: {exc}")))
            return
        state.validators[url] = listing.validators
        if listing.unchanged:
            return
        with self.db.engine.connect() as conn:
            fresh, stored = health.unseen(conn, state.health.id, [lead.url for lead in listing.leads])
        leads = {lead.url: lead for lead in reversed(listing.leads)}  # the first of duplicates wins
        known: list[health.ItemRecord] = []
        for lead_url in fresh:
            lead = leads[lead_url]
            holder = claimed.get(lead_url)
            if holder == state.outlet.name:
                continue  # another feed of this outlet lists it too: one fetch
            if holder is not None or lead_url in stored:
                known.append(health.ItemRecord(lead_url, lead.published_at, "known"))
                continue
            claimed[lead_url] = state.outlet.name
            futures[self.executor.submit(read_item, state.outlet, lead, self.fetching)] = (lead, state, url)
            state.in_flight.setdefault(url, set()).add(lead_url)
        if known:
            state.poll.known += len(known)
            health.record_items(self.db, state.health.id, known, self.clock())

    def _ingest(self, run: _LazyRun, batch: list[tuple[_Outlet, str, Gathered]]) -> None:
        """Store a batch of gathered items through the ingest run, then record each under its outlet."""
        items = [(state, url, g, vetted(g.article)) for state, url, g in batch if g.article is not None]
        outcomes = run.get().add([item for *_, item in items]) if items else {}
        records: dict[int, tuple[_Outlet, list[health.ItemRecord]]] = {}
        for state, url, gathered in batch:
            state.in_flight[url].discard(gathered.lead.url)
            if gathered.article is None:  # put off: tried again when the listing is polled again
                state.poll.deferred += 1
                state.incomplete.add(url)
        for state, _url, gathered, item in items:
            if isinstance(item, SourceFailure):  # the feed's text stood in and is no article either
                outcome, note = "failed", "; ".join(n for n in (gathered.note, item.reason) if n)
            else:
                outcome, note = outcomes.get(item.id, "failed"), gathered.note
                state.poll.feed_text += note is not None
            setattr(state.poll, outcome, getattr(state.poll, outcome) + 1)
            records.setdefault(state.health.id, (state, []))[1].append(
                health.ItemRecord(gathered.lead.url, gathered.lead.published_at, outcome, note)
            )
        for source_id, (_state, found) in records.items():
            health.record_items(self.db, source_id, found, self.clock())

    def _record_poll(self, state: _Outlet) -> Poll:
        state.recorded = True
        error = "; ".join(state.errors) or None
        failures = state.health.failures + 1 if error else 0
        delay = max(backoff(state.outlet.interval, failures, self.fetching.policy.backoff_cap), state.wait)
        validators = dict(state.health.validators)
        for url, fresh in state.validators.items():
            if url not in state.incomplete:
                validators[url] = fresh
        at = self.clock()
        next_poll = at + timedelta(seconds=delay)
        not_before = at + timedelta(seconds=state.wait) if state.wait else None
        health.record_poll(
            self.db,
            state.health.id,
            at=at,
            error=error,
            next_poll_at=next_poll,
            not_before=not_before,
            validators=validators,
        )
        self.health[state.outlet.name] = health.Health(state.health.id, failures, next_poll, not_before, validators)
        state.poll.error = error
        if self.on_poll is not None:
            self.on_poll(state.poll)
        return state.poll


def _gathered(lead: Lead, future: Future) -> Gathered:
    """A worker's answer for a lead; a library bug on one page fails that item only."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - recorded as the item's failure, the round goes on
        return Gathered(lead, failure(lead.link or lead.url, f"unexpected error: {type(exc).__name__}: {exc}"))


class _LazyRun:
    """The round's ingest run, started only when there is an article to add (a quiet round leaves no run)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.run: IngestRun | None = None

    def get(self) -> IngestRun:
        if self.run is None:
            self.run = IngestRun(self.db, ["beltwatch follow"])
        return self.run


def follow(
    db_url: str,
    outlets: list[Outlet],
    policy: Policy,
    *,
    once: bool = False,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] = utc_now,
    on_poll: Callable[[Poll], None] | None = None,
    on_run: Callable[[int], None] | None = None,
) -> list[Poll]:
    """Follow `outlets` into the database until `stop` is set, each when it is due; with `once`, one
    round of every outlet, due or not (cron sets the pace), but none before a server's Retry-After.

    One process per database (`exclusive`: a second one is a `UsageError`). Returns the polls of the
    last round (a service reports each poll through `on_poll` and keeps none: it runs for months).
    """
    stop = stop or threading.Event()
    polls: list[Poll] = []
    with (
        open_database(db_url, create=True, writer=True) as db,
        exclusive(db, FOLLOW_LOCK, "beltwatch follow"),
    ):
        follower = Follower(db, outlets, policy, stop, clock=clock, on_poll=on_poll, on_run=on_run)
        try:
            while not stop.is_set():
                polls = follower.poll_round(follower.due(every=once))
                if once:
                    break
                stop.wait(min(follower.seconds_to_next(), MAX_IDLE))
        finally:
            follower.close()
    return polls
