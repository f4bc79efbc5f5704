"""Which links a moment may hold: web pages (http, https) and nothing else.

One rule for `inflow capture --url`, the capture window, the library editor and imports: a
`javascript:` or `vbscript:` link runs code when clicked, `data:` carries a page of its own, `file:`
points into one computer (and leaks its paths when shared), `ftp:` no browser opens any more. A link
without a scheme (`example.org/page`) is kept as typed.
"""

from __future__ import annotations

import re

LINK_SCHEMES = frozenset({"http", "https"})
_LEADING = "".join(chr(c) for c in range(0x21))  # browsers drop C0 controls and spaces before a scheme
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*(?=:)")  # urlsplit's rule, without its host checks
_INSIDE = str.maketrans("", "", "\t\r\n")


def link_scheme(url: str) -> str:
    """The scheme as a browser reads it (lower-case; tabs and newlines inside are ignored), or "".

    Read with urlsplit's own rule but not through it: urlsplit raises ValueError for a link with an
    unbalanced bracket (`https://host]/`), which is then refused as any malformed link is."""
    found = _SCHEME.match(url.lstrip(_LEADING).translate(_INSIDE))
    return found.group(0).lower() if found else ""


def link_problem(url: str) -> str | None:
    """Why this link cannot be kept (None: it can), written for the person."""
    scheme = link_scheme(url)
    if not scheme or scheme in LINK_SCHEMES:
        return None
    rest = url.lstrip(_LEADING)[len(scheme) + 1 :]
    if len(scheme) == 1 or rest[:1].isdigit():  # C:\notes.txt, localhost:8080
        return "Write the link with http:// or https:// in front (only web links can be saved)."
    return f"Only web links (http:// or https://) can be saved, not {scheme}: links."
