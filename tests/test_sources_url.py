"""Fetching URLs: a real HTTP server on 127.0.0.1, SSRF refusals, caps, redirects and timeouts.

No request leaves the machine: the only server is local, refused addresses are refused before
any connection, and host names other than localhost only ever meet a fake resolver.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from beltwatch.errors import InputError
from beltwatch.model import Article
from beltwatch.sources import SourceFailure, iter_articles
from beltwatch.sources.url import (
    MAX_REDIRECTS,
    address_problem,
    check_url,
    fetch,
    parse_content_type,
    read_url,
    url_id,
)

CORPUS = Path(__file__).parent / "corpus" / "dev"
PAGE = (CORPUS / "sri-lanka-exim-debt-deal-2023.html").read_bytes()
FEED = (CORPUS / "bri-topic-feed.rss").read_bytes()
LIMIT = 50_000
NOTES = "“Plain notes” about a €46 billion corridor.\n"


class Server:
    """What the test server saw, and an event that releases handlers that wait."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.release = threading.Event()
        self.base = ""
        self.port = 0


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes, content_type: str | None, **headers: str) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, location: str, status: int = 302) -> None:
            self.send(status, b"", "text/html", Location=location)

        def do_GET(self) -> None:
            path = self.path
            server.paths.append(path)
            if path == "/page.html":
                self.send(200, PAGE, "text/html; charset=utf-8")
            elif path == "/latin1.html":
                body = PAGE.decode("utf-8").replace("Exim", "Exïm").encode("latin-1", errors="replace")
                self.send(200, body, "text/html; charset=ISO-8859-1")
            elif path == "/undeclared.html":
                page = PAGE.decode("utf-8").replace('<meta charset="utf-8">', "").replace("Exim", "Exïm")
                self.send(200, page.encode("cp1252"), "text/html")
            elif path == "/cp1252.txt":
                self.send(200, NOTES.encode("cp1252"), "text/plain; charset=windows-1252")
            elif path == "/feed.rss":
                self.send(200, FEED, "application/rss+xml")
            elif path == "/notes.txt":
                self.send(200, b"Plain notes about CPEC.\n", "text/plain; charset=utf-8")
            elif path.startswith("/hop/"):
                left = int(path.rsplit("/", 1)[1])
                self.redirect(f"/hop/{left - 1}" if left > 1 else "/page.html", 301 if left % 2 else 307)
            elif path == "/to-alias":
                self.redirect(f"http://alias.test:{server.port}/page.html")
            elif path == "/to-metadata":
                self.redirect("http://169.254.169.254/latest/meta-data/")
            elif path == "/to-nowhere":
                self.redirect("http://[::1")
            elif path == "/to-file":
                self.redirect("file:///etc/passwd")
            elif path == "/loop":
                self.redirect("/loop")
            elif path == "/big":
                self.send(200, b"<p>" + b"x" * (LIMIT * 2), "text/html")
            elif path == "/big-undeclared":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                for _ in range(20):
                    self.wfile.write(b"<p>" + b"y" * 10_000 + b"</p>")
            elif path == "/bomb":
                self.send(200, gzip.compress(b"<p>" + b"z" * 5_000_000), "text/html", Content_Encoding="gzip")
            elif path == "/image.png":
                self.send(200, b"\x89PNG\r\n\x1a\n", "image/png")
            elif path == "/no-type":
                self.send(200, b"<p>hi</p>", None)
            elif path == "/missing":
                self.send(404, b"<p>not here</p>", "text/html")
            elif path == "/slow":
                server.release.wait(5)
                self.send(200, PAGE, "text/html")
            elif path == "/drip":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                for _ in range(100):
                    if server.release.wait(0.05):
                        break
                    self.wfile.write(b"a")
                    self.wfile.flush()
            else:
                self.send(404, b"", "text/plain")

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as the tests want it to

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    state.base = f"http://127.0.0.1:{state.port}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any name lookup that would leave the machine: only IP literals and localhost resolve."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name.split("%", 1)[0])
        except ValueError:
            if name != "localhost":
                raise socket.gaierror(socket.EAI_NONAME, f"test forbids resolving {name!r}") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


def fake_resolver(table: dict[str, list[str]], seen: list[str] | None = None):
    def resolve(host: str, port: int, *args, **kwargs):
        if seen is not None:
            seen.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        out = []
        for address in table[host]:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            out.append((family, socket.SOCK_STREAM, 6, "", (address, port)))
        return out

    return resolve


