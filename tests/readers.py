"""Helpers shared by the tests of the source readers: writing inputs and sorting what comes out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from beltwatch.model import Article
from beltwatch.sources import SourceFailure


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def split(items: Iterable[object]) -> tuple[list[Article], list[SourceFailure]]:
    """Articles and failures, checking that a reader yields nothing else and every reason is one line."""
    items = list(items)
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, SourceFailure)]
    assert len(articles) + len(failures) == len(items)
    for f in failures:
        assert "\n" not in f.reason
    return articles, failures
