"""URL facts for transport rules, without importing requests (config loading and the CLI use them)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def origin_of(url: str | None) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in."""
    parts = urlsplit(url or "")
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def is_loopback(host: str) -> bool:
    """This computer: localhost, 127.0.0.0/8, ::1."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_plain_http_to_another_computer(url: str) -> bool:
    """An http:// URL whose host is not loopback (what would expose a token on the network)."""
    scheme, host, _port = origin_of(url)
    return scheme == "http" and bool(host) and not is_loopback(host)