def refused(url: str, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        fetch(url, **kwargs)
    assert "\n" not in info.value.message
    return info.value


# --- fetching from the local server (allow_private=True) ------------------------------------


def test_fetch_html_page(server: Server, no_dns: None):
    data, content_type, final_url = fetch(f"{server.base}/page.html", allow_private=True)
    assert data == PAGE
    assert content_type == "text/html; charset=utf-8"
    assert final_url == f"{server.base}/page.html"


def test_read_url_html_page_is_one_article(server: Server, no_dns: None):
    url = f"{server.base}/page.html"
    (article,) = read_url(url, allow_private=True)
    assert isinstance(article, Article)
    assert article.id == url_id(url)
    assert article.origin == url
    assert article.meta.published == "2023-10-12"
    assert "Accept all cookies" not in article.text


def test_read_url_honours_the_declared_charset(server: Server, no_dns: None):
    (article,) = read_url(f"{server.base}/latin1.html", allow_private=True)
    assert "Exïm" in article.text
    assert article.meta.encoding == "cp1252"  # the web reads ISO-8859-1 as its superset


def test_read_url_plain_text_in_its_declared_charset(server: Server, no_dns: None):
    (article,) = read_url(f"{server.base}/cp1252.txt", allow_private=True)
    assert (article.text, article.meta.encoding) == (NOTES, "cp1252")


def test_read_url_guesses_an_undeclared_charset(server: Server, no_dns: None):
    (article,) = read_url(f"{server.base}/undeclared.html", allow_private=True)
    assert "Exïm" in article.text
    assert article.meta.to_json()["encoding"] == "cp1252"


def test_read_url_feed_is_one_article_per_item(server: Server, no_dns: None):
    url = f"{server.base}/feed.rss"
    articles = list(read_url(url, allow_private=True))
    assert [a.id for a in articles] == [f"{url_id(url)}#{n}" for n in (1, 2, 3, 4)]
    assert [a.origin for a in articles] == [f"{url}#{n}" for n in (1, 2, 3, 4)]
    assert articles[1].meta.published == "2024-10-07"
    assert articles[1].meta.url == "https://news.example.org/2024/10/07/karachi-airport-convoy-bombing"


def test_read_url_plain_text(server: Server, no_dns: None):
    (article,) = read_url(f"{server.base}/notes.txt", allow_private=True)
    assert article.text == "Plain notes about CPEC.\n"
    assert article.meta.encoding == "utf-8"


def test_redirect_chain_is_followed_and_every_hop_checked(server: Server, no_dns: None):
    seen: list[str] = []
    resolver = fake_resolver({"127.0.0.1": ["127.0.0.1"]}, seen)
    result = fetch(f"{server.base}/hop/{MAX_REDIRECTS - 1}", allow_private=True, resolver=resolver)
    assert result.final_url == f"{server.base}/page.html"
    assert result.data == PAGE
    assert server.paths == [f"/hop/{n}" for n in range(MAX_REDIRECTS - 1, 0, -1)] + ["/page.html"]
    assert seen == ["127.0.0.1"] * MAX_REDIRECTS  # one check per request


def test_connection_goes_to_the_checked_address_not_a_new_lookup(server: Server, no_dns: None):
    # alias.test exists only in the fake resolver; no_dns makes any second lookup fail,
    # so the page can only arrive if the connection used the address the check returned
    resolver = fake_resolver({"127.0.0.1": ["127.0.0.1"], "alias.test": ["127.0.0.1"]})
    result = fetch(f"{server.base}/to-alias", allow_private=True, resolver=resolver)
    assert result.final_url == f"http://alias.test:{server.port}/page.html"
    assert result.data == PAGE


def test_too_many_redirects(server: Server, no_dns: None):
    assert (
        "too many redirects" in refused(f"{server.base}/hop/{MAX_REDIRECTS + 1}", allow_private=True).message
    )
    assert "too many redirects" in refused(f"{server.base}/loop", allow_private=True).message
    assert len(server.paths) == 2 * (MAX_REDIRECTS + 1)


def test_redirect_to_metadata_is_refused_even_with_allow_private(server: Server, no_dns: None):
    err = refused(f"{server.base}/to-metadata", allow_private=True)
    assert err.source == f"{server.base}/to-metadata"
    assert err.message == (
        "redirect to http://169.254.169.254/latest/meta-data/: refused: 169.254.169.254 is a cloud metadata address"
    )


def test_redirect_to_another_scheme_is_refused(server: Server, no_dns: None):
    err = refused(f"{server.base}/to-file", allow_private=True)
    assert err.message == "redirect to file:///etc/passwd: unsupported URL scheme 'file': only http and https"
    err = refused(f"{server.base}/to-nowhere", allow_private=True)  # httpx itself rejects the Location
    assert err.message.startswith(f"cannot fetch {server.base}/to-nowhere: Invalid URL in location header")


def test_body_over_the_cap(server: Server, no_dns: None):
    declared = refused(f"{server.base}/big", allow_private=True, max_bytes=LIMIT)
    assert declared.message == f"response is too large: {LIMIT * 2 + 3:,} bytes, over the limit of {LIMIT:,}"
    streamed = refused(f"{server.base}/big-undeclared", allow_private=True, max_bytes=LIMIT)
    assert streamed.message == f"response is larger than the limit of {LIMIT:,} bytes"


def test_gzip_bomb_is_capped_after_decoding(server: Server, no_dns: None):
    err = refused(f"{server.base}/bomb", allow_private=True, max_bytes=LIMIT)
    assert err.message == f"response is larger than the limit of {LIMIT:,} bytes"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/image.png", "unsupported content type 'image/png': not HTML, a feed or text"),
        ("/no-type", "unsupported content type '(none)': not HTML, a feed or text"),
    ],
)
def test_wrong_content_type(server: Server, no_dns: None, path: str, message: str):
    assert refused(f"{server.base}{path}", allow_private=True).message == message


