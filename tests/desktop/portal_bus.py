"""A private session bus (its own dbus-daemon), the fake portal on it, and weston's command line, for
tests and bench/.

Every process started here is stopped by its own PID.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, new_method_call  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
CONTROL = DBusAddress(
    "/org/inflow/test", bus_name="org.freedesktop.portal.Desktop", interface="org.inflow.test.FakePortal"
)


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    if process.stdout is not None:
        process.stdout.close()


@contextlib.contextmanager
def private_bus() -> Iterator[str]:
    """A throw-away session bus; yields its address."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        raise RuntimeError("dbus-daemon is not installed (Debian package dbus)")
    process = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address=1", "--nopidfile"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # "Failed to set fd limit" as non-root in containers: noise
        text=True,
    )
    try:
        assert process.stdout is not None
        address = process.stdout.readline().strip()
        if not address:
            raise RuntimeError("dbus-daemon printed no address")
        yield address
    finally:
        _stop(process)


class FakePortalProcess:
    """tests.desktop.fake_portal running on `address`, driven over its control interface."""

    def __init__(self, address: str, *options: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.desktop.fake_portal", address, *options],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != "ready":
            _stop(self.process)
            raise RuntimeError(f"the fake portal did not start: {line!r}")
        self._conn: Any = open_dbus_connection(bus=address)

    def _call(self, method: str, signature: str | None = None, body: tuple[Any, ...] = ()) -> Any:
        reply = self._conn.send_and_get_reply(new_method_call(CONTROL, method, signature, body), timeout=5)
        if reply.header.message_type.name == "error":
            raise RuntimeError(f"fake portal: {reply.body}")
        return reply.body

    def activate(self, shortcut_id: str = "capture") -> None:
        self._call("Activate", "s", (shortcut_id,))

    def change_trigger(self, text: str) -> None:
        self._call("ChangeTrigger", "s", (text,))

    def close_session(self) -> None:
        self._call("CloseSession")

    def calls(self) -> list[dict[str, Any]]:
        return list(json.loads(self._call("Calls")[0]))

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.close()
        _stop(self.process)


def weston_command(socket: str, log: Path) -> list[str]:
    """weston before 12 names its backend by file (headless-backend.so), later ones by name."""
    weston = shutil.which("weston")
    if weston is None:
        raise RuntimeError("weston is not installed (Debian package weston)")
    version = subprocess.run([weston, "--version"], capture_output=True, text=True, timeout=10, check=True).stdout
    major = int(re.search(r"(\d+)\.", version).group(1))  # type: ignore[union-attr]
    backend = "headless" if major >= 12 else "headless-backend.so"
    return [weston, f"--backend={backend}", f"--socket={socket}", "--idle-time=0", f"--log={log}"]
