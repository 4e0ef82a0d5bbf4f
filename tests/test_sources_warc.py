"""WARC archives: HTML response records become articles; other records are skipped; bad records fail alone."""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from beltwatch.errors import InputError
from beltwatch.sources import SourceFailure, iter_articles
from beltwatch.sources.url import url_id
from beltwatch.sources.warc import read_payload, read_warc
from readers import split

CORPUS = Path(__file__).parent / "corpus" / "dev"
CORPUS_PAGE = (CORPUS / "sri-lanka-exim-debt-deal-2023.html").read_bytes()

PAGE = b"""<html lang="en"><head><title>Port deal signed</title>
<meta property="og:title" content="Port deal signed"></head><body><nav>Home | World</nav>
<article><h1>Port deal signed</h1>
<p>Officials in Colombo signed an agreement on Tuesday with a Chinese state-owned company to expand the
container terminal at the southern port, according to a statement released by the ports authority.</p>
<p>The agreement covers dredging, two new berths and a rail spur to the inland depot, and is expected to be
completed within four years if financing arrives on schedule from the lenders involved.</p>
<p>Opposition lawmakers criticised the terms and asked for the full contract to be tabled in parliament
before any construction work begins at the site.</p></article><footer>Copyright</footer></body></html>"""


class Archive:
    """Builds a WARC file record by record with warcio's WARCWriter."""

    def __init__(self, path: Path, *, gz: bool) -> None:
        self.path = path
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gz)

    def response(
        self,
        uri: str,
        body: bytes,
        *,
        content_type: str = "text/html; charset=utf-8",
        status: str = "200 OK",
        extra: list[tuple[str, str]] | None = None,
        date: str = "2024-10-07T12:00:00Z",
    ) -> None:
        headers = [("Content-Type", content_type), *(extra or [])]
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            length=len(body),  # with a length, warcio needs no temporary file
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)

    def record(self, uri: str, kind: str, body: bytes, content_type: str = "text/plain") -> None:
        record = self.writer.create_warc_record(
            uri, kind, payload=io.BytesIO(body), length=len(body), warc_content_type=content_type
        )
        self.writer.write_record(record)

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(self.buffer.getvalue())
        return self.path


def build(tmp_path: Path, gz: bool) -> Path:
    archive = Archive(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), gz=gz)
    archive.writer.write_record(archive.writer.create_warcinfo_record("crawl", {"software": "test"}))
    archive.record(
        "https://news.example.org/a",
        "request",
        b"GET /a HTTP/1.1\r\nHost: news.example.org\r\n\r\n",
        content_type="application/http; msgtype=request",
    )
    archive.response("https://news.example.org/a", PAGE)  # 1: plain page, no date in the page
    archive.response("https://news.example.org/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    archive.response("https://news.example.org/gone", PAGE, status="404 Not Found")
    archive.response(
        "https://news.example.org/broken",
        b"\x1f\x8b\x08\x00garbage-not-gzip" * 10,
        extra=[("Content-Encoding", "gzip")],
    )  # corrupt gzip payload: a failure
    archive.response(
        "https://news.example.org/sl", gzip.compress(CORPUS_PAGE), extra=[("Content-Encoding", "gzip")]
    )  # 2: gzip payload, date from the page
    body = PAGE.replace(b"Port deal signed", b"Chunked page")
    chunked = (
        b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:100], body[100:])) + b"0\r\n\r\n"
    )
    archive.response(
        "https://news.example.org/chunked", chunked, extra=[("Transfer-Encoding", "chunked")]
    )  # 3
    archive.record("https://news.example.org/meta", "metadata", b"outlinks: none")
    archive.record("https://news.example.org/resource", "resource", PAGE, content_type="text/html")
    archive.response("dns:news.example.org", b"news.example.org. 300 IN A 192.0.2.1", content_type="text/dns")
    return archive.save()


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_html_responses_become_articles_and_the_rest_is_skipped(tmp_path: Path, gz: bool):
    path = build(tmp_path, gz)
    articles, failures = split(iter_articles([path]))
    assert [a.meta.url for a in articles] == [
        "https://news.example.org/a",
        "https://news.example.org/sl",
        "https://news.example.org/chunked",
    ]
    plain, corpus_page, chunked = articles
    assert plain.id == url_id("https://news.example.org/a")
    assert plain.text.startswith("Port deal signed\n\nOfficials in Colombo signed an agreement")
    assert plain.meta.published == "2024-10-07"  # the capture date: the page gives none
    assert corpus_page.meta.published == "2023-10-12"  # the page's own date wins
    assert "Accept all cookies" not in corpus_page.text
    assert chunked.text.startswith("Chunked page\n\n")
    assert "\r\n" not in chunked.text

    offsets = [int(a.origin.rsplit("#", 1)[1]) for a in articles]
    assert all(a.origin.startswith(f"{path}#") for a in articles)
    assert offsets == sorted(offsets) and len(set(offsets)) == 3

    (failure,) = failures
    offset = int(failure.source.rsplit("#", 1)[1])
    assert offsets[0] < offset < offsets[1]
    assert failure.reason.startswith(
        f"record at offset {offset} (https://news.example.org/broken): corrupt gzip"
    )


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_record_offsets_point_at_the_records(tmp_path: Path, gz: bool):
    from warcio.archiveiterator import ArchiveIterator

    path = build(tmp_path, gz=gz)
    articles, _ = split(read_warc(path))
    with path.open("rb") as fh:
        for article in articles:
            fh.seek(int(article.origin.rsplit("#", 1)[1]))
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Target-URI") == article.meta.url


