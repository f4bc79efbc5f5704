"""A moment as a Slack message (mrkdwn text, Block Kit, metadata), and Slack messages read back as
replies and feed items. The Markdown dialects are in markdown.py.

Our Slack posts carry `metadata = {"event_type": "learning_moment", "event_payload": {"local_id", "kind",
"title", "url", "tags"}}`; reading the channel back, a message with it keeps its kind and title, and its
`local_id` lets storage skip our own echoes (it skips a local_id only when that moment is in OUR library, so
colleagues sharing one bot token still see each other's moments).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sync.connector import FeedItem, OutgoingMoment, RemoteReply
from sync.connectors.slack.markdown import (
    SLACK,
    cut,
    render_markdown,
    slack_escape,
    slack_link,
    slack_url,
    split,
)
from sync.formatting import heading, strip_rendering

EVENT_TYPE = "learning_moment"
KINDS = ("resource", "tip", "question")
MAX_TITLE = 120
_URL = re.compile(r"https?://[^\s<>\"'`|]+", re.IGNORECASE)


# ---------------------------------------------------------------------- reading back


def ts_to_iso(ts: object) -> str:
    try:
        stamp = datetime.fromtimestamp(float(str(ts)), UTC)
    except (OverflowError, OSError, ValueError):
        stamp = datetime.fromtimestamp(0, UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _str(mapping: object, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) else ""


_ENTITY = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def from_mrkdwn(text: str) -> str:
    """Slack's text back to plain Markdown: <url|label> → [label](url), mentions readable, entities decoded."""

    def entity(found: re.Match[str]) -> str:
        target, label = found.group(1), found.group(2)
        if target.startswith(("@", "#")):
            return ("#" if target[0] == "#" else "@") + (label.lstrip("@#") if label else target[1:])
        if target.startswith("!"):
            return "@" + (label.lstrip("@") if label else target[1:].split("^")[0])
        return f"[{label}]({target})" if label and label != target else target

    return _ENTITY.sub(entity, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def our_payload(message: object) -> dict[str, Any] | None:
    """Our metadata's event_payload (validated) when `message` carries it."""
    metadata = message.get("metadata") if isinstance(message, dict) else None
    payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
    if _str(metadata, "event_type") != EVENT_TYPE or not _str(payload, "local_id"):
        return None
    assert isinstance(payload, dict)
    kind, url, tags = _str(payload, "kind"), _str(payload, "url"), payload.get("tags")
    return {
        "local_id": _str(payload, "local_id"),
        "kind": kind if kind in KINDS else "tip",
        "title": _str(payload, "title")[:500],
        "url": url if _URL.fullmatch(url) else None,
        "tags": tuple(t for t in tags if isinstance(t, str) and t) if isinstance(tags, list) else (),
    }


def author(message: dict[str, Any]) -> str:
    profile = message.get("bot_profile")
    return (
        _str(message, "user") or _str(message, "username") or _str(profile, "name") or _str(message, "bot_id")
        or "unknown"
    )  # fmt: skip


#: Subtypes that are content; every other one (joins, topic changes, pins, deletions...) is skipped.
CONTENT_SUBTYPES = ("", "bot_message", "file_share", "me_message", "thread_broadcast")


def readable(message: object) -> dict[str, Any] | None:
    """The message as it stands now (an edit's newest version), or None when it is no content (deleted...)."""
    if not isinstance(message, dict):
        return None
    if _str(message, "subtype") == "message_changed":
        message = message.get("message")
        if not isinstance(message, dict):
            return None
    if _str(message, "type") not in ("", "message") or message.get("hidden") or not _str(message, "ts"):
        return None
    return message if _str(message, "subtype") in CONTENT_SUBTYPES else None


def _extras(message: dict[str, Any]) -> tuple[str, str | None]:
    """A title and a link from the message's files or attachments (for messages that are only those)."""
    for file in message.get("files") or []:
        if isinstance(file, dict) and _str(file, "mode") != "tombstone":
            url = _str(file, "permalink") or _str(file, "url_private") or None
            return _str(file, "title") or _str(file, "name") or "A file", url
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            link = _str(attachment, "title_link") or _str(attachment, "from_url") or _str(attachment, "original_url")
            text = _str(attachment, "title") or _str(attachment, "fallback") or _str(attachment, "text")
            return from_mrkdwn(text).strip(), link or None
    return "", None


def reply_from_message(message: object) -> RemoteReply | None:
    current = readable(message)
    if current is None:
        return None
    text = from_mrkdwn(_str(current, "text")).strip()
    title, url = _extras(current)
    body = text or "\n".join(part for part in (title, url or "") if part)
    if not body:
        return None
    ts = _str(current, "ts")
    return RemoteReply(remote_id=ts, author=author(current), body=body, created_at=ts_to_iso(ts))


_HEADING = re.compile(r"\*?(Resource|Tip|Question): .*\*?\Z", re.DOTALL)


def _strip_rendering(text: str, url: str | None, tags: tuple[str, ...]) -> str:
    """The body of an Inflow post: its fallback text without our heading, link and tags."""
    parts = [part.strip() for part in text.split("\n\n")]
    return strip_rendering(parts, url, tags, _HEADING, markdown_link=True)


def feed_item_from_message(message: object) -> FeedItem | None:
    """A top-level channel message as a FeedItem (None for thread replies, deletions, joins and the like)."""
    current = readable(message)
    if current is None:
        return None
    ts, thread_ts = _str(current, "ts"), _str(current, "thread_ts")
    if thread_ts and thread_ts != ts:
        return None
    text = from_mrkdwn(_str(current, "text")).strip()
    created, who = ts_to_iso(ts), author(current)
    ours = our_payload(current)
    if ours is not None:
        title = ours["title"] or text.partition("\n")[0][:MAX_TITLE]
        body = _strip_rendering(text, ours["url"], ours["tags"])
        return FeedItem(
            remote_id=ts, author=who, kind=ours["kind"], title=title, body=body, url=ours["url"],
            tags=ours["tags"], created_at=created, local_id=ours["local_id"],
        )  # fmt: skip
    extra_title, extra_url = _extras(current)
    if not text and not extra_title and not extra_url:
        return None
    found = _URL.search(text)
    url = extra_url or (found.group(0).rstrip(".,;:!?)]}") if found else None)
    first, _, rest = text.partition("\n")
    first = first.strip()
    if extra_url or (not text and extra_title):
        title, body, kind = (extra_title or first)[:MAX_TITLE], text, "resource"
    elif len(first) > MAX_TITLE:
        title, body, kind = first[: MAX_TITLE - 1].rstrip() + "…", text, "tip"
    else:
        title, body, kind = first, rest.strip(), "tip"
    return FeedItem(
        remote_id=ts, author=who, kind=kind, title=title or "(no text)", body=body, url=url, tags=(), created_at=created
    )


# ---------------------------------------------------------------------- what we post


def metadata(moment: OutgoingMoment) -> dict[str, Any]:
    payload: dict[str, Any] = {"local_id": moment.moment_id, "kind": moment.kind, "title": moment.title[:500]}
    if moment.url and len(moment.url) <= 2048:
        payload["url"] = moment.url
    if moment.tags:
        payload["tags"] = [tag[:100] for tag in moment.tags[:50]]
    return {"event_type": EVENT_TYPE, "event_payload": payload}


MAX_TEXT = 40_000
MAX_BLOCKS = 50
MAX_SECTION = 3_000
MAX_HEADER = 150


def fallback_text(moment: OutgoingMoment, limit: int = MAX_TEXT) -> str:
    """The message's `text` (mrkdwn; Slack shows it in notifications and where blocks cannot be shown)."""
    parts = [f"*{slack_escape(heading(moment))}*"]
    body = render_markdown(moment.body, SLACK) if moment.body.strip() != moment.title.strip() else ""
    if body:
        parts.append(body)
    if moment.url:
        parts.append(f"<{slack_url(moment.url)}>")
    if moment.tags:
        parts.append(slack_escape(" ".join(f"#{tag}" for tag in moment.tags)))
    return cut("\n\n".join(parts), limit)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def blocks(moment: OutgoingMoment) -> list[dict[str, Any]]:
    """Header (our heading), the body in sections of at most 3,000 characters, the link, the tags as
    context; never more than 50 blocks: a body too long for them is cut and ends with a pointer."""
    title = heading(moment)
    if len(title) > MAX_HEADER:
        title = title[: MAX_HEADER - 1].rstrip() + "…"
    head = [{"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}]
    tail: list[dict[str, Any]] = []
    if moment.url:
        link = slack_link(moment.url, moment.url if len(moment.url) < 500 else "Link")
        tail.append(_section(link if len(link) <= MAX_SECTION else cut(slack_escape(moment.url), MAX_SECTION, "…")))
    if moment.tags:
        tags = slack_escape(" ".join(f"#{tag}" for tag in moment.tags))
        tail.append({"type": "context", "elements": [{"type": "mrkdwn", "text": cut(tags, MAX_SECTION, "…")}]})
    body = render_markdown(moment.body, SLACK) if moment.body.strip() != moment.title.strip() else ""
    chunks = split(body, MAX_SECTION)
    room = MAX_BLOCKS - len(head) - len(tail)
    if len(chunks) > room:
        chunks = chunks[:room]
        chunks[-1] = cut(chunks[-1], MAX_SECTION, force=True)
    return [*head, *(_section(chunk) for chunk in chunks), *tail]


def message(moment: OutgoingMoment) -> dict[str, Any]:
    """`text` and `blocks` of a post (what chat.postMessage, chat.update and incoming webhooks take)."""
    return {"text": fallback_text(moment), "blocks": blocks(moment)}
