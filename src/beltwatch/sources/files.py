"""Read articles from local files: plain text (.txt, .md) with optional sidecars, and HTML pages.

Every failure to read an article is an `InputError` with a one-line reason and the file as
its source, so a batch run can report the file and go on with the next one.

Plain text comes with its metadata in a sidecar `NAME.meta.json` beside it (keys
`published`, `source`, `url`, `title`, `language`). HTML pages give theirs in the page
itself (`og:title`, `article:published_time`, `og:site_name`, the canonical link,
`<html lang>`); trafilatura finds the main text and leaves menus, cookie banners, share
bars and related links behind.

Files need not be UTF-8 (`decode`): a byte order mark, a page's declared charset or, failing
both, charset-normalizer's guess decides, and `meta.encoding` says which codec read the text.
Bytes the codec cannot read become U+FFFD, counted in `meta.replaced_characters`; a text with
more than 5 % of them is refused as mostly unreadable.
"""

from __future__ import annotations

import codecs
import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

from beltwatch.errors import InputError, UsageError
from beltwatch.model import Article, ArticleMeta

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SIDECAR_SUFFIXES = (".meta.json", ".gold.json")
SIDECAR_KEYS = ("published", "source", "url", "title", "language")
DEFAULT_MAX_BYTES = 10_000_000

_UTF8_BOM = b"\xef\xbb\xbf"
# Byte order marks, UTF-32 LE before UTF-16 LE, whose mark begins it.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (_UTF8_BOM, "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_WIDE = ("utf-16", "utf-32")
_WESTERN = "cp1252"
_REPLACEMENT = "\ufffd"
# A text with a few undecodable bytes is an article with flaws; past this share it is noise.
MAX_REPLACED_SHARE = 0.05

# Leading bytes of common binary formats, checked before anything tries to decode the file.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ\x90\x00", "Windows executable"),
)
_RIFF_KINDS = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}

# Bytes that never occur in text: C0 controls except tab, LF, VT, FF, CR and ESC, plus DEL.
_CONTROL_BYTES = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}) | {0x7F}
_CONTROL_SAMPLE = 65_536
_CONTROL_SHARE = 0.3


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, the codec that read them and how many characters it had to replace."""

    text: str
    encoding: str
    replaced: int = 0

    def note(self, meta: ArticleMeta) -> None:
        meta.encoding = self.encoding
        meta.replaced_characters = self.replaced


def iter_article_paths(paths: Iterable[Path], suffixes: tuple[str, ...] = ARTICLE_SUFFIXES) -> Iterator[Path]:
    """Yield article files: files as given, folders searched recursively in sorted order.

    Inside folders only files with one of `suffixes` are kept (case-insensitive) and
    sidecars (`*.meta.json`, `*.gold.json`) and hidden files are skipped. A path that is
    not a folder is yielded as given, even if it does not exist, so that reading it reports
    the problem.
    """
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            yield path
            continue
        found = []
        for candidate in path.rglob("*"):
            rel = candidate.relative_to(path)
            if any(part.startswith(".") for part in rel.parts):
                continue
            name = candidate.name.lower()
            if name.endswith(SIDECAR_SUFFIXES) or not name.endswith(suffixes):
                continue
            if candidate.is_file():
                found.append(candidate)
        yield from sorted(found)


def read_article(path: Path, published: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read one article file into an `Article` (raw text, not yet cleaned).

    `published` overrides the date from the sidecar or the page; it may be any form
    `normalise_published` accepts. Raises `InputError` for a file that is missing,
    unreadable, empty, binary, mostly undecodable, over `max_bytes`, an HTML page without main
    text, or a malformed sidecar; `UsageError` for a `published` argument that is not a date.
    """
    path = Path(path)
    override = None
    if published is not None:
        try:
            override = normalise_published(published)
        except ValueError as exc:
            raise UsageError(f"published: {exc}", source=str(path)) from None

    data = read_bytes(path, max_bytes)
    html = path.suffix.lower() in HTML_SUFFIXES
    article = decoded_article(data, html=html, article_id=path.stem, origin=str(path))

    sidecar = _read_sidecar(path)
    for key, value in sidecar.items():
        setattr(article.meta, key, value)
    if override is not None:
        article.meta.published = override
    return article


