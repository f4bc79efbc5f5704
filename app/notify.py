"""Desktop notifications over org.freedesktop.Notifications (jeepney; QtDBus marshals Notify wrongly).

The D-Bus connection opens on the first notification, never at import or start-up. When there is no
bus or no notification daemon, `notify` returns False and the caller falls back to the tray balloon;
on Windows and macOS it always does (QSystemTrayIcon.showMessage; a click comes back as the tray's
messageClicked, which Qt's documentation says macOS does not send).
Clicks come back as the `ActionInvoked` signal, which daemons such as dunst send only to the
connection that sent Notify: so one connection does both, through jeepney's threaded router (its
receiver thread blocks in select: no polling).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from queue import Queue

    from app.dbus_types import DBusMessage, DBusRouter

_BUS_NAME = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"
_TIMEOUT_S = 2.0
FREEDESKTOP = sys.platform not in ("win32", "cygwin", "darwin")
"""Whether this system has org.freedesktop.Notifications at all (elsewhere the tray shows them)."""


class Notifier:
    """Sends notifications as "Inflow"; `on_click(notification_id)` is called from a background
    thread when the person clicks a notification sent with `clickable=True`."""

    def __init__(
        self,
        app_name: str = "Inflow",
        icon: str = "inflow",
        desktop_entry: str = "inflow",
        on_click: Callable[[int], None] | None = None,
    ) -> None:
        self._app_name = app_name
        self._icon = icon
        self._desktop_entry = desktop_entry
        self._on_click = on_click
        self._router: DBusRouter | None = None  # opened lazily
        self._clicks: threading.Thread | None = None
        self._click_queue: Queue[DBusMessage | None] | None = None
        self.last_id = 0
        """The id the daemon gave the last notification (0 before any or after a failure)."""

    def available(self) -> bool:
        """Whether a notification daemon is running or can be started by the session bus."""
        if not FREEDESKTOP:
            return False
        try:
            from jeepney import message_bus  # type: ignore[import-untyped]

            router = self._connect()
            owned = router.send_and_get_reply(message_bus.NameHasOwner(_BUS_NAME), timeout=_TIMEOUT_S)
            if owned.body[0]:
                return True
            names = router.send_and_get_reply(message_bus.ListActivatableNames(), timeout=_TIMEOUT_S)
            activatable = names.body[0]
            return isinstance(activatable, list) and _BUS_NAME in activatable
        except Exception:  # no bus, a dead bus, an error reply: all mean "not available"
            self._drop()
            return False

    def notify(self, summary: str, body: str, *, clickable: bool = False) -> bool:
        """Show a notification; True when the daemon accepted it. Never raises."""
        self.last_id = 0
        if not FREEDESKTOP:
            return False
        try:
            from jeepney import DBusAddress, new_method_call

            address = DBusAddress(_PATH, bus_name=_BUS_NAME, interface=_BUS_NAME)
            hints = {"desktop-entry": ("s", self._desktop_entry)}
            actions = ["default", "Open"] if clickable and self._on_click else []
            args: tuple[object, ...] = (self._app_name, 0, self._icon, summary, body, actions, hints, -1)
            message = new_method_call(address, "Notify", "susssasa{sv}i", args)
            reply = self._connect().send_and_get_reply(message, timeout=_TIMEOUT_S)
            notification_id = reply.body[0]
            if not isinstance(notification_id, int):
                raise TypeError(f"Notify answered {notification_id!r}, not a notification id")
            self.last_id = notification_id
        except Exception:  # a notification must never take the app down
            self._drop()
            return False
        return self.last_id > 0

    def close(self) -> None:
        """Close the D-Bus connection (reopened on the next call)."""
        self._drop()

    def _connect(self) -> DBusRouter:
        if self._router is None:
            from jeepney.io.threading import DBusRouter, open_dbus_connection  # type: ignore[import-untyped]

            router: DBusRouter = DBusRouter(open_dbus_connection(bus="SESSION"))
            self._router = router
            if self._on_click is not None:
                self._listen(router)
        return self._router

    def _listen(self, router: DBusRouter) -> None:
        from jeepney import MatchRule, message_bus

        rule = MatchRule(type="signal", interface=_BUS_NAME, member="ActionInvoked", path=_PATH)
        router.send_and_get_reply(message_bus.AddMatch(rule), timeout=_TIMEOUT_S)
        queue = self._click_queue = router.filter(rule, bufsize=16).queue
        self._clicks = threading.Thread(target=self._wait_for_clicks, args=(queue,), name="inflow-clicks", daemon=True)
        self._clicks.start()

    def _wait_for_clicks(self, queue: Queue[DBusMessage | None]) -> None:
        while True:
            message = queue.get()
            if message is None:  # _drop() asked us to stop
                return
            notification_id, action = message.body
            if action == "default" and self._on_click is not None and isinstance(notification_id, int):
                self._on_click(notification_id)

    def _drop(self) -> None:
        if self._router is not None:
            with contextlib.suppress(Exception):
                self._router.close()  # stops the receiver thread; the connection stays open
            with contextlib.suppress(Exception):
                self._router.conn.close()
            self._router = None
        if self._clicks is not None and self._click_queue is not None:
            self._click_queue.put(None)
            self._clicks = None
            self._click_queue = None
