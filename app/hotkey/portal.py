"""Wayland global hotkey through the xdg-desktop-portal GlobalShortcuts interface.

CreateSession, then BindShortcuts with the `hotkey` setting as the preferred trigger (the desktop
may show a dialog and bind another key, or none); each step answers with a Request::Response
signal on a handle built from our unique name and a random token, subscribed to before the call.
Activated for our session and shortcut emits `activated`; ShortcutsChanged updates the key the
desktop reports. Where there is no portal, no GlobalShortcuts interface, one that is too old, or the
person declines, `state()` names the case and the advice is to bind `inflow capture --window`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from jeepney import DBusAddress, MatchRule  # type: ignore[import-untyped]
from jeepney.low_level import HeaderFields  # type: ignore[import-untyped]
from PySide6.QtCore import QObject, Signal

from app.hotkey.base import HotkeyBackend, HotkeyError
from app.hotkey.keys import KeyCombo, Modifier, parse_sequence
from app.hotkey.portal_dbus import BusError, PortalBus

if TYPE_CHECKING:
    from app.dbus_types import DBusMessage

__all__ = ["MIN_VERSION", "SHORTCUT_ID", "PortalHotkey", "portal_trigger"]

log = logging.getLogger(__name__)

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
REGISTRY = "org.freedesktop.host.portal.Registry"
MIN_VERSION = 1
"""Version 1 has everything used here (CreateSession, BindShortcuts, Activated, ShortcutsChanged)."""
SHORTCUT_ID = "capture"
APP_ID = "inflow"  # the .desktop file's basename, as the Registry wants it
_DESCRIPTION = "Open Inflow's capture window"
_ADVICE = "bind the command `inflow capture --window` to a key in your desktop's keyboard settings"
_MISSING_INTERFACE = {
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.UnknownProperty",
    "org.freedesktop.DBus.Error.InvalidArgs",
    "org.freedesktop.DBus.Error.UnknownMethod",
}
# The shortcuts spec's modifier names (xkbcommon's XKB_MOD_NAME_*), in the order they are written.
_TRIGGER_MODIFIERS = (
    (Modifier.CTRL, "CTRL"),
    (Modifier.ALT, "ALT"),
    (Modifier.SHIFT, "SHIFT"),
    (Modifier.META, "LOGO"),
)
Results = dict[str, tuple[str, object]]
"""A Request::Response's results (a{sv}): name -> (signature, value)."""


def portal_trigger(combo: KeyCombo) -> str:
    """The shortcuts-spec trigger for a combo: modifiers and an xkb keysym name joined by '+'."""
    names = [name for modifier, name in _TRIGGER_MODIFIERS if modifier in combo.modifiers]
    return "+".join([*names, combo.keysym])


def request_path(unique_name: str, token: str) -> str:
    """The Request handle the portal will use: .../request/SENDER/TOKEN (SENDER without ':', '.'->'_')."""
    sender = unique_name.lstrip(":").replace(".", "_")
    return f"{PORTAL_PATH}/request/{sender}/{token}"


def _token() -> str:
    return f"inflow_{secrets.token_hex(8)}"


