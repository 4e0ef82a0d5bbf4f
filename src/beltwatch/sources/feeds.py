"""RSS and Atom feeds: one article per item, parsed by feedparser from bytes (a file or a URL).

An item's article has the id `STEM#N` (N is the 1-based position in the feed, so the corpus
feed gives `bri-topic-feed#1` ... `#4`) and the text: title line, blank line, body. The body is
the item's full content (`content:encoded`, Atom `<content>`) when it is at least as long as its
description/summary, else the description; HTML in it is reduced to paragraphs of text.
`meta.published` is the item's own date as written (`pubDate`, Atom `published`, else
`updated`), `meta.url` its link, `meta.source` the channel title, `meta.language` the feed's.

A feed that cannot be read at all is one `InputError`; an item without any text is one
`SourceFailure` and the other items go on. Feedparser sets `bozo` for any flaw; a flawed feed
that still has entries keeps them, a flawed feed without entries is a failure.

Security. Feedparser 6 parses with expat (`feature_external_ges` off) and, when that fails,
falls back to its own loose SGML parser; neither reads external entities, external DTDs or
files, and expat >= 2.4 stops "billion laughs" nesting. But feedparser keeps *flat* internal
entities (`<!ENTITY a "...">`) and its loose parser expands them without limit, so a 26 KB feed
whose description repeats one 20 KB entity 2,000 times becomes a 40 MB summary (quadratic
blow-up). Entity declarations have no business in a news feed, so a feed that declares any
(`<!ENTITY`) is refused before feedparser sees it. Bytes are always handed to feedparser as a
stream: given `bytes` or `str`, `feedparser.parse` first tries to open them as a file name or URL.
"""

from __future__ import annotations

import calendar
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from beltwatch.errors import InputError
from beltwatch.model import Article, ArticleMeta
from beltwatch.sources import SourceFailure, failure
from beltwatch.sources.files import (
    DEFAULT_MAX_BYTES,
    _binary_kind,
    _language_code,
    normalise_published,
    read_bytes,
)

# "<!ENTITY" in the encodings feedparser detects: ASCII-compatible, UTF-16, UTF-32 and EBCDIC.
_ENTITY_MARKERS = tuple(
    {
        "<!ENTITY".encode(codec)
        for codec in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp037")
    }
)
_ENTITY_ASCII = re.compile(rb"<!ENTITY", re.IGNORECASE)
_WIDE_STARTS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<")

_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "table", "tr", "section", "article", "figure", "figcaption", "hr", "dd", "dt",
)  # fmt: skip


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed: its article (or why it has none) and the moment the feed says it was
    published, in UTC, when the feed gives a time (`beltwatch follow` measures its delay by it)."""

    article: Article | SourceFailure
    published_at: datetime | None


def read_feed(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | SourceFailure]:
    """The items of a feed file; `InputError` (raised on first iteration) if the file is not a readable feed."""
    path = Path(path)
    data = read_bytes(path, max_bytes)
    yield from parse_feed(data, source=str(path), id_prefix=path.stem, origin=str(path))


def parse_feed(
    data: bytes,
    *,
    source: str,
    id_prefix: str,
    origin: str,
    content_type: str | None = None,
    base_url: str | None = None,
) -> Iterator[Article | SourceFailure]:
    """The items of feed bytes as articles `ID_PREFIX#N` with origin `ORIGIN#N`.

    `content_type` (the HTTP header, for its charset) and `base_url` (to resolve relative
    links) come from a fetch. Raises `InputError` (source `source`) when the bytes are not a
    feed, are binary, declare XML entities, or are broken without any item.
    """
    for item in feed_items(
        data, source=source, id_prefix=id_prefix, origin=origin, content_type=content_type, base_url=base_url
    ):
        yield item.article


def feed_items(
    data: bytes,
    *,
    source: str,
    id_prefix: str,
    origin: str,
    content_type: str | None = None,
    base_url: str | None = None,
) -> Iterator[FeedItem]:
    """`parse_feed`'s items, each with the time it was published (see `FeedItem`)."""
    import feedparser

    if not data.strip():
        raise InputError("empty feed", source=source)
    if not data.startswith(_WIDE_STARTS):
        kind = _binary_kind(data)
        if kind:
            raise InputError(f"binary content ({kind}), not a feed", source=source)
    if _ENTITY_ASCII.search(data) or any(marker in data for marker in _ENTITY_MARKERS):
        raise InputError(
            "feed declares XML entities (<!ENTITY>); refused, entity expansion is unsafe", source=source
        )

    headers = {}
    if content_type:
        headers["content-type"] = content_type
    if base_url:
        headers["content-location"] = base_url
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # noqa: BLE001 - its loose parser raises on some references ("&#x110000;")
        raise InputError(f"not a readable feed: {type(exc).__name__}: {exc}", source=source) from None
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            raise InputError(f"not a readable feed: {_bozo_reason(parsed)}", source=source)
        if not parsed.get("version"):
            raise InputError("not an RSS or Atom feed", source=source)
        return  # a well-formed feed with no items: nothing to read

    channel = parsed.get("feed") or {}
    channel_title = _plain(channel.get("title_detail")) or _clean_line(channel.get("title"))
    channel_language = _language_code(channel.get("language"))
    for number, entry in enumerate(entries, start=1):
        item_source = f"{origin}#{number}"
        published_at = _entry_time(entry)
        try:
            article = _entry_article(entry, channel_title, channel_language)
        except ValueError as exc:
            yield FeedItem(failure(item_source, f"item {number}: {exc}"), published_at)
            continue
        article.id = f"{id_prefix}#{number}"
        article.origin = item_source
        yield FeedItem(article, published_at)


