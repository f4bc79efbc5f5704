"""Mattermost posts: the Markdown message we post (split to fit), what colleagues' posts mean, and errors.

Followed: api.mattermost.com (#tag/posts "Create a post", "Get a thread", "Get posts for a channel",
"Patch a post"; the error object `{"id","message","request_id","status_code"}`), developers.mattermost.com
"Rate limiting" (429 with `X-Ratelimit-*` headers only), and the server's `app/post.go`
(`pending_post_id` dedupe, `api.post.deduplicate_create_post.pending`; `model/post.go` message rune limit).
"""

from __future__ import annotations

import re
from typing import Any

from sync.connector import FeedItem, OutgoingMoment, RemoteReply
from sync.connectors.matrix.content import iso_time
from sync.formatting import heading, strip_rendering

MAX_MESSAGE = 16_383
"""Runes in one post on current servers (4,000 on servers whose Posts.Message column was never migrated)."""
OLD_MAX_MESSAGE = 4_000
MAX_PARTS = 4
"""A root post plus at most three continuation replies; anything longer is cut with a pointer."""
CONTINUED = "*(continued in the thread)*"
TRUNCATED = "… *(truncated; full text in the sender's Inflow library)*"
PENDING = "api.post.deduplicate_create_post.pending"
PENDING_RETRY_S = 2.0
TOO_LONG = ("model.post.is_valid.msg.app_error", "model.post.is_valid.message_length.app_error")
KINDS = ("resource", "tip", "question")
_URL = re.compile(r"https?://[^\s<>\"'`)\]]+", re.IGNORECASE)
_HEADING = re.compile(r"^\*\*(Resource|Tip|Question): .*\*\*$", re.DOTALL)
_MAX_TITLE = 120


# ---------------------------------------------------------------------- what we post


def render(moment: OutgoingMoment) -> str:
    """Mattermost Markdown: the heading in bold, the body as written, the link, the tags as hashtags."""
    parts = ["**" + heading(moment).replace("*", "\\*") + "**"]
    body = moment.body.strip()
    if body and body != moment.title.strip():
        parts.append(body)
    if moment.url:
        parts.append(moment.url)
    if moment.tags:
        parts.append(" ".join(f"#{tag}" for tag in moment.tags))
    return "\n\n".join(parts)


def props(moment: OutgoingMoment) -> dict[str, Any]:
    """Our marker in the post's props: how Inflow recognises its posts (echoes, lookups, colleagues')."""
    return {
        "inflow_local_id": moment.moment_id,
        "inflow_kind": moment.kind,
        "inflow_title": moment.title[:500],
        "inflow_url": moment.url if moment.url and len(moment.url) <= 2048 else "",
        "inflow_tags": [tag[:100] for tag in moment.tags[:50]],
    }


