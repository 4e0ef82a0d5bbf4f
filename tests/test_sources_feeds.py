"""RSS and Atom feeds: one article per item, gold ids for the corpus feed, broken and hostile feeds."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from beltwatch.errors import InputError
from beltwatch.model import Article
from beltwatch.sources import SourceFailure, iter_articles
from beltwatch.sources.feeds import html_paragraphs, parse_feed, read_feed
from readers import split, write

CORPUS = Path(__file__).parent / "corpus" / "dev"
FEED = CORPUS / "bri-topic-feed.rss"
GOLD = CORPUS / "bri-topic-feed.gold.json"


def rss(
    items: str, *, head: str = "", channel: str = "<title>Test Wire</title><language>en-GB</language>"
) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<rss version="2.0"><channel>{channel}{items}</channel></rss>\n'


ITEM = "<item><title>Port deal signed</title><link>https://news.example.org/a</link><description>Body text.</description></item>"


# --- the corpus feed -----------------------------------------------------------------------


def test_corpus_feed_items_match_gold_ids_and_meta():
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["items"]
    articles, failures = split(read_feed(FEED))
    assert not failures
    assert (
        [a.id for a in articles] == [g["id"] for g in gold] == [f"bri-topic-feed#{n}" for n in (1, 2, 3, 4)]
    )
    for n, (article, item) in enumerate(zip(articles, gold, strict=True), start=1):
        assert article.origin == f"{FEED}#{n}"
        assert article.meta.published == item["meta"]["published"]
        assert article.meta.url == item["meta"]["link"]
        assert article.meta.source == item["meta"]["source"]
        assert article.meta.language == item["meta"]["language"]


def test_corpus_feed_item_text_is_title_blank_line_description():
    raw = FEED.read_text(encoding="utf-8")
    pairs = re.findall(r"<item>\s*<title>(.*?)</title>.*?<description>(.*?)</description>", raw, re.DOTALL)
    assert len(pairs) == 4
    articles, _ = split(read_feed(FEED))
    for article, (title, description) in zip(articles, pairs, strict=True):
        assert article.text == f"{title}\n\n{description}\n"
        assert article.meta.title == title


def test_iter_articles_reads_feeds_in_folders_beside_text_and_html(tmp_path: Path):
    articles, failures = split(iter_articles([CORPUS]))
    assert not failures
    ids = {a.id for a in articles}
    assert {f"bri-topic-feed#{n}" for n in (1, 2, 3, 4)} <= ids
    assert {"seed-xi-kakar", "sri-lanka-exim-debt-deal-2023"} <= ids
    assert len(ids) == len(articles)  # ids are unique over the corpus


def test_published_override_applies_to_feed_items():
    articles, _ = split(iter_articles([FEED], published="2020-02-03"))
    assert {a.meta.published for a in articles} == {"2020-02-03"}


# --- RSS and Atom details ------------------------------------------------------------------


def test_atom_feed_with_html_content(tmp_path: Path):
    atom = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr-FR">
  <title>Fil Atom</title>
  <entry>
    <title type="html">Rail &amp;amp; ports</title>
    <link rel="alternate" href="https://news.example.org/atom/1"/>
    <updated>2024-03-05T23:30:00-05:00</updated>
    <summary>Short summary.</summary>
    <content type="html">&lt;p&gt;First paragraph with &amp;amp; sign.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;
      &lt;p&gt;Second&lt;br&gt;paragraph.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Second entry</title>
    <published>2024-03-04T08:00:00Z</published>
    <updated>2024-03-06T08:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>XHTML body.</p></div></content>
  </entry>
</feed>"""
    articles, failures = split(iter_articles([write(tmp_path / "wire.atom", atom)]))
    assert not failures
    first, second = articles
    assert first.id == "wire#1" and second.id == "wire#2"
    assert first.text == "Rail & ports\n\nFirst paragraph with & sign.\n\nSecond\n\nparagraph.\n"
    assert "alert" not in first.text
    assert first.meta.published == "2024-03-05"  # the date as written, not converted to UTC
    assert first.meta.url == "https://news.example.org/atom/1"
    assert first.meta.source == "Fil Atom"
    assert first.meta.language == "fr"
    assert second.meta.published == "2024-03-04"  # published wins over updated
    assert second.text == "Second entry\n\nXHTML body.\n"
    assert second.meta.url is None


def test_rss_prefers_full_content_over_a_shorter_description(tmp_path: Path):
    item = (
        "<item><title>Dam works resume</title><description>Teaser.</description>"
        "<content:encoded><![CDATA[<p>Work resumed on Monday.</p><p>Security was raised.</p>]]></content:encoded>"
        "<pubDate>Tue, 02 Apr 2024 09:00:00 +0500</pubDate></item>"
    )
    head = ""
    doc = rss(item, head=head).replace(
        '<rss version="2.0">', '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
    )
    articles, failures = split(read_feed(write(tmp_path / "full.rss", doc)))
    assert not failures
    assert articles[0].text == "Dam works resume\n\nWork resumed on Monday.\n\nSecurity was raised.\n"
    assert articles[0].meta.published == "2024-04-02"
    assert articles[0].meta.language == "en"