def _entry_article(entry: Any, channel_title: str | None, channel_language: str | None) -> Article:
    title = _plain(entry.get("title_detail")) or _clean_line(entry.get("title"))
    summary = _paragraphs(entry.get("summary_detail")) or _paragraphs_of(entry.get("summary"), "text/html")
    content: list[str] = []
    for detail in entry.get("content") or []:
        content = _paragraphs(detail)
        if content:
            break
    body = content if len(" ".join(content)) >= len(" ".join(summary)) else summary
    if body and title and body[0].casefold() == title.casefold():
        body = body[1:]
    if not title and not body:
        raise ValueError("no title and no text")
    text = "\n\n".join(([title] if title else []) + body) + "\n"

    language = channel_language
    for key in ("title_detail", "summary_detail"):
        detail = entry.get(key) or {}
        language = language or _language_code(detail.get("language"))
    meta = ArticleMeta(
        published=_entry_date(entry),
        source=channel_title,
        url=(entry.get("link") or "").strip() or None,
        title=title or None,
        language=language,
    )
    return Article(id="", text=text, meta=meta)


def _entry_date(entry: Any) -> str | None:
    """The item's date as written (not converted to UTC); feedparser's parse of it as a fallback."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            try:
                return normalise_published(raw)
            except ValueError:
                pass
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            try:
                return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
            except AttributeError:
                continue
    return None


def _entry_time(entry: Any) -> datetime | None:
    """The item's publication time in UTC from feedparser's parse (a struct_time in UTC), if any."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, TypeError, OSError):
                continue
    return None


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return "malformed feed"
    # SAXParseException reads "<unknown>:3:0: undefined entity"
    return re.sub(r"^<unknown>:(\d+):(\d+):", r"line \1, column \2:", str(exc)) or type(exc).__name__


# --- text of feed fields -------------------------------------------------------------------


def _plain(detail: Any) -> str | None:
    """A one-line text field (title) from a feedparser detail dict."""
    if not detail:
        return None
    return _clean_line(" ".join(_paragraphs(detail))) or None


def _clean_line(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(html.unescape(value).split()) or None


def _paragraphs(detail: Any) -> list[str]:
    if not detail:
        return []
    return _paragraphs_of(detail.get("value"), detail.get("type") or "text/html")


def _paragraphs_of(value: Any, kind: str) -> list[str]:
    """Paragraphs of text of a feed field: plain text split on blank lines, HTML reduced to text."""
    if not isinstance(value, str) or not value.strip():
        return []
    if "html" not in kind.lower() or not re.search(r"<[A-Za-z/!]", value):
        # plain text, or "HTML" that is only text and character references
        chunks = re.split(r"\n\s*\n", html.unescape(value))
        return [p for p in (" ".join(c.split()) for c in chunks) if p]
    return html_paragraphs(value)


def html_paragraphs(markup: str) -> list[str]:
    """Paragraphs of an HTML fragment: block elements and `<br>` break paragraphs; scripts and styles go."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return [p for p in (" ".join(c.split()) for c in re.split(r"\n\s*\n", html.unescape(markup))) if p]
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n\n" + (element.text or "")
    text = root.text_content()
    return [p for p in (" ".join(chunk.split()) for chunk in re.split(r"\n\s*\n", text)) if p]
