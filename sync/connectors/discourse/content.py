"""Discourse topics: the title and Markdown we post (completed to the minimums, cut to the maximum), what
colleagues' topics and posts mean, and what the forum's error answers mean.

Followed: docs.discourse.org ("Creates a new topic, a new post, or a private message" POST /posts.json with
`external_id`; "Get a single topic" GET /t/{id}.json with `post_stream.posts`/`stream`; "Get specific posts
from a topic" GET /t/{id}/posts.json?post_ids[]=; "Get topic by external_id"; "List topics" GET
/c/{slug}/{id}.json; "Update a single post" PUT /posts/{id}.json; "Remove a topic"), meta.discourse.org
"Discourse REST API documentation" (Api-Key / Api-Username headers, rate limits: 429 with Retry-After and
`extras.wait_seconds`) and the site-setting defaults (min_topic_title_length 15, min_first_post_length 20,
max_topic_title_length 255, max_post_length 32,000).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from sync.connector import FeedItem, OutgoingMoment, RemoteReply
from sync.formatting import MOMENT_KIND_LABELS, heading

MIN_TITLE = 15
MAX_TITLE = 255
MIN_POST = 20
MAX_POST = 32_000
CONTEXT = " (shared from Inflow)"
TRUNCATED = "… *(truncated; full text in the sender's Inflow library)*"
KINDS = ("resource", "tip", "question")
_PREFIX = re.compile(r"^(Resource|Tip|Question):\s*", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"'`)\]]+", re.IGNORECASE)
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "hr", "aside"}


# ---------------------------------------------------------------------- what we post


def _cut(text: str, limit: int, tail: str) -> str:
    if len(text) <= limit:
        return text
    room = limit - len(tail)
    head = text[:room]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space > room - 200:
        head = head[:space]
    return head.rstrip() + tail


def topic_title(moment: OutgoingMoment, suffix: str = "") -> str:
    """`Tip: Rebase often`, completed with context when shorter than the forum's minimum, cut at the max."""
    title = " ".join(heading(moment).split())
    if len(title) < MIN_TITLE:
        title += CONTEXT
    return _cut(title, MAX_TITLE - len(suffix), "…") + suffix


def topic_raw(moment: OutgoingMoment) -> str:
    """The first post's Markdown: body, link and tags; a short one is completed with the kind and title."""
    parts = []
    body = moment.body.strip()
    if body and body != moment.title.strip():
        parts.append(body)
    if moment.url:
        parts.append(moment.url)
    if moment.tags:
        parts.append(" ".join(f"#{tag}" for tag in moment.tags))
    raw = "\n\n".join(parts)
    if len(raw) < MIN_POST:
        context = f"{heading(moment)} — shared from Inflow."
        raw = f"{context}\n\n{raw}" if raw else context
    return _cut(raw, MAX_POST, "\n\n" + TRUNCATED)


# ---------------------------------------------------------------------- what we read


_VOID = {"img", "br", "hr", "input", "meta", "link", "source", "wbr", "area", "col", "embed", "track"}