def test_item_without_text_is_one_failure_and_the_rest_go_on(tmp_path: Path):
    doc = rss(ITEM + "<item><link>https://news.example.org/empty</link></item>" + ITEM)
    path = write(tmp_path / "gap.rss", doc)
    articles, failures = split(read_feed(path))
    assert [a.id for a in articles] == ["gap#1", "gap#3"]
    assert [(f.source, f.reason) for f in failures] == [(f"{path}#2", "item 2: no title and no text")]


def test_item_without_date_has_no_published(tmp_path: Path):
    articles, _ = split(read_feed(write(tmp_path / "nodate.xml", rss(ITEM))))
    assert articles[0].meta.published is None
    assert articles[0].text == "Port deal signed\n\nBody text.\n"


def test_utf16_feed(tmp_path: Path):
    doc = rss(ITEM).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    articles, failures = split(read_feed(write(tmp_path / "wide.rss", doc.encode("utf-16"))))
    assert not failures and articles[0].meta.title == "Port deal signed"


def test_parse_feed_from_bytes_resolves_relative_links_against_base():
    doc = rss("<item><title>T</title><link>/2024/story</link><description>D</description></item>")
    (article,) = parse_feed(
        doc.encode(),
        source="https://news.example.org/feed",
        id_prefix="feed",
        origin="https://news.example.org/feed",
        base_url="https://news.example.org/feed",
    )
    assert article.meta.url == "https://news.example.org/2024/story"
    assert article.origin == "https://news.example.org/feed#1"


def test_html_paragraphs():
    assert html_paragraphs("<p>a <b>b</b></p><ul><li>c</li><li>d</li></ul>tail<style>x{}</style>") == [
        "a b",
        "c",
        "d",
        "tail",
    ]


# --- broken feeds --------------------------------------------------------------------------


def test_broken_xml_without_items_is_one_failure(tmp_path: Path):
    path = write(tmp_path / "broken.rss", '<?xml version="1.0"?><rss version="2.0"><channel><title>x</tit')
    articles, failures = split(iter_articles([path, FEED]))
    assert len(articles) == 4  # the next source goes on
    (failure,) = failures
    assert failure.source == str(path)
    assert failure.reason.startswith("not a readable feed:")


def test_broken_xml_with_items_keeps_the_items(tmp_path: Path):
    doc = rss(ITEM + ITEM).replace("</channel></rss>", "<item><title>cut off")
    path = write(tmp_path / "cut.rss", doc)
    articles, failures = split(read_feed(path))
    assert [a.id for a in articles] == ["cut#1", "cut#2"]
    assert [f.source for f in failures] == [f"{path}#3"]  # the cut-off item has no text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("page.xml", "<html><body><p>Not a feed at all.</p></body></html>", "not an RSS or Atom feed"),
        (
            "sitemap.xml",
            '<?xml version="1.0"?><urlset><url><loc>x</loc></url></urlset>',
            "not an RSS or Atom feed",
        ),
        ("image.rss", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content (PNG image), not a feed"),
        ("blank.rss", "  \n", "empty feed"),
        ("empty.rss", b"", "empty file"),
    ],
)
def test_not_a_feed_is_one_failure(tmp_path: Path, name: str, content: str | bytes, reason: str):
    path = write(tmp_path / name, content)
    articles, failures = split(iter_articles([path]))
    assert not articles
    assert [(f.source, f.reason) for f in failures] == [(str(path), reason)]


def test_feed_over_max_bytes_is_refused(tmp_path: Path):
    path = write(tmp_path / "big.rss", rss(ITEM * 50))
    _, failures = split(iter_articles([path], max_bytes=1000))
    assert len(failures) == 1 and "too large" in failures[0].reason


# --- hostile feeds: XXE, billion laughs, quadratic blow-up ---------------------------------

SECRET = "TOP-SECRET-7f3a9c"


