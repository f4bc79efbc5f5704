"""What a file brings in: moments to import (with their snapshots and kept files), as every format
parses them, and the one error a file that is not importable raises."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from storage.models import Kind


class ImportFormatError(ValueError):
    """The file is not something Inflow can import; the message is written for the person."""


@dataclass(frozen=True, slots=True)
class ImportedAsset:
    name: str
    media_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ImportedSnapshot:
    """A saved snapshot carried by an Inflow JSON export."""

    url: str
    final_url: str | None = None
    content_type: str | None = None
    title: str | None = None
    byline: str | None = None
    site: str | None = None
    published: str | None = None
    text: str | None = None
    html: str | None = None
    fetched_at: str | None = None
    assets: tuple[ImportedAsset, ...] = ()

    @property
    def size(self) -> int:
        return len((self.text or "").encode()) + len((self.html or "").encode()) + sum(len(a.data) for a in self.assets)


@dataclass(frozen=True, slots=True)
class ImportedFile:
    name: str
    media_type: str
    data: bytes
    text: str | None = None


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One moment to import. `id` is kept when no moment has it yet (Inflow exports)."""

    kind: Kind = Kind.RESOURCE
    title: str = ""
    body: str = ""
    url: str | None = None
    tags: tuple[str, ...] = ()
    created_at: str | None = None
    updated_at: str | None = None
    id: str | None = None
    visibility: str = "private"
    origin: str = "local"
    source_app: str | None = None
    source_window: str | None = None
    author: str | None = None
    answered_at: str | None = None
    snapshot: ImportedSnapshot | None = None
    file: ImportedFile | None = None


@dataclass(slots=True)
class ImportSource:
    """What a file holds: its format, the items (a list, or a stream read as it is iterated), what was
    left out while parsing (and why: complete once the items are used up), and how far reading got."""

    format: str
    items: Iterable[ImportItem] = field(default_factory=list)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    progress: Callable[[], float] = lambda: 0.0
