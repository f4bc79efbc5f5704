"""The one clock storage stamps rows with."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Timestamps are ISO 8601 UTC with milliseconds: they sort as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
