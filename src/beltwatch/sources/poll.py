"""Polling an outlet: its feeds and section pages, then the page of each new item. Network only.

`read_listing` gets one feed or section page with a conditional GET (the ETag and Last-Modified
the last complete poll saw) and returns the `Lead`s on it: each item's canonical URL
(`canonical`), the feed's own text of it and its publication time. A 304 answer is an unchanged
listing; a 429 or 503 is `Busy` with the wait the server asked for; anything else that fails is
an `InputError` with its reason.

`read_item` turns a lead into the article to ingest: with `full_text`, the item's page through
trafilatura (inside the outlet's `selector` when it has one); when the page cannot be had (robots.txt
disallows it, an error, over the size cap, no main text) or holds less text than the feed (a
teaser behind a paywall), the feed's own text with a note saying why. A page whose host answers 429/503 is put off (`Gathered.deferred`): the item is tried again
at the next poll rather than stored without its text.

Every request goes through `url.get` (the SSRF guard, the size caps, the timeouts), asks
`polite.Robots` first and waits its turn at `polite.HostGate`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from beltwatch.errors import InputError
from beltwatch.model import Article, ArticleMeta
from beltwatch.sources import SourceFailure, size_problem
from beltwatch.sources.canonical import canonical_url, same_site
from beltwatch.sources.files import DEFAULT_MAX_BYTES, decode, html_article
from beltwatch.sources.outlets import Outlet
from beltwatch.sources.polite import HostGate, Robots, retry_after
from beltwatch.sources.url import FEED_TYPES, HTML_TYPES, Resolver, get, parse_content_type, url_id

# A news page is HTML of 1-3 MB at the heaviest (inline scripts and styles); more is not an article.
PAGE_MAX_BYTES = 4_000_000
BUSY = (429, 503)
DEFAULT_BUSY_WAIT = 300.0  # a 429/503 without a readable Retry-After
MAX_SECTION_LINKS = 200


@dataclass(frozen=True)
class Policy:
    """How politely and how far to fetch; tests shorten the waits."""

    host_interval: float = 1.0  # seconds between two requests to one host
    per_host: int = 2  # requests to one host at once
    workers: int = 4  # requests at once, all hosts
    timeout: float = 10.0  # per network operation (a fetch may take 3 times as long)
    feed_max_bytes: int = DEFAULT_MAX_BYTES
    page_max_bytes: int = PAGE_MAX_BYTES
    backoff_cap: float = 6 * 3600.0  # the longest wait between polls of a failing source
    allow_private: bool = False
    resolver: Resolver | None = None

    def fetch_options(self) -> dict[str, object]:
        return {"allow_private": self.allow_private, "timeout": self.timeout, "resolver": self.resolver}


class Busy(InputError):
    """The server asked us to come back later (429 or 503), after `wait` seconds."""

    def __init__(self, message: str, wait: float, source: str | None = None) -> None:
        super().__init__(message, source=source)
        self.wait = wait


@dataclass(frozen=True)
class Lead:
    """An item found on a listing, not fetched yet."""

    url: str  # canonical: what the item is known by
    link: str | None  # as the listing gives it (None: the item has no link)
    article: Article | SourceFailure  # the listing's own text of it
    published_at: datetime | None


@dataclass
class Listing:
    """One feed or section page as polled: its leads, and the validators to send next time."""

    url: str
    unchanged: bool  # a 304: nothing to read
    validators: dict[str, str] = field(default_factory=dict)
    leads: list[Lead] = field(default_factory=list)


@dataclass(frozen=True)
class Gathered:
    """What became of a lead: the article to ingest (or why none), a note when the feed's text
    stands in for the page, or the seconds to wait when the page's host asked us to come back."""

    lead: Lead
    article: Article | SourceFailure | None
    note: str | None = None
    deferred: float | None = None