def normalise_published(value: str) -> str:
    """The ISO date of a date or timestamp, at the precision it is given; `ValueError` if it is none.

    A day gives `YYYY-MM-DD`, a month `YYYY-MM`, a year `YYYY` (SCHEMA.md's date forms), so an
    imprecise date is kept as what it says rather than refused or made up. Accepts ISO dates and
    timestamps (`2023-10-12T16:40:00+05:30` gives the date as written, not converted to UTC),
    `2023/10/12`, RFC 822/2822 dates from feeds (`Mon, 20 Jan 2025 17:30:00 +0500`), written dates
    with or without a time (`12 October 2023`, `October 12, 2023 at 9:14 pm`), and months and years
    (`2022-11`, `November 2022`, `2022`).
    """
    text = str(value).strip()
    m = re.match(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?![\d])", text)
    if m:
        try:
            if m[3] is None:
                return date(int(m[1]), int(m[2]), 1).isoformat()[:7]
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            raise ValueError(f"not a valid date: {text!r}") from None
    if re.fullmatch(r"(1[89]|20)\d\d", text):
        return text
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.replace(",", " "))
    # a time of day after a written date ("09:14 PM IST", "at 9:14 pm") says nothing of the day
    cleaned = re.sub(r"\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,5})?$", "", cleaned, flags=re.IGNORECASE)
    cleaned = " ".join(cleaned.split())
    for fmt, width in _WRITTEN_DATES:
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()[:width]
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


