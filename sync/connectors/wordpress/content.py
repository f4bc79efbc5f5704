"""The HTML of a WordPress post: the moment rendered by sync.formatting, then the invisible outbox marker.

The marker `<!-- inflow:<outbox id> -->` (the MediaWiki connector's form) survives WordPress's content
filters for an Author (HTML comments are allowed by kses) and is found again by `search` on the raw content.
"""

from __future__ import annotations

from sync.connector import OutgoingMoment
from sync.formatting import as_html


def marker(key: str) -> str:
    """The invisible mark of the outbox row a post came from."""
    return f"<!-- inflow:{key} -->"


def post_content(moment: OutgoingMoment) -> str:
    """The post's HTML: the moment (heading, body, link, tags) and the marker."""
    return f"{as_html(moment)}\n{marker(moment.idempotency_key)}"


def field(mapping: object, *keys: str) -> str:
    for key in keys:
        mapping = mapping.get(key) if isinstance(mapping, dict) else None
    return mapping if isinstance(mapping, str) else ""
