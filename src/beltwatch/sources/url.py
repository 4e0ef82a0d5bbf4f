"""Fetching articles and feeds over http(s), guarded against server-side request forgery.

`fetch` gets one URL with httpx and returns `Fetched(data, content_type, final_url)`; `get` is
the same request with headers of the caller's (a conditional GET) that returns every status with
the response's headers, for callers that act on 304, 429 or 503 themselves (`sources.poll`):

- only `http` and `https` URLs, without user:password;
- every network operation (connect, read, write, pool) times out after `timeout` seconds and
  the whole fetch after `3 * timeout`, so a server that drips bytes cannot hold it forever;
- the body is streamed and refused past `max_bytes` (after gzip/deflate decoding; brotli and
  zstd are not offered), and a `Content-Length` over the limit is refused before reading;
- the content type must be HTML, XML/RSS/Atom or plain text; a non-2xx status is an error;
- redirects are followed by hand, at most 5, and every hop is checked like the first;
- before every hop the host is resolved (`socket.getaddrinfo`) and the fetch is refused if ANY
  address is private, loopback, link-local, multicast, reserved, unspecified, shared (CGNAT)
  or otherwise not global, also inside IPv4-mapped, 6to4, Teredo and NAT64 IPv6 addresses.
  `allow_private=True` lifts that check (for local servers and tests), but never for the
  cloud metadata addresses (169.254.169.254, fd00:ec2::254), which are always refused;
- no proxy from the environment and no `.netrc` is used (`trust_env=False`): a proxy would
  resolve the host itself, out of reach of the check.

DNS rebinding. A name can resolve to a public address when checked and to a private one a
moment later, when the HTTP client resolves it again. Here the client does not resolve
again: its connections go through `_PinnedBackend`, which connects only to the addresses the
check returned for that host (TLS still verifies the certificate against the host name).
The pinning replaces the connection pool of httpx's `HTTPTransport` (its private `_pool`
attribute, stable since httpx 0.18); if a future httpx drops it, `_PinnedTransport` fails
loudly at construction rather than silently resolving on its own.

Every failure is an `InputError` with a one-line reason and the URL as its source.
`read_url` turns a fetched page into articles: HTML through the same extraction as HTML files,
XML/RSS/Atom through `feeds.parse_feed`, plain text as is.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

from beltwatch.errors import InputError
from beltwatch.model import Article
from beltwatch.sources import SourceFailure
from beltwatch.sources.files import DEFAULT_MAX_BYTES, decoded_article

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+xml",
)
TEXT_TYPES = ("text/plain",)
ALLOWED_TYPES = HTML_TYPES + FEED_TYPES + TEXT_TYPES
PROJECT_URL = "https://github.com/beltwatch/beltwatch"
# names the program and where to read about it, so a site's operator can tell who is reading
USER_AGENT = f"beltwatch/0.1 (+{PROJECT_URL})"
_ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, text/plain;q=0.8"
)

# Cloud instance metadata endpoints: refused even with allow_private.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REDIRECT_CODES = (301, 302, 303, 307, 308)

Resolver = Callable[..., list[tuple[Any, ...]]]


class Fetched(NamedTuple):
    """What `fetch` got: the body, its Content-Type header and the URL after redirects."""

    data: bytes
    content_type: str
    final_url: str


class Reply(NamedTuple):
    """What `get` got: any status, the response headers, and the body of a 2xx answer (else empty)."""

    status: int
    reason: str
    headers: httpx.Headers
    data: bytes
    content_type: str
    final_url: str


# --- address checks ------------------------------------------------------------------------


def address_problem(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `address` must not be fetched, or None for a public address.

    "loopback address", "private address (embedded 10.0.0.1)" for an IPv4 address inside an
    IPv4-mapped, 6to4, Teredo or NAT64 IPv6 address, "cloud metadata address", ...
    """
    try:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return "not an IP address"
    if ip in METADATA_ADDRESSES:
        return "cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip.teredo:
            embedded = ip.teredo[1]
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = address_problem(embedded)
            if inner:
                return f"{inner} (embedded {embedded})"
    for flag, name in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(ip, flag):
            return f"{name} address"
    if not ip.is_global:
        return "non-global address"
    return None


