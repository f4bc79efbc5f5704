"""Wayland hotkey latency: the fake portal's Activated signal -> the capture window painted, under a
headless weston, beside X11 in the same run.

    scripts/with-desktop.sh .venv/bin/python -m bench.portal_latency [-n 50] [--json FILE]

Needs the private desktop of scripts/with-desktop.sh (Xvfb for the X11 rows), Debian's weston and
dbus-daemon. Each row runs the app's controller in a child process (the same wiring as the running
app) and times from just before the trigger is sent to the "painted" moment the app logs (one event
loop turn after the capture window's Paint event, as bench.app_bench reads it). Rows:

1. wayland + portal: QT_QPA_PLATFORM=wayland on weston; the fake portal (tests.desktop.fake_portal on a
   private dbus-daemon) is asked over D-Bus to emit Activated; PortalHotkey receives it.
2. x11 + portal: the same portal path on Xvfb (separates the compositor from the D-Bus hop).
3. x11 + XGrabKey: in-process XTEST key presses, X11Hotkey (the X11 backend as shipped).

Every process it starts is stopped by its PID; traffic is Unix sockets only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import percentile

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------- the child: one row
class _Painted(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.stamps: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("capture window painted at "):
            self.stamps.append(float(record.getMessage().rsplit(" ", 1)[1]))


def child(mode: str, basedir: str, bus: str, repeat: int) -> int:
    from PySide6.QtWidgets import QApplication

    import app.hotkey
    from app.config import load_config
    from app.controller import AppController
    from app.hotkey.portal import PortalHotkey
    from app.paths import resolve_paths
    from storage.db import open_database

    qapp = QApplication([sys.argv[0]])
    if mode != "x11-xgrab":
        app.hotkey.create_hotkey_backend = lambda _platform: PortalHotkey(bus_address=bus)  # type: ignore[assignment]
    painted = _Painted()
    logging.getLogger("app.controller").addHandler(painted)
    logging.getLogger("app.controller").setLevel(logging.DEBUG)
    paths = resolve_paths(basedir)
    db = open_database(paths.database)
    ctrl = AppController(qapp, paths, load_config(paths), db, open_database(paths.database, readonly=True))
    ctrl.start(open_capture=False, notices=[])

    def spin(seconds: float, until: Callable[[], bool] = lambda: False) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            qapp.processEvents()
            if until():
                return True
            time.sleep(0.0005)
        return False

    if not spin(10, lambda: "bound" in ctrl.hotkey_state() or "grabbed" in ctrl.hotkey_state()):
        print(json.dumps({"error": ctrl.hotkey_state()}), flush=True)
        return 1
    trigger = _trigger(mode, bus)
    samples = []
    for _ in range(repeat):
        ctrl._capture.hide()
        spin(0.05)
        seen = len(painted.stamps)
        start = time.time()
        trigger()
        if not spin(5, lambda n=seen: len(painted.stamps) > n):  # type: ignore[misc]
            print(json.dumps({"error": "no paint within 5 s"}), flush=True)
            return 1
        samples.append((painted.stamps[seen] - start) * 1000)
    ctrl.shutdown()
    print(json.dumps({"samples": samples, "platform": qapp.platformName(), "hotkey": ctrl.hotkey_state()}), flush=True)
    return 0


def _trigger(mode: str, bus: str) -> Callable[[], None]:
    if mode == "x11-xgrab":
        from Xlib import XK, X
        from Xlib.display import Display
        from Xlib.ext import xtest

        display = Display()
        codes = [display.keysym_to_keycode(XK.string_to_keysym(k)) for k in ("Control_L", "Alt_L", "j")]

        def press() -> None:
            for code in codes:
                xtest.fake_input(display, X.KeyPress, code)
            for code in reversed(codes):
                xtest.fake_input(display, X.KeyRelease, code)
            display.flush()

        return press
    from jeepney import new_method_call  # type: ignore[import-untyped]
    from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

    from tests.desktop.portal_bus import CONTROL

    conn: Any = open_dbus_connection(bus=bus)

    def activate() -> None:
        """Ask the fake portal to emit Activated (its reply comes after the signal is sent)."""
        conn.send_and_get_reply(new_method_call(CONTROL, "Activate", "s", ("capture",)), timeout=5)

    return activate


# ---------------------------------------------------------------------- the parent
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=50, help="signals per row")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "BASEDIR", "BUS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], args.child[2], args.n)
    if not os.environ.get("DISPLAY"):
        print("run inside scripts/with-desktop.sh (the X11 rows need its Xvfb)", file=sys.stderr)
        return 2
    from tests.desktop.portal_bus import FakePortalProcess, private_bus, weston_command

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="inflow-portal-bench-") as tmp, private_bus() as bus:
        work = Path(tmp)
        runtime = work / "run"
        runtime.mkdir(mode=0o700)
        socket = runtime / "wayland-bench"
        weston = subprocess.Popen(
            weston_command(socket.name, work / "weston.log"),
            env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        portal = FakePortalProcess(bus)
        try:
            deadline = time.monotonic() + 10
            while not socket.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            wayland = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
            wayland.update(QT_QPA_PLATFORM="wayland", WAYLAND_DISPLAY=str(socket))
            x11 = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
            for mode, base_env, label in (
                ("wayland-portal", wayland, "weston (wayland) + portal Activated"),
                ("x11-portal", x11, "Xvfb (xcb) + portal Activated"),
                ("x11-xgrab", x11, "Xvfb (xcb) + XGrabKey, in-process XTEST"),
            ):
                env = {**base_env, "XDG_CONFIG_HOME": str(work / mode / "xdg")}
                command = [sys.executable, "-m", "bench.portal_latency", "-n", str(args.n)]
                command += ["--child", mode, str(work / mode / "base"), bus]
                out = subprocess.run(
                    command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
                )
                reply = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {}
                if "samples" not in reply:
                    print(f"{label}: failed: {reply.get('error')} {out.stderr[-1500:]}", file=sys.stderr)
                    return 1
                samples = reply["samples"]
                ordered = sorted(samples)
                row = {
                    "median": statistics.median(samples),
                    "p95": percentile(samples, 0.95),
                    "min": ordered[0],
                    "max": ordered[-1],
                    "first": samples[0],
                    "n": len(samples),
                }
                results[mode] = row
                print(
                    f"{label}: median {row['median']:.1f} ms, p95 {row['p95']:.1f} ms "
                    f"(min {row['min']:.1f}, max {row['max']:.1f}, first {row['first']:.1f}, n={row['n']})",
                    flush=True,
                )
        finally:
            portal.stop()
            weston.terminate()
            weston.wait(timeout=10)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
