"""Plain data types shared by storage and the UI (the only storage module ui/ may import).

Pure Python: no SQLite, no Qt. Validation that a person should hear about before anything is
written (empty capture, oversized text) lives here so the capture window and the CLI say the same.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from storage.links import link_problem

MAX_TEXT_BYTES = 1024 * 1024
"""The most text one moment may hold (title + body, UTF-8)."""

MAX_FILE_BYTES = 25 * 1024 * 1024
"""The default size budget for one kept file (the capture window's limit and storage's)."""

MAX_TAG_LENGTH = 64


class Kind(enum.StrEnum):
    """What a moment is."""

    RESOURCE = "resource"
    TIP = "tip"
    QUESTION = "question"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DraftError(ValueError):
    """A draft that cannot be saved as it is; the message is written for the person."""


class TextTooLongError(DraftError):
    """More text than one moment holds; the caller says where the text still is (the draft, stdin)."""


@dataclass(frozen=True, slots=True)
class Draft:
    """What a person typed (or a script passed) before it becomes a moment."""

    kind: Kind = Kind.TIP
    title: str = ""
    body: str = ""
    url: str | None = None
    tags: tuple[str, ...] = ()
    source_app: str | None = None
    source_window: str | None = None
    share_to: tuple[str, ...] = ()
    """Names of the targets to share with (empty: private)."""


@dataclass(frozen=True, slots=True)
class Moment:
    """One stored learning moment."""

    id: str
    rowid: int
    kind: Kind
    title: str
    body: str
    url: str | None
    tags: tuple[str, ...]
    created_at: str
    updated_at: str
    visibility: str = "private"
    origin: str = "local"
    source_app: str | None = None
    source_window: str | None = None
    author: str | None = None
    """Who shared it, for moments pulled from the team feed."""
    answered_at: str | None = None

    @property
    def display_title(self) -> str:
        """The title, or the first line of the body when there is none."""
        if self.title.strip():
            return self.title.strip()
        first = self.body.lstrip()[:500].partition("\n")[0].strip()
        return first[:120] or (self.url or "(untitled)")


class DeliveryState(enum.StrEnum):
    """Where one (moment, target) delivery stands."""

    PENDING = "pending"
    INFLIGHT = "inflight"
    SENT = "sent"
    DEAD = "dead"
    PAUSED = "paused"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row as the library shows it."""

    id: int
    target: str
    action: str
    state: DeliveryState
    attempts: int
    next_attempt_at: float
    last_error: str | None
    remote_id: str | None
    remote_link: str | None

    @property
    def retrying(self) -> bool:
        return self.state is DeliveryState.PENDING and self.attempts > 0


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer or comment pulled back from a backend."""

    target: str
    remote_id: str
    author: str
    body: str
    created_at: str
    seen: bool = False


class SnapshotState(enum.StrEnum):
    PENDING = "pending"  # queued, not fetched yet
    FETCHING = "fetching"
    SAVED = "saved"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The offline copy of a resource's page: metadata, and (when saved) its readable HTML and text.

    Images kept with it are referenced in `html` as `inflow-asset:<name>` and read with the
    source's `snapshot_asset()`; nothing in `html` ever points at the network.
    """

    state: SnapshotState
    url: str
    final_url: str | None = None
    content_type: str | None = None
    title: str | None = None
    byline: str | None = None
    site: str | None = None
    published: str | None = None
    text: str | None = None
    html: str | None = None
    size: int = 0
    error: str | None = None
    attempts: int = 0
    fetched_at: str | None = None
    next_attempt_at: float = 0.0
    """When a pending copy is tried again (unix seconds; 0: as soon as possible), after `error`."""


@dataclass(frozen=True, slots=True)
class KeptFile:
    """A file kept as a resource (its bytes are read on demand)."""

    name: str
    media_type: str
    size: int
    text: str | None = None


@dataclass(frozen=True, slots=True)
class MomentQuery:
    """What the library lists: everything, or a search, filtered by kind and tag."""

    text: str = ""
    kind: Kind | None = None
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked ids (best first) and the words that matched, for highlighting."""

    rowids: list[int] = field(default_factory=list)
    terms: tuple[str, ...] = ()
    truncated: bool = False
    """True when only the newest matches were ranked (very common terms); see storage.search."""


_TAG_SPLIT = re.compile(r"[,\s]+")
_TAG_INVALID = re.compile(r"[^\w\-.+#/]", re.UNICODE)


def normalize_tags(raw: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Tags are lower-case words; '#', spaces and commas separate them; duplicates are dropped."""
    parts = _TAG_SPLIT.split(raw) if isinstance(raw, str) else [p for t in raw for p in _TAG_SPLIT.split(t)]
    seen: dict[str, None] = {}
    for part in parts:
        tag = _TAG_INVALID.sub("", part.strip().lower()).lstrip("#")[:MAX_TAG_LENGTH]  # "#" last: "\u0301#" -> ""
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


def clean_text(text: str) -> str:
    """Drop NUL bytes and lone surrogates (invalid UTF-8 from a clipboard) so SQLite stores real text."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def validate_draft(draft: Draft) -> Draft:
    """Return the draft cleaned for storage, or raise DraftError with a message for the person."""
    title = clean_text(draft.title).strip()
    body = clean_text(draft.body).rstrip()
    url = clean_text(draft.url).strip() if draft.url else None
    if not (title or body.strip() or url):
        raise DraftError("Nothing to save yet: write a title, a note or a link.")
    size = len(title.encode()) + len(body.encode())
    if size > MAX_TEXT_BYTES:
        raise TextTooLongError(
            f"This moment is too long to save ({size / 1048576:.1f} MiB of text; the limit is 1 MiB). "
            "Shorten it or save the rest as a file."
        )
    problem = link_problem(url) if url else None
    if problem:
        raise DraftError(problem)
    return Draft(
        kind=Kind(draft.kind),
        title=title,
        body=body,
        url=url or None,
        tags=normalize_tags(draft.tags),
        source_app=clean_text(draft.source_app) if draft.source_app else None,
        source_window=clean_text(draft.source_window) if draft.source_window else None,
        share_to=tuple(dict.fromkeys(t for t in draft.share_to if t)),
    )