class PortalHotkey(HotkeyBackend):
    """One global shortcut bound by the desktop's GlobalShortcuts portal.

    Signals: `activated` (from the base class) and `problem(str)`: the binding was declined or lost
    after `register` returned (the message is written for the person and names the fix).
    """

    name = "portal"
    problem = Signal(str)

    def __init__(self, bus_address: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus_address = bus_address
        self._bus: PortalBus | None = None
        self._registered_app = False
        self._combo: KeyCombo | None = None
        self._session: str | None = None
        self._pending: dict[str, Callable[[int, Results], None]] = {}  # request path -> handler
        self._state_text = ""
        self._state = "portal: not registered"
        self._bound = False

    # ------------------------------------------------------------------ HotkeyBackend
    def register(self, sequence: str) -> None:
        combo = parse_sequence(sequence)
        self.unregister()
        self._combo = combo
        bus = self._usable_portal()
        self._state = f"portal: asking the desktop to bind {combo.text} (waiting for its answer)"
        try:
            self._start_request(
                bus,
                "CreateSession",
                "a{sv}",
                lambda token: (
                    {
                        "handle_token": ("s", token),
                        "session_handle_token": ("s", _token()),
                    },
                ),
                self._on_session_created,
            )
        except BusError as exc:
            self._fail(f"the portal refused to start a shortcuts session ({exc})")
            raise HotkeyError(self._advice(f"The desktop's shortcut service refused Inflow ({exc})")) from exc

    def unregister(self) -> None:
        pending, session = list(self._pending), self._session
        self._pending.clear()
        self._session, self._combo, self._bound = None, None, False
        self._state = "portal: not registered"
        if self._bus is None:
            return
        for path in pending:
            self._call_quietly(DBusAddress(path, bus_name=PORTAL, interface=REQUEST), "Close")
        if session:
            self._call_quietly(DBusAddress(session, bus_name=PORTAL, interface=SESSION), "Close")

    def state(self) -> str:
        return self._state

    @property
    def _state(self) -> str:
        return self._state_text

    @_state.setter
    def _state(self, text: str) -> None:
        """Every change of the state line is signalled: the desktop's answers arrive after register()."""
        if text != self._state_text:
            self._state_text = text
            self.state_changed.emit()

    def close(self) -> None:
        self.unregister()
        if self._bus is not None:
            self._bus.close()
            self._bus = None

    # ------------------------------------------------------------------ checks before binding
    def _usable_portal(self) -> PortalBus:
        """The bus, once the portal, its GlobalShortcuts interface and its version are known good."""
        bus = self._connect()
        try:
            if not bus.name_available(PORTAL):
                raise self._unusable("no xdg-desktop-portal on the session bus", "Your desktop has no portal")
            props = DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface="org.freedesktop.DBus.Properties")
            variant = bus.call(props, "Get", "ss", (SHORTCUTS, "version"))[0]
            version = int(variant[1]) if isinstance(variant, tuple) else 0
        except BusError as exc:
            if exc.name in _MISSING_INTERFACE:
                raise self._unusable(
                    "the desktop's portal has no GlobalShortcuts interface",
                    "Your desktop does not offer global shortcuts to apps",
                ) from exc
            raise self._unusable(f"the portal did not answer ({exc})", "Your desktop's portal did not answer") from exc
        if version < MIN_VERSION:
            raise self._unusable(
                f"the desktop's GlobalShortcuts portal is version {version}, Inflow needs {MIN_VERSION} or newer",
                "Your desktop's global shortcut service is too old",
            )
        self._register_app(bus)
        return bus

    def _connect(self) -> PortalBus:
        if self._bus is None:
            try:
                self._bus = PortalBus(self._on_signal, self._on_bus_lost, self._bus_address, self)
            except KeyError as exc:  # jeepney looks the address up in the environment
                raise self._unusable(
                    "no session D-Bus (DBUS_SESSION_BUS_ADDRESS is not set)", "Inflow cannot reach the session bus"
                ) from exc
            except Exception as exc:  # a dead socket, a refused handshake
                raise self._unusable(f"no session D-Bus ({exc})", "Inflow cannot reach the session bus") from exc
            rules = (
                MatchRule(type="signal", interface=REQUEST, member="Response"),
                MatchRule(type="signal", interface=SHORTCUTS, sender=PORTAL, path=PORTAL_PATH),
                MatchRule(type="signal", interface=SESSION, member="Closed"),
            )
            try:
                for rule in rules:  # before any call, so that no Response can be missed
                    self._bus.add_match(rule)
            except BusError as exc:
                raise self._unusable(
                    f"the session bus refused a subscription ({exc})", "The session bus failed"
                ) from exc
        return self._bus

    def _register_app(self, bus: PortalBus) -> None:
        """Tell the portal our app id (needed since portal 1.21 for a host app; absent before 1.19.4)."""
        if self._registered_app:
            return
        registry = DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface=REGISTRY)
        try:
            bus.call(registry, "Register", "sa{sv}", (APP_ID, {}))
        except BusError as exc:
            log.debug("hotkey: portal Registry.Register not used: %s", exc)
        self._registered_app = True

    def _unusable(self, case: str, lead: str) -> HotkeyError:
        self._fail(case)
        return HotkeyError(self._advice(lead))

    def _fail(self, case: str) -> None:
        self._session, self._bound = None, False
        self._pending.clear()
        self._state = f"none: {case}; {_ADVICE}"

    @staticmethod
    def _advice(lead: str) -> str:
        return f"{lead}, so Inflow has no global shortcut; {_ADVICE} (Custom Shortcuts)."

    # ------------------------------------------------------------------ requests
    def _start_request(
        self,
        bus: PortalBus,
        method: str,
        signature: str,
        body: Callable[[str], tuple[object, ...]],
        handler: Callable[[int, Results], None],
    ) -> None:
        """Call a portal method that answers with Request::Response, expecting the documented handle."""
        token = _token()
        expected = request_path(bus.unique_name, token)
        self._pending[expected] = handler
        portal = DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface=SHORTCUTS)
        try:
            handle = str(bus.call(portal, method, signature, body(token))[0])
        except BusError:
            self._pending.pop(expected, None)
            raise
        if handle != expected:  # a portal older than 0.9 picks its own handle
            self._pending[handle] = self._pending.pop(expected)

    def _on_session_created(self, code: int, results: Results) -> None:
        combo = self._combo
        if code != 0 or "session_handle" not in results or combo is None or self._bus is None:
            self._declined(code, "start a shortcuts session")
            return
        self._session = str(results["session_handle"][1])  # typed "s" by the portal, "o" in its docs
        shortcut = (
            SHORTCUT_ID,
            {"description": ("s", _DESCRIPTION), "preferred_trigger": ("s", portal_trigger(combo))},
        )
        session = self._session
        try:
            self._start_request(
                self._bus,
                "BindShortcuts",
                "oa(sa{sv})sa{sv}",
                lambda token: (session, [shortcut], "", {"handle_token": ("s", token)}),
                self._on_bound,
            )
        except BusError as exc:
            self._declined(2, f"bind the shortcut ({exc})")

    def _on_bound(self, code: int, results: Results) -> None:
        if code != 0 or self._combo is None:
            self._declined(code, "bind the shortcut")
            return
        trigger = _trigger_of(results.get("shortcuts", ("", []))[1])
        if trigger is None:
            self._declined(1, "bind the shortcut")
            return
        self._bound = True
        self._set_bound_state(trigger)

    def _set_bound_state(self, trigger: str) -> None:
        asked = self._combo.text if self._combo else "?"
        shown = f" (the desktop shows it as {trigger!r})" if trigger else ""
        self._state = f"portal: {asked} bound{shown}"

    def _declined(self, code: int, what: str) -> None:
        if code == 1:
            self._fail("you declined the shortcut in the desktop's dialog")
            message = self._advice("You declined Inflow's global shortcut")
        else:
            self._fail(f"the desktop's portal could not {what} (response {code})")
            message = self._advice("The desktop did not bind Inflow's global shortcut")
        log.warning("hotkey: %s", message)
        self.problem.emit(message)

    # ------------------------------------------------------------------ signals
    def _on_signal(self, message: DBusMessage) -> None:
        fields = message.header.fields
        interface, member = fields.get(HeaderFields.interface), fields.get(HeaderFields.member)
        path = fields.get(HeaderFields.path)
        if interface == REQUEST and member == "Response":
            handler = self._pending.pop(str(path), None)
            if handler is not None:
                code, results = message.body
                if isinstance(code, int) and isinstance(results, dict):
                    handler(code, dict(results))
        elif interface == SHORTCUTS and message.body and message.body[0] == self._session and self._bound:
            if member == "Activated" and message.body[1] == SHORTCUT_ID:
                self.activated.emit()
            elif member == "ShortcutsChanged":
                trigger = _trigger_of(message.body[1])
                if trigger is not None:
                    self._set_bound_state(trigger)
                    self._state += " after you changed it in the desktop's settings"
        elif interface == SESSION and member == "Closed" and self._session and str(path) == self._session:
            self._fail("the desktop closed the shortcuts session")
            self.problem.emit(self._advice("The desktop ended Inflow's global shortcut"))

    def _on_bus_lost(self) -> None:
        self._bus, self._registered_app = None, False
        if self._combo is not None:
            self._fail("lost the connection to the session bus")
            self.problem.emit(self._advice("Inflow lost the session bus"))

    def _call_quietly(self, address: DBusAddress, method: str) -> None:
        if self._bus is None:
            return
        try:
            self._bus.call(address, method, timeout=1.0)
        except BusError as exc:  # already gone: nothing to release
            log.debug("hotkey: %s.%s: %s", address.interface, method, exc)


def _trigger_of(shortcuts: object) -> str | None:
    """Our shortcut's trigger_description ("" when the desktop gives none); None when it is not bound.

    `shortcuts` is the a(sa{sv}) of BindShortcuts and ShortcutsChanged: (id, properties) pairs."""
    if not isinstance(shortcuts, list | tuple):
        return None
    for shortcut_id, props in shortcuts:
        if shortcut_id == SHORTCUT_ID:
            return str(props.get("trigger_description", ("s", ""))[1])
    return None
