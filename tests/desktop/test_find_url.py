"""find_url: the first usable http(s) link in copied text (pure; runs outside the desktop session too)."""

from __future__ import annotations

import pytest

from app.context import find_url


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see https://example.com/a_(b)).", "https://example.com/a_(b)"),
        ("(https://docs.python.org/3/library/re.html).", "https://docs.python.org/3/library/re.html"),
        ("ftp://x.org then https://ok.org/?q=1&r=2#frag!", "https://ok.org/?q=1&r=2#frag"),
        ("http://[::1]:8080/x,", "http://[::1]:8080/x"),
        ("http://localhost:5000/api;", "http://localhost:5000/api"),
        ("https://bücher.de/x", "https://bücher.de/x"),
        ("HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM"),
        ("bad http://foo then good http://a.io", "http://a.io"),
        ("http://a..b/", None),
        ("http://example.com:99999/", None),
        ("http://-bad.com", None),
        ("http:// spaced.com", None),
        ("javascript:alert(1) www.example.com", None),
        ("", None),
    ],
)
def test_find_url(text: str, url: str | None) -> None:
    assert find_url(text) == url
