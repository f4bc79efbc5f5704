"""Download one page (or image) for a snapshot, by the fetching rules.

The session from `sync.http` does the hard limits while streaming (connect/read timeouts, a total
deadline, a body cap counted after decompression so a gzip bomb stops at the cap). This module adds
what is about snapshots: only http/https, the policy's domain lists (checked before every request,
redirect hops included), redirects followed by hand (at most five, a loop is a clear error),
content-type sniffing and charset detection, and the classification of failures into messages a
person can act on.
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import requests

from sync.errors import permanent, transient
from sync.http import MAX_REDIRECTS, InflowSession, ResponseTooLarge, network_error, retry_after_seconds

MAX_PAGE_BYTES = 8 * 1024 * 1024
PAGE_DEADLINE_S = 30.0
PAGE_ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,image/*;q=0.7,*/*;q=0.5"
IMAGE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp;q=0.9"
GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/unknown", "unknown/unknown"}
)
TEXT_TYPES = frozenset({"application/xhtml+xml", "application/json", "application/xml", "application/javascript"})
_TRANSIENT_4XX = frozenset({408, 425, 429})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_HTML_STARTS = (
    b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta", b"<script", b"<p>", b"<div", b"<table",
    b"<h1", b"<!--", b"<br", b"<a ", b"<b>", b"<style", b"<iframe", b"<font",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SnapshotPolicy:
    """The policy hooks: snapshots on/off, and domain lists (a domain covers its subdomains; deny wins)."""

    enabled: bool = True
    allow_domains: tuple[str, ...] = ()
    deny_domains: tuple[str, ...] = ()

    def check(self, url: str) -> None:
        """Raise a permanent SyncError when this URL must not be fetched (no request is made)."""
        if not self.enabled:
            raise permanent("Page snapshots are turned off by policy.")
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise permanent(f"Only web pages (http or https) can be saved, not '{parts.scheme or url}' addresses.")
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise permanent(f"'{url}' is not a web address.")
        if any(_covers(domain, host) for domain in self.deny_domains):
            raise permanent(f"Snapshots of {host} are not allowed by policy (deny list).")
        if self.allow_domains and not any(_covers(domain, host) for domain in self.allow_domains):
            raise permanent(f"Snapshots of {host} are not allowed by policy (not on the allow list).")


def _covers(domain: str, host: str) -> bool:
    domain = domain.strip().lstrip(".").rstrip(".").lower()
    return bool(domain) and (host == domain or host.endswith("." + domain))


@dataclass(frozen=True, slots=True)
class Fetched:
    """A downloaded body with what we know about it (content type after sniffing, charset for text)."""

    final_url: str
    content_type: str
    charset: str | None
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(self.charset or "utf-8", errors="replace")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def fetch_page(
    session: InflowSession,
    url: str,
    *,
    max_bytes: int = MAX_PAGE_BYTES,
    policy: SnapshotPolicy | None = None,
    deadline: float = PAGE_DEADLINE_S,
    accept: str = PAGE_ACCEPT,
) -> Fetched:
    """GET `url` by the fetching rules. Raises SyncError (transient or permanent) with a readable message."""
    policy = policy or SnapshotPolicy()
    policy.check(url)
    ends = time.monotonic() + deadline
    current, seen = url, {url}
    for _hop in range(MAX_REDIRECTS + 1):
        response = _get(session, current, max_bytes=max_bytes, ends=ends, accept=accept)
        if response.is_redirect:
            target = urljoin(current, response.headers["Location"].strip())
            policy.check(target)
            if target in seen:
                raise permanent(f"{host_of(url)} redirects in a loop; the page cannot be saved.")
            seen.add(target)
            current = target
            continue
        _raise_for_status(response)
        content_type, charset = _content_type(response)
        content_type = sniff_content_type(content_type, response.content)
        if _is_text(content_type):
            charset = detect_charset(
                response.content, charset, html=content_type in ("text/html", "application/xhtml+xml")
            )
        else:
            charset = None
        return Fetched(current, content_type, charset, response.content)
    raise permanent(f"{host_of(url)} redirects more than {MAX_REDIRECTS} times; the page cannot be saved.")


def _get(session: InflowSession, url: str, *, max_bytes: int, ends: float, accept: str) -> requests.Response:
    remaining = ends - time.monotonic()
    if remaining <= 0:
        raise transient(f"{host_of(url)} took too long to answer")
    try:
        with _body_cap(session, max_bytes):
            return session.request("GET", url, allow_redirects=False, deadline=remaining, headers={"Accept": accept})
    except ResponseTooLarge:
        raise permanent(f"The page is larger than the size limit ({_megabytes(max_bytes)}).") from None
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema):
        raise permanent(f"'{url}' is not a web address that can be fetched.") from None
    except requests.RequestException as exc:
        raise network_error(exc, url) from exc


@contextmanager
def _body_cap(session: InflowSession, max_bytes: int) -> Iterator[None]:
    """The session's cap for this one request (a session is used by one thread at a time)."""
    previous = session.max_body_bytes
    session.max_body_bytes = max_bytes
    try:
        yield
    finally:
        session.max_body_bytes = previous


