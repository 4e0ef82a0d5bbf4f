"""Canonical URLs: one address per article, however a feed or a page links to it.

Outlets link one article under many addresses: with campaign parameters (`utm_source=rss`),
with a fragment, on their mobile or AMP host (`m.`, `amp.`), under an AMP path (`/amp/`,
`.amp.html`, `?amp=1`). `canonical_url` maps them all to one, so an article met through two feeds,
or twice in one feed, is fetched once and stored once (the store knows an article by its URL):

- the scheme and host are lower-cased, a default port and the fragment dropped;
- the host's `m.`, `mobile.` and `amp.` prefix becomes `www.` (what the desktop site uses);
- an AMP path segment or suffix and the AMP query switches go, and so does a trailing slash
  (`/news/1/amp/`, `/news/1/` and `/news/1` are one article);
- tracking parameters (`TRACKING`, and any `utm_*`) go, the others are kept in sorted order.

`same_site` says whether a page's own `<link rel="canonical">` may be believed: only when it
points at the site the page came from, else a page could claim another site's article.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that identify a campaign, a click or a referrer, never the article.
TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
        "ref", "ref_src", "referrer", "cmpid", "ocid", "spm", "share", "s_cid", "ito", "cmp",
        "at_medium", "at_campaign", "at_custom1", "at_custom2", "wt.mc_id", "xtor", "ncid", "sr_share",
        "rss", "from", "src", "source", "feed", "intcmp", "icid",
    }
)  # fmt: skip
AMP_SWITCHES = frozenset({"amp", "outputtype", "_amp", "amp_js_v"})
MOBILE_HOSTS = ("m.", "mobile.", "amp.")
_AMP_PATH = re.compile(r"(/amp)+/?$|^/amp(?=/)")
_AMP_SUFFIX = re.compile(r"\.amp(\.html?)$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """The one address of an article (see the module docstring); the URL as given if it is not http(s)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url.strip()
    host = site_host(parts.hostname)
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    path = _AMP_SUFFIX.sub(r"\1", _AMP_PATH.sub("", parts.path)).rstrip("/") or "/"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key) and key.lower() not in AMP_SWITCHES
    ]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def site_host(hostname: str) -> str:
    """The host of the desktop site: lower case, no trailing dot, a mobile or AMP prefix as `www.`."""
    host = hostname.lower().rstrip(".")
    for prefix in MOBILE_HOSTS:
        if host.startswith(prefix) and host.count(".") >= 2:
            return "www." + host[len(prefix) :]
    return host


def same_site(url: str, other: str) -> bool:
    """Whether two http(s) URLs are on one site (their desktop hosts, `www.` aside, are equal)."""
    first, second = urlsplit(url).hostname, urlsplit(other).hostname
    if not first or not second:
        return False
    return site_host(first).removeprefix("www.") == site_host(second).removeprefix("www.")


def _is_tracking(key: str) -> bool:
    name = key.lower()
    return name.startswith("utm_") or name in TRACKING