def _break_at(text: str, room: int) -> int:
    """Where to cut `text` so the head fits `room`: a paragraph, a line, a space, or hard."""
    for separator, slack in (("\n\n", room // 2), ("\n", room // 2), (" ", 200)):
        position = text.rfind(separator, 0, room)
        if position > 0 and position >= room - slack:
            return position
    return room


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with the pointer to the full text."""
    if len(text) <= limit:
        return text
    room = limit - len(TRUNCATED) - 2
    return text[: _break_at(text, room)].rstrip() + "\n\n" + TRUNCATED


def split_message(text: str, limit: int = MAX_MESSAGE, max_parts: int = MAX_PARTS) -> list[str]:
    """The root message and its continuations, each at most `limit` characters (never rejected)."""
    parts: list[str] = []
    rest = text
    while rest:
        if len(rest) <= limit:
            parts.append(rest)
            break
        if len(parts) == max_parts - 1:
            parts.append(truncate(rest, limit))
            break
        cut = _break_at(rest, limit - len(CONTINUED) - 2)
        parts.append(rest[:cut].rstrip() + "\n\n" + CONTINUED)
        rest = rest[cut:].lstrip("\n ")
    return parts or [text]


# ---------------------------------------------------------------------- what we read


def str_field(mapping: object, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, str) else ""


def _int(mapping: object, key: str) -> int:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def post_props(post: object) -> dict[str, Any]:
    value = post.get("props") if isinstance(post, dict) else None
    return value if isinstance(value, dict) else {}


def is_readable(post: object) -> bool:
    """A real message: not a system message (joins, header changes), not deleted."""
    return (
        isinstance(post, dict)
        and bool(str_field(post, "id"))
        and not str_field(post, "type").startswith("system_")
        and _int(post, "delete_at") == 0
    )


def file_names(post: object) -> list[str]:
    """Names of the post's attachments (from metadata.files; counted from file_ids when that is absent)."""
    metadata = post.get("metadata") if isinstance(post, dict) else None
    files = metadata.get("files") if isinstance(metadata, dict) else None
    if isinstance(files, list) and files:
        return [str_field(item, "name") or "a file" for item in files]
    ids = post.get("file_ids") if isinstance(post, dict) else None
    return ["a file"] * len(ids) if isinstance(ids, list) else []


def _text_with_files(post: dict[str, Any]) -> str:
    text = str_field(post, "message").strip()
    names = file_names(post)
    if names:
        attached = "Attached: " + ", ".join(names)
        text = f"{text}\n\n{attached}" if text else attached
    return text


def reply_from_post(post: object, usernames: dict[str, str]) -> RemoteReply | None:
    if not is_readable(post) or "inflow_part" in post_props(post):
        return None
    assert isinstance(post, dict)
    body = _text_with_files(post)
    if not body:
        return None
    user = str_field(post, "user_id")
    created = iso_time(_int(post, "create_at"))
    return RemoteReply(remote_id=str_field(post, "id"), author=usernames.get(user, user), body=body, created_at=created)


def _strip_rendering(text: str, url: str | None, tags: tuple[str, ...]) -> str:
    parts = [part for part in text.split("\n\n") if part.strip() not in (CONTINUED, TRUNCATED)]
    return strip_rendering(parts, url, tags, _HEADING)


def _first_url(text: str) -> str | None:
    found = _URL.search(text)
    return found.group(0).rstrip(".,;:!?") if found else None


def feed_item_from_post(post: object, *, base: str, me: str, usernames: dict[str, str]) -> FeedItem | None:
    """A root post in the channel as a FeedItem; ours (our props, posted by `me`) carry local_id."""
    if not is_readable(post) or str_field(post, "root_id"):
        return None
    assert isinstance(post, dict)
    post_id, user = str_field(post, "id"), str_field(post, "user_id")
    author, created = usernames.get(user, user), iso_time(_int(post, "create_at"))
    marker = post_props(post)
    text = str_field(post, "message").strip()
    local_id = str_field(marker, "inflow_local_id")
    if local_id:
        kind = str_field(marker, "inflow_kind")
        url = str_field(marker, "inflow_url") or None
        raw_tags = marker.get("inflow_tags")
        tags = tuple(t for t in raw_tags if isinstance(t, str) and t) if isinstance(raw_tags, list) else ()
        return FeedItem(
            remote_id=post_id, author=author, kind=kind if kind in KINDS else "tip",
            title=str_field(marker, "inflow_title") or text.partition("\n")[0][:_MAX_TITLE],
            body=_strip_rendering(text, url, tags), url=url, tags=tags, created_at=created,
            local_id=local_id if user == me else None,
        )  # fmt: skip
    names = file_names(post)
    if not text and names:  # attachments only: a shared file is a resource
        title = "Shared file: " + ", ".join(names) if len(names) == 1 else f"Shared {len(names)} files"
        return FeedItem(
            remote_id=post_id, author=author, kind="resource", title=title[:_MAX_TITLE],
            body="Attached: " + ", ".join(names), url=f"{base}/_redirect/pl/{post_id}", tags=(), created_at=created,
        )  # fmt: skip
    if not text:
        return None
    first, _, rest = text.partition("\n")
    first = first.strip().lstrip("#").strip()
    if len(first) > _MAX_TITLE:
        title, body = first[: _MAX_TITLE - 1].rstrip() + "…", text
    else:
        title, body = first, rest.strip()
    if names:
        body = (body + "\n\nAttached: " + ", ".join(names)).strip()
    kind = "question" if title.endswith("?") else "tip"
    return FeedItem(
        remote_id=post_id, author=author, kind=kind, title=title, body=body, url=_first_url(text), tags=(),
        created_at=created,
    )  # fmt: skip


# ---------------------------------------------------------------------- errors
