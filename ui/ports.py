"""What the widgets need from the rest of the app, as protocols and plain data.

The app layer implements these over storage; widgets never see SQLite, threads or the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from storage.models import Moment, MomentQuery, SearchResult


@dataclass(frozen=True, slots=True)
class CaptureContext:
    """What was on screen when the capture window was asked for (all optional, all plain text)."""

    selection: str = ""
    clipboard: str = ""
    url: str | None = None
    window_title: str | None = None
    app_name: str | None = None


class LibrarySource(Protocol):
    """Read access to the library for the library window (fast, synchronous, read-only)."""

    def query(self, query: MomentQuery) -> SearchResult:
        """All matching rowids in display order: newest first, or best first for a search."""
        ...

    def moments(self, rowids: Sequence[int]) -> list[Moment]:
        """The moments for these rowids (deleted or unknown ones are left out), in the given order."""
        ...

    def tags(self) -> list[str]:
        """Every tag in use, most used first (for completion and the tag filter)."""
        ...
