"""What the widgets need from the rest of the app, as protocols and plain data.

The app layer implements these over storage; widgets never see SQLite, threads or the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from storage.models import Delivery, Draft, KeptFile, Moment, MomentQuery, Reply, SearchResult, Snapshot


@dataclass(frozen=True, slots=True)
class CaptureContext:
    """What was on screen when the capture window was asked for (all optional, all plain text)."""

    selection: str = ""
    clipboard: str = ""
    url: str | None = None
    window_title: str | None = None
    app_name: str | None = None


@dataclass(frozen=True, slots=True)
class SaveRequest:
    """What the capture window asks the app to store: the validated draft, the local path of the file
    attached to it (read and stored off the GUI thread), and whether the person chose to share it
    although the secret check found something (then it is not checked again)."""

    draft: Draft
    file: str | None = None
    despite_findings: bool = False


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


@dataclass(frozen=True, slots=True)
class TargetKeyInfo:
    """One setting of a target kind, for the target editor form."""

    name: str
    label: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True, slots=True)
class TargetKindInfo:
    """A kind of target the person can add (Matrix room, xAPI LRS, signed webhook, ...)."""

    kind: str
    label: str
    keys: tuple[TargetKeyInfo, ...]
    secret_label: str
    can_retract: bool = False
    interactive_sign_in: bool = False
    """The secret comes from signing in (a code shown on Save), not from typing it."""


@dataclass(frozen=True, slots=True)
class TargetInfo:
    """A configured target as the UI shows it."""

    name: str
    kind: str
    settings: dict[str, str]
    is_main: bool = False
    paused_reason: str | None = None
    managed: bool = False
    public: bool = False
    """Anyone on the internet can read what is shared there (never the main target)."""
    failing_since: str | None = None
    """Deliveries to it fail and are retried: since when (ISO 8601 UTC; see storage.outbox_status.failing_targets)."""
    failing_reason: str = ""
    next_try_at: float | None = None
    """When the next attempt is (unix s)."""


@dataclass(frozen=True, slots=True)
class SharingDefaults:
    """Which targets each kind is shared with by default (empty: private)."""

    by_kind: dict[str, tuple[str, ...]]
    fixed_by: str = ""
    """Not empty: the organisation's policy (this source) fixes each moment's sharing to the defaults."""


@dataclass(frozen=True, slots=True)
class ManagedSettings:
    """What the organisation's policy decides, for the Settings window."""

    locked: dict[str, str] = field(default_factory=dict)
    """Setting key -> the policy source (file or registry key) that enforces it."""
    kept: dict[str, str] = field(default_factory=dict)
    """Setting key -> the person's own value (as text) that a policy overrides; it stays in config.toml."""
    targets_fixed_by: str = ""
    """Not empty: people cannot add, edit or remove targets (user_targets is false in this source)."""


class DeliverySource(Protocol):
    """What the library's detail pane shows about sharing (read-only, fast)."""

    def deliveries(self, rowid: int) -> list[Delivery]:
        """The moment's outbox rows, oldest first."""
        ...

    def replies(self, rowid: int) -> list[Reply]:
        """Answers and comments pulled back for the moment, oldest first."""
        ...

    def retractable(self, moment_id: str) -> list[tuple[str, bool]]:
        """Targets where the moment is online, each with whether it can be removed from there."""
        ...


class SnapshotSource(Protocol):
    """Offline copies and kept files for the library (read-only, fast, synchronous)."""

    def snapshot(self, rowid: int) -> Snapshot | None:
        """The moment's offline copy (metadata and, when saved, its HTML), or None when it has none."""
        ...

    def snapshot_asset(self, rowid: int, name: str) -> tuple[str, bytes] | None:
        """An image kept with the snapshot (`inflow-asset:<name>` in its HTML): media type and bytes."""
        ...

    def kept_file(self, rowid: int) -> KeptFile | None:
        """The file kept as this resource (without its bytes), or None."""
        ...

    def snippets(self, text: str, rowids: Sequence[int]) -> dict[int, str]:
        """For the given (painted) rows of a search: a one-line excerpt with matches between
        SNIPPET_START and SNIPPET_END (see ui.highlight); rows without one are left out."""
        ...