@dataclass
class Fetching:
    """What a poll needs to reach the network: the policy, robots.txt and the hosts' pace."""

    policy: Policy
    robots: Robots
    gate: HostGate

    def get(self, url: str, *, headers: dict[str, str] | None = None, max_bytes: int, types: tuple[str, ...]):
        """One guarded GET in `url`'s host's turn, after its robots.txt; `InputError` when refused."""
        verdict = self.robots.check(url)
        if not verdict.allowed:
            raise InputError(f"not fetched: {verdict.reason}", source=url)
        with self.gate.slot(url, verdict.delay) as turn:
            if not turn:
                raise InputError("not fetched: stopping", source=url)
            reply = get(url, headers=headers, max_bytes=max_bytes, types=types, **self.policy.fetch_options())
        if reply.status in BUSY:
            wait = retry_after(reply.headers.get("retry-after"))
            wait = DEFAULT_BUSY_WAIT if wait is None else wait
            self.gate.hold_off(url, wait)
            raise Busy(f"HTTP {reply.status}: come back in {wait:g} s", wait, source=url)
        return reply


# --- listings ----------------------------------------------------------------------------------


def read_listing(outlet: Outlet, url: str, validators: dict[str, str], fetching: Fetching) -> Listing:
    """Poll one feed or section page of `outlet` (see the module docstring)."""
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    page = url in outlet.pages
    reply = fetching.get(
        url,
        headers=headers,
        max_bytes=fetching.policy.page_max_bytes if page else fetching.policy.feed_max_bytes,
        types=HTML_TYPES if page else FEED_TYPES + HTML_TYPES,
    )
    if reply.status == 304:
        return Listing(url, unchanged=True, validators=validators)
    if not 200 <= reply.status < 300:
        raise InputError(f"HTTP {reply.status} {reply.reason}".rstrip() + f" from {reply.final_url}", source=url)
    fresh = {
        key: reply.headers[header]
        for key, header in (("etag", "etag"), ("last_modified", "last-modified"))
        if reply.headers.get(header)
    }
    mime, charset = parse_content_type(reply.content_type)
    if page:
        leads = _section_leads(outlet, reply.data, charset, reply.final_url)
    elif mime in FEED_TYPES or reply.data.lstrip()[:5] in (b"<?xml", b"<rss ", b"<feed"):
        leads = _feed_leads(url, reply.data, reply.content_type, reply.final_url)
    else:
        raise InputError(f"not a feed: the server sent {mime or 'no content type'}", source=url)
    return Listing(url, unchanged=False, validators=fresh, leads=leads)


