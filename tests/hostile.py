"""Hostile input, generated: every file a careless or malicious source could hand to `beltwatch ingest`.

`write_cases(folder)` writes each case of the list below into its own subfolder and returns what
an ingest of it must end with: the items that must fail (each with a reason matching a pattern)
and the articles that must be stored beside them. Everything here is generated from a seed; no
text, page or archive is copied from anywhere.

- empty files (`.txt`, `.md`, `.html`, `.jsonl`, `.rss`, `.warc`) and a whitespace-only file;
- binary files: random bytes, a PNG renamed `.html`, a PDF renamed `.txt`;
- other encodings, stored: Latin-1, Windows-1252, UTF-8 mixed with Windows-1252 bytes, a page
  declaring its charset, UTF-16; noise that decodes as nothing, refused; a JSON line not in UTF-8;
- a 50 MB single article, as a text file and as one JSON line between two good lines;
- 100,000 tiny articles in one JSON Lines file (most of one or two words, too short to be an
  article; every hundredth a sentence that is stored);
- HTML nested 10,000 levels deep, a JSON line nested 10,000 levels deep, a feed item whose HTML
  description is nested 10,000 levels deep;
- pages holding only script and style;
- feeds with broken XML (none of it readable; readable up to a cut);
- feeds with external entities (XXE) and entity expansion ("billion laughs");
- a WARC archive with a gzip bomb (1 GB of zeros in 1 MB) between two good pages;
- JSON Lines with malformed lines between good ones;
- text with control characters, bidirectional marks, a very long line, Chinese and Urdu
  (stored, not refused), a text too long for the language model, and an empty file whose name
  carries a terminal escape sequence.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from beltwatch.sources.url import url_id

SEED = 8
TINY_ARTICLES = 100_000
TINY_STORED_EVERY = 100  # every hundredth tiny article is a sentence long enough to be stored
BIG_BYTES = 50 * 1024 * 1024
DEEP = 10_000
LONG_LINE_SENTENCES = 600  # ~60,000 characters on one line, without a full stop
BOMB_BYTES = 1024 * 1024 * 1024

_WORDS = [
    "port",
    "road",
    "railway",
    "loan",
    "bank",
    "corridor",
    "power",
    "plant",
    "dam",
    "convoy",
    "engineers",
    "workers",
    "minister",
    "agreement",
    "signed",
    "opened",
    "delayed",
    "attacked",
    "financed",
    "visited",
    "reviewed",
    "approved",
    "extended",
]
_PLACES = ("Gwadar", "Karachi", "Lahore", "Quetta", "Hambantota", "Mombasa", "Kashgar", "Peshawar")


@dataclass
class Case:
    """What one case wrote and what an ingest of it must end with."""

    name: str
    folder: Path
    failures: dict[str, str] = field(default_factory=dict)  # source (as recorded) -> reason pattern
    stored: set[str] = field(default_factory=set)  # article keys that must be stored
    failure_prefix: dict[str, tuple[int, str]] = field(
        default_factory=dict
    )  # source prefix -> (count, reason)


def paragraph(rng: random.Random, sentences: int = 4) -> str:
    """Plausible news prose from a fixed vocabulary: long enough to be an article, never copied."""
    out = []
    for _ in range(sentences):
        place = rng.choice(_PLACES)
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14)))
        out.append(f"Officials in {place} said the {words} on Monday.")
    return " ".join(out)


def article_text(rng: random.Random, title: str) -> str:
    return f"{title}\n\n{paragraph(rng)}\n\n{paragraph(rng)}\n"


def page(title: str, body: str) -> str:
    return (
        f'<html lang="en"><head><title>{title}</title></head><body><article><h1>{title}</h1>'
        f"<p>{body}</p><p>{body}</p></article></body></html>"
    )


def rss(items: str, head: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<rss version="2.0"><channel>'
        f"<title>Generated Wire</title><link>https://wire.example.org/</link>{items}</channel></rss>"
    )


def rss_item(title: str, description: str) -> str:
    return f"<item><title>{title}</title><description><![CDATA[{description}]]></description></item>"


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _text_file(case: Case, rng: random.Random, name: str, title: str) -> None:
    """A good text article in the case's folder, with a sidecar date."""
    _write(case.folder / f"{name}.txt", article_text(rng, title))
    _write(case.folder / f"{name}.meta.json", json.dumps({"published": "2024-03-01"}))
    case.stored.add(name)


def _stored(case: Case, name: str, content: bytes) -> None:
    """A file the ingest must store under its stem."""
    path = _write(case.folder / name, content)
    case.stored.add(path.stem)