_WRITTEN_DATES = tuple(
    [(f, 10) for f in ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%A %d %B %Y", "%A %B %d %Y", "%a %d %b %Y")]
    + [(f, 7) for f in ("%B %Y", "%b %Y")]
)


# --- reading and checking bytes ------------------------------------------------------------


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a file; `InputError` if it is missing, a folder, unreadable, empty or over `max_bytes`."""
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    if path.is_dir():
        raise InputError("is a folder, not a file", source=source)
    if size > max_bytes:
        raise InputError(f"file is too large: {size:,} bytes, over the limit of {max_bytes:,}", source=source)
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
    if len(data) > max_bytes:  # grew since stat, or a special file that reports no size
        raise InputError(f"file is too large: over the limit of {max_bytes:,} bytes", source=source)
    if not data:
        raise InputError("empty file", source=source)
    return data


def decode_html(data: bytes, source: str, charset: str | None = None) -> str:
    """The text of an HTML page's bytes, as `decode` reads them (for callers that want no metadata)."""
    return decode(data, source, charset, html=True).text


def decode(data: bytes, source: str, charset: str | None = None, *, html: bool = False) -> Decoded:
    """Text of `data` and how it was read: byte order mark, else `charset`, else UTF-8, else a guess.

    `charset` is what HTTP declares; for an HTML page (`html`) a `<meta charset>` or
    `<meta http-equiv="Content-Type">` in its head declares one when HTTP does not. Bytes that
    are not UTF-8 and declare nothing are guessed by charset-normalizer. `InputError` for binary
    content, only whitespace, or more than `MAX_REPLACED_SHARE` of the characters undecodable.
    """
    noun, kind = ("page", "HTML") if html else ("file", "text")
    if html and not data.strip():
        raise InputError("empty page", source=source)
    bom, codec = _bom(data)
    if not (codec or "").startswith(_WIDE):  # NUL bytes are part of UTF-16 and UTF-32 text
        binary = _binary_kind(data)
        if binary:
            raise InputError(f"binary content ({binary}), not {kind}", source=source)
    codec = codec or _codec(charset) or (_meta_codec(data) if html else None)
    body = data[len(bom) :]
    decoded = _read_as(body, codec) if codec else _read_undeclared(body)
    if not decoded.text.strip():
        raise InputError(f"empty {noun} (only whitespace)", source=source)
    _refuse_unreadable(decoded, source)
    return decoded


def _refuse_unreadable(decoded: Decoded, source: str) -> None:
    total = len(decoded.text)
    if decoded.replaced > MAX_REPLACED_SHARE * total:
        raise InputError(
            f"mostly unreadable: {decoded.replaced:,} of {total:,} characters could not be decoded "
            f"as {decoded.encoding} (more than {MAX_REPLACED_SHARE:.0%})",
            source=source,
        )


def _bom(data: bytes) -> tuple[bytes, str | None]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return bom, codec
    return b"", None


def _read_as(data: bytes, codec: str) -> Decoded:
    try:
        return Decoded(data.decode(codec), codec)
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
    # the text may hold U+FFFD of its own; only those the decoder put in are losses
    replaced = text.count(_REPLACEMENT) - data.decode(codec, errors="ignore").count(_REPLACEMENT)
    return Decoded(text, codec, replaced)


def _read_undeclared(data: bytes) -> Decoded:
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return _read_as(data, _guessed_codec(data) or "utf-8")


def _guessed_codec(data: bytes) -> str | None:
    """charset-normalizer's codec for bytes that are not UTF-8; windows-1252 whenever it is a candidate.

    For short Western texts charset-normalizer ranks look-alike code pages (cp775, cp1250) above
    windows-1252, though they turn "café" into "cafķ". windows-1252 is the web's default and the
    commonest legacy encoding of news archives, and the mojibake it makes of stray UTF-8 is what
    the cleaner's ftfy repairs, so among the plausible readings it is taken first.
    """
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    if any(_WESTERN in match.could_be_from_charset for match in matches):
        return _WESTERN
    best = matches.best()
    return codecs.lookup(best.encoding).name if best else None


def _binary_kind(data: bytes, *, any_nul: bool = True) -> str | None:
    """Why `data` is binary, or None when it looks like text.

    With `any_nul=False` a few NUL bytes are not enough (in a file of independent records, such
    as JSON Lines, they spoil one record, not the file); a share of control bytes still is.
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(b"RIFF") and data[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[data[8:12]]
    if any_nul and b"\x00" in data:
        return "NUL bytes"
    sample = data[:_CONTROL_SAMPLE]
    controls = sum(1 for byte in sample if byte in _CONTROL_BYTES)
    if controls > _CONTROL_SHARE * len(sample):
        return "mostly control bytes"
    return None


# --- sidecar metadata ----------------------------------------------------------------------


def sidecar_path(path: Path) -> Path:
    """`NAME.meta.json` beside `NAME.txt`."""
    return path.with_name(path.stem + ".meta.json")


def _read_sidecar(path: Path) -> dict[str, str | None]:
    """The known keys of the sidecar beside `path`, normalised; {} when there is none."""
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    source = str(path)
    try:
        raw = side.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read sidecar {side.name}: {exc}", source=source) from None
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed sidecar {side.name}: {exc}", source=source) from None
    if not isinstance(data, dict):
        raise InputError(f"malformed sidecar {side.name}: not a JSON object", source=source)
    try:
        return metadata_fields(data)
    except InputError as exc:
        raise InputError(f"malformed sidecar {side.name}: {exc.message}", source=source) from None


def metadata_fields(data: dict[str, Any]) -> dict[str, str | None]:
    """The known metadata keys of a JSON object (a sidecar, a JSON Lines record), normalised;
    an `InputError` naming the key when one is not a string. A `published` string that is no
    date is left out."""
    out: dict[str, str | None] = {}
    for key in SIDECAR_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"{key} should be a string, not {json_type(value)}")
        value = value.strip()
        if not value:
            continue
        if key == "published":
            try:
                value = normalise_published(value)
            except ValueError:
                # as for feeds and pages: a date nobody can read costs the date, never the article
                continue
        elif key == "language":
            value = _language_code(value)
        out[key] = value
    return out


def json_type(value: Any) -> str:
    """How JSON names the type of a parsed value, for messages."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


# --- HTML ----------------------------------------------------------------------------------


def decoded_article(
    data: bytes,
    *,
    html: bool,
    article_id: str,
    origin: str,
    charset: str | None = None,
    source: str | None = None,
) -> Article:
    """An `Article` from the bytes of a text or an HTML page, with how they were decoded in its metadata.

    `charset` is the one HTTP declares; `InputError`s name `source` (default `origin`) for the
    bytes and `origin` for the page.
    """
    decoded = decode(data, source or origin, charset, html=html)
    if html:
        article = html_article(decoded.text, article_id=article_id, origin=origin)
    else:
        article = Article(id=article_id, text=decoded.text, origin=origin)
    decoded.note(article.meta)
    return article


def html_article(html: str, *, article_id: str, origin: str) -> Article:
    """An `Article` from an HTML page that did not come from a file (a WARC record, a URL, a JSON line).

    Same extraction as `read_article` for `.html` files; `InputError` (source `origin`) when the
    page has no main text.
    """
    body, meta = _from_html(html, origin)
    return Article(id=article_id, text=body, meta=meta, origin=origin)


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def _meta_codec(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    codec = _codec(m[1].decode("ascii")) if m else None
    # a page whose meta tag a byte pattern found is not UTF-16 or UTF-32, whatever the tag says
    return None if codec and codec.startswith(_WIDE) else codec


def _codec(charset: str | None) -> str | None:
    """The Python codec of a declared charset; None for one unknown or not a character set.

    latin-1 and ASCII mean windows-1252 on the web. Only character sets charset-normalizer knows
    are honoured: Python also has codecs such as `idna`, `undefined` or `base64` that a hostile
    header could name, and that fail on any bytes.
    """
    if not charset:
        return None
    try:
        name = codecs.lookup(charset.strip().strip("\"'")).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return None
    if name in ("latin-1", "iso8859-1", "ascii"):
        return _WESTERN
    return name if name in _charsets() else None


@functools.cache
def _charsets() -> frozenset[str]:
    from charset_normalizer.constant import IANA_SUPPORTED

    return frozenset(codecs.lookup(name).name for name in IANA_SUPPORTED)


def _from_html(html: str, path: Path | str) -> tuple[str, ArticleMeta]:
    """Main text (headline, blank line, paragraphs) and metadata of an HTML page."""
    import trafilatura

    source = str(path)
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            favor_precision=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura and lxml raise many kinds on broken pages
        raise InputError(f"cannot parse HTML: {exc}", source=source) from None
    body = (getattr(doc, "text", None) or "") if doc is not None else ""
    if not body.strip():
        raise InputError("no main text found", source=source)

    head = _head_meta(html)
    sitename = head.get("site_name") or _attr(doc, "sitename")
    title = head.get("title") or _attr(doc, "title")
    if title and sitename:
        title = _strip_site_suffix(title, sitename)
    published = None
    for candidate in (head.get("published"), _attr(doc, "date")):
        if candidate:
            try:
                published = normalise_published(candidate)
                break
            except ValueError:
                continue
    meta = ArticleMeta(
        published=published,
        source=sitename,
        url=head.get("url") or _attr(doc, "url"),
        title=title,
        language=head.get("language") or _language_code(_attr(doc, "language")),
    )

    paragraphs = [" ".join(line.split()) for line in body.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if title and (not paragraphs or paragraphs[0].casefold() != title.casefold()):
        paragraphs.insert(0, title)
    return "\n\n".join(paragraphs) + "\n", meta


def _attr(doc: Any, name: str) -> str | None:
    value = getattr(doc, name, None) if doc is not None else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _head_meta(html: str) -> dict[str, str]:
    """Metadata read straight from the page head, which trafilatura does not all return."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - an unparsable head just gives no metadata
        return {}
    out: dict[str, str] = {}

    def meta_content(*keys: str) -> str | None:
        for key in keys:
            for attr in ("property", "name", "itemprop"):
                for node in root.xpath(f"//meta[@{attr}=$key]", key=key):
                    content = (node.get("content") or "").strip()
                    if content:
                        return content
        return None

    title = meta_content("og:title", "twitter:title")
    if title:
        out["title"] = " ".join(title.split())
    published = meta_content(
        "article:published_time", "og:published_time", "datePublished", "pubdate", "publishdate", "date"
    )
    if published:
        out["published"] = published
    site = meta_content("og:site_name", "application-name")
    if site:
        out["site_name"] = site
    canonical = [n.get("href", "").strip() for n in root.xpath("//link[@rel='canonical']")]
    url = next((u for u in canonical if u), None) or meta_content("og:url")
    if url:
        out["url"] = url
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = lang or meta_content("og:locale")
    for node in root.xpath("//meta[@http-equiv]"):
        if not lang and node.get("http-equiv", "").lower() == "content-language":
            lang = node.get("content")
    code = _language_code(lang)
    if code:
        out["language"] = code
    return out


def _language_code(value: str | None) -> str | None:
    """`en-US`, `en_GB`, `EN` -> `en`; None for nothing."""
    if not value:
        return None
    code = re.split(r"[-_,;\s]", value.strip(), maxsplit=1)[0].lower()
    return code or None


def _strip_site_suffix(title: str, site: str) -> str:
    """`Headline | Site` -> `Headline`; the title is kept whole when nothing would remain."""
    pattern = rf"\s*[|｜\-–—:·•]\s*{re.escape(site)}\s*$"
    stripped = re.sub(pattern, "", title, flags=re.IGNORECASE).strip()
    return stripped or title


def open_binary(path: Path) -> BinaryIO:
    """A source file opened for reading bytes, or an InputError saying in one line why it cannot be."""
    source = str(path)
    if path.is_dir():
        raise InputError("is a folder, not a file", source=source)
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError("file not found", source=source) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=source) from None
