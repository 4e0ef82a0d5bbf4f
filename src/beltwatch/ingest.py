"""One ingest run: sources -> clean -> extract -> resolve -> store (entities resolved as stored) -> stories.

1. read every SOURCE into articles; an unreadable one is recorded and skipped;
2. clean each article; an article stored with the same cleaned text is skipped here, before
   the expensive extraction (the writer checks again, under its lock);
3. extract the rest in batches of `BATCH_SIZE` through `extract_batch` (`extract_articles`, then
   resolve their places and money), here or, with `workers` or `scheduler`, on a Dask cluster
   (`beltwatch.distributed`), which gives the same results in the same order;
4. store each batch in one transaction (each article in its own if the batch fails): the article
   versions with their entities (mapped to global entities, with role history), mentions,
   amounts, events and claims;
5. recompute duplicates and stories of the articles not yet in a story (new, changed, or stored
   by a run that did not get this far) with the stored articles they could be linked with (those
   published on the days `stories.reach` gives) and those articles' whole stories
   (`reads.story_scope`): the cost follows the new articles, not the store. Near-duplicates are
   found within that reach.

Nothing an item does stops the run: a failure at any step is a row in `ingest_errors`, with
the source and a one-line reason. A run killed at any moment and started again ends with the
content of an uninterrupted run (steps 4 and 5 are transactions, and step 5 notices it is due).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import sqlalchemy as sa

from beltwatch.extraction import ExtractAll, Extracted, ExtractionFailure, extract_batch, reason_of, source_of
from beltwatch.model import Article, Extraction, StoryAssignment
from beltwatch.settings import Settings
from beltwatch.sources import SourceFailure, iter_articles
from beltwatch.store import reads, writes
from beltwatch.store.database import Database, open_database
from beltwatch.stories import cluster_stories, find_duplicates, reach, signal_of

BATCH_SIZE = 16  # as extract.BATCH_SIZE: a batch is parsed in one spaCy pipe

FAILED = "failed"
Progress = Callable[[str], None]  # called once per item with its outcome: new, updated, unchanged, failed


@dataclass
class IngestSummary:
    run_id: int
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    duplicates: int = 0
    failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "new": self.new,
            "unchanged": self.unchanged,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "failed": self.failed,
        }

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run_id, **self.counts(), "failures": self.failures}


def ingest(
    specs: Sequence[str],
    settings: Settings,
    *,
    published: str | None = None,
    allow_private: bool = False,
    progress: Progress | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestSummary:
    """Ingest every article of `specs` into the database of `settings`; see the module docstring.

    `workers` starts a local Dask cluster of that many processes for the extraction, `scheduler`
    (an address such as tcp://host:8786) uses a running one; without either it runs here.
    """
    with (
        _extractor(workers, scheduler) as extract_all,
        open_database(settings.db_url, create=True, writer=True) as db,
    ):
        run = IngestRun(db, specs, progress, extract_all)
        run.add(iter_articles(specs, published=published, allow_private=allow_private), batch_size)
        return run.finish()


def _extractor(workers: int | None, scheduler: str | None) -> AbstractContextManager[ExtractAll]:
    if workers is None and scheduler is None:
        return nullcontext(partial(map, extract_batch))
    from beltwatch.distributed import cluster_extraction

    return cluster_extraction(workers=workers, scheduler=scheduler)


class IngestRun:
    """One ingest run: its database, counts, and the keys of the articles it stored.

    `beltwatch ingest` adds all its sources at once; `beltwatch follow` adds what each poll
    brings, batch by batch, to one run per round. `finish` then finds duplicates and stories and
    closes the run, so both end the same way (and `watch` and `--rules` see the same runs).
    """

    def __init__(
        self,
        db: Database,
        specs: Sequence[str],
        progress: Progress | None = None,
        extract_all: ExtractAll | None = None,
    ) -> None:
        self.db = db
        self.summary = IngestSummary(writes.start_run(db, specs))
        self.progress = progress
        self.extract_all = extract_all or partial(map, extract_batch)  # here, in this process
        self.stored_keys: set[str] = set()
        self.outcomes: dict[str, str] = {}

    def add(self, items: Iterable[Article | SourceFailure], batch_size: int = BATCH_SIZE) -> dict[str, str]:
        """Clean, extract and store `items`; the outcome of each article (new, updated, unchanged,
        failed) by its id. An article missing from the answer failed in extraction."""
        self.outcomes = {}
        for extracted in self.extract_all(self.batches(self.clean(items), batch_size)):
            self.store(extracted)
        return self.outcomes

    def finish(self) -> IngestSummary:
        """Duplicates and stories, then the run closed with its counts."""
        self.update_stories()
        writes.finish_run(self.db, self.summary.run_id, self.summary.counts())
        return self.summary

    def count(self, outcome: str, key: str | None = None) -> None:
        setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
        if key is not None:
            self.outcomes[key] = outcome
        if self.progress:
            self.progress(outcome)

    def fail(self, source: str, reason: str, key: str | None = None) -> None:
        reason = " ".join(reason.split()) or "unknown error"
        writes.record_error(self.db, self.summary.run_id, source, reason)
        self.summary.failures.append({"source": source, "reason": reason})
        self.count(FAILED, key)

    def clean(self, items: Iterable[Any]) -> Iterator[Article]:
        """Cleaned articles; source failures and articles that cannot be cleaned are recorded."""
        from beltwatch.clean import clean_article

        for item in items:
            if not isinstance(item, Article):  # a SourceFailure(source, reason)
                self.fail(str(item.source), str(item.reason))
                continue
            try:
                yield clean_article(item)
            except Exception as exc:  # noqa: BLE001 - one broken article never stops the run
                self.fail(source_of(item), reason_of("cleaning failed", exc), item.id)

    def batches(self, articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
        """Batches of `size` articles to extract; one stored with the same cleaned text is counted here."""
        batch: list[Article] = []
        for article in articles:
            if writes.is_unchanged(self.db, article):
                self.count(writes.UNCHANGED, article.id)
                continue
            batch.append(article)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def store(self, extracted: Iterable[Extracted]) -> None:
        """Store a batch in one transaction; if that fails, each article in its own, so that one
        article that cannot be stored is recorded and the others are stored."""
        done: list[Extraction] = []
        for extraction in extracted:
            if isinstance(extraction, ExtractionFailure):
                self.fail(extraction.source, extraction.reason)
            else:
                done.append(extraction)
        if not done:
            return
        try:
            stored = self._write(done)
        except Exception:  # noqa: BLE001 - found again below, article by article
            for extraction in done:
                self._store_one(extraction)
            return
        for extraction, outcome in zip(done, stored, strict=True):
            self._stored(extraction.article.id, outcome)

    def _store_one(self, extraction: Extraction) -> None:
        try:
            [stored] = self._write([extraction])
        except Exception as exc:  # noqa: BLE001 - recorded; the next article gets a fresh transaction
            self.fail(source_of(extraction.article), reason_of("storing failed", exc), extraction.article.id)
            return
        self._stored(extraction.article.id, stored)

    def _write(self, batch: list[Extraction]) -> list[writes.Stored]:
        return writes.store_extractions(self.db, [(x, signal_of(x)) for x in batch], self.summary.run_id)

    def _stored(self, article_id: str, stored: writes.Stored) -> None:
        if stored.status != writes.UNCHANGED:
            self.stored_keys.add(stored.key)
        self.count(stored.status, article_id)

    def update_stories(self) -> None:
        """Duplicates and stories of the articles not yet in a story, with the stories they may join."""
        with self.db.engine.connect() as conn:
            new = reads.unassigned_now(conn)
            signals = reads.load_signals(conn, new)
            if not signals:
                return
            scope = reads.materialised(conn, reads.story_scope(reach(signals), new))
        assignments = cluster_and_write_stories(self.db, scope)
        self.summary.duplicates = sum(
            1 for a in assignments if a.duplicate_of is not None and a.article_id in self.stored_keys
        )


def cluster_and_write_stories(db: Database, scope: sa.Select | None = None) -> list[StoryAssignment]:
    """Duplicates and stories of the current articles `scope` selects (`reads.story_scope`), or of
    all of them (`beltwatch stories --rebuild`), written to the store."""
    with db.engine.connect() as conn:
        signals = reads.load_signals(conn, scope)
    assignments = cluster_stories(signals, find_duplicates(signals))
    writes.write_stories(db, assignments, scope)
    return assignments