def _fails(case: Case, name: str, content: bytes | str, reason: str) -> Path:
    path = _write(case.folder / name, content)
    case.failures[str(path)] = reason
    return path


# --- the cases ----------------------------------------------------------------------------------


def empty_files(case: Case, rng: random.Random) -> None:
    for name in ("empty.txt", "empty.md", "empty.html", "empty.jsonl", "empty.rss", "empty.warc"):
        _fails(case, name, b"", r"empty")
    _fails(case, "blank.txt", b" \n\t\r\n  \n", r"empty")
    _text_file(case, rng, "beside-empty", "Port works resume in Gwadar")


def binary_files(case: Case, rng: random.Random) -> None:
    _fails(case, "random.txt", rng.randbytes(64 * 1024), r"binary content \(NUL bytes\)")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(4096)
    _fails(case, "photo.html", png, r"binary content \(PNG image\)")
    _fails(case, "report.txt", b"%PDF-1.7\n" + rng.randbytes(2048), r"binary content \(PDF document\)")
    _fails(case, "archive.jsonl", gzip.compress(b'{"text": "x"}\n' * 100), r"binary content \(gzip")
    _text_file(case, rng, "beside-binary", "Railway loan talks open in Karachi")


def encodings(case: Case, rng: random.Random) -> None:
    """Files in other encodings are read and stored; noise that decodes as nothing is not; JSON Lines stay UTF-8."""
    latin1 = article_text(rng, "Café talks in Gwadar on the naïve résumé of the corridor")
    _stored(case, "latin1.txt", latin1.encode("latin-1"))
    _stored(case, "cp1252.txt", article_text(rng, "“Quoted” at €5 billion: Gwadar’s port loan").encode("cp1252"))
    body = article_text(rng, "Zürich bankers meet in Karachi")
    _stored(case, "mixed.txt", body.encode("utf-8") + "Zürich – “quoted”".encode("cp1252") + body.encode("utf-8"))
    mixed_page = page("Mixed page about Gwadar", paragraph(rng) + " Caf\u00e9").encode("utf-8") + b"\xe9\xff"
    _stored(case, "mixed-page.html", mixed_page)
    declared = page("Loan for Hambantota at €1 billion", paragraph(rng)).replace("<head>", '<head><meta charset="windows-1252">')
    _stored(case, "declared.html", declared.encode("cp1252"))
    _stored(case, "utf16.txt", article_text(rng, "Power plant financed in Lahore").encode("utf-16"))
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(4096))
    _fails(case, "noise.txt", b"Headline\n\n" + noise, r"mostly unreadable: [\d,]+ of [\d,]+ characters")
    lines = [
        json.dumps({"id": "enc-good-1", "text": article_text(rng, "Dam financing approved")}).encode(),
        b'{"id": "enc-bad", "text": "caf\xe9 au lait in Gwadar and more words"}',
        json.dumps({"id": "enc-good-2", "text": article_text(rng, "Power plant opened")}).encode(),
    ]
    path = _write(case.folder / "lines.jsonl", b"\n".join(lines) + b"\n")
    case.failures[f"{path}#2"] = r"line 2: not valid UTF-8"
    case.stored |= {"enc-good-1", "enc-good-2"}


