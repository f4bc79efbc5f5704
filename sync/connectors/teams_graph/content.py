"""Teams channel messages: what we post (HTML with our marker, cut to fit) and what we read back.

Graph keeps a message's HTML but cleans it (attributes, comments and unknown tags may go), so our
marker is plain text that survives any cleaning: a last paragraph `inflow:<moment id>`. It lets
Inflow find its own post after an ambiguous failure and recognise its echoes in the channel's feed.
Graph rejects messages over ~28 KB: a long body is cut at a word boundary and ends with a pointer.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from sync.connector import FeedItem, OutgoingMoment, RemoteReply
from sync.formatting import as_html, as_plain_text, cut_at_word

MAX_MESSAGE_BYTES = 27_000
"""The request body we send, as UTF-8 JSON (Graph's documented limit is ~28 KB; a margin for its envelope)."""
TRUNCATED = "… (truncated; full text in the sender's Inflow library)"
MARKER_PREFIX = "inflow:"
_MARKER = re.compile(r"inflow:([A-Za-z0-9][A-Za-z0-9_-]{7,63})")
_HEADING = re.compile(r"^(Resource|Tip|Question): (.*)$")
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_MAX_TITLE = 120


def marker_html(moment_id: str) -> str:
    return f'<p><span class="inflow-marker">{MARKER_PREFIX}{html.escape(moment_id)}</span></p>'


def message_payload(moment: OutgoingMoment) -> dict[str, Any]:
    """The chatMessage we POST (or PATCH) for `moment`, never over MAX_MESSAGE_BYTES."""
    payload = _payload(as_html(moment), moment.moment_id)
    if payload_size(payload) <= MAX_MESSAGE_BYTES:
        return payload
    low, high, best = 0, len(moment.body), None
    while low <= high:
        middle = (low + high) // 2
        candidate = _payload(as_html(replace(moment, body=_cut(moment.body, middle))), moment.moment_id)
        if payload_size(candidate) <= MAX_MESSAGE_BYTES:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best if best is not None else _plain_fallback(moment)


def encode_json(payload: Any) -> bytes:
    """The request body as sent: compact UTF-8 JSON (what the size limit is measured on)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def payload_size(payload: dict[str, Any]) -> int:
    return len(encode_json(payload))


def _payload(content: str, moment_id: str) -> dict[str, Any]:
    return {"body": {"contentType": "html", "content": f"{content}\n{marker_html(moment_id)}"}}


def _cut(text: str, length: int) -> str:
    return cut_at_word(text, length, TRUNCATED)


def _plain_fallback(moment: OutgoingMoment) -> dict[str, Any]:
    """A huge title, URL or tag list: the plain text, cut to fit and escaped."""
    text = as_plain_text(moment)
    low, high, best = 0, len(text), _payload(html.escape(TRUNCATED), moment.moment_id)
    while low <= high:
        middle = (low + high) // 2
        candidate = _payload("<p>" + html.escape(_cut(text, middle)).replace("\n", "<br>") + "</p>", moment.moment_id)
        if payload_size(candidate) <= MAX_MESSAGE_BYTES:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


# ---------------------------------------------------------------------- reading back


class _Text(HTMLParser):
    """HTML to readable text: paragraphs, line breaks and list items become newlines."""

    _BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    parser = _Text()
    parser.feed(content)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def message_text(message: dict[str, Any]) -> str:
    body = message.get("body")
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, str):
        return ""
    kind = body.get("contentType") if isinstance(body, dict) else None
    return html_to_text(content) if kind == "html" else content.strip()


def marker_of(message: dict[str, Any]) -> str | None:
    """Our moment id in a message (its body's `inflow:<id>` line), if any."""
    body = message.get("body")
    content = body.get("content") if isinstance(body, dict) else None
    found = _MARKER.search(content) if isinstance(content, str) else None
    return found.group(1) if found else None


def _str(mapping: object, key: str) -> str | None:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) and value else None


def author_of(message: dict[str, Any]) -> tuple[str, str | None]:
    """(display name, user id) of who wrote a message (a user, an app or a webhook)."""
    sender = message.get("from")
    for who in ("user", "application", "device"):
        identity = sender.get(who) if isinstance(sender, dict) else None
        if isinstance(identity, dict):
            return _str(identity, "displayName") or _str(identity, "id") or "someone", _str(identity, "id")
    return "someone", None


def is_live_message(message: object) -> bool:
    """A real, not deleted chat message (not a system event, not a delta `@removed` entry)."""
    return (
        isinstance(message, dict)
        and bool(_str(message, "id"))
        and message.get("messageType", "message") == "message"
        and not message.get("deletedDateTime")
        and "@removed" not in message
    )


def reply_from_message(message: dict[str, Any]) -> RemoteReply:
    return RemoteReply(
        remote_id=str(message["id"]), author=author_of(message)[0], body=message_text(message),
        created_at=_str(message, "createdDateTime") or "",
    )  # fmt: skip


def feed_item_from_message(message: dict[str, Any], me: str | None) -> FeedItem:
    """A root message as a FeedItem; our own posts (our marker, written by `me`) carry local_id."""
    author, author_id = author_of(message)
    text = message_text(message)
    moment_id = marker_of(message)
    lines = [line for line in text.split("\n") if not _MARKER.fullmatch(line.strip())]
    text = "\n".join(lines).strip()
    subject = _str(message, "subject")
    kind = "tip"
    first, _, rest = text.partition("\n")
    heading = _HEADING.match(first.strip()) if moment_id else None
    if heading:
        kind, title, body = heading.group(1).lower(), heading.group(2), rest.strip()
    elif subject:
        title, body = subject, text
    elif len(first.strip()) > _MAX_TITLE:
        title, body = first.strip()[: _MAX_TITLE - 1].rstrip() + "…", text
    else:
        title, body = first.strip(), rest.strip()
    found = _URL.search(text)
    return FeedItem(
        remote_id=str(message["id"]), author=author, kind=kind, title=title, body=body,
        url=found.group(0).rstrip(".,;:!?)]}") if found else None, tags=(),
        created_at=_str(message, "createdDateTime") or "",
        local_id=moment_id if moment_id and me is not None and author_id == me else None,
    )  # fmt: skip
