"""Matrix event content: what we post (with our marker, cut to fit an event) and what we read back.

Our posts carry `"org.inflow.moment": {"id", "kind", "title", "url", "tags"}` in their content so that
Inflow recognises them in the room's timeline (its own echoes, and other Inflow users' moments).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sync.connector import FeedItem, OutgoingMoment, RemoteReply
from sync.formatting import as_html, as_plain_text, cut_at_word, strip_rendering

MARKER = "org.inflow.moment"
MAX_EVENT_BYTES = 65_536
#: Room for what the server adds around the content (ids, hashes, signatures, prev/auth events).
ENVELOPE_BYTES = 6_000
MAX_CONTENT_BYTES = MAX_EVENT_BYTES - ENVELOPE_BYTES
TRUNCATED = "… (truncated; full text in the sender's Inflow library)"
KINDS = ("resource", "tip", "question")
TEXT_MSGTYPES = ("m.text", "m.notice", "m.emote")
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_MAX_TITLE = 120


def content_size(content: dict[str, Any]) -> int:
    """Bytes of the content as the server measures events (canonical JSON: compact, UTF-8)."""
    return len(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def marker(moment: OutgoingMoment) -> dict[str, Any]:
    """Our marker, bounded (a title or URL of any length must not push the event past its limit)."""
    url = moment.url if moment.url and len(moment.url) <= 2048 else None
    return {
        "id": moment.moment_id,
        "kind": moment.kind,
        "title": moment.title[:500],
        "url": url,
        "tags": [tag[:100] for tag in moment.tags[:50]],
    }


def _message(moment: OutgoingMoment) -> dict[str, Any]:
    return {
        "msgtype": "m.text",
        "body": as_plain_text(moment),
        "format": "org.matrix.custom.html",
        "formatted_body": as_html(moment),
        MARKER: marker(moment),
    }


def _build(moment: OutgoingMoment, replaces: str | None) -> dict[str, Any]:
    new = _message(moment)
    if replaces is None:
        return new
    return {
        "msgtype": "m.text",
        "body": f"* {new['body']}",
        "format": "org.matrix.custom.html",
        "formatted_body": f"* {new['formatted_body']}",
        "m.new_content": new,
        "m.relates_to": {"rel_type": "m.replace", "event_id": replaces},
    }


def _cut(text: str, length: int) -> str:
    return cut_at_word(text, length, TRUNCATED)


def _plain_fallback(moment: OutgoingMoment, replaces: str | None, budget: int) -> dict[str, Any]:
    """Last resort (a huge title, URL or tag list): plain text cut to fit, escaped as HTML."""
    text = as_plain_text(moment)
    low, high = 0, min(len(text), budget)
    best: dict[str, Any] | None = None
    while low <= high:
        middle = (low + high) // 2
        cut = _cut(text, middle)
        content = _build(replace(moment, title=moment.title[:_MAX_TITLE], body="", url=None, tags=()), replaces)
        target = content.get("m.new_content", content)
        target["body"] = cut
        target["formatted_body"] = "<p>" + html.escape(cut).replace("\n", "<br>") + "</p>"
        target[MARKER] = marker(moment)
        if replaces is not None:
            content["body"], content["formatted_body"] = f"* {cut}", f"* {target['formatted_body']}"
        if content_size(content) <= budget:
            best, low = content, middle + 1
        else:
            high = middle - 1
    assert best is not None, "an empty message always fits"
    return best


def fitted_content(
    moment: OutgoingMoment, replaces: str | None = None, budget: int = MAX_CONTENT_BYTES
) -> dict[str, Any]:
    """The event content for `moment` (an m.replace of event `replaces` when given), never over `budget`
    bytes: a long body is cut (at a word boundary) and ends with a pointer to the full text."""
    content = _build(moment, replaces)
    if content_size(content) <= budget:
        return content
    body = moment.body
    low, high = 0, min(len(body), budget)
    best: dict[str, Any] | None = None
    while low <= high:
        middle = (low + high) // 2
        candidate = _build(replace(moment, body=_cut(body, middle)), replaces)
        if content_size(candidate) <= budget:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best if best is not None else _plain_fallback(moment, replaces, budget)


# ---------------------------------------------------------------------- reading back


def iso_time(millis: object) -> str:
    """`origin_server_ts` (ms since the epoch) as Inflow's ISO-8601 UTC stamp."""
    value = millis if isinstance(millis, int | float) and not isinstance(millis, bool) else 0
    try:
        stamp = datetime.fromtimestamp(float(value) / 1000.0, UTC)
    except (OverflowError, OSError, ValueError):
        stamp = datetime.fromtimestamp(0, UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _str(mapping: object, key: str) -> str | None:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) else None


