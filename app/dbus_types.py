"""The jeepney members Inflow uses, as Protocols (jeepney 0.9 ships no type hints).

Only for type checking: app/notify.py and app/hotkey/portal*.py import these under TYPE_CHECKING and
hold jeepney's own objects. A message body holds what its D-Bus signature says (a variant is a
(signature, value) pair, an array a list), so its items are `object`, read with isinstance.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from queue import Queue
from socket import socket
from typing import Protocol


class DBusHeader(Protocol):
    message_type: object
    """A jeepney.MessageType member."""
    fields: Mapping[int, object]
    """By jeepney.low_level.HeaderFields: path, interface, member, sender, ..."""


class DBusMessage(Protocol):
    header: DBusHeader
    body: tuple[object, ...]


class Closable(Protocol):
    """A connection, or a filter of the blocking connection."""

    def close(self) -> None: ...


class DBusConnection(Protocol):
    """jeepney.io.blocking.DBusConnection."""

    sock: socket
    unique_name: str | None
    """The bus's name for this connection (set once the bus said Hello)."""

    def send_and_get_reply(self, message: object, *, timeout: float | None = None) -> DBusMessage: ...

    def receive(self, *, timeout: float | None = None) -> DBusMessage: ...

    def filter(self, rule: object, *, queue: deque[DBusMessage] | None = None) -> Closable: ...

    def close(self) -> None: ...


class ThreadedFilter(Protocol):
    queue: Queue[DBusMessage | None]
    """Matching messages, put by the router's receiver thread (None: a stop sign of our own)."""


class DBusRouter(Protocol):
    """jeepney.io.threading.DBusRouter."""

    conn: Closable

    def send_and_get_reply(self, message: object, *, timeout: float | None = None) -> DBusMessage: ...

    def filter(self, rule: object, *, bufsize: int = 1) -> ThreadedFilter: ...

    def close(self) -> None: ...