def check_url(
    url: str,
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
) -> list[str]:
    """Check one hop before it is requested; the addresses it may connect to, in resolver order.

    Refuses (`InputError`) a URL that is not http(s), has no host or carries credentials, a host
    that does not resolve, and, unless `allow_private`, a host of which ANY address is not
    public (see `address_problem`). Metadata addresses are refused always. `resolver` has the
    signature of `socket.getaddrinfo` (the default) and is there for tests.
    """
    host, port = _host_port(url)
    resolve = resolver or socket.getaddrinfo
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise InputError(
            f"cannot resolve host {host!r}: {getattr(exc, 'strerror', None) or exc}", source=url
        ) from None
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise InputError(f"host {host!r} has no address", source=url)
    for address in addresses:
        problem = address_problem(address)
        if problem and (not allow_private or problem.startswith("cloud metadata")):
            shown = host if host == address else f"{host} resolves to {address}, which"
            article = "an" if problem[0] in "aeiou" else "a"
            raise InputError(f"refused: {shown} is {article} {problem}", source=url)
    return addresses


def pinned_client(timeout: float) -> tuple[httpx.Client, dict[str, list[str]]]:
    """An httpx client that connects only to the addresses `pin` checked for a host, and its pins.

    No proxies, no `.netrc`, no redirects followed: a caller that follows one pins its target first.
    """
    pins: dict[str, list[str]] = {}
    client = httpx.Client(
        transport=_PinnedTransport(pins),
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
    )
    return client, pins


def pin(
    pins: dict[str, list[str]], url: str, *, allow_private: bool = False, resolver: Resolver | None = None
) -> None:
    """Check `url` (`check_url`) and let a `pinned_client` connect to its host's checked addresses only."""
    host, _port = _host_port(url)
    pins[host] = check_url(url, allow_private=allow_private, resolver=resolver)


def _host_port(url: str) -> tuple[str, int]:
    """The host (ASCII, as httpx will connect to it) and port of an http(s) URL; `InputError` otherwise."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InputError(f"invalid URL: {_one_line(exc)}", source=url) from None
    scheme = parsed.scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(f"unsupported URL scheme {scheme!r}: only http and https", source=url)
    if parsed.userinfo:
        raise InputError("URLs with user:password are not fetched", source=url)
    host = parsed.raw_host.decode("ascii").lower()
    if not host:
        raise InputError("URL has no host", source=url)
    return host, parsed.port or (443 if scheme == "https" else 80)


# --- fetching ------------------------------------------------------------------------------


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 10.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    resolver: Resolver | None = None,
) -> Fetched:
    """GET `url` with SSRF checks on every hop, a size cap, a content-type check and timeouts.

    Returns `Fetched(data, content_type, final_url)` (a tuple). Raises `InputError` (source
    `url`) with a one-line reason for anything refused or failed, a non-2xx status included.
    """
    reply = get(url, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes, resolver=resolver)
    if not 200 <= reply.status < 300:
        raise InputError(f"HTTP {reply.status} {reply.reason}".rstrip() + f" from {reply.final_url}", source=url)
    return Fetched(reply.data, reply.content_type, reply.final_url)


def get(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    allow_private: bool = False,
    timeout: float = 10.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    resolver: Resolver | None = None,
    types: tuple[str, ...] | None = ALLOWED_TYPES,
) -> Reply:
    """GET `url` as `fetch` does, adding `headers`, and return whatever status the last hop gave.

    The body is read (capped, type-checked against `types`; None takes any type) for a 2xx
    answer only. `InputError` for what is refused or fails on the way: a hop to a refused address,
    too many redirects, a timeout, a body over the cap or of a type not in `types`.
    """
    deadline = time.monotonic() + 3 * timeout
    sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", "Accept": _ACCEPT, **(headers or {})}
    current = url
    client, pins = pinned_client(timeout)
    with client:
        for hop in range(MAX_REDIRECTS + 1):
            try:
                pin(pins, current, allow_private=allow_private, resolver=resolver)
            except InputError as exc:
                if hop == 0:
                    raise
                raise InputError(f"redirect to {current}: {exc.message}", source=url) from None
            try:
                with client.stream("GET", current, headers=sent) as response:
                    if response.status_code in _REDIRECT_CODES and response.headers.get("location"):
                        location = response.headers["location"]
                        try:
                            target = str(response.url.join(location))
                        except (httpx.InvalidURL, ValueError):
                            raise InputError(f"bad redirect location {location!r}", source=url) from None
                        if hop == MAX_REDIRECTS:
                            raise InputError(f"too many redirects (more than {MAX_REDIRECTS})", source=url)
                        current = urlunsplit(urlsplit(target)._replace(fragment=""))
                        continue
                    return _read_response(response, url, max_bytes, deadline, types)
            except httpx.TimeoutException:
                raise InputError(f"timed out after {timeout:g} s at {current}", source=url) from None
            except httpx.HTTPError as exc:
                raise InputError(f"cannot fetch {current}: {_one_line(exc)}", source=url) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _read_response(
    response: Any, url: str, max_bytes: int, deadline: float, types: tuple[str, ...] | None
) -> Reply:
    final_url = str(response.url)
    status = response.status_code
    content_type = response.headers.get("content-type", "")
    reply = Reply(status, response.reason_phrase or "", response.headers, b"", content_type, final_url)
    if not 200 <= status < 300:
        return reply
    mime, _charset = parse_content_type(content_type)
    if types is not None and mime not in types:
        raise InputError(
            f"unsupported content type {mime or '(none)'!r}: not HTML, a feed or text", source=url
        )
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise InputError(
            f"response is too large: {int(declared):,} bytes, over the limit of {max_bytes:,}", source=url
        )
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise InputError(f"response is larger than the limit of {max_bytes:,} bytes", source=url)
        if time.monotonic() > deadline:
            raise InputError("fetch took too long (server too slow)", source=url)
    return reply._replace(data=bytes(body))


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """`text/html; charset=UTF-8` -> (`text/html`, `UTF-8`); ("", None) for nothing."""
    if not value:
        return "", None
    parts = value.split(";")
    mime = parts[0].strip().lower()
    charset = None
    for param in parts[1:]:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return mime, charset


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class _PinnedBackend(httpcore.SyncBackend):
    """A network backend that connects only to the addresses `check_url` vetted for the host.

    httpcore hands it the host name of the request; it never resolves that name again, so the
    address that was checked is the address that is connected to (no DNS rebinding).
    """

    def __init__(self, pins: dict[str, list[str]]) -> None:
        self._pins = pins

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        addresses = self._pins.get(host.lower())
        if not addresses:
            raise httpcore.ConnectError(f"host {host!r} was not checked before connecting")
        error: Exception = httpcore.ConnectError(f"no address to connect to for {host!r}")
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on `_PinnedBackend`; no proxies, no retries."""

    def __init__(self, pins: dict[str, list[str]]) -> None:
        super().__init__(trust_env=False, retries=0)
        if not hasattr(self, "_pool"):
            raise RuntimeError(
                "httpx.HTTPTransport has no connection pool to pin; update beltwatch.sources.url"
            )
        self._pool.close()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=4,
            max_keepalive_connections=0,
            network_backend=_PinnedBackend(pins),
        )