def parse_marker(content: object) -> dict[str, Any] | None:
    """Our marker from an event's content, validated (None when absent or malformed)."""
    raw = content.get(MARKER) if isinstance(content, dict) else None
    moment_id = _str(raw, "id")
    if not isinstance(raw, dict) or not moment_id:
        return None
    kind = _str(raw, "kind")
    tags = raw.get("tags")
    url = _str(raw, "url")
    return {
        "id": moment_id,
        "kind": kind if kind in KINDS else "tip",
        "title": _str(raw, "title") or "",
        "url": url if url and _URL.fullmatch(url) else None,
        "tags": tuple(t for t in tags if isinstance(t, str) and t) if isinstance(tags, list) else (),
    }


def relation(content: object) -> str | None:
    """The rel_type of an event's m.relates_to (m.thread, m.replace, ...), if any."""
    return _str(content.get("m.relates_to") if isinstance(content, dict) else None, "rel_type")


def strip_reply_fallback(body: str) -> str:
    """A rich reply's quoted fallback (`> <@bob:x> ...` lines, then a blank line) removed."""
    if not body.startswith("> <"):
        return body
    lines = body.split("\n")
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).strip()


def text_message(event: object) -> tuple[str, str, dict[str, Any]] | None:
    """(event_id, sender, content) of a readable text message, else None (state, redacted, media...)."""
    if not isinstance(event, dict) or event.get("type") != "m.room.message":
        return None
    content = event.get("content")
    event_id, sender = _str(event, "event_id"), _str(event, "sender")
    body = _str(content, "body")
    if not event_id or not sender or not isinstance(content, dict) or body is None:
        return None
    if _str(content, "msgtype") not in TEXT_MSGTYPES:
        return None
    return event_id, sender, content


def thread_root(event: object) -> str | None:
    """The event id a thread reply answers (m.thread), else None."""
    content = event.get("content") if isinstance(event, dict) else None
    if relation(content) != "m.thread":
        return None
    assert isinstance(content, dict)
    return _str(content.get("m.relates_to"), "event_id")


def reply_from_event(event: object) -> RemoteReply | None:
    parsed = text_message(event)
    if parsed is None:
        return None
    event_id, sender, content = parsed
    assert isinstance(event, dict)
    body = strip_reply_fallback(str(content["body"]))
    return RemoteReply(remote_id=event_id, author=sender, body=body, created_at=iso_time(event.get("origin_server_ts")))


def _first_url(text: str) -> str | None:
    found = _URL.search(text)
    return found.group(0).rstrip(".,;:!?)]}") if found else None


_HEADING = re.compile(r"^(Resource|Tip|Question): ")


def feed_item_from_event(event: object, me: str | None) -> FeedItem | None:
    """A top-level text message as a FeedItem (None for thread replies, edits and non-messages).

    Our own posts (our marker, sent by `me`) come back with local_id set, so the engine skips them."""
    parsed = text_message(event)
    if parsed is None or relation(parsed[2]) in ("m.thread", "m.replace"):
        return None
    event_id, sender, content = parsed
    assert isinstance(event, dict)
    created = iso_time(event.get("origin_server_ts"))
    text = strip_reply_fallback(str(content["body"])).strip()
    ours = parse_marker(content)
    if ours is not None:
        title = ours["title"] or text.partition("\n")[0][:_MAX_TITLE]
        return FeedItem(
            remote_id=event_id, author=sender, kind=ours["kind"], title=title,
            body=strip_rendering(text.split("\n\n"), ours["url"], ours["tags"], _HEADING),
            url=ours["url"], tags=ours["tags"], created_at=created,
            local_id=ours["id"] if sender == me else None,
        )  # fmt: skip
    first, _, rest = text.partition("\n")
    first = first.strip()
    if len(first) > _MAX_TITLE:
        title, body = first[: _MAX_TITLE - 1].rstrip() + "…", text
    else:
        title, body = first, rest.strip()
    return FeedItem(
        remote_id=event_id, author=sender, kind="tip", title=title, body=body, url=_first_url(text),
        tags=(), created_at=created,
    )  # fmt: skip
