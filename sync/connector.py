"""The connector interface: everything one backend needs to speak, and nothing more.

A connector is small: format a moment for its backend, send it (idempotently), fetch replies to a
post, fetch the feed since a cursor, and classify every failure as a `SyncError` (see sync.errors).
It is synchronous plain Python (the engine runs it off the GUI thread) and never touches storage.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:  # requests costs ~80 ms and 16 MiB at import: only where a session is really made
    import requests


@dataclass(frozen=True, slots=True)
class TargetKey:
    """One setting of a target kind (same name in Settings, config and CLI)."""

    name: str
    label: str
    required: bool = True
    help: str = ""
    url: bool = False
    """The value is a URL Inflow sends credentials or data to: plain http:// only to this computer."""


@dataclass(frozen=True, slots=True)
class Target:
    """One configured destination: a name the person chose, a kind, and its settings."""

    name: str
    kind: str
    settings: Mapping[str, str] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        return self.settings.get(key, default)


@dataclass(frozen=True, slots=True)
class OutgoingMoment:
    """What is shared: the moment as plain data, and the outbox row's idempotency key."""

    moment_id: str
    kind: str
    title: str
    body: str
    url: str | None
    tags: tuple[str, ...]
    created_at: str
    idempotency_key: str
    activity: str | None = None
    """For tracking (xAPI): what the person did (captured, answered, read); None for a share."""
    activity_at: str | None = None
    """When the activity happened (ISO); None for a share."""
    attempts: int = 0
    """How often sending this was tried before. After a failure whose outcome is unknown (a timeout
    after the request went out), a backend without server-side idempotency must look for the post
    carrying `moment_id` before posting again."""


@dataclass(frozen=True, slots=True)
class SendResult:
    remote_id: str
    link: str | None = None


@dataclass(frozen=True, slots=True)
class RemoteReply:
    remote_id: str
    author: str
    body: str
    created_at: str


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A colleague's post pulled into the library. `local_id` is set when it is our own echo."""

    remote_id: str
    author: str
    kind: str
    title: str
    body: str
    url: str | None
    tags: tuple[str, ...]
    created_at: str
    local_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[FeedItem]
    cursor: str | None
    replies: dict[str, list[RemoteReply]] = field(default_factory=dict)
    """Thread replies seen while reading the feed, by the remote id of the post they answer."""
    complete: bool = False
    """True when the page covers EVERYTHING since the cursor (replies included): the engine then
    needs no separate reply poll for posts on this target; False (the default) keeps the polls."""


class Connector(Protocol):
    """What every backend implements. `state` is a small persistent key/value store per target
    (device ids, login results that are not secret); the engine saves it after each call."""

    kind: ClassVar[str]
    label: ClassVar[str]
    """What the kind is called in Settings and the CLI ("Matrix room")."""
    keys: ClassVar[tuple[TargetKey, ...]]
    secret_label: ClassVar[str]
    can_edit: ClassVar[bool]
    can_retract: ClassVar[bool]
    can_pull: ClassVar[bool]

    def test(self) -> str:
        """A real authenticated call; returns a one-line success message or raises SyncError."""
        ...

    def send(self, moment: OutgoingMoment) -> SendResult:
        """Post the moment. Sending the same idempotency_key twice must not post twice."""
        ...

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        """Update the post (raises NotSupportedError where the backend cannot)."""
        ...

    def retract(self, remote_id: str) -> None:
        """Remove the post (raises NotSupportedError where the backend cannot)."""
        ...

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        """Every reply to the post (the engine ignores ones it has; NotSupportedError for push-only)."""
        ...

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        """Posts since `cursor` (None: start from now, return the cursor to continue from)."""
        ...


def secret_is_url(factory: ConnectorFactory) -> bool:
    """Webhook-style kinds whose secret IS the URL posted to (their secret label says URL)."""
    return "url" in factory.secret_label.lower().split()


class ConnectorFactory(Protocol):
    """The connector class itself (what sync.registry returns)."""

    kind: str
    label: str
    keys: tuple[TargetKey, ...]
    secret_label: str
    can_edit: bool
    can_retract: bool
    can_pull: bool

    def __call__(
        self,
        target: Target,
        secret: str | None,
        http: requests.Session,
        state: MutableMapping[str, str],
    ) -> Connector: ...
