"""Links in text: the first usable http(s) URL, and whether a URL could name a real web page (no Qt)."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def find_url(text: str) -> str | None:
    """The first well-formed http(s) URL in `text`, without trailing punctuation, or None."""
    for match in _URL.finditer(text):
        url = _strip_trailing(match.group(0))
        if plausible_url(url):
            return url
    return None


def _strip_trailing(url: str) -> str:
    while url and url[-1] in _TRAILING:
        # Keep a closing bracket that belongs to the URL (Wikipedia's "Foo_(bar)").
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def plausible_url(url: str) -> bool:
    """http(s) with a host that could exist: a dotted DNS name, localhost, or an IP address."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    if not all(_LABEL.match(label) for label in labels):
        return False
    return len(labels) > 1 or ascii_host == "localhost"


def not_a_link(url: str) -> str | None:
    """Why `url` cannot be a web link at all ("not a url"), or None. A scheme other than http(s) is
    left to storage.links, which refuses it with its own reason; `example.org/page` is a link."""
    from storage.links import LINK_SCHEMES, link_scheme

    text = url.strip()
    if not text:
        return None
    scheme = link_scheme(text)
    if scheme and scheme not in LINK_SCHEMES:
        return None
    if any(c.isspace() for c in text) or not plausible_url(text if scheme else "https://" + text):
        return f"{url!r} is not a web link; write it like https://example.org/page"
    return None