def _xxe_variants(secret: Path) -> dict[str, str]:
    uri = secret.as_uri()
    body = "<item><title>A &xxe;</title><description>D &xxe;</description></item>"
    plain = "<item><title>A</title><description>D</description></item>"
    return {
        "entity": rss(body, head=f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{uri}">\n]>\n'),
        "entity-one-line": rss(body, head=f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}">]>').replace("\n", ""),
        "parameter-entity": rss(plain, head=f'<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "{uri}">\n%p;\n]>\n'),
        "external-dtd": rss(plain, head=f'<!DOCTYPE rss SYSTEM "{uri}">\n'),
    }


def test_xxe_feeds_never_show_the_local_file(tmp_path: Path):
    secret = write(tmp_path / "secret.txt", SECRET)
    for name, doc in _xxe_variants(secret).items():
        items = list(iter_articles([write(tmp_path / f"{name}.rss", doc)]))
        assert items, name
        for item in items:
            shown = item.text + repr(item.meta) if isinstance(item, Article) else item.reason
            assert SECRET not in shown, name
        if "entity" in name:  # entity declarations are refused outright
            assert [type(i) for i in items] == [SourceFailure], name
            assert "declares XML entities" in items[0].reason


def test_feedparser_itself_neither_opens_nor_expands_external_entities(tmp_path: Path):
    """What we rely on even without our <!ENTITY guard: feedparser 6 + expat never open the file."""
    secret = write(tmp_path / "secret.txt", SECRET)
    docs = {name: doc for name, doc in _xxe_variants(secret).items()}
    script = textwrap.dedent(
        """
        import io, json, sys
        import feedparser
        secret, docs = sys.argv[1], json.loads(sys.stdin.read())
        opened = []
        def hook(event, args):
            if event == "open" and args and str(args[0]).endswith("secret.txt"):
                opened.append(str(args[0]))
        sys.addaudithook(hook)
        out = {}
        for name, doc in docs.items():
            parsed = feedparser.parse(io.BytesIO(doc.encode()))
            out[name] = {"dump": repr(parsed), "opened": list(opened)}
            opened.clear()
        print(json.dumps(out))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(secret)],
        input=json.dumps(docs),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(result.stdout)
    assert set(out) == set(docs)
    for name, seen in out.items():
        assert seen["opened"] == [], name
        assert SECRET not in seen["dump"], name


LAUGH_STYLES = ("one-per-line", "one-line", "on-declaration-line")


def _billion_laughs(style: str) -> str:
    """Nine levels of ten: 10**9 "lol"s. The layout decides which feedparser path meets it.

    Declarations one per line are stripped by feedparser's regex; on one line they reach
    expat broken; on the XML declaration's line they reach expat intact (its amplification
    limit stops them).
    """
    lines = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        ref = f"&lol{level - 1 if level > 1 else ''};"
        lines.append(f'<!ENTITY lol{level} "{ref * 10}">')
    sep = "\n" if style == "one-per-line" else ""
    head = f"<!DOCTYPE rss [{sep}{sep.join(lines)}{sep}]>{sep}"
    doc = rss("<item><title>A &lol9;</title><description>D &lol9;</description></item>", head=head)
    if style == "on-declaration-line":
        doc = doc.replace("?>\n", "?>", 1)
    return doc


@pytest.mark.parametrize("style", LAUGH_STYLES)
def test_billion_laughs_is_refused_quickly(tmp_path: Path, style: str):
    path = write(tmp_path / "lol.rss", _billion_laughs(style))
    start = time.monotonic()
    items = list(iter_articles([path]))
    assert time.monotonic() - start < 5
    assert [type(i) for i in items] == [SourceFailure]
    assert "declares XML entities" in items[0].reason


@pytest.mark.parametrize("style", LAUGH_STYLES)
def test_feedparser_itself_survives_billion_laughs(style: str):
    """Without our guard: expat (>= 2.4) stops the nesting and the loose parser does not expand it."""
    import feedparser

    start = time.monotonic()
    parsed = feedparser.parse(io.BytesIO(_billion_laughs(style).encode()))
    assert time.monotonic() - start < 10
    assert "lollollol" not in repr(parsed)


def test_quadratic_blowup_with_a_flat_entity_is_refused(tmp_path: Path):
    # feedparser's loose parser would expand this 26 KB feed to a 40 MB description
    head = f'<!DOCTYPE rss [\n<!ENTITY a "{"x" * 20_000}">\n]>\n'
    doc = rss(f"<item><title>T</title><description>{'&a;' * 2000}</description></item><broken>", head=head)
    start = time.monotonic()
    items = list(iter_articles([write(tmp_path / "quad.rss", doc)]))
    assert time.monotonic() - start < 5
    assert [type(i) for i in items] == [SourceFailure]


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_entity_guard_sees_wide_encodings(codec: str):
    doc = _billion_laughs("one-per-line").replace('encoding="UTF-8"', f'encoding="{codec.upper()}"')
    with pytest.raises(InputError, match="declares XML entities"):
        list(parse_feed(doc.encode(codec), source="s", id_prefix="p", origin="o"))


def test_feed_bytes_that_look_like_a_file_name_are_not_opened(tmp_path: Path):
    # feedparser.parse(b"/some/path") would read that file; parse_feed always passes a stream
    secret = write(tmp_path / "secret.rss", rss(f"<item><title>{SECRET}</title></item>"))
    with pytest.raises(InputError) as info:
        list(parse_feed(str(secret).encode(), source="s", id_prefix="p", origin="o"))
    assert SECRET not in str(info.value)
