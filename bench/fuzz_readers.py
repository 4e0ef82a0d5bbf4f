"""Fuzz the HTML, feed and WARC readers of `beltwatch.sources` with hypothesis, for a given time.

    python bench/fuzz_readers.py [--minutes 5] [--slow 2.0] [--seed 0] [--findings DIR] [--json]

Each round draws inputs for one reader in turn, from structured generators (nested HTML with
attributes, entities, scripts and declared charsets; RSS and Atom documents with random items,
CDATA, entity references and broken closings; WARC archives written by warcio with random
records, statuses, content and transfer encodings) and then mutates a share of them at the byte
level (bit flips, insertions, deletions, truncation). A reader may answer an input with
articles, with `SourceFailure`s or with an `InputError`: those are its documented outcomes.
Reported: every other exception (type, message, the input saved under --findings), anything a
reader prints on stdout or stderr (a user would see it beside the one-line errors), every input
slower than --slow seconds, the number of inputs tried per reader, and the peak RSS of the
process (and inputs during which it grew by more than 100 MB). Exit code 1 when anything was
found. Nothing leaves the machine; WARC inputs are written to a temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import resource
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from beltwatch.errors import InputError
from beltwatch.sources import SourceFailure
from beltwatch.sources.feeds import parse_feed
from beltwatch.sources.files import decode_html, html_article
from beltwatch.sources.warc import read_warc

ROUND_EXAMPLES = 50
GROWTH_BYTES = 100 * 1024 * 1024

# --- generators ------------------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["Gwadar", "port", "loan", "CPEC", "China", "said", "the", "on", "Monday", "中国", "گوادر", "\u202e", "&amp;",
     "&nbsp;", "&#0;", "&#x110000;", "&bogus;", "<", ">", "\"", "'", "\x00", "\x1b[31m", "\r\n", "\n\n", " "]
)  # fmt: skip
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=30).map(" ".join)
TAGS = st.sampled_from(
    ["p", "div", "span", "article", "main", "section", "h1", "h2", "a", "b", "table", "tr", "td", "ul", "li",
     "script", "style", "noscript", "template", "iframe", "svg", "math", "title", "meta", "br", "img", "form"]
)  # fmt: skip
ATTRIBUTES = st.lists(
    st.tuples(
        st.sampled_from(
            ["class", "id", "href", "src", "lang", "content", "property", "name", "charset", "onload"]
        ),
        st.one_of(
            TEXT, st.sampled_from(["javascript:alert(1)", "og:title", "article:published_time", "utf-7"])
        ),
    ),
    max_size=3,
)


def _element(children: Any) -> Any:
    def build(tag: str, attrs: list[tuple[str, str]], inner: list[str], closed: bool) -> str:
        attributes = "".join(f' {k}="{v}"' for k, v in attrs)
        return f"<{tag}{attributes}>{''.join(inner)}" + (f"</{tag}>" if closed else "")

    return st.builds(build, TAGS, ATTRIBUTES, st.lists(children, max_size=4), st.booleans())


HTML_TREE = st.recursive(TEXT, _element, max_leaves=40)
CHARSETS = st.sampled_from(
    [None, "utf-8", "windows-1252", "iso-8859-1", "utf-16", "shift_jis", "utf-7", "bogus"]
)


@st.composite
def html_inputs(draw: Any) -> tuple[bytes, str | None]:
    head = draw(st.sampled_from(["", "<!DOCTYPE html>", "<?xml version='1.0'?>", "\ufeff"]))
    charset = draw(CHARSETS)
    meta = f'<meta charset="{charset}">' if charset and draw(st.booleans()) else ""
    title = draw(TEXT)
    body = draw(st.lists(HTML_TREE, max_size=6))
    deep = draw(st.integers(0, 3))
    nested = "<div>" * (deep * 1000) + draw(TEXT) + "</div>" * (deep * 1000 if draw(st.booleans()) else 0)
    page = f"{head}<html><head>{meta}<title>{title}</title></head><body>{''.join(body)}{nested}</body></html>"
    codec = charset if charset and charset not in ("bogus", "utf-7") else "utf-8"
    try:
        data = page.encode(codec, errors="replace")
    except LookupError:
        data = page.encode("utf-8", errors="replace")
    return data, draw(st.one_of(st.none(), CHARSETS))


@st.composite
def feed_inputs(draw: Any) -> bytes:
    atom = draw(st.booleans())
    items = []
    for _ in range(draw(st.integers(0, 5))):
        title, body, date = (
            draw(TEXT),
            draw(st.one_of(TEXT, HTML_TREE)),
            draw(st.one_of(TEXT, st.just("Mon, 20 Jan 2025 17:30:00 +0500"))),
        )
        wrap = draw(st.sampled_from(["cdata", "escaped", "raw"]))
        body = {
            "cdata": f"<![CDATA[{body}]]>",
            "escaped": body.replace("&", "&amp;").replace("<", "&lt;"),
            "raw": body,
        }[wrap]
        if atom:
            items.append(
                f"<entry><title>{title}</title><content type='html'>{body}</content><updated>{date}</updated></entry>"
            )
        else:
            items.append(
                f"<item><title>{title}</title><description>{body}</description><pubDate>{date}</pubDate></item>"
            )
    doctype = draw(
        st.sampled_from(
            [
                "",
                "<!DOCTYPE rss>",
                '<!DOCTYPE rss [<!ENTITY a "b">]>',
                '<!DOCTYPE rss SYSTEM "file:///etc/passwd">',
            ]
        )
    )
    if atom:
        doc = f'<?xml version="1.0"?>{doctype}<feed xmlns="http://www.w3.org/2005/Atom"><title>{draw(TEXT)}</title>{"".join(items)}</feed>'
    else:
        doc = f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<rss version="2.0"><channel><title>{draw(TEXT)}</title>{"".join(items)}</channel></rss>'
    if draw(st.booleans()):
        doc = doc[: draw(st.integers(0, len(doc)))]  # cut anywhere
    codec = draw(st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1"]))
    return doc.encode(codec, errors="replace")


@st.composite
def warc_inputs(draw: Any) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=draw(st.booleans()))
    for number in range(draw(st.integers(0, 4))):
        html, _ = draw(html_inputs())
        encoding = draw(st.sampled_from(["", "gzip", "deflate", "br", "gzip-corrupt", "gzip-bomb"]))
        body, headers = (
            html,
            [
                (
                    "Content-Type",
                    draw(st.sampled_from(["text/html", "text/html; charset=utf-16", "image/png", ""])),
                )
            ],
        )
        if encoding == "gzip":
            body = (
                zlib.compress(html, wbits=16 + zlib.MAX_WBITS) if draw(st.booleans()) else zlib.compress(html)
            )
        elif encoding == "deflate":
            body = zlib.compress(html)
        elif encoding == "gzip-corrupt":
            body = zlib.compress(html, wbits=16 + zlib.MAX_WBITS)[: draw(st.integers(0, 40))] + draw(
                st.binary(max_size=20)
            )
        elif encoding == "gzip-bomb":
            body = zlib.compress(b"\0" * (20 * 1024 * 1024), 9, wbits=16 + zlib.MAX_WBITS)
        if encoding:
            headers.append(("Content-Encoding", encoding.split("-")[0]))
        if draw(st.booleans()):
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
            headers.append(("Transfer-Encoding", "chunked"))
        status = draw(st.sampled_from(["200 OK", "404 Not Found", "301 Moved", "999 Odd", "abc"]))
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        uri = draw(st.sampled_from([f"https://news.example.org/{number}", "dns:x", "ftp://x/y", ""]))
        kind = draw(st.sampled_from(["response", "response", "request", "resource", "revisit"]))
        fixed = {
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>",
            "WARC-Date": "2024-10-07T12:00:00Z",
        }
        record = writer.create_warc_record(
            uri, kind, payload=io.BytesIO(body), length=len(body), http_headers=http, warc_headers_dict=fixed
        )  # fixed ids and dates: the same draws make the same bytes, as hypothesis needs
        writer.write_record(record)
    return buffer.getvalue()


@st.composite
def mutated(draw: Any, base: Any) -> Any:
    """A share of the inputs mutated at the byte level: flips, insertions, deletions, truncation."""
    value = draw(base)
    data, extra = (value, None) if isinstance(value, bytes) else value
    if data and draw(st.integers(0, 2)) == 0:
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data)))
            op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
            if op == "flip" and at < len(data):
                data[at] ^= 1 << draw(st.integers(0, 7))
            elif op == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=16))
            elif op == "delete":
                del data[at : at + draw(st.integers(1, 64))]
            elif op == "truncate":
                del data[at:]
        data = bytes(data)
    return data if extra is None and isinstance(value, bytes) else (data, extra)


# --- the readers ------------------------------------------------------------------------------------


def run_html(value: tuple[bytes, str | None], _folder: Path) -> None:
    data, charset = value
    html_article(decode_html(data, "fuzz", charset), article_id="fuzz", origin="fuzz")


def run_feed(data: bytes, _folder: Path) -> None:
    for item in parse_feed(data, source="fuzz", id_prefix="fuzz", origin="fuzz"):
        assert isinstance(item, SourceFailure) or item.text


def run_warc(data: bytes, folder: Path) -> None:
    path = folder / "input.warc.gz"
    path.write_bytes(data)
    list(read_warc(path))


READERS = {"html": (mutated(html_inputs()), run_html), "feed": (mutated(feed_inputs()), run_feed),
           "warc": (mutated(warc_inputs()), run_warc)}  # fmt: skip


# --- the loop -----------------------------------------------------------------------------------------


class Fuzz:
    def __init__(self, folder: Path, findings: Path, slow: float) -> None:
        self.folder, self.findings, self.slow = folder, findings, slow
        self.tried: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.errors: dict[str, dict[str, Any]] = {}  # by exception type and place
        self.slow_inputs: list[dict[str, Any]] = []
        self.growth: list[dict[str, Any]] = []

    def one(self, name: str, value: Any) -> None:
        reader = READERS[name][1]
        before = peak_rss()
        start = time.perf_counter()
        printed = io.StringIO()
        try:
            with contextlib.redirect_stderr(printed), contextlib.redirect_stdout(printed):
                reader(value, self.folder)
            self.outcomes["read"] += 1
        except InputError:
            self.outcomes["InputError"] += 1
        except Exception as exc:  # noqa: BLE001 - the point: anything undocumented is a finding
            self.finding(name, value, exc)
        elapsed = time.perf_counter() - start
        if printed.getvalue():  # a reader must not print: a user would see it beside our one-line errors
            self.finding(name, value, RuntimeError(f"printed: {printed.getvalue()[:200]!r}"))
        self.tried[name] += 1
        if elapsed > self.slow:
            self.slow_inputs.append(
                {"reader": name, "seconds": round(elapsed, 2), "input": self.save(name, value)}
            )
        if peak_rss() - before > GROWTH_BYTES:
            self.growth.append(
                {"reader": name, "grew_mb": (peak_rss() - before) // 2**20, "input": self.save(name, value)}
            )

    def finding(self, name: str, value: Any, exc: Exception) -> None:
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "output"
        key = f"{name}: {type(exc).__name__} at {where}"
        entry = self.errors.setdefault(
            key, {"count": 0, "message": str(exc)[:300], "input": self.save(name, value)}
        )
        entry["count"] += 1

    def save(self, name: str, value: Any) -> str:
        data = value if isinstance(value, bytes) else value[0]
        path = self.findings / f"{name}-{hashlib.sha1(data).hexdigest()[:12]}.bin"
        path.write_bytes(data)
        return str(path)

    def round(self, name: str, number: int) -> None:
        strategy = READERS[name][0]

        @seed(number)
        @settings(max_examples=ROUND_EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(strategy)
        def draw(value: Any) -> None:
            self.one(name, value)

        try:
            draw()
        except Exception as exc:  # noqa: BLE001 - hypothesis itself gave up on this round: say so, go on
            self.outcomes[f"round aborted ({type(exc).__name__})"] += 1


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument(
        "--slow", type=float, default=2.0, help="seconds after which an input is reported as slow"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--findings", type=Path, default=None, help="folder for inputs worth keeping")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()

    findings = args.findings or Path(tempfile.mkdtemp(prefix="beltwatch-fuzz-"))
    findings.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="beltwatch-fuzz-work-") as work:
        fuzz = Fuzz(Path(work), findings, args.slow)
        number = args.seed
        while time.monotonic() - started < args.minutes * 60:
            for name in READERS:
                fuzz.round(name, number)
            number += 1
    report = {
        "minutes": round((time.monotonic() - started) / 60, 2),
        "inputs": dict(fuzz.tried),
        "outcomes": dict(fuzz.outcomes),
        "unexpected_exceptions": fuzz.errors,
        "slow_inputs": fuzz.slow_inputs,
        "memory_growth": fuzz.growth,
        "peak_rss_mb": peak_rss() // 2**20,
        "load_average": {
            "start": [round(x, 2) for x in load_before],
            "end": [round(x, 2) for x in os.getloadavg()],
        },
        "findings_folder": str(findings),
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(
            f"{sum(fuzz.tried.values()):,} inputs in {report['minutes']} min: "
            + ", ".join(f"{k} {v:,}" for k, v in fuzz.tried.items())
        )
        print(
            f"outcomes: {report['outcomes']}; peak RSS {report['peak_rss_mb']} MB; load {report['load_average']}"
        )
        for key, entry in fuzz.errors.items():
            print(f"UNEXPECTED {key} x{entry['count']}: {entry['message']} ({entry['input']})")
        for item in fuzz.slow_inputs:
            print(f"SLOW {item['reader']} {item['seconds']} s ({item['input']})")
        for item in fuzz.growth:
            print(f"MEMORY {item['reader']} +{item['grew_mb']} MB ({item['input']})")
    return 1 if fuzz.errors or fuzz.slow_inputs or fuzz.growth else 0


if __name__ == "__main__":
    sys.exit(main())
