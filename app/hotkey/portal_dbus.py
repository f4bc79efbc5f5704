"""A session-bus connection (jeepney, blocking) driven by the Qt event loop for the portal hotkey.

A QSocketNotifier watches the connection's socket, so an idle app makes no syscalls and a signal is
handled on the GUI thread as soon as it arrives: no thread, no polling, no hop through a queue.
Method calls block for their reply (the portal answers at once; user interaction comes later as a
Request::Response signal), and every message read meanwhile is kept and handed on afterwards.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from jeepney import DBusAddress, MatchRule, MessageType, new_method_call  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]
from jeepney.wrappers import DBusErrorResponse, unwrap_msg  # type: ignore[import-untyped]
from PySide6.QtCore import QObject, QSocketNotifier, QTimer

if TYPE_CHECKING:
    from app.dbus_types import DBusConnection, DBusMessage

__all__ = ["BusError", "PortalBus"]

CALL_TIMEOUT_S = 5.0


class BusError(Exception):
    """A call that failed: `name` is the D-Bus error name ("" for a timeout or a broken connection)."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}" if name else detail)
        self.name = name


class PortalBus(QObject):
    """One connection to the session bus; `on_signal(message)` gets every signal, on the GUI thread,
    and `on_lost()` is called once when the bus goes away."""

    def __init__(
        self,
        on_signal: Callable[[DBusMessage], None],
        on_lost: Callable[[], None],
        address: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self._on_lost = on_lost
        conn: DBusConnection = open_dbus_connection(bus=address or "SESSION")
        self._conn: DBusConnection | None = conn
        self._backlog: deque[DBusMessage] = deque()
        # Messages read while a call waits for its reply land here (jeepney's filter machinery).
        self._catch_all = conn.filter(MatchRule(), queue=self._backlog)
        self._pumping = False
        self._notifier = QSocketNotifier(conn.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._pump)

    @property
    def unique_name(self) -> str:
        if self._conn is None:
            raise BusError("", "not connected to the session bus")
        return str(self._conn.unique_name)

    def call(
        self,
        address: DBusAddress,
        method: str,
        signature: str | None = None,
        body: tuple[object, ...] = (),
        timeout: float = CALL_TIMEOUT_S,
    ) -> tuple[object, ...]:
        """The reply's body; BusError for an error reply, a timeout or a broken connection."""
        if self._conn is None:
            raise BusError("", "not connected to the session bus")
        message = new_method_call(address, method, signature, body)
        try:
            reply = self._conn.send_and_get_reply(message, timeout=timeout)
            return tuple(unwrap_msg(reply))
        except DBusErrorResponse as exc:
            detail = str(exc.data[0]) if exc.data else ""
            raise BusError(str(exc.name), detail) from exc
        except TimeoutError as exc:
            raise BusError("", f"no answer from {address.bus_name} within {timeout:.0f} s") from exc
        except (OSError, ValueError) as exc:
            self._lose()
            raise BusError("", f"lost the session bus ({exc})") from exc
        finally:
            # The reply may have come in one read with signals: hand those on once this call is done.
            QTimer.singleShot(0, self._pump)

    def name_available(self, name: str) -> bool:
        """Whether `name` has an owner or the bus can start one."""
        if self.call(_BUS, "NameHasOwner", "s", (name,))[0]:
            return True
        activatable = self.call(_BUS, "ListActivatableNames")[0]
        return isinstance(activatable, list) and name in activatable

    def add_match(self, rule: MatchRule) -> None:
        self.call(_BUS, "AddMatch", "s", (rule.serialise(),))

    def close(self) -> None:
        self._notifier.setEnabled(False)
        if self._conn is not None:
            self._catch_all.close()
            with contextlib.suppress(OSError):
                self._conn.close()
            self._conn = None

    def _pump(self) -> None:
        """Hand on every message that is complete: those kept during calls, then the socket's."""
        if self._pumping or self._conn is None:
            return
        self._pumping = True
        try:
            while self._conn is not None:
                if self._backlog:
                    message = self._backlog.popleft()
                else:
                    try:
                        message = self._conn.receive(timeout=0)
                    except TimeoutError:
                        break
                if message.header.message_type == MessageType.signal:
                    self._on_signal(message)
        except (OSError, ValueError):
            self._lose()
        finally:
            self._pumping = False

    def _lose(self) -> None:
        if self._conn is None:
            return
        self.close()
        self._on_lost()


_BUS = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