class _Text(HTMLParser):
    """Cooked HTML as plain text: blocks on their own lines, lightbox metadata (`div.meta`) dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in _VOID:
            if self._skip:
                return
            if tag in ("br", "hr"):
                self.out.append("\n")
            elif tag == "img" and found.get("alt"):
                emoji = "emoji" in (found.get("class") or "")
                self.out.append(str(found["alt"]) if emoji else f"[{found['alt']}]")
            return
        if self._skip or "meta" in (found.get("class") or "").split():
            self._skip += 1
        elif tag in _BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self._skip:
            self._skip -= 1
        elif tag in _BLOCKS:
            self.out.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(data)


def html_to_text(cooked: str) -> str:
    """Plain text of cooked HTML (whitespace collapsed within lines, at most one blank line)."""
    parser = _Text()
    parser.feed(cooked)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_of(post: dict[str, Any]) -> str:
    raw = post.get("raw")
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    cooked = post.get("cooked")
    return html_to_text(cooked) if isinstance(cooked, str) else ""


def iso(value: object) -> str:
    """Discourse's ISO time as Inflow's stamp (milliseconds, Z); the epoch when missing or broken."""
    parsed = parse_time(value)
    return parsed.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: object) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.fromtimestamp(0, UTC)


def is_reply(post: object) -> bool:
    """A regular post after the first: not a moderator/small action or whisper, not deleted."""
    return (
        isinstance(post, dict)
        and isinstance(post.get("id"), int)
        and post.get("post_number") != 1
        and post.get("post_type", 1) == 1
        and not post.get("deleted_at")
        and not post.get("user_deleted")
    )


def reply_from_post(post: dict[str, Any]) -> RemoteReply | None:
    body = text_of(post)
    if not body:
        return None
    author = post.get("username") if isinstance(post.get("username"), str) else "someone"
    return RemoteReply(remote_id=str(post["id"]), author=str(author), body=body, created_at=iso(post.get("created_at")))


_FILES = re.compile(r"<a\s[^>]*class=\"[^\"]*(?:attachment|lightbox)[^\"]*\"[^>]*>.*?</a>|<img\s[^>]*>", re.DOTALL)
_HREF = re.compile(
    r"<a\s[^>]*href=\"([^\"]+)\"[^>]*class=\"[^\"]*(?:attachment|lightbox)|"
    r"<a\s[^>]*class=\"[^\"]*(?:attachment|lightbox)[^\"]*\"[^>]*href=\"([^\"]+)\""
)


def _attachment_only(cooked: str, base: str) -> str | None:
    """The link to the upload when a post holds attachments or images and no text of its own."""
    if not _FILES.search(cooked) or html_to_text(_FILES.sub("", cooked)):
        return None
    found = _HREF.search(cooked)
    href = (found.group(1) or found.group(2)) if found else None
    return urljoin(base + "/", html.unescape(href)) if href else None


def _s(mapping: dict[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def _tags(topic: dict[str, Any]) -> tuple[str, ...]:
    raw = topic.get("tags")
    if not isinstance(raw, list):
        return ()
    names = [t if isinstance(t, str) else t.get("name") if isinstance(t, dict) else None for t in raw]
    return tuple(name for name in names if isinstance(name, str) and name)


def feed_item_from_topic(topic: dict[str, Any], first: dict[str, Any], me: str, base: str) -> FeedItem | None:
    """A topic (with its first post) as a FeedItem; one we created through Inflow carries local_id."""
    title, author = _s(topic, "title"), _s(first, "username")
    body = text_of(first)
    if not title and not body:
        return None
    kind_match = _PREFIX.match(title or "")
    kind = kind_match.group(1).lower() if kind_match else ("question" if title.rstrip().endswith("?") else "tip")
    clean_title = _PREFIX.sub("", title).removesuffix(CONTEXT).strip() or title
    url = _attachment_only(_s(first, "cooked"), base)
    if url is not None:  # an attachment or image only: a shared file is a resource
        kind = "resource"
    if url is None:
        found_url = _URL.search(body)
        url = found_url.group(0).rstrip(".,;:!?") if found_url else None
    context = f"{MOMENT_KIND_LABELS.get(kind, 'Tip')}: "
    if body.startswith(context) and "shared from Inflow." in body.partition("\n")[0]:
        body = body.partition("\n")[2].strip()  # the completion we add to short posts
    external = topic.get("external_id")
    ours = isinstance(external, str) and external and author.lower() == me.lower()
    return FeedItem(
        remote_id=str(topic.get("id")), author=author or "someone", kind=kind, title=clean_title, body=body,
        url=url, tags=_tags(topic), created_at=iso(topic.get("created_at")),
        local_id=str(external) if ours else None,
    )  # fmt: skip


# ---------------------------------------------------------------------- errors
