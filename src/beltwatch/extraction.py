"""The extraction step of an ingest, as one function a serial run and a Dask worker both call.

`extract_batch` extracts and resolves a batch of cleaned articles; an article that breaks its
batch is found by going one by one, and only it is lost (an `ExtractionFailure`, recorded by
the run). It lives apart from `beltwatch.ingest` so that `beltwatch.distributed` can ship it to
workers without importing the run that uses it.
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
    """Extract and resolve a batch; if the batch fails, one by one, so only the broken one is lost.

    The one function that extracts for an ingest, in this process or on a Dask worker.
    """
    try:
        return _extract_resolved(batch)
    except Exception:  # noqa: BLE001 - one article broke the batch: find it by going one by one
        return [item for article in batch for item in extract_alone(article)]


def extract_alone(article: Article) -> list[Extracted]:
    """`extract_batch` of one article: its extraction, or the failure that stopped it."""
    try:
        return list(_extract_resolved([article]))
    except Exception as exc:  # noqa: BLE001
        return [ExtractionFailure(source_of(article), reason_of("extraction failed", exc))]


def _extract_resolved(batch: list[Article]) -> list[Extracted]:
    from beltwatch.extract import extract_articles
    from beltwatch.resolve import resolve_extraction

    return [resolve_extraction(x) for x in extract_articles(batch)]


def source_of(article: Article) -> str:
    """Where an article came from, as its failures name it."""
    return article.origin or article.meta.url or article.id


def reason_of(step: str, exc: Exception) -> str:
    if isinstance(exc, BeltwatchError):
        return f"{step}: {exc.message}"
    return f"{step}: {type(exc).__name__}: {exc}"