def _megabytes(size: int) -> str:
    mb = size / 1048576
    return f"{mb:.0f} MB" if mb >= 1 else f"{size // 1024} KB"


def _raise_for_status(response: requests.Response) -> None:
    code = response.status_code
    if 200 <= code < 300:
        return
    label = _status_label(code)
    if code in (404, 410):
        raise permanent(f"The page is gone ({label}).")
    if code in (401, 403):
        raise permanent(f"The page needs a sign-in ({label}); Inflow saves only public pages.")
    if code in _TRANSIENT_4XX or code >= 500:
        raise transient(f"The server answered {label}; Inflow tries again later.", retry_after_seconds(response))
    if 300 <= code < 400:
        raise permanent(f"The server answered {label} without saying where the page went.")
    raise permanent(f"The server refused the page ({label}).")


def _status_label(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def _content_type(response: requests.Response) -> tuple[str, str | None]:
    header = response.headers.get("Content-Type", "")
    mime, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return mime.strip().lower(), charset


def sniff_content_type(declared: str, body: bytes) -> str:
    """Trust a specific header; sniff when it is missing or generic (and for binaries served as text/plain)."""
    sniffed = _sniff(body)
    if declared in GENERIC_TYPES:
        if sniffed:
            return sniffed
        return "text/plain" if _looks_like_text(body) else (declared or "application/octet-stream")
    if declared == "text/plain" and sniffed and sniffed != "text/html":
        return sniffed  # a PDF or an image from a server that calls everything text/plain
    return declared


def _sniff(body: bytes) -> str | None:
    head = body[:1024]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    if text.startswith(_HTML_STARTS):
        return "text/html"
    return None


def image_type(body: bytes) -> str | None:
    """The image type by its magic bytes (png, jpeg, gif, webp; never SVG, which can carry script)."""
    sniffed = _sniff(body)
    return sniffed if sniffed and sniffed.startswith("image/") else None


def _looks_like_text(body: bytes) -> bool:
    head = body[:4096]
    return bool(head) and b"\0" not in head


def _is_text(content_type: str) -> bool:
    return content_type.startswith("text/") or content_type in TEXT_TYPES or content_type.endswith(("+xml", "+json"))


def detect_charset(body: bytes, declared: str | None, *, html: bool) -> str:
    """BOM, then the header's charset, then <meta charset>/http-equiv, then UTF-8 if it decodes, then a guess."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    for candidate in (declared, _meta_charset(body) if html else None):
        codec = _codec(candidate)
        if codec:
            return codec
    sample = body[:1_000_000]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(body) > len(sample):
            return "utf-8"  # cut in the middle of a character at the sample's end
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return _codec(best.encoding if best else None) or "cp1252"


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii", "replace") if match else None


def _codec(name: str | None) -> str | None:
    """A Python codec for a charset label; latin-1 and ASCII labels mean windows-1252 (as browsers do)."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    if codec in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    if codec in ("utf-16-le", "utf-16-be", "utf-16", "utf-32", "utf-32-le", "utf-32-be"):
        return None  # declared in an ASCII-compatible document: a lie, and decoding it would be garbage
    return codec
