"""Mastodon statuses: the plain text we post (cut to fit), and what statuses in a thread or a hashtag mean.

Followed: docs.joinmastodon.org methods/statuses (POST /api/v1/statuses: `status`, `visibility`,
`spoiler_text`, the `Idempotency-Key` header; PUT /api/v1/statuses/:id; DELETE; GET :id/context with
`descendants`), entities/Status (`content` is HTML, `account.acct`, `in_reply_to_id`, `url`).
"""

from __future__ import annotations

import re
from typing import Any

from sync.connector import FeedItem, OutgoingMoment, RemoteReply
from sync.connectors.discourse.content import html_to_text
from sync.formatting import as_plain_text, cut_at_word

MAX_CHARACTERS = 500
"""A status's length on a stock server (configuration.statuses.max_characters in /api/v2/instance)."""
URL_LENGTH = 23
"""Every link counts as this many characters, whatever its length (configuration.statuses)."""
TRUNCATED = "(continued in Inflow)"
VISIBILITIES = ("unlisted", "public", "private")
_URL = re.compile(r"https?://\S+")
_MAX_TITLE = 120


def counted_length(text: str) -> int:
    """The length Mastodon counts: each link as URL_LENGTH characters."""
    return len(_URL.sub("x" * URL_LENGTH, text))


def status_text(moment: OutgoingMoment, limit: int = MAX_CHARACTERS) -> str:
    """Heading, body, link and hashtags as plain text; a long body cut at a word so that it fits."""
    text = as_plain_text(moment)
    if counted_length(text) <= limit:
        return text
    tail = "\n\n".join(part for part in (moment.url or "", " ".join(f"#{t}" for t in moment.tags)) if part)
    room = limit - counted_length(tail) - len(TRUNCATED) - 4
    head = as_plain_text(
        OutgoingMoment(moment.moment_id, moment.kind, moment.title, moment.body, None, (), moment.created_at, "")
    )
    cut = cut_at_word(head, max(room, 40), TRUNCATED)
    return f"{cut}\n\n{tail}" if tail else cut


def _str(mapping: object, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) else ""


def author_of(status: dict[str, Any]) -> str:
    account = status.get("account")
    return "@" + (_str(account, "acct") or _str(account, "username") or "someone")


def text_of(status: dict[str, Any]) -> str:
    """The status's text: its content warning first, then the HTML content as plain text."""
    text = html_to_text(_str(status, "content"))
    warning = _str(status, "spoiler_text").strip()
    return f"CW: {warning}\n\n{text}" if warning else text


def reply_from_status(status: object) -> RemoteReply | None:
    if not isinstance(status, dict) or not _str(status, "id"):
        return None
    body = text_of(status)
    if not body:
        return None
    return RemoteReply(_str(status, "id"), author_of(status), body, _str(status, "created_at"))


def feed_item_from_status(status: object, me: str) -> FeedItem | None:
    """A colleague's status under the hashtag as a FeedItem (ours and replies are not feed items)."""
    if not isinstance(status, dict) or not _str(status, "id") or _str(status, "in_reply_to_id"):
        return None
    if _str(status.get("account"), "id") == me or status.get("reblog"):
        return None
    text = text_of(status)
    if not text:
        return None
    first, _, rest = text.partition("\n")
    title = first.strip()
    if len(title) > _MAX_TITLE:
        title, rest = title[: _MAX_TITLE - 1].rstrip() + "…", text
    found = _URL.search(text)
    tags = tuple(_str(tag, "name") for tag in status.get("tags") or [] if _str(tag, "name"))
    return FeedItem(
        remote_id=_str(status, "id"), author=author_of(status), kind="question" if title.endswith("?") else "tip",
        title=title, body=rest.strip(), url=found.group(0).rstrip(".,;:!?") if found else _str(status, "url") or None,
        tags=tags, created_at=_str(status, "created_at"),
    )  # fmt: skip