# --- ids and articles ------------------------------------------------------------------------


def url_id(url: str) -> str:
    """A stable, readable id for a URL: a slug of host and path plus 8 hex digits of its hash.

    `https://News.Example.org/2024/10/07/story.html#top` ->
    `news-example-org-2024-10-07-story-html-1a2b3c4d`; the scheme, the fragment, a default
    port and the case of the host do not change it, the query does.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    key = urlunsplit(("", netloc, parts.path or "/", parts.query, ""))
    digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", f"{netloc} {parts.path}".lower()).strip("-")
    return f"{slug[:80].rstrip('-') or 'url'}-{digest}"


def read_url(
    url: str,
    *,
    allow_private: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 10.0,
    resolver: Resolver | None = None,
) -> Iterator[Article | SourceFailure]:
    """The articles at a URL: one for an HTML page or a text, one per item for a feed.

    Ids come from the URL as given (`url_id`), so they stay put when the site redirects;
    origins are the final URL (`FINAL#N` for feed items).
    """
    from beltwatch.sources.feeds import parse_feed

    data, content_type, final_url = fetch(
        url, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes, resolver=resolver
    )
    mime, charset = parse_content_type(content_type)
    article_id = url_id(url)
    if mime in FEED_TYPES:
        yield from parse_feed(
            data,
            source=url,
            id_prefix=article_id,
            origin=final_url,
            content_type=content_type,
            base_url=final_url,
        )
    else:
        article = decoded_article(
            data,
            html=mime in HTML_TYPES,
            article_id=article_id,
            origin=final_url,
            charset=charset,
            source=url,
        )
        article.meta.url = article.meta.url or final_url
        yield article
