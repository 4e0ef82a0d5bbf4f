"""Extracting batches of articles for an ingest: extract, then resolve places and money.

`extract_batch` is the one function that extracts for an ingest, in the ingesting process
(`beltwatch.ingest`) or on a Dask worker (`beltwatch.distributed`); both import it from here,
and neither imports the other for it. A failure is returned as a value, `ExtractionFailure`,
never raised: a batch that fails is extracted again article by article, so only the broken
article is lost, and the failure travels back from a worker like any result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from beltwatch.errors import BeltwatchError
from beltwatch.model import Article, Extraction


@dataclass(frozen=True)
class ExtractionFailure:
    """An article whose extraction failed: where it came from, and why in one line."""

    source: str
    reason: str


Extracted = Extraction | ExtractionFailure
# batches of articles in, each batch's `extract_batch` results out, in the same order
ExtractAll = Callable[[Iterable[list[Article]]], Iterable[list[Extracted]]]


def extract_batch(batch: list[Article]) -> list[Extracted]:
    """Extract and resolve a batch; if the batch fails, one by one, so only the broken one is lost."""
    try:
        return _extract_resolved(batch)
    except Exception:  # noqa: BLE001 - one article broke the batch: find it by going one by one
        return [item for article in batch for item in extract_alone(article)]


def extract_alone(article: Article) -> list[Extracted]:
    """`extract_batch` of one article: its extraction, or the failure that stopped it."""
    try:
        return list(_extract_resolved([article]))
    except Exception as exc:  # noqa: BLE001
        return [ExtractionFailure(source_of(article), failure_reason("extraction failed", exc))]


def _extract_resolved(batch: list[Article]) -> list[Extracted]:
    # imported on first use: the extract stage imports spaCy (over a second), which importing this should not
    from beltwatch.extract import extract_articles
    from beltwatch.resolve import resolve_extraction

    return [resolve_extraction(x) for x in extract_articles(batch)]


def source_of(article: Article) -> str:
    """Where an article came from, as its failures name it."""
    return article.origin or article.meta.url or article.id


def failure_reason(step: str, exc: Exception) -> str:
    """A failed step in one line: "extraction failed: ValueError: ...", or a project error's own message."""
    if isinstance(exc, BeltwatchError):
        return f"{step}: {exc.message}"
    return f"{step}: {type(exc).__name__}: {exc}"
