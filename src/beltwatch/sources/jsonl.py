"""JSON Lines (`.jsonl`, `.ndjson`): one article per line.

Each line is a JSON object with `text` (plain text, kept as is) or `html` (a page, read by
the same extraction as HTML files), plus optional metadata `id`, `published`, `source`,
`url`, `title`, `language`. The id is the given `id` (a string or an integer) or `STEM#LINE`;
the origin is `PATH#LINE` (1-based physical line numbers). Metadata given on the line wins
over what an HTML page says about itself.

A malformed line (bad JSON, not an object, no text, a field of the wrong type, a date that is
not a date, not UTF-8, NUL bytes, over `max_bytes`) is one `SourceFailure` naming the line, and the next
line goes on. Blank lines are skipped. The file is streamed, so `max_bytes` caps one line,
not the file; a file that is missing, empty or binary (say, gzip-compressed) is one `InputError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from beltwatch.errors import InputError
from beltwatch.model import Article, ArticleMeta
from beltwatch.sources import SourceFailure, failure
from beltwatch.sources.files import (
    DEFAULT_MAX_BYTES,
    _binary_kind,
    html_article,
    json_type,
    metadata_fields,
    open_binary,
)

_UTF8_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 16


class _BadLine(Exception):
    """Why one line is not an article."""


def read_jsonl(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | SourceFailure]:
    """One article (or failure) per non-blank line of a JSON Lines file."""
    path = Path(path)
    source = str(path)
    with open_binary(path) as fh:
        head = fh.read(_CHUNK)
        if not head.strip():
            if not head:
                raise InputError("empty file", source=source)
            raise InputError("empty file (only whitespace)", source=source)
        kind = _binary_kind(head, any_nul=False)
        if kind:
            raise InputError(f"binary content ({kind}), not JSON Lines", source=source)
        fh.seek(0)
        seen = False
        for number, raw in _lines(fh, max_bytes):
            line_source = f"{source}#{number}"
            if raw is None:
                yield failure(line_source, f"line {number}: longer than the limit of {max_bytes:,} bytes")
                continue
            if number == 1 and raw.startswith(_UTF8_BOM):
                raw = raw[len(_UTF8_BOM) :]
            if not raw.strip():
                continue
            seen = True
            try:
                yield _line_article(raw, number, stem=path.stem, origin=line_source)
            except (_BadLine, InputError) as exc:
                reason = exc.message if isinstance(exc, InputError) else str(exc)
                yield failure(line_source, f"line {number}: {reason}")
        if not seen:
            raise InputError("no JSON lines, only blank lines", source=source)


def _lines(fh: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the newline), or None for a line over `max_bytes`, which is skipped."""
    number = 0
    while True:
        line = fh.readline(max_bytes + 2)  # room for "\r\n"
        if not line:
            return
        number += 1
        if len(line) > max_bytes and not (line.endswith(b"\n") and len(line.rstrip(b"\r\n")) <= max_bytes):
            while not line.endswith(b"\n"):  # skip the rest of the long line
                line = fh.readline(_CHUNK)
                if not line:
                    break
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


def _line_article(raw: bytes, number: int, *, stem: str, origin: str) -> Article:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _BadLine(f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}") from None
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise _BadLine("malformed JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise _BadLine(f"not a JSON object but {json_type(data)}")

    article_id = _id(data.get("id")) or f"{stem}#{number}"
    text, page = data.get("text"), data.get("html")
    for key, value in (("text", text), ("html", page)):
        if value is not None and not isinstance(value, str):
            raise _BadLine(f"{key} should be a string, not {json_type(value)}")
    if text and text.strip():
        article = Article(id=article_id, text=text, meta=ArticleMeta(), origin=origin)
    elif page and page.strip():
        article = html_article(page, article_id=article_id, origin=origin)
    else:
        raise _BadLine("no 'text' or 'html' with content")

    try:
        fields = metadata_fields(data)
    except InputError as exc:
        raise _BadLine(exc.message) from None
    for key, value in fields.items():
        setattr(article.meta, key, value)
    return article


def _id(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _BadLine(f"id should be a string or an integer, not {json_type(value)}")
    text = str(value).strip()
    return text or None