def big_article(case: Case, rng: random.Random) -> None:
    sentence = (paragraph(rng, 1) + "\n").encode()
    with (case.folder / "huge.txt").open("wb") as fh:
        for _ in range(BIG_BYTES // len(sentence) + 1):
            fh.write(sentence)
    case.failures[str(case.folder / "huge.txt")] = r"too large: 52,4\d\d,\d\d\d bytes, over the limit"
    path = case.folder / "huge.jsonl"
    with path.open("wb") as fh:
        fh.write(
            json.dumps({"id": "big-before", "text": article_text(rng, "Convoy reaches Quetta")}).encode()
        )
        fh.write(b'\n{"id": "big", "text": "')
        for _ in range(BIG_BYTES // len(sentence) + 1):
            fh.write(sentence.replace(b"\n", b" "))
        fh.write(b'"}\n')
        fh.write(json.dumps({"id": "big-after", "text": article_text(rng, "Bank extends loan")}).encode())
        fh.write(b"\n")
    case.failures[f"{path}#2"] = r"line 2: longer than the limit"
    case.stored |= {"big-before", "big-after"}


def tiny_articles(case: Case, rng: random.Random) -> None:
    """100,000 articles of one line each; too-short ones are refused before any language processing."""
    path = case.folder / "tiny.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for number in range(1, TINY_ARTICLES + 1):
            if number % TINY_STORED_EVERY == 0:
                text = f"{rng.choice(_PLACES)} {' '.join(rng.choice(_WORDS) for _ in range(5))} {number}."
                case.stored.add(f"tiny-{number}")
            else:
                text = rng.choice(_WORDS) if number % 2 else f"{rng.choice(_PLACES)} {number}"
            fh.write(json.dumps({"id": f"tiny-{number}", "text": text}) + "\n")
    refused = TINY_ARTICLES - TINY_ARTICLES // TINY_STORED_EVERY
    case.failure_prefix[f"{path}#"] = (refused, r"too short to be an article")


def deep_nesting(case: Case, rng: random.Random) -> None:
    text = paragraph(rng)
    deep_html = "<html><body>" + "<div>" * DEEP + f"<p>{text}</p>" + "</div>" * DEEP + "</body></html>"
    _fails(case, "deep.html", deep_html, r"no main text found")  # lxml stops nesting at 255 levels
    deep_json = "[" * DEEP + "]" * DEEP
    path = _write(
        case.folder / "deep.jsonl", deep_json + "\n" + json.dumps({"id": "deep-ok", "text": text}) + "\n"
    )
    case.failures[f"{path}#1"] = r"line 1: (malformed JSON|not a JSON object)"
    case.stored.add("deep-ok")
    nested = "<div>" * DEEP + text + "</div>" * DEEP
    _write(case.folder / "deep.rss", rss(rss_item("Deep item about Gwadar port", nested)))
    case.stored.add("deep#1")


def script_only(case: Case, rng: random.Random) -> None:
    script = "<script>var a = 1;" + "document.write('x');" * 200 + "</script>"
    style = "<style>" + "p { color: red; }" * 200 + "</style>"
    _fails(
        case,
        "scripts.html",
        f"<html><head>{style}</head><body>{script}{script}</body></html>",
        "no main text",
    )
    _fails(
        case, "styles.htm", f"<html><body>{style}<noscript>{style}</noscript></body></html>", "no main text"
    )
    _text_file(case, rng, "beside-scripts", "Kashgar freight line extended")


def broken_feeds(case: Case, rng: random.Random) -> None:
    garbage = _write(case.folder / "garbage.rss", "<rss><channel><item><title>Unclosed" + "<<>>&&" * 50)
    case.failures[f"{garbage}#1"] = r"item 1: no title and no text"  # feedparser's loose parser finds an item
    _fails(
        case,
        "not-xml.xml",
        "just some words, no markup at all, about a port",
        r"not a readable feed|not an RSS",
    )
    good = rss_item("Hambantota port deal signed", paragraph(rng))
    cut = rss(good + good.replace("Hambantota", "Mombasa"))
    _write(case.folder / "cut.rss", cut[: len(cut) - 120] + "<item><title>broken &bad; </titl")
    case.stored |= {"cut#1", "cut#2"}


def entity_feeds(case: Case, rng: random.Random) -> None:
    secret = _write(case.folder / ".secret" / "passwd.txt", "SECRET-LINE-8f2e")  # hidden: not ingested
    items = rss_item("A &xxe;", "D &xxe; " + paragraph(rng))
    xxe = rss(items, head=f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n')
    _fails(case, "xxe.rss", xxe, r"declares XML entities")
    laughs = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10)
    ]
    doc = rss(rss_item("Laughs &lol9;", "&lol9;"), head="<!DOCTYPE rss [" + "\n".join(laughs) + "]>\n")
    _fails(case, "laughs.rss", doc, r"declares XML entities")
    _fails(case, "laughs16.xml", doc.replace("UTF-8", "UTF-16").encode("utf-16"), r"declares XML entities")


def gzip_bomb(case: Case, rng: random.Random) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)

    def response(uri: str, body: bytes, encoding: str | None = None) -> None:
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), length=len(body), http_headers=http
        )
        writer.write_record(record)

    first, last = "https://wire.example.org/first", "https://wire.example.org/last"
    response(first, page("Lahore metro line opens", paragraph(rng)).encode())
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1024 * 1024)
    bomb = b"".join(squeeze.compress(chunk) for _ in range(BOMB_BYTES // len(chunk))) + squeeze.flush()
    response("https://wire.example.org/bomb", bomb, "gzip")
    response(last, gzip.compress(page("Peshawar road financed", paragraph(rng)).encode()), "gzip")
    path = _write(case.folder / "crawl.warc.gz", buffer.getvalue())
    case.failure_prefix[f"{path}#"] = (1, r"larger than the limit of [\d,]+ bytes once decompressed")
    case.stored |= {url_id(first), url_id(last)}


def malformed_jsonl(case: Case, rng: random.Random) -> None:
    good = [{"id": f"jl-{n}", "text": article_text(rng, f"Corridor update {n}")} for n in range(3)]
    bad = [
        (b'{"id": "x", "text": "unterminated', r"malformed JSON"),
        (b"[1, 2, 3]", r"not a JSON object"),
        (b'{"id": "no-text"}', r"no 'text' or 'html'"),
        (b'{"id": "n", "text": 42}', r"text should be a string"),
        (b'{"id": "d", "text": "Officials in Gwadar said so today.", "published": 20240301}', r"published should be"),
        (b'{"id": ["a"], "text": "Officials in Gwadar said so today."}', r"id should be"),
        (b"\x00\x01\x02 not json", r"malformed JSON|not valid"),
        (b'"just a string"', r"not a JSON object"),
    ]
    lines: list[bytes] = []
    path = case.folder / "mixed.jsonl"
    for index, (line, reason) in enumerate(bad):
        lines.append(json.dumps(good[index % 3]).encode() if index < 3 else b"")
        lines.append(line)
        case.failures[f"{path}#{len(lines)}"] = rf"line {len(lines)}: {reason}"
    # a date nobody can read costs the date, not the article
    lines.append(b'{"id": "undated", "text": "Officials in Gwadar said so today.", "published": "soon"}')
    _write(path, b"\n".join(lines) + b"\n")
    case.stored |= {g["id"] for g in good} | {"undated"}


def odd_text(case: Case, rng: random.Random) -> None:
    controls = article_text(rng, "Convoy \x07attacked\x1b[31m near Gwadar\x1b[0m") + "\x08\x0b\x0c\x7f end.\n"
    _write(case.folder / "controls.txt", controls)
    meta = {
        "title": "Convoy \x1b[2Jattacked\x07",
        "source": "Wire\x1b]0;owned\x07",
        "url": "https://x.example/\x1b[31m",
    }
    _write(case.folder / "controls.meta.json", json.dumps(meta))
    bidi = (
        article_text(rng, "Loan \u202eterms\u202c reviewed \u2066in\u2069 \u200fKarachi\u200e") + "\u200d\n"
    )
    _write(case.folder / "bidi.txt", bidi)
    long_line = " ".join(paragraph(rng, 1) for _ in range(LONG_LINE_SENTENCES)).replace(".", ",")
    _write(
        case.folder / "long-line.txt", f"One very long line about Gwadar\n\n{long_line}.\n"
    )  # one sentence
    too_long = " ".join(paragraph(rng, 1) for _ in range(2_500))  # ~250,000 characters, under 10 MB
    _fails(
        case,
        "too-long.txt",
        f"An article too long to parse\n\n{too_long}\n",
        r"text is too long: 2\d\d,\d\d\d characters",
    )
    chinese = (
        "中巴经济走廊瓜达尔港项目进展顺利\n\n新华社伊斯兰堡电 中国和巴基斯坦官员周一在伊斯兰堡会见，"
        "双方同意加快瓜达尔港和卡拉奇铁路项目建设。中国进出口银行将提供十亿美元贷款。\n"
    )
    _write(case.folder / "chinese.txt", chinese)
    urdu = (
        "گوادر بندرگاہ پر کام دوبارہ شروع\n\nاسلام آباد: پاکستان اور چین کے حکام نے پیر کو ملاقات کی "
        "اور سی پیک منصوبوں پر کام تیز کرنے پر اتفاق کیا۔ گوادر میں نئی سڑک کی تعمیر جاری ہے۔\n"
    )
    _write(case.folder / "urdu.txt", urdu)
    mixed = article_text(rng, "Karachi 卡拉奇 کراچی rail deal")
    _write(case.folder / "scripts-mixed.txt", mixed)
    case.stored |= {"controls", "bidi", "long-line", "chinese", "urdu", "scripts-mixed"}
    _fails(case, "\x1b[2J\x1b[31mred\u202etxt.txt", b"", r"empty")


CASES = {
    "empty": empty_files,
    "binary": binary_files,
    "encodings": encodings,
    "big": big_article,
    "tiny": tiny_articles,
    "deep": deep_nesting,
    "script-only": script_only,
    "broken-feeds": broken_feeds,
    "entities": entity_feeds,
    "gzip-bomb": gzip_bomb,
    "jsonl": malformed_jsonl,
    "odd-text": odd_text,
}


def write_cases(folder: Path, names: list[str] | None = None) -> dict[str, Case]:
    """Every case (or those named) in `folder/<case>/`, generated from one seed."""
    out = {}
    for name in names or list(CASES):
        case = Case(name, folder / name)
        case.folder.mkdir(parents=True, exist_ok=True)
        CASES[name](case, random.Random(f"{SEED}-{name}"))
        out[name] = case
    return out