def test_http_error_status(server: Server, no_dns: None):
    err = refused(f"{server.base}/missing", allow_private=True)
    assert err.message == f"HTTP 404 Not Found from {server.base}/missing"


def test_slow_server_times_out(server: Server, no_dns: None):
    start = time.monotonic()
    err = refused(f"{server.base}/slow", allow_private=True, timeout=0.3)
    assert time.monotonic() - start < 2
    assert err.message == f"timed out after 0.3 s at {server.base}/slow"


def test_dripping_server_hits_the_overall_deadline(server: Server, no_dns: None):
    start = time.monotonic()
    err = refused(f"{server.base}/drip", allow_private=True, timeout=0.3)
    assert time.monotonic() - start < 2.5
    assert err.message == "fetch took too long (server too slow)"


def test_connection_refused(no_dns: None):
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    err = refused(f"http://127.0.0.1:{port}/", allow_private=True, timeout=2)
    assert err.message.startswith(f"cannot fetch http://127.0.0.1:{port}/:")


# --- refusing private addresses (allow_private=False) ---------------------------------------


def test_local_server_is_refused_without_allow_private(server: Server, no_dns: None):
    err = refused(f"{server.base}/page.html")
    assert err.message == "refused: 127.0.0.1 is a loopback address"
    assert err.source == f"{server.base}/page.html"
    err = refused(f"http://localhost:{server.port}/page.html")
    assert err.message.startswith("refused: localhost resolves to ")
    assert err.message.endswith("which is a loopback address")
    assert server.paths == []  # nothing reached the server


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1]/", "a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("http://10.0.0.1/", "a private address"),
        ("http://192.168.1.1:8080/", "a private address"),
        ("https://172.16.5.4/", "a private address"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://[::]/", "an unspecified address"),
        ("http://169.254.1.1/", "a link-local address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://240.0.0.1/", "a private address"),
        ("http://100.64.0.1/", "a non-global address"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address (embedded 127.0.0.1)"),
        ("http://[::ffff:10.1.2.3]/", "a private address (embedded 10.1.2.3)"),
    ],
)
def test_private_literals_are_refused(no_dns: None, url: str, problem: str):
    err = refused(url, timeout=1)
    assert err.message.startswith("refused: ")
    assert err.message.endswith(f" is {problem}")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/file", "unsupported URL scheme 'ftp': only http and https"),
        ("file:///etc/passwd", "unsupported URL scheme 'file': only http and https"),
        ("http://user:secret@127.0.0.1/", "URLs with user:password are not fetched"),
        ("http:///nohost", "URL has no host"),
    ],
)
def test_bad_urls_are_refused(no_dns: None, url: str, message: str):
    assert refused(url, allow_private=True).message == message


