"""Desktop notifications over org.freedesktop.Notifications (jeepney; QtDBus marshals Notify wrongly).

The D-Bus connection opens on the first notification, never at import or start-up. When there is no
bus or no notification daemon, `notify` returns False and the caller falls back to the tray balloon.
"""

from __future__ import annotations

import contextlib
from typing import Any

_BUS_NAME = "org.freedesktop.Notifications"
_TIMEOUT_S = 2.0


class Notifier:
    """Sends notifications as "Inflow" (blocking, ~30 ms a call)."""

    def __init__(self, app_name: str = "Inflow", icon: str = "inflow", desktop_entry: str = "inflow") -> None:
        self._app_name = app_name
        self._icon = icon
        self._desktop_entry = desktop_entry
        self._connection: Any = None  # jeepney.io.blocking.DBusConnection, opened lazily
        self.last_id = 0
        """The id the daemon gave the last notification (0 before any or after a failure)."""

    def available(self) -> bool:
        """Whether a notification daemon is running or can be started by the session bus."""
        try:
            from jeepney import message_bus  # type: ignore[import-untyped]

            connection = self._connect()
            owned = connection.send_and_get_reply(message_bus.NameHasOwner(_BUS_NAME), timeout=_TIMEOUT_S)
            if owned.body[0]:
                return True
            names = connection.send_and_get_reply(message_bus.ListActivatableNames(), timeout=_TIMEOUT_S)
            return _BUS_NAME in names.body[0]
        except Exception:  # no bus, a dead bus, an error reply: all mean "not available"
            self._drop()
            return False

    def notify(self, summary: str, body: str) -> bool:
        """Show a notification; True when the daemon accepted it. Never raises."""
        self.last_id = 0
        try:
            from jeepney import DBusAddress, new_method_call

            address = DBusAddress("/org/freedesktop/Notifications", bus_name=_BUS_NAME, interface=_BUS_NAME)
            hints = {"desktop-entry": ("s", self._desktop_entry)}
            args: tuple[object, ...] = (self._app_name, 0, self._icon, summary, body, [], hints, -1)
            message = new_method_call(address, "Notify", "susssasa{sv}i", args)
            reply = self._connect().send_and_get_reply(message, timeout=_TIMEOUT_S)
            self.last_id = int(reply.body[0])
        except Exception:  # a notification must never take the app down
            self._drop()
            return False
        return self.last_id > 0

    def close(self) -> None:
        """Close the D-Bus connection (reopened on the next call)."""
        self._drop()

    def _connect(self) -> Any:
        if self._connection is None:
            from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

            self._connection = open_dbus_connection(bus="SESSION")
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
            self._connection = None
