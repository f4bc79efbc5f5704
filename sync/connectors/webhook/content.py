"""What a webhook delivers: the Standard Webhooks event around a moment (compact UTF-8 JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sync.connector import OutgoingMoment
from sync.formatting import as_html, as_plain_text

EVENT_TYPE = "learning_moment.created"
TEST_EVENT_TYPE = "inflow.test"
TEST_DATA: dict[str, Any] = {"message": "A signed test delivery from Inflow: you can ignore it"}


def moment_data(moment: OutgoingMoment) -> dict[str, Any]:
    """The event's `data` for a shared moment: its fields, plus plain-text and HTML renderings."""
    return {
        "id": moment.moment_id,
        "kind": moment.kind,
        "title": moment.title,
        "body": moment.body,
        "url": moment.url,
        "tags": list(moment.tags),
        "created_at": moment.created_at,
        "text": as_plain_text(moment),
        "html": as_html(moment),
    }


def event_body(event_type: str, now: float, data: dict[str, Any]) -> bytes:
    """The bytes POSTed (and signed): `{"type", "timestamp" (ISO, milliseconds, Z), "data"}`."""
    iso = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(
        {"type": event_type, "timestamp": iso, "data": data}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
