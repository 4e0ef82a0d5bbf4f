"""Where articles come from: files, folders, feeds, JSON Lines, WARC archives and URLs.

`iter_articles` takes what a user names on the command line (files, folders, http(s) URLs)
and yields one `Article` per article found, or a `SourceFailure` for each thing that could
not be read, and always goes on with the next one:

- an article file (`.txt`, `.md`, `.html`, `.htm`, or any other name given explicitly) is
  one article, read by `files.read_article` with its sidecar;
- a feed (`.rss`, `.xml`, `.atom`) is one article per item (`feeds`), a broken feed one failure;
- a JSON Lines file (`.jsonl`, `.ndjson`) is one article per line (`jsonl`), a bad line one failure;
- a WARC archive (`.warc`, `.warc.gz`) is one article per HTML response record (`warc`);
- a folder is searched recursively for all of the above (sidecars and hidden files skipped);
- an `http://` or `https://` URL is fetched (`url.fetch`, with SSRF checks) and read as an
  HTML page, a feed or plain text according to its content type.

Every article has an `origin`: the file path, `PATH#N` for the N-th feed item or the JSON
line N (1-based), `PATH#OFFSET` for the WARC record at that byte offset, or the URL.

An article's text must hold at least `MIN_WORDS` words (a Han character counts as one) and at
most `MAX_CHARS` characters; anything else is a failure ("too short to be an article", "too
long"), found here, before any language processing. The upper bound is the memory of the
language model: spaCy's parse of a text costs about 3 KB per character, so 200,000 characters
(some 30,000 words, far beyond any news article) stay under 1 GB. Failure sources and reasons are
printable: control characters and bidirectional overrides (from file names, feeds, URLs) are
shown as `\\uXXXX`, so a file name cannot clear or recolour a terminal; an article's title,
source and URL lose their control characters (its text loses them in `clean`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from beltwatch.errors import BeltwatchError, UsageError
from beltwatch.model import Article
from beltwatch.sources.files import ARTICLE_SUFFIXES, DEFAULT_MAX_BYTES

FEED_SUFFIXES = (".rss", ".xml", ".atom")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
WARC_SUFFIXES = (".warc", ".warc.gz")
SOURCE_SUFFIXES = ARTICLE_SUFFIXES + FEED_SUFFIXES + JSONL_SUFFIXES + WARC_SUFFIXES
URL_SCHEMES = ("http://", "https://")

_MAX_REASON = 500
MIN_WORDS = 3
MAX_CHARS = 200_000
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W\u3400-\u9fff\uf900-\ufaff]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# C0/C1 controls, bidirectional marks, embeddings, overrides and isolates, line/paragraph separators
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@dataclass(frozen=True)
class SourceFailure:
    """Something that could not be read: a file, a feed, a JSON line, a WARC record or a URL."""

    source: str
    reason: str  # one line

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def failure(source: str, reason: object) -> SourceFailure:
    """A `SourceFailure` whose reason is squeezed onto one printable line of bounded length."""
    text = printable(" ".join(str(reason).split())) or "unknown error"
    if len(text) > _MAX_REASON:
        text = text[: _MAX_REASON - 1] + "…"
    return SourceFailure(source=printable(source), reason=text)


def _drop_controls(article: Article) -> None:
    """Title, source and URL without control characters: they are shown in terminals and pages as they are."""
    for key in ("title", "source", "url"):
        value = getattr(article.meta, key)
        if value:
            joiner = "" if key == "url" else " "
            setattr(article.meta, key, " ".join(_CONTROL.sub(joiner, value).split()) or None)


def printable(text: str) -> str:
    """`text` with control characters and bidirectional marks written as `\\uXXXX`, safe for a terminal."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def size_problem(text: str) -> str | None:
    """Why an article's text is not an article (too few words, too many characters), or None."""
    if len(text) > MAX_CHARS:
        return f"text is too long: {len(text):,} characters, over the limit of {MAX_CHARS:,}"
    words = sum(1 for _ in itertools.islice(_WORD.finditer(text), MIN_WORDS))
    if words < MIN_WORDS:
        return f"too short to be an article: {words} word{'s' if words != 1 else ''}, at least {MIN_WORDS} needed"
    return None


