"""JSON Lines: one article per line; every bad line is one failure naming it, the rest go on."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from beltwatch.sources import SourceFailure, iter_articles
from beltwatch.sources.jsonl import read_jsonl
from readers import split

HTML_PAGE = Path(__file__).parent / "corpus" / "dev" / "sri-lanka-exim-debt-deal-2023.html"


def write_lines(path: Path, lines: list[object | str | bytes], newline: bytes = b"\n") -> Path:
    out = []
    for line in lines:
        if isinstance(line, bytes):
            out.append(line)
        elif isinstance(line, str):
            out.append(line.encode("utf-8"))
        else:
            out.append(json.dumps(line, ensure_ascii=False).encode("utf-8"))
    path.write_bytes(newline.join(out) + newline)
    return path


def test_text_lines_with_metadata_and_ids(tmp_path: Path):
    path = write_lines(
        tmp_path / "batch.jsonl",
        [
            {
                "id": "kar-1",
                "text": "Two Chinese nationals were killed.",
                "published": "Mon, 07 Oct 2024 15:10:00 +0500",
                "source": "Clifton Wire",
                "url": "https://news.example.org/k",
                "title": "Blast",
                "language": "en-GB",
            },
            {"text": "No id here."},
            {"id": 42, "text": "Integer id."},
        ],
    )
    articles, failures = split(read_jsonl(path))
    assert not failures
    first, second, third = articles
    assert (first.id, first.origin) == ("kar-1", f"{path}#1")
    assert first.text == "Two Chinese nationals were killed."
    assert first.meta.published == "2024-10-07"
    assert (first.meta.source, first.meta.url, first.meta.title, first.meta.language) == (
        "Clifton Wire",
        "https://news.example.org/k",
        "Blast",
        "en",
    )
    assert (second.id, second.origin) == ("batch#2", f"{path}#2")
    assert third.id == "42"


def test_html_line_goes_through_the_html_extraction(tmp_path: Path):
    page = HTML_PAGE.read_text(encoding="utf-8")
    path = write_lines(tmp_path / "pages.ndjson", [{"html": page}, {"html": page, "title": "Given title"}])
    articles, failures = split(iter_articles([tmp_path]))
    assert not failures
    page_article, overridden = articles
    assert page_article.id == "pages#1"
    assert page_article.meta.published == "2023-10-12"  # from the page's meta tag
    assert "Accept all cookies" not in page_article.text
    assert overridden.meta.title == "Given title"  # the line's metadata wins over the page's
    assert overridden.origin == f"{path}#2"


def test_each_bad_line_is_one_failure_naming_it(tmp_path: Path):
    path = write_lines(
        tmp_path / "mixed.jsonl",
        [
            {"text": "good one"},
            '{"text": "unterminated',
            "[1, 2]",
            '"just a string"',
            {"title": "no text"},
            {"text": ""},
            {"text": 12},
            {"html": "<html><body><script>track()</script></body></html>"},
            {"text": "dateless", "published": "someday"},
            {"text": "x", "source": ["a"]},
            {"text": "x", "id": True},
            b'{"text": "caf\xe9"}',
            "",
            "   ",
            {"text": "good two"},
        ],
    )
    articles, failures = split(read_jsonl(path))
    # an unreadable date costs the date, not the article
    assert [(a.text, a.meta.published) for a in articles] == [("good one", None), ("dateless", None), ("good two", None)]
    assert [a.origin for a in articles] == [f"{path}#1", f"{path}#9", f"{path}#15"]
    reasons = {int(f.source.rsplit("#", 1)[1]): f.reason for f in failures}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 10, 11, 12]  # blank lines 13, 14 are skipped
    for number, reason in reasons.items():
        assert reason.startswith(f"line {number}: ")
    assert reasons[2].startswith("line 2: malformed JSON: Unterminated string")
    assert reasons[3] == "line 3: not a JSON object but an array"
    assert reasons[4] == "line 4: not a JSON object but a string"
    assert reasons[5] == "line 5: no 'text' or 'html' with content"
    assert reasons[6] == "line 6: no 'text' or 'html' with content"
    assert reasons[7] == "line 7: text should be a string, not a number"
    assert reasons[8] == "line 8: no main text found"
    assert reasons[10] == "line 10: source should be a string, not an array"
    assert reasons[11] == "line 11: id should be a string or an integer, not a boolean"
    assert reasons[12] == "line 12: not valid UTF-8: byte 0xe9 at column 14"


def test_long_line_over_max_bytes_is_one_failure(tmp_path: Path):
    path = write_lines(tmp_path / "long.jsonl", [{"text": "short"}, {"text": "x" * 5000}, {"text": "after"}])
    articles, failures = split(read_jsonl(path, max_bytes=200))
    assert [a.text for a in articles] == ["short", "after"]
    assert [a.origin for a in articles] == [f"{path}#1", f"{path}#3"]
    assert [f.reason for f in failures] == ["line 2: longer than the limit of 200 bytes"]


def test_crlf_bom_and_no_final_newline(tmp_path: Path):
    path = tmp_path / "win.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "one"}\r\n{"text": "two"}')
    articles, failures = split(read_jsonl(path))
    assert not failures
    assert [(a.id, a.text) for a in articles] == [("win#1", "one"), ("win#2", "two")]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.jsonl", b"", "empty file"),
        ("blank.jsonl", b"\n\n  \n", "empty file (only whitespace)"),
        ("packed.jsonl", gzip.compress(b'{"text": "x"}\n'), "binary content (gzip archive), not JSON Lines"),
    ],
)
def test_unreadable_file_is_one_failure(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    assert list(iter_articles([path])) == [SourceFailure(str(path), reason)]


def test_missing_file_is_one_failure_and_the_next_goes_on(tmp_path: Path):
    missing = tmp_path / "missing.jsonl"
    good = write_lines(tmp_path / "good.jsonl", [{"text": "Port works resume."}])
    articles, failures = split(iter_articles([missing, good]))
    assert [a.text for a in articles] == ["Port works resume."]
    assert failures == [SourceFailure(str(missing), "file not found")]
