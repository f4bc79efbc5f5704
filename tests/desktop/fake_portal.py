"""A fake xdg-desktop-portal with the GlobalShortcuts interface, written to the published D-Bus XML
(org.freedesktop.portal.GlobalShortcuts version 1, org.freedesktop.portal.Request/Session) and to what
the real frontend does where the XML is silent (session_handle is sent typed "s"; BindShortcuts works
once per session; an unknown session is AccessDenied "Invalid session").

    python -m tests.desktop.fake_portal BUS_ADDRESS [--version N] [--no-interface]
        [--session-response N] [--bind-response N] [--bind-nothing] [--trigger-description TEXT]

Prints "ready" once it owns org.freedesktop.portal.Desktop. Driven by the test through its own
interface org.inflow.test.FakePortal at /org/inflow/test: Activate(s id), ChangeTrigger(s text),
CloseSession(), Calls() -> s (JSON list of the portal calls it received).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from jeepney import DBusAddress, MessageType, new_error, new_method_return, new_signal  # type: ignore[import-untyped]
from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]
from jeepney.low_level import HeaderFields, Message  # type: ignore[import-untyped]

PORTAL = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
CONTROL = "org.inflow.test.FakePortal"
CONTROL_PATH = "/org/inflow/test"
_SPEC_TO_LABEL = {"CTRL": "Ctrl", "ALT": "Alt", "SHIFT": "Shift", "LOGO": "Super"}


def _sender_part(unique_name: str) -> str:
    return unique_name.lstrip(":").replace(".", "_")


def label_of(trigger: str) -> str:
    """How a desktop would show a spec trigger: "CTRL+ALT+j" -> "Ctrl+Alt+J"."""
    *mods, key = trigger.split("+")
    return "+".join([_SPEC_TO_LABEL.get(m, m) for m in mods] + [key.upper() if len(key) == 1 else key])


class FakePortal:
    def __init__(self, conn: Any, args: argparse.Namespace) -> None:
        self.conn = conn
        self.args = args
        self.calls: list[dict[str, Any]] = []
        self.sessions: dict[str, list[tuple[str, dict[str, Any]]] | None] = {}  # handle -> bound shortcuts
        self.last_session: str | None = None

    # ------------------------------------------------------------------ dispatch
    def handle(self, msg: Message) -> None:
        if msg.header.message_type != MessageType.method_call:
            return
        fields = msg.header.fields
        path, interface, member = (
            fields[HeaderFields.path],
            fields.get(HeaderFields.interface),
            fields[HeaderFields.member],
        )
        sender = fields[HeaderFields.sender]
        if path == CONTROL_PATH and interface == CONTROL:
            self.control(msg, member)
        elif path == PATH and interface == "org.freedesktop.DBus.Properties" and member == "Get":
            self.get_property(msg)
        elif path == PATH and interface == SHORTCUTS and not self.args.no_interface:
            self.calls.append({"method": member, "body": _jsonable(msg.body), "sender": sender})
            if member == "CreateSession":
                self.create_session(msg, sender)
            elif member == "BindShortcuts":
                self.bind(msg, sender)
            else:
                self.reply_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", f"No such method {member}")
        elif path == PATH and interface == "org.freedesktop.host.portal.Registry" and member == "Register":
            self.calls.append({"method": "Register", "body": _jsonable(msg.body), "sender": sender})
            self.conn.send(new_method_return(msg))
        elif interface in (REQUEST, SESSION) and member == "Close":
            self.calls.append({"method": f"{interface.rsplit('.', 1)[1]}.Close", "path": path})
            self.sessions.pop(path, None)
            self.conn.send(new_method_return(msg))
        else:
            self.reply_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", f"No such method {interface}.{member}")

    def get_property(self, msg: Message) -> None:
        interface, name = msg.body
        if interface == SHORTCUTS and name == "version" and not self.args.no_interface:
            self.conn.send(new_method_return(msg, "v", (("u", self.args.version),)))
        else:  # what GDBus answers for an interface the object does not export
            self.reply_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", f"No such interface '{interface}'")

    def reply_error(self, msg: Message, name: str, text: str) -> None:
        self.conn.send(new_error(msg, name, "s", (text,)))

    # ------------------------------------------------------------------ GlobalShortcuts
    def create_session(self, msg: Message, sender: str) -> None:
        (options,) = msg.body
        token = options["handle_token"][1]
        session = f"{PATH}/session/{_sender_part(sender)}/{options['session_handle_token'][1]}"
        request = f"{PATH}/request/{_sender_part(sender)}/{token}"
        self.conn.send(new_method_return(msg, "o", (request,)))
        code = self.args.session_response
        results: dict[str, Any] = {}
        if code == 0:
            self.sessions[session] = None
            results["session_handle"] = ("s", session)
        self.response(request, code, results)

    def bind(self, msg: Message, sender: str) -> None:
        session, shortcuts, _parent, options = msg.body
        if session not in self.sessions:
            self.reply_error(msg, "org.freedesktop.DBus.Error.AccessDenied", "Invalid session")
            return
        if self.sessions[session] is not None:
            self.reply_error(msg, "org.freedesktop.portal.Error.Failed", "Shortcuts already bound for this session")
            return
        request = f"{PATH}/request/{_sender_part(sender)}/{options['handle_token'][1]}"
        self.conn.send(new_method_return(msg, "o", (request,)))
        code = self.args.bind_response
        bound = []
        for shortcut_id, props in shortcuts:
            wanted = props.get("preferred_trigger", ("s", ""))[1]
            shown = self.args.trigger_description or label_of(wanted)
            bound.append((shortcut_id, {"description": props["description"], "trigger_description": ("s", shown)}))
        if self.args.bind_nothing:
            bound = []
        if code == 0:
            self.sessions[session] = bound
            self.last_session = session
        results = {"shortcuts": ("a(sa{sv})", bound)} if code == 0 else {}
        self.response(request, code, results)

    def response(self, request: str, code: int, results: dict[str, Any]) -> None:
        self.conn.send(new_signal(DBusAddress(request, interface=REQUEST), "Response", "ua{sv}", (code, results)))

    # ------------------------------------------------------------------ control
    def control(self, msg: Message, member: str) -> None:
        session = self.last_session
        emitter = DBusAddress(PATH, interface=SHORTCUTS)
        if member == "Calls":
            self.conn.send(new_method_return(msg, "s", (json.dumps(self.calls),)))
            return
        if session is None:
            self.reply_error(msg, "org.inflow.test.Error", "no bound session")
            return
        if member == "Activate":
            (shortcut_id,) = msg.body
            stamp = int(time.monotonic() * 1000)
            self.conn.send(new_signal(emitter, "Activated", "osta{sv}", (session, shortcut_id, stamp, {})))
            self.conn.send(new_signal(emitter, "Deactivated", "osta{sv}", (session, shortcut_id, stamp + 1, {})))
        elif member == "ChangeTrigger":
            (text,) = msg.body
            changed = [
                (sid, {**props, "trigger_description": ("s", text)}) for sid, props in self.sessions[session] or []
            ]
            self.sessions[session] = changed
            self.conn.send(new_signal(emitter, "ShortcutsChanged", "oa(sa{sv})", (session, changed)))
        elif member == "CloseSession":
            self.sessions.pop(session, None)
            self.conn.send(new_signal(DBusAddress(session, interface=SESSION), "Closed", "a{sv}", ({},)))
        else:
            self.reply_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", member)
            return
        self.conn.send(new_method_return(msg))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--no-interface", action="store_true")
    parser.add_argument("--session-response", type=int, default=0)
    parser.add_argument("--bind-response", type=int, default=0)
    parser.add_argument("--bind-nothing", action="store_true")
    parser.add_argument("--trigger-description", default="")
    args = parser.parse_args(argv)
    conn = open_dbus_connection(bus=args.address)
    reply = conn.send_and_get_reply(message_bus.RequestName(PORTAL, 4), timeout=5)  # 4: DO_NOT_QUEUE
    if reply.body[0] != 1:
        print(f"could not own {PORTAL}: {reply.body}", file=sys.stderr)
        return 1
    portal = FakePortal(conn, args)
    print("ready", flush=True)
    while True:
        try:
            portal.handle(conn.receive())
        except (ConnectionError, OSError):
            return 0


if __name__ == "__main__":
    sys.exit(main())