def _feed_leads(url: str, data: bytes, content_type: str, final_url: str) -> list[Lead]:
    from beltwatch.sources.feeds import feed_items

    leads = []
    for item in feed_items(
        data, source=url, id_prefix=url_id(url), origin=final_url, content_type=content_type, base_url=final_url
    ):
        link = item.article.meta.url if isinstance(item.article, Article) else None
        if link and urlsplit(link).scheme.lower() in ("http", "https"):
            leads.append(Lead(canonical_url(link), link, item.article, item.published_at))
        elif isinstance(item.article, Article):
            # no link to fetch or to know it by: its text is what identifies it
            digest = hashlib.sha1(item.article.text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
            leads.append(Lead(f"{canonical_url(url)}#item-{digest}", None, item.article, item.published_at))
    return leads


def _section_leads(outlet: Outlet, data: bytes, charset: str | None, final_url: str) -> list[Lead]:
    """The article links of a section page: on the same site, matching `links` when the outlet
    gives it, else paths that look like an article's (two segments or more, one with a hyphen or a
    number); each with its link text as the title."""
    from lxml import html as lxml_html

    text = decode(data, final_url, charset, html=True).text
    try:
        root = lxml_html.document_fromstring(text)
    except Exception as exc:  # noqa: BLE001 - lxml raises several kinds on broken pages
        raise InputError(f"cannot parse the section page: {exc}", source=final_url) from None
    pattern = re.compile(outlet.links) if outlet.links else None
    leads: dict[str, Lead] = {}
    for anchor in root.iter("a"):
        link = urljoin(final_url, (anchor.get("href") or "").strip())
        path = urlsplit(link).path
        if not same_site(link, final_url) or not _looks_like_article(path, pattern):
            continue
        url = canonical_url(link)
        title = " ".join(anchor.text_content().split())
        if url not in leads and url != canonical_url(final_url):
            article = Article(id=url_id(url), text=title + "\n", meta=ArticleMeta(url=link, title=title or None))
            leads[url] = Lead(url, link, article, None)
        if len(leads) >= MAX_SECTION_LINKS:
            break
    return list(leads.values())


def _looks_like_article(path: str, pattern: re.Pattern[str] | None) -> bool:
    if pattern is not None:
        return pattern.search(path) is not None
    segments = [s for s in path.split("/") if s]
    return len(segments) >= 2 and any("-" in s or re.search(r"\d{4,}", s) for s in segments[1:])


# --- items -------------------------------------------------------------------------------------


def read_item(outlet: Outlet, lead: Lead, fetching: Fetching) -> Gathered:
    """The article of one lead: its page's main text, or the listing's text with the reason."""
    if not outlet.full_text:
        return Gathered(lead, _as_listed(outlet, lead))
    if lead.link is None:
        return _fallback(outlet, lead, "the item has no link")
    try:
        reply = fetching.get(lead.link, max_bytes=fetching.policy.page_max_bytes, types=HTML_TYPES)
    except Busy as exc:
        return Gathered(lead, None, deferred=exc.wait)
    except InputError as exc:
        return _fallback(outlet, lead, exc.message)
    if not 200 <= reply.status < 300:
        return _fallback(outlet, lead, f"HTTP {reply.status} {reply.reason}".rstrip())
    _mime, charset = parse_content_type(reply.content_type)
    try:
        html = decode(reply.data, reply.final_url, charset, html=True).text
        page = html_article(_selected(html, outlet.selector), article_id="", origin=reply.final_url)
    except InputError as exc:
        return _fallback(outlet, lead, f"page has {exc.message}" if "no main text" in exc.message else exc.message)
    problem = size_problem(page.text)
    if problem:  # a menu or a caption is all trafilatura found
        return _fallback(outlet, lead, f"page has no main text ({problem})")
    listed = lead.article.text if isinstance(lead.article, Article) else ""
    if len(listed) > len(page.text):  # a teaser behind a paywall, where the feed carries the article
        return _fallback(outlet, lead, "the page's text is shorter than the feed's")
    return Gathered(lead, _merged(outlet, lead, page, reply.final_url))


def _selected(html: str, selector: str | None) -> str:
    """The page cut down to its head and the elements `selector` picks (all of it without one, or
    when the selector picks nothing: trafilatura then looks on its own)."""
    if selector is None:
        return html
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
        picked = root.cssselect(selector)
    except Exception:  # noqa: BLE001 - an unparsable page is trafilatura's to refuse
        return html
    if not picked:
        return html
    head = root.find("head")
    parts = [etree.tostring(head, encoding="unicode")] if head is not None else []
    body = "".join(etree.tostring(node, encoding="unicode") for node in picked)
    return f"<html>{''.join(parts)}<body>{body}</body></html>"


def _merged(outlet: Outlet, lead: Lead, page: Article, final_url: str) -> Article:
    """The page's article, known by its canonical URL, with what the listing said where the page is silent.

    The page's own canonical link is believed only on its own site."""
    listed = lead.article.meta if isinstance(lead.article, Article) else ArticleMeta()
    declared = page.meta.url if page.meta.url and same_site(page.meta.url, final_url) else None
    url = canonical_url(urljoin(final_url, declared)) if declared else lead.url
    meta = replace(
        page.meta,
        url=url,
        source=outlet.name,
        title=page.meta.title or listed.title,
        published=page.meta.published or listed.published,
        language=page.meta.language or listed.language or outlet.language,
    )
    return Article(id=url_id(url), text=page.text, meta=meta, origin=final_url)


def _as_listed(outlet: Outlet, lead: Lead) -> Article | SourceFailure:
    """The listing's own article of a lead, known by the lead's URL and named after the outlet."""
    if not isinstance(lead.article, Article):
        return lead.article
    meta = replace(
        lead.article.meta,
        url=lead.url if lead.link else None,
        source=outlet.name,
        language=lead.article.meta.language or outlet.language,
    )
    return Article(id=url_id(lead.url), text=lead.article.text, meta=meta, origin=lead.link or lead.article.origin)


def _fallback(outlet: Outlet, lead: Lead, why: str) -> Gathered:
    article = _as_listed(outlet, lead)
    if isinstance(article, SourceFailure):
        return Gathered(lead, article, note=why)
    return Gathered(lead, article, note=f"feed text kept: {why}")


