"""WARC archives (`.warc`, `.warc.gz`) via warcio: one article per HTML response record.

Only `response` records of http(s) URIs whose HTTP status is 2xx and whose content type is
HTML (`text/html`, `application/xhtml+xml`) are read; every other record (requests,
metadata, revisits, warcinfo, images, scripts, redirects, errors) is skipped silently. A page
goes through the same HTML extraction as `.html` files. Its id is derived from the target URI
(`url.url_id`: a readable slug plus a hash, stable across runs and archives; two captures of
one URI share it), its origin is `PATH#OFFSET` with the record's byte offset in the file (as
in CDX indexes), `meta.url` is the target URI and `meta.published` the page's own date, else
the capture date (`WARC-Date`).

A record that cannot be read (malformed HTTP headers, a corrupt or truncated gzip/deflate
body, a payload over `max_bytes` after decompression, binary content, no main text) is one
`SourceFailure` naming its offset and URI, and the next record goes on. The payload is
decompressed here, in bounded steps (`zlib` `max_length`), so a gzip bomb stops at
`max_bytes + 1` bytes; warcio's own decoder would fall back to raw bytes on a corrupt body.
A file that is not a WARC, or whose container breaks (a corrupt gzip member of a `.warc.gz`,
a bad record header), cannot be resynchronised: the records before are kept and the rest of
the file is one failure.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from beltwatch.errors import InputError
from beltwatch.model import Article
from beltwatch.sources import SourceFailure, failure
from beltwatch.sources.files import (
    DEFAULT_MAX_BYTES,
    decoded_article,
    normalise_published,
    open_binary,
)

HTML_TYPES = ("text/html", "application/xhtml+xml")

# warcio logs warnings quoting raw record bytes (a hostile archive's escape sequences); with no
# handler configured, Python would print them on stderr beside our one-line failures
logging.getLogger("warcio").addHandler(logging.NullHandler())
_CHUNK = 1 << 16
_HTTP_SCHEMES = ("http:", "https:")


def read_warc(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | SourceFailure]:
    """One article per HTML response record of a WARC file, a failure per unreadable record."""
    from warcio.archiveiterator import ArchiveIterator

    path = Path(path)
    source = str(path)
    with open_binary(path) as fh:
        if not fh.read(1):
            raise InputError("empty file", source=source)
        fh.seek(0)
        records = ArchiveIterator(fh, no_record_parse=True)
        # warcio prints a multi-line warning straight to stderr for a record whose length is off;
        # what follows such a record fails on its own, with one line, like every other failure
        records.INC_RECORD = ""
        count = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except Exception as exc:  # noqa: BLE001 - warcio raises many kinds on a broken container
                raise _unreadable(source, count, records.offset, _why(exc)) from None
            if record.format != "warc":  # warcio reads any line of five words as an ARC record
                raise _unreadable(source, count, records.offset, "not a WARC record")
            count += 1
            offset = records.offset
            uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
            record_source = f"{source}#{offset}"
            if record.rec_type != "response" or not uri.lower().startswith(_HTTP_SCHEMES):
                continue
            try:
                article = _record_article(record, uri, origin=record_source, max_bytes=max_bytes)
            except InputError as exc:
                yield failure(record_source, f"record at offset {offset} ({uri}): {exc.message}")
                continue
            except Exception as exc:  # noqa: BLE001 - one broken record must not stop the archive
                yield failure(record_source, f"record at offset {offset} ({uri}): {_why(exc)}")
                continue
            if article is not None:
                yield article


def _record_article(record: Any, uri: str, *, origin: str, max_bytes: int) -> Article | None:
    """The article of one response record; None for a record that is not an HTML page."""
    from warcio.bufferedreaders import ChunkedDataReader
    from warcio.statusandheaders import StatusAndHeadersParser

    from beltwatch.sources.url import parse_content_type, url_id

    try:
        http = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False).parse(record.raw_stream)
    except EOFError:
        return None  # an empty response record
    except Exception as exc:  # noqa: BLE001 - warcio's parser raises several kinds
        raise InputError(f"malformed HTTP headers: {_why(exc)}") from None
    status = http.get_statuscode() or ""
    if not (status.isdigit() and 200 <= int(status) < 300):
        return None
    mime, charset = parse_content_type(http.get_header("Content-Type"))
    if mime not in HTML_TYPES:
        return None

    stream: BinaryIO = record.raw_stream
    if (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
        stream = ChunkedDataReader(record.raw_stream)
    payload = read_payload(stream, http.get_header("Content-Encoding"), max_bytes)
    article = decoded_article(payload, html=True, article_id=url_id(uri), origin=origin, charset=charset)
    article.meta.url = uri
    if article.meta.published is None:
        captured = record.rec_headers.get_header("WARC-Date")
        if captured:
            try:
                article.meta.published = normalise_published(captured)
            except ValueError:
                pass
    return article


def read_payload(stream: BinaryIO, content_encoding: str | None, max_bytes: int) -> bytes:
    """The decoded body, at most `max_bytes`; `InputError` when it is larger, corrupt or truncated.

    `content_encoding` may be empty/identity, gzip (x-gzip) or deflate (zlib or raw);
    decompression is bounded, so a compressed bomb costs at most `max_bytes + 1` bytes.
    """
    encoding = (content_encoding or "").strip().lower()
    if encoding in ("", "identity", "none"):
        return _read_capped(stream, max_bytes)
    if encoding in ("gzip", "x-gzip"):
        wbits = [16 + zlib.MAX_WBITS]
    elif encoding == "deflate":
        wbits = [zlib.MAX_WBITS, -zlib.MAX_WBITS]  # zlib-wrapped as the RFC says, else raw deflate
    else:
        raise InputError(f"unsupported content encoding {encoding!r}")

    compressed = _read_capped(stream, max_bytes, what="compressed body")
    for attempt, bits in enumerate(wbits):
        try:
            return _inflate(compressed, bits, max_bytes)
        except zlib.error as exc:
            if attempt + 1 == len(wbits):
                raise InputError(f"corrupt {encoding} body: {exc}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _inflate(data: bytes, wbits: int, max_bytes: int) -> bytes:
    decompressor = zlib.decompressobj(wbits)
    out = bytearray()
    pending = data
    while pending:
        out += decompressor.decompress(pending, max_bytes + 1 - len(out))
        if len(out) > max_bytes:
            raise InputError(f"body is larger than the limit of {max_bytes:,} bytes once decompressed")
        pending = decompressor.unconsumed_tail
        if decompressor.eof:
            break
    if not decompressor.eof:
        raise InputError("truncated compressed body")
    return bytes(out)


def _read_capped(stream: BinaryIO, max_bytes: int, what: str = "body") -> bytes:
    out = bytearray()
    while len(out) <= max_bytes:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - len(out)))
        if not chunk:
            return bytes(out)
        out += chunk
    raise InputError(f"{what} is larger than the limit of {max_bytes:,} bytes")


def _unreadable(source: str, count: int, offset: int, why: str) -> InputError:
    where = (
        f"after {count} record{'s' if count != 1 else ''}, at offset {offset}" if count else "no WARC record"
    )
    return InputError(f"not a readable WARC file ({where}): {why}", source=source)


def _why(exc: BaseException) -> str:
    """`Type: message` on one short line; warcio quotes raw record bytes, so only printable ASCII is kept."""
    text = "".join(c if " " <= c <= "~" else "?" for c in " ".join(str(exc).split()))
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