def iter_articles(
    specs: Iterable[str | Path],
    *,
    published: str | None = None,
    allow_private: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article | SourceFailure]:
    """Every article of every spec (file, folder or http(s) URL), or a failure for what cannot be read.

    `published` overrides every article's date (any form `normalise_published` accepts; a
    `UsageError` if it is not a date). `allow_private` lets URLs reach private, loopback and
    link-local addresses (for local testing). `max_bytes` caps a file, a fetched body, a feed,
    one JSON line and one WARC record payload.
    """
    from beltwatch.sources.files import normalise_published

    override = None
    if published is not None:
        try:
            override = normalise_published(published)
        except ValueError as exc:
            raise UsageError(f"published: {exc}") from None

    for spec in specs:
        for item in _iter_spec(spec, allow_private=allow_private, max_bytes=max_bytes):
            yield vetted(item, override)


def vetted(item: Article | SourceFailure, published: str | None = None) -> Article | SourceFailure:
    """An article as every reader hands it on: its size checked (a failure if it is no article), its
    title, source and URL without control characters, its date `published` when one is given."""
    if not isinstance(item, Article):
        return item
    problem = size_problem(item.text)
    if problem:
        return failure(item.origin or item.id, problem)
    _drop_controls(item)
    if published is not None:
        item.meta.published = published
    return item


def _iter_spec(spec: str | Path, *, allow_private: bool, max_bytes: int) -> Iterator[Article | SourceFailure]:
    text = str(spec)
    if text.lower().startswith(URL_SCHEMES):
        yield from _guard(text, _iter_url(text, allow_private=allow_private, max_bytes=max_bytes))
        return
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme and not Path(text).exists():
        yield failure(text, f"unsupported URL scheme {scheme[1]!r}: only http and https")
        return
    from beltwatch.sources.files import iter_article_paths

    for path in iter_article_paths([Path(spec)], suffixes=SOURCE_SUFFIXES):
        yield from _guard(str(path), _iter_file(path, max_bytes=max_bytes))


def _guard(source: str, items: Iterator[Article | SourceFailure]) -> Iterator[Article | SourceFailure]:
    """Items of one source; an error that ends the source becomes one failure, and iteration goes on."""
    try:
        yield from items
    except BeltwatchError as exc:
        yield failure(exc.source or source, exc.message)
    except Exception as exc:  # noqa: BLE001 - a library bug on one input must not stop a batch
        yield failure(source, f"unexpected error: {type(exc).__name__}: {exc}")


def _iter_file(path: Path, *, max_bytes: int) -> Iterator[Article | SourceFailure]:
    name = path.name.lower()
    if name.endswith(WARC_SUFFIXES):
        from beltwatch.sources.warc import read_warc

        yield from read_warc(path, max_bytes=max_bytes)
    elif name.endswith(JSONL_SUFFIXES):
        from beltwatch.sources.jsonl import read_jsonl

        yield from read_jsonl(path, max_bytes=max_bytes)
    elif name.endswith(FEED_SUFFIXES):
        from beltwatch.sources.feeds import read_feed

        yield from read_feed(path, max_bytes=max_bytes)
    else:
        from beltwatch.sources.files import read_article

        yield read_article(path, max_bytes=max_bytes)


def _iter_url(url: str, *, allow_private: bool, max_bytes: int) -> Iterator[Article | SourceFailure]:
    from beltwatch.sources.url import read_url

    yield from read_url(url, allow_private=allow_private, max_bytes=max_bytes)


__all__ = [
    "MAX_CHARS",
    "MIN_WORDS",
    "SourceFailure",
    "failure",
    "iter_articles",
    "printable",
    "size_problem",
    "vetted",
]