# --- the per-hop check, with a fake resolver ------------------------------------------------


def test_check_url_returns_the_public_addresses():
    resolver = fake_resolver({"news.example.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]})
    assert check_url("https://news.example.test/a", resolver=resolver) == [
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
    ]


@pytest.mark.parametrize(
    "addresses",
    [
        ["93.184.216.34", "127.0.0.1"],  # ANY private address refuses the host
        ["10.0.0.7"],
        ["93.184.216.34", "::1"],
        ["::ffff:192.168.0.1"],
        ["2002:a00:1::1"],  # 6to4 around 10.0.0.1
        ["64:ff9b::a9fe:a9fe"],  # NAT64 around 169.254.169.254
        ["2001:0:4136:e378:8000:63bf:f5ff:fffe"],  # Teredo, client 10.0.0.1
        ["169.254.169.254"],
    ],
)
def test_check_url_refuses_a_host_with_any_bad_address(addresses: list[str]):
    resolver = fake_resolver({"rebind.example.test": addresses})
    with pytest.raises(InputError) as info:
        check_url("http://rebind.example.test/", resolver=resolver)
    assert info.value.message.startswith("refused: rebind.example.test resolves to ")
    assert info.value.source == "http://rebind.example.test/"


def test_check_url_allow_private_lifts_all_but_metadata():
    resolver = fake_resolver({"intranet.test": ["10.0.0.7"], "meta.test": ["10.0.0.7", "169.254.169.254"]})
    assert check_url("http://intranet.test/", allow_private=True, resolver=resolver) == ["10.0.0.7"]
    with pytest.raises(InputError, match="cloud metadata"):
        check_url("http://meta.test/", allow_private=True, resolver=resolver)


def test_check_url_unresolvable_host():
    with pytest.raises(InputError) as info:
        check_url("http://nowhere.test/", resolver=fake_resolver({}))
    assert info.value.message == "cannot resolve host 'nowhere.test': Name or service not known"


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
        ("127.0.0.2", "loopback address"),
        ("10.255.255.255", "private address"),
        ("fc00::1", "private address"),
        ("fe80::1%eth0", "link-local address"),
        ("ff02::1", "multicast address"),
        ("::", "unspecified address"),
        ("192.0.2.1", "private address"),  # TEST-NET-1, documentation
        ("198.18.0.1", "private address"),  # benchmarking
        ("255.255.255.255", "private address"),
        ("2002:a00:1::1", "private address (embedded 10.0.0.1)"),  # 6to4
        ("64:ff9b::a9fe:a9fe", "cloud metadata address (embedded 169.254.169.254)"),  # NAT64
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private address (embedded 10.0.0.1)"),  # Teredo
        ("not-an-ip", "not an IP address"),
    ],
)
def test_address_problem(address: str, problem: str | None):
    assert address_problem(address) == problem


# --- ids, content types, and URLs in iter_articles ------------------------------------------


def test_url_id_is_stable_and_readable():
    url = "https://News.Example.org/2024/10/07/story.html#top"
    assert url_id(url) == url_id("http://news.example.org:80/2024/10/07/story.html")
    assert url_id(url).startswith("news-example-org-2024-10-07-story-html-")
    assert url_id(url) != url_id("https://news.example.org/2024/10/07/story.html?page=2")
    assert len(url_id("https://news.example.org/" + "a" * 500)) <= 80 + 9


def test_parse_content_type():
    assert parse_content_type('text/HTML; Charset="UTF-8"') == ("text/html", "UTF-8")
    assert parse_content_type(None) == ("", None)


def test_iter_articles_with_urls(server: Server, no_dns: None, tmp_path: Path):
    specs = [
        f"{server.base}/page.html",
        f"{server.base}/feed.rss",
        f"{server.base}/missing",
        "ftp://x.test/a",
    ]
    items = list(iter_articles(specs, allow_private=True))
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, SourceFailure)]
    assert len(articles) == 5
    assert [f.source for f in failures] == [f"{server.base}/missing", "ftp://x.test/a"]

    (refusal,) = list(iter_articles([f"{server.base}/page.html"]))  # allow_private defaults to False
    assert refusal == SourceFailure(f"{server.base}/page.html", "refused: 127.0.0.1 is a loopback address")