def test_ids_are_stable_and_distinct(tmp_path: Path):
    first = [a.id for a in split(read_warc(build(tmp_path / "one", gz=False)))[0]]
    second = [a.id for a in split(read_warc(build(tmp_path / "two", gz=True)))[0]]
    assert first == second
    assert len(set(first)) == 3
    assert first[0].startswith("news-example-org-a-")


def test_the_http_charset_decides_how_a_page_is_read(tmp_path: Path):
    page = PAGE.decode("ascii").replace("Chinese state-owned company", "“state-owned” company for €2 billion")
    archive = Archive(tmp_path / "charset.warc", gz=False)
    archive.response("https://news.example.org/cp", page.encode("cp1252"), content_type="text/html; charset=windows-1252")
    archive.response("https://news.example.org/utf8", page.encode("utf-8"))
    articles, failures = split(read_warc(archive.save()))
    assert failures == []
    assert [a.meta.encoding for a in articles] == ["cp1252", "utf-8"]
    assert all("“state-owned” company for €2 billion" in a.text for a in articles)


def _with_bad_records(tmp_path: Path, gz: bool) -> Path:
    archive = Archive(tmp_path / ("bad.warc.gz" if gz else "bad.warc"), gz=gz)
    archive.response(
        "https://news.example.org/bomb",
        gzip.compress(b"<p>" + b"a" * 5_000_000),
        extra=[("Content-Encoding", "gzip")],
    )
    archive.response("https://news.example.org/huge", b"<html><body>" + b"<p>words words</p>" * 20_000)
    archive.response(
        "https://news.example.org/cut", gzip.compress(PAGE)[:-40], extra=[("Content-Encoding", "gzip")]
    )
    archive.response("https://news.example.org/binary", b"\x00\x01\x02" * 100)
    archive.response("https://news.example.org/empty-page", b"<html><body><script>x()</script></body></html>")
    archive.response("https://news.example.org/br", b"whatever", extra=[("Content-Encoding", "br")])
    archive.response("https://news.example.org/ok", PAGE)
    return archive.save()


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_each_bad_record_is_one_failure_and_the_rest_go_on(tmp_path: Path, gz: bool):
    path = _with_bad_records(tmp_path, gz)
    articles, failures = split(read_warc(path, max_bytes=100_000))
    assert [a.meta.url for a in articles] == ["https://news.example.org/ok"]
    reasons = [f.reason.split(": ", 1)[1] for f in failures]
    assert [f.reason.split(" (", 1)[1].split(")")[0] for f in failures] == [
        f"https://news.example.org/{name}" for name in ("bomb", "huge", "cut", "binary", "empty-page", "br")
    ]
    assert reasons == [
        "body is larger than the limit of 100,000 bytes once decompressed",
        "body is larger than the limit of 100,000 bytes",
        "truncated compressed body",
        "binary content (NUL bytes), not HTML",
        "no main text found",
        "unsupported content encoding 'br'",
    ]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.warc", b"These are notes, not an archive.\n", "not a readable WARC file (no WARC record)"),
        ("empty.warc", b"", "empty file"),
        (
            "random.warc.gz",
            gzip.compress(b"plain text, gzipped\n"),
            "not a readable WARC file (no WARC record)",
        ),
    ],
)
def test_not_a_warc_is_one_failure(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    (failure,) = list(iter_articles([path]))
    assert isinstance(failure, SourceFailure)
    assert failure.source == str(path)
    assert failure.reason.startswith(reason)


def test_corrupt_container_keeps_the_records_before_it(tmp_path: Path):
    archive = Archive(tmp_path / "torn.warc.gz", gz=True)
    archive.response("https://news.example.org/first", PAGE)
    good = archive.buffer.getvalue()
    archive.response("https://news.example.org/second", PAGE)
    data = archive.buffer.getvalue()
    torn = data[: len(good) + 30] + b"\xff" * 64 + data[len(good) + 94 :]  # smash the second gzip member
    path = tmp_path / "torn.warc.gz"
    path.write_bytes(torn)
    articles, failures = split(iter_articles([path, tmp_path / "missing.warc"]))
    assert [a.meta.url for a in articles] == ["https://news.example.org/first"]
    assert [f.source for f in failures] == [str(path), str(tmp_path / "missing.warc")]
    assert failures[0].reason.startswith("not a readable WARC file (after 1 record, at offset ")
    assert failures[0].reason.isascii() and len(failures[0].reason) < 300


def test_folder_walk_finds_warc_files(tmp_path: Path):
    build(tmp_path / "crawls", gz=True)
    build(tmp_path / "crawls" / "old", gz=False)
    articles, failures = split(iter_articles([tmp_path]))
    assert len(articles) == 6 and len(failures) == 2


# --- payload decoding ------------------------------------------------------------------------


def test_read_payload_encodings_and_caps():
    body = b"<p>hello</p>" * 100
    assert read_payload(io.BytesIO(body), None, 10_000) == body
    assert read_payload(io.BytesIO(gzip.compress(body)), "x-gzip", 10_000) == body
    assert read_payload(io.BytesIO(zlib.compress(body)), "deflate", 10_000) == body
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert read_payload(io.BytesIO(raw.compress(body) + raw.flush()), "Deflate", 10_000) == body
    with pytest.raises(InputError, match="larger than the limit of 1,199 bytes once decompressed"):
        read_payload(io.BytesIO(gzip.compress(body)), "gzip", len(body) - 1)
    with pytest.raises(InputError, match="corrupt gzip body"):
        read_payload(io.BytesIO(b"\x1f\x8b\x08\x00" + b"\xff" * 50), "gzip", 10_000)


def test_gzip_bomb_is_stopped_without_inflating_it():
    import tracemalloc

    bomb = gzip.compress(b"\x00" * 200_000_000, compresslevel=9)  # ~200 KB in, 200 MB out
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="once decompressed"):
            read_payload(io.BytesIO(bomb), "gzip", 1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
