"""Our Markdown in the chat tools' dialects, and Slack messages read back as replies and feed items.

`render_markdown(text, SLACK)` gives Slack mrkdwn (*bold*, _italic_, ~strike~, `code`, <url|text>, "• " lists,
> quotes, &amp;/&lt;/&gt; escaped); `render_markdown(text, CARD)` the subset an Adaptive Card TextBlock shows
(**bold**, _italic_, [text](url), "- " / "1. " lists). Both walk markdown-it's tokens (CommonMark), so
whatever a person types comes out as readable text, never as a rejected message.

Our Slack posts carry `metadata = {"event_type": "learning_moment", "event_payload": {"local_id", "kind",
"title", "url", "tags"}}`; reading the channel back, a message with it keeps its kind and title, and its
`local_id` lets storage skip our own echoes (it skips a local_id only when that moment is in OUR library, so
colleagues sharing one bot token still see each other's moments).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from sync.connector import FeedItem, OutgoingMoment, RemoteReply
from sync.formatting import heading, strip_rendering

EVENT_TYPE = "learning_moment"
TRUNCATED = "… (truncated; the full text is in the sender's Inflow library)"
KINDS = ("resource", "tip", "question")
MAX_TITLE = 120
_URL = re.compile(r"https?://[^\s<>\"'`|]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Style:
    bold: str
    italic: str
    strike: str
    code: str
    quote: str
    bullet: str
    escape: Callable[[str], str]
    link: Callable[[str, str], str]
    code_block: Callable[[str], str]


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_url(url: str) -> str:
    return url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


def slack_link(url: str, label: str) -> str:
    label = label.replace("|", "¦").strip()
    return f"<{_slack_url(url)}|{label}>" if label and label != url else f"<{_slack_url(url)}>"


SLACK = Style(
    bold="*", italic="_", strike="~", code="`", quote="> ", bullet="• ", escape=slack_escape, link=slack_link,
    code_block=lambda code: f"```\n{slack_escape(code)}\n```",
)  # fmt: skip
CARD = Style(
    bold="**", italic="_", strike="", code="", quote="", bullet="- ", escape=lambda text: text,
    link=lambda url, label: f"[{label.replace(']', ')')}]({url.replace(')', '%29')})" if label else url,
    code_block=lambda code: code,
)  # fmt: skip


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")


def _inline(children: list[Token], style: Style) -> str:
    out: list[str] = []
    link: tuple[str, int] | None = None  # (href, where its label starts in `out`)
    marks = {"strong": style.bold, "em": style.italic, "s": style.strike}
    for token in children:
        kind = token.type
        if kind == "text":
            out.append(style.escape(token.content))
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "code_inline":
            out.append(f"{style.code}{style.escape(token.content)}{style.code}")
        elif kind.endswith(("_open", "_close")) and kind.rsplit("_", 1)[0] in marks:
            out.append("" if link else marks[kind.rsplit("_", 1)[0]])  # no marks inside a link's label
        elif kind == "link_open":
            link = (str(token.attrGet("href") or ""), len(out))
        elif kind == "link_close" and link is not None:
            href, start = link
            label = "".join(out[start:])
            del out[start:]
            out.append(style.link(href, label.replace("\n", " ")) if href else label)
            link = None
        elif kind == "image":
            src = str(token.attrGet("src") or "")
            out.append(style.link(src, style.escape(token.content)) if src else style.escape(token.content))
        else:
            out.append(style.escape(token.content))
    return "".join(out)


def render_markdown(text: str, style: Style) -> str:
    """`text` (CommonMark) in the style's dialect: paragraphs separated by blank lines, lists line by line."""
    blocks: list[str] = []
    lists: list[list[int]] = []  # per open list: [ordered (0/1), next number]
    list_lines: list[str] = []
    marker = ""
    quote = 0
    in_heading = False

    def emit(block: str) -> None:
        prefix = style.quote * quote
        if prefix:
            block = "\n".join(prefix + line for line in block.split("\n"))
        if lists:
            list_lines.append(block)
        else:
            blocks.append(block)

    for token in _markdown().parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(kind == "ordered_list_open"), int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists and list_lines:
                blocks.append("\n".join(list_lines))
                list_lines = []
        elif kind == "list_item_open" and lists:
            ordered, number = lists[-1]
            lists[-1][1] += 1
            marker = "    " * (len(lists) - 1) + (f"{number}. " if ordered else style.bullet)
        elif kind in ("heading_open", "heading_close"):
            in_heading = kind == "heading_open"
        elif kind in ("blockquote_open", "blockquote_close"):
            quote += 1 if kind == "blockquote_open" else -1
        elif kind == "inline":
            line = _inline(token.children or [], style)
            if in_heading and line:
                line = f"{style.bold}{line}{style.bold}"
            if lists:
                line = marker + line.replace("\n", "\n" + " " * len(marker))
                marker = " " * len(marker)  # a second paragraph in the same item: indented, no bullet
            emit(line)
        elif kind in ("fence", "code_block"):
            emit(style.code_block(token.content.rstrip("\n")))
        elif kind == "hr":
            emit("───")
    if list_lines:
        blocks.append("\n".join(list_lines))
    return "\n\n".join(block for block in blocks if block.strip())


def cut(text: str, length: int, pointer: str = TRUNCATED, *, force: bool = False) -> str:
    """`text` cut to at most `length` characters INCLUDING the pointer, at a line or word boundary when one is
    near, never inside a Slack `<...>` link (`force`: end with the pointer even when the text would fit)."""
    if len(text) <= length and not (force and len(text) + len(pointer) + 2 > length):
        return f"{text}\n\n{pointer}" if force else text
    room = max(0, length - len(pointer) - 2)
    head = text[:room]
    opened = head.rfind("<")
    if opened > head.rfind(">"):
        head = head[:opened]
    for boundary in ("\n", " "):
        where = head.rfind(boundary)
        if where > len(head) - 200:
            head = head[:where]
            break
    return f"{head.rstrip()}\n\n{pointer}"


def split(text: str, size: int) -> list[str]:
    """`text` in chunks of at most `size` characters, split at paragraphs, else lines, else words."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        head = rest[:size]
        opened = head.rfind("<")
        if opened > head.rfind(">") and opened > 0:
            head = head[:opened]
        for boundary in ("\n\n", "\n", " "):
            where = head.rfind(boundary)
            if where > size // 2:
                head = head[:where]
                break
        chunks.append(head.rstrip())
        rest = rest[len(head) :].strip()
    if rest:
        chunks.append(rest)
    return chunks


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
        parts.append(f"<{_slack_url(moment.url)}>")
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
