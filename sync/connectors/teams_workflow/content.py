"""The Adaptive Card envelope of a moment, kept under Teams' size limit."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sync.connector import OutgoingMoment
from sync.connectors.slack.markdown import CARD, TRUNCATED, cut, render_markdown
from sync.formatting import heading

CARD_LIMIT = 27_000
"""Bytes of the JSON envelope we send at most (Teams rejects messages over ~28 KB)."""


def _card(moment: OutgoingMoment, body: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": heading(moment), "weight": "bolder", "size": "medium", "wrap": True}
    ]
    if body:
        blocks.append({"type": "TextBlock", "text": body, "wrap": True})
    if moment.url:
        blocks.append({"type": "TextBlock", "text": f"[{moment.url}]({moment.url})", "wrap": True})
    if moment.tags:
        tags = " ".join(f"#{tag}" for tag in moment.tags)
        blocks.append({"type": "TextBlock", "text": tags, "isSubtle": True, "size": "small", "wrap": True})
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.2",
        "body": blocks,
    }
    if moment.url:
        content["actions"] = [{"type": "Action.OpenUrl", "title": "Open link", "url": moment.url}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}
        ],
    }


def encode(envelope: dict[str, Any]) -> bytes:
    """The bytes we POST (compact UTF-8 JSON: what is measured against CARD_LIMIT is what is sent)."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _size(envelope: dict[str, Any]) -> int:
    return len(encode(envelope))


def card_for(moment: OutgoingMoment, limit: int = CARD_LIMIT) -> dict[str, Any]:
    """The envelope for `moment`, never over `limit` bytes (a long body is cut and ends with a pointer)."""
    body = render_markdown(moment.body, CARD) if moment.body.strip() != moment.title.strip() else ""
    envelope = _card(moment, body)
    if _size(envelope) <= limit:
        return envelope
    low, high, best = 0, len(body), None
    while low <= high:
        middle = (low + high) // 2
        candidate = _card(moment, cut(body, middle) if middle < len(body) else body)
        if _size(candidate) <= limit:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    if best is not None:
        return best
    # A huge title, link or tag list: keep the essentials, cut hard.
    short = replace(moment, title=moment.title[:200], url=moment.url if len(moment.url or "") <= 2048 else None)
    return _card(replace(short, tags=short.tags[:20]), TRUNCATED)
