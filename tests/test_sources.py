"""Reading article files: text with sidecars, HTML pages, folders, and every kind of bad input."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from beltwatch.errors import InputError, UsageError
from beltwatch.sources.files import (
    ARTICLE_SUFFIXES,
    iter_article_paths,
    normalise_published,
    read_article,
)
from readers import write

CORPUS = Path(__file__).parent / "corpus" / "dev"
HTML_PAGE = CORPUS / "sri-lanka-exim-debt-deal-2023.html"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def input_error(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        read_article(path, **kwargs)
    err = info.value
    assert err.source == str(path)
    assert "\n" not in err.message
    assert err.exit_code == 3
    return err


# --- plain text and sidecars -----------------------------------------------------------------


def test_reads_text_with_sidecar_metadata():
    article = read_article(CORPUS / "seed-xi-kakar.txt")
    assert article.id == "seed-xi-kakar"
    assert article.origin == str(CORPUS / "seed-xi-kakar.txt")
    assert article.text == (CORPUS / "seed-xi-kakar.txt").read_text(encoding="utf-8")
    assert article.meta.published == "2023-10-19"
    assert article.meta.source == "Outlook Business & Money"
    assert article.meta.language == "en"
    assert article.meta.boilerplate_removed == 0


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem)
def test_every_corpus_text_reads_with_its_sidecar(path: Path):
    sidecar = json.loads(path.with_name(path.stem + ".meta.json").read_text(encoding="utf-8"))
    article = read_article(path)
    assert article.meta.published == sidecar["published"]
    assert article.meta.source == sidecar["source"]
    assert article.meta.language == sidecar["language"]


def test_sidecar_with_all_keys_and_timestamp(tmp_path: Path):
    path = write(tmp_path / "story.md", "# Headline\n\nBody text of the story.\n")
    write(
        tmp_path / "story.meta.json",
        json.dumps(
            {
                "published": "2023-10-12T16:40:00+05:30",
                "source": "Ceylon Quay Review",
                "url": "https://example.org/a",
                "title": "Headline",
                "language": "en-GB",
                "story": "ignored-extra-key",
            }
        ),
    )
    article = read_article(path)
    assert article.text == "# Headline\n\nBody text of the story.\n"
    assert article.meta.published == "2023-10-12"  # the date as written, not moved to UTC
    assert article.meta.source == "Ceylon Quay Review"
    assert article.meta.url == "https://example.org/a"
    assert article.meta.title == "Headline"
    assert article.meta.language == "en"


def test_published_argument_overrides_sidecar(tmp_path: Path):
    path = write(tmp_path / "a.txt", "Some text.\n")
    write(tmp_path / "a.meta.json", '{"published": "2020-01-01", "source": "X"}')
    article = read_article(path, published="2024-10-07T14:15:00+05:00")
    assert article.meta.published == "2024-10-07"
    assert article.meta.source == "X"


def test_published_argument_without_sidecar(tmp_path: Path):
    path = write(tmp_path / "a.txt", "Some text.\n")
    assert read_article(path).meta.published is None
    assert read_article(path, published="12 October 2023").meta.published == "2023-10-12"


def test_bad_published_argument_is_a_usage_error(tmp_path: Path):
    path = write(tmp_path / "a.txt", "Some text.\n")
    with pytest.raises(UsageError):
        read_article(path, published="last Tuesday")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "malformed sidecar"),
        ("[1, 2]", "not a JSON object"),
        ('{"published": 20231012}', "published should be a string"),
        ('{"source": ["a"]}', "source should be a string"),
    ],
)
def test_malformed_sidecar(tmp_path: Path, content: str, reason: str):
    path = write(tmp_path / "a.txt", "Some text.\n")
    write(tmp_path / "a.meta.json", content)
    err = input_error(path)
    assert reason in err.message
    assert "a.meta.json" in err.message


def test_text_with_utf8_bom(tmp_path: Path):
    path = write(tmp_path / "bom.txt", b"\xef\xbb\xbfHeadline\n\nBody.\n")
    assert read_article(path).text == "Headline\n\nBody.\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-10-12", "2023-10-12"),
        ("2023-10-12T16:40:00+05:30", "2023-10-12"),
        ("2023-10-12 09:12", "2023-10-12"),
        ("2023/1/5", "2023-01-05"),
        ("Mon, 20 Jan 2025 17:30:00 +0500", "2025-01-20"),
        ("12 October 2023", "2023-10-12"),
        ("October 12, 2023", "2023-10-12"),
        ("Sunday, August 13, 2023", "2023-08-13"),
        ("1st June 2017", "2017-06-01"),
        ("2022-11", "2022-11"),
        ("2022/11", "2022-11"),
        ("November 2022", "2022-11"),
        ("Nov 2022", "2022-11"),
        ("2022", "2022"),
        ("Tue, 26 Mar 2024 09:00:00 EST", "2024-03-26"),
        ("Mon, 20 Jan 25 17:30:00 GMT", "2025-01-20"),
        ("2024-03-26T23:30:00-04:00", "2024-03-26"),
        ("2024-03-26T09:00:00Z", "2024-03-26"),
        ("26 March, 2024 09:14 PM IST", "2024-03-26"),
        ("March 26, 2024 at 9:14 pm", "2024-03-26"),
    ],
)
def test_normalise_published(value: str, expected: str):
    assert normalise_published(value) == expected


@pytest.mark.parametrize("value", ["", "yesterday", "2023-13-40", "2023-02-30", "2023-13", "12345"])
def test_normalise_published_rejects(value: str):
    with pytest.raises(ValueError):
        normalise_published(value)


# --- bad input -------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path):
    assert input_error(tmp_path / "nope.txt").message == "file not found"


def test_folder_is_not_an_article(tmp_path: Path):
    assert "folder" in input_error(tmp_path).message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path):
    path = write(tmp_path / "locked.txt", "text\n")
    path.chmod(0)
    try:
        assert "cannot read" in input_error(path).message
    finally:
        path.chmod(0o644)


def test_read_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = write(tmp_path / "locked.txt", "text\n")
    real_open = Path.open

    def refuse(self: Path, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert input_error(path).message == "cannot read file: Permission denied"


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf \n"])
def test_empty_file(tmp_path: Path, content: bytes):
    assert "empty" in input_error(write(tmp_path / "empty.txt", content)).message


def test_nul_bytes_are_binary(tmp_path: Path):
    err = input_error(write(tmp_path / "nul.txt", b"Headline\x00\x00\x01body"))
    assert "binary" in err.message
    assert "NUL" in err.message


def test_mostly_control_bytes_are_binary(tmp_path: Path):
    err = input_error(write(tmp_path / "ctl.txt", bytes(range(1, 9)) * 50 + b"text"))
    assert "control bytes" in err.message


@pytest.mark.parametrize("name", ["image.html", "image.txt"])
def test_png_renamed(tmp_path: Path, name: str):
    err = input_error(write(tmp_path / name, PNG))
    assert "binary" in err.message
    assert "PNG" in err.message


def test_pdf_renamed(tmp_path: Path):
    assert "PDF" in input_error(write(tmp_path / "doc.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")).message


# --- encodings -----------------------------------------------------------------------------

WESTERN = "“Café talks” in Gwadar — a €5 billion loan for the naïve résumé of the corridor.\n"
LATIN1 = "Le président a visité le chantier à Gwadar. Die Arbeiter waren für Herrn Müller da, señor.\n"


def page_bytes(codec: str, head: str = "", text: str = WESTERN) -> bytes:
    """An HTML page with enough main text for extraction, in `codec`, with `head` in its <head>."""
    paragraphs = "".join(f"<p>{text.strip()} Paragraph {n} says more about it.</p>" for n in range(5))
    page = f"<html><head>{head}<title>Loan talks</title></head><body><article>{paragraphs}</article></body></html>"
    return page.encode(codec)


def test_plain_utf8_is_recorded_but_not_shown(tmp_path: Path):
    article = read_article(write(tmp_path / "plain.txt", WESTERN))
    assert (article.text, article.meta.encoding, article.meta.replaced_characters) == (WESTERN, "utf-8", 0)
    assert "encoding" not in article.meta.to_json()
    assert "replaced_characters" not in article.meta.to_json()


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
    ],
)
def test_byte_order_mark_decides(tmp_path: Path, bom: bytes, codec: str):
    article = read_article(write(tmp_path / "wide.txt", bom + WESTERN.encode(codec)))
    assert article.text == WESTERN
    assert article.meta.encoding == codec
    assert article.meta.to_json()["encoding"] == codec


def test_windows_1252_text_with_curly_quotes_and_euro(tmp_path: Path):
    article = read_article(write(tmp_path / "cp1252.txt", WESTERN.encode("cp1252")))
    assert article.text == WESTERN
    assert article.meta.encoding == "cp1252"
    assert "replaced_characters" not in article.meta.to_json()


def test_latin1_western_text(tmp_path: Path):
    article = read_article(write(tmp_path / "latin1.txt", LATIN1.encode("latin-1")))
    assert article.text == LATIN1
    assert article.meta.encoding == "cp1252"  # latin-1's letters are windows-1252's


def test_short_latin1_text(tmp_path: Path):
    article = read_article(write(tmp_path / "short.txt", "Headline\n\ncaf\xe9 au lait\n".encode("latin-1")))
    assert article.text == "Headline\n\ncafé au lait\n"


def test_other_legacy_encodings_are_guessed(tmp_path: Path):
    russian = "Министр иностранных дел Пакистана встретился с послом Китая в Исламабаде. Обсудили порт Гвадар.\n"
    article = read_article(write(tmp_path / "ru.txt", russian.encode("cp1251")))
    assert article.text == russian
    assert article.meta.encoding == "cp1251"


@pytest.mark.parametrize(
    ("head", "written", "text", "codec"),
    [
        ('<meta charset="windows-1252">', "cp1252", WESTERN, "cp1252"),
        # on the web latin-1 means windows-1252, a superset
        ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">', "latin-1", LATIN1, "cp1252"),
        ("<meta charset='iso-8859-15'>", "iso8859-15", "Le budget: 5 € pour l'œuvre.", "iso8859-15"),
    ],
)
def test_html_declared_charset(tmp_path: Path, head: str, written: str, text: str, codec: str):
    article = read_article(write(tmp_path / "page.html", page_bytes(written, head, text)))
    assert text.strip() in article.text
    assert article.meta.encoding == codec


@pytest.mark.parametrize("charset", ["base64", "idna", "undefined", "utf-16", "no-such-charset"])
def test_html_declaring_no_usable_charset_is_read_as_utf8(tmp_path: Path, charset: str):
    article = read_article(write(tmp_path / "page.html", page_bytes("utf-8", f'<meta charset="{charset}">')))
    assert "“Café talks”" in article.text
    assert article.meta.encoding == "utf-8"


def test_html_without_charset_is_guessed(tmp_path: Path):
    article = read_article(write(tmp_path / "page.html", page_bytes("cp1252")))
    assert "“Café talks” in Gwadar — a €5 billion loan" in article.text
    assert article.meta.encoding == "cp1252"


def test_utf8_mixed_with_windows_1252_is_read_for_the_cleaner_to_mend(tmp_path: Path):
    from beltwatch.clean.boilerplate import fix_unicode

    mixed = "Café talks in Gwadar.\n".encode() + "Zürich – “quoted”.\n".encode("cp1252")
    article = read_article(write(tmp_path / "mixed.txt", mixed))
    assert article.meta.encoding == "cp1252"
    assert fix_unicode(article.text) == "Café talks in Gwadar.\nZürich – “quoted”.\n"


# the UTF-8 byte order mark declares UTF-8, so its bad bytes are losses rather than a reason to guess
@pytest.mark.parametrize(("good", "bad"), [(95, 5), (99, 1)])
def test_a_few_lost_characters_are_counted(tmp_path: Path, good: int, bad: int):
    article = read_article(write(tmp_path / "lossy.txt", b"\xef\xbb\xbf" + b"a" * good + b"\xff" * bad))
    assert article.text == "a" * good + "\ufffd" * bad
    assert article.meta.replaced_characters == bad
    assert article.meta.to_json()["replaced_characters"] == bad


def test_lost_characters_of_a_wide_encoding_are_counted(tmp_path: Path):
    data = b"\xff\xfe" + "Officials in Gwadar said so.".encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate
    article = read_article(write(tmp_path / "lossy16.txt", data))
    assert article.text == "Officials in Gwadar said so.\ufffd"
    assert (article.meta.encoding, article.meta.replaced_characters) == ("utf-16-le", 1)


def test_a_replacement_character_of_the_text_is_no_loss(tmp_path: Path):
    data = b"\xef\xbb\xbf" + "a\ufffd".encode() * 20 + b"\xff"
    assert read_article(write(tmp_path / "own.txt", data)).meta.replaced_characters == 1


def test_mostly_unreadable_is_refused(tmp_path: Path):
    err = input_error(write(tmp_path / "lossy.txt", b"\xef\xbb\xbf" + b"a" * 94 + b"\xff" * 6))
    assert err.message == "mostly unreadable: 6 of 100 characters could not be decoded as utf-8 (more than 5%)"


def test_undecodable_noise_is_refused(tmp_path: Path):
    rng = random.Random(3)
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(4000))
    err = input_error(write(tmp_path / "noise.txt", b"Headline\n\n" + noise))
    assert err.message.startswith("mostly unreadable: ")


def test_utf8_bom_does_not_hide_binary_content(tmp_path: Path):
    assert "NUL" in input_error(write(tmp_path / "nul.txt", b"\xef\xbb\xbfHeadline\x00\x00body")).message


def test_random_bytes_are_binary(tmp_path: Path):
    assert "binary" in input_error(write(tmp_path / "random.txt", random.Random(7).randbytes(4096))).message


def test_sparse_file_over_default_limit(tmp_path: Path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(10_000_001)  # sparse: no disk used, and nothing is read
    err = input_error(path)
    assert err.message == "file is too large: 10,000,001 bytes, over the limit of 10,000,000"


def test_file_over_small_limit(tmp_path: Path):
    path = write(tmp_path / "a.txt", "x" * 101)
    err = input_error(path, max_bytes=100)
    assert "101 bytes" in err.message
    assert "100" in err.message
    assert read_article(path, max_bytes=101).text == "x" * 101


# --- HTML ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html_article():
    return read_article(HTML_PAGE)


def test_html_metadata(html_article):
    meta = html_article.meta
    assert html_article.id == "sri-lanka-exim-debt-deal-2023"
    assert meta.published == "2023-10-12"
    assert meta.title == "Sri Lanka reaches USD 4.2bn debt deal with China's Exim Bank"
    assert meta.source == "Ceylon Quay Review"
    assert meta.url == "https://www.ceylonquay.example/economy/2023/10/12/sri-lanka-china-exim-debt-deal"
    assert meta.language == "en"


def test_html_text_is_headline_then_paragraphs(html_article):
    paragraphs = html_article.text.strip().split("\n\n")
    assert paragraphs[0] == "Sri Lanka reaches USD 4.2bn debt deal with China's Exim Bank"
    assert paragraphs[1].startswith("COLOMBO - Sri Lanka has reached agreement with the Export-Import Bank")
    assert paragraphs[-1].endswith("before they conclude their own talks.")
    assert len(paragraphs) == 6
    assert all("\n" not in p for p in paragraphs)


@pytest.mark.parametrize(
    "body",
    [
        "The ministry said the deal should help Sri Lanka clear the first review of its USD 2.9 billion",
        "China is Sri Lanka's largest bilateral creditor, with about USD 7 billion owed to it.",
        "State Minister of Finance Ranjith Siyambalapitiya welcomed China's move",
        "Japan, India and France, which co-chair a committee of Sri Lanka's other official creditors",
    ],
)
def test_html_keeps_body(html_article, body: str):
    assert body in html_article.text


@pytest.mark.parametrize(
    "chrome",
    [
        "We use cookies",
        "Accept all",
        "Manage preferences",
        "Home",
        "Markets",
        "Subscribe",
        "Related Stories",
        "Explainer: what the IMF's first review looks at",
        "Colombo port volumes",
        "Share:",
        "LinkedIn",
        "All rights reserved",
        "About us",
        "Privacy policy",
        "Terms of use",
        "dataLayer",
        "cookie-banner",
        "line-height",
        "By Economy Desk",
    ],
)
def test_html_drops_chrome(html_article, chrome: str):
    assert chrome not in html_article.text


def test_html_without_main_text(tmp_path: Path):
    page = (
        "<html><head><title>Nothing</title></head><body><nav><ul><li><a href='/'>Home</a></li>"
        "<li><a href='/news'>News</a></li></ul></nav><footer>(c) 2023 Site</footer></body></html>"
    )
    assert input_error(write(tmp_path / "empty.html", page)).message == "no main text found"


def test_html_sidecar_and_argument_override_page(tmp_path: Path):
    path = write(tmp_path / "page.htm", HTML_PAGE.read_bytes())
    write(tmp_path / "page.meta.json", '{"source": "Analyst override"}')
    article = read_article(path, published="2023-10-13")
    assert article.meta.source == "Analyst override"
    assert article.meta.published == "2023-10-13"
    assert article.meta.title == "Sri Lanka reaches USD 4.2bn debt deal with China's Exim Bank"


def test_html_title_loses_site_suffix_and_lang_region(tmp_path: Path):
    body = "".join(
        f"<p>Paragraph {i} of a long enough story about the port and its new berths.</p>" for i in range(6)
    )
    page = (
        '<html lang="en-GB"><head><title>Port opens | Harbour Daily</title>'
        '<meta property="og:site_name" content="Harbour Daily">'
        '<meta property="og:title" content="Port opens | Harbour Daily">'
        '<meta property="article:published_time" content="2024-05-01T23:30:00-04:00">'
        f"</head><body><article><h1>Port opens</h1>{body}</article></body></html>"
    )
    article = read_article(write(tmp_path / "p.html", page))
    assert article.meta.title == "Port opens"
    assert article.meta.language == "en"
    assert article.meta.published == "2024-05-01"
    assert article.text.startswith("Port opens\n\nParagraph 0")


# --- folders -------------------------------------------------------------------------------


def test_iter_article_paths_recurses_sorted_and_filters(tmp_path: Path):
    for name in [
        "b.txt",
        "a.md",
        "a.meta.json",
        "a.gold.json",
        "notes.json",
        "sub/c.HTML",
        "sub/deeper/d.htm",
        "sub/feed.rss",
        ".hidden/e.txt",
        "sub/.f.txt",
    ]:
        write(tmp_path / name, "x")
    given = tmp_path / "given.json"  # files named directly are kept whatever their suffix
    write(given, "{}")
    missing = tmp_path / "missing.txt"
    found = list(iter_article_paths([tmp_path / "sub", given, missing, tmp_path]))
    assert found == [
        tmp_path / "sub/c.HTML",
        tmp_path / "sub/deeper/d.htm",
        given,
        missing,
        tmp_path / "a.md",
        tmp_path / "b.txt",
        tmp_path / "sub/c.HTML",
        tmp_path / "sub/deeper/d.htm",
    ]


def test_iter_article_paths_on_corpus():
    found = list(iter_article_paths([CORPUS]))
    assert found == sorted(found)
    assert len(found) == 15  # 14 text articles and one HTML page; the RSS feed is not a file article
    assert all(p.suffix in ARTICLE_SUFFIXES for p in found)
    assert not any(p.name.endswith((".meta.json", ".gold.json")) for p in found)
    assert all(read_article(p).text for p in found)


@pytest.mark.parametrize(
    ("given", "published", "precision", "day"),
    [
        ("2022-11", "2022-11", "month", None),
        ("2022", "2022", "year", None),
        ("Mon, 20 Jan 2025 17:30:00 +0500", "2025-01-20", "day", "2025-01-20"),
        ("sometime last year", None, None, None),
    ],
)
def test_imprecise_sidecar_date_keeps_the_article(tmp_path: Path, given: str, published, precision, day):
    """A month, a year or an unreadable date costs at most the date, never the article."""
    path = write(tmp_path / "a.txt", "Some text.\n")
    write(tmp_path / "a.meta.json", json.dumps({"published": given, "source": "X"}))
    meta = read_article(path).meta
    assert (meta.published, meta.published_precision) == (published, precision)
    assert (meta.published_day.isoformat() if meta.published_day else None) == day
    assert meta.source == "X"
