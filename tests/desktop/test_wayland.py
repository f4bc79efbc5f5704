"""The real app under a real headless Wayland compositor (Debian's weston, headless backend)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.instance_client import InstanceError, send_command
from app.paths import resolve_paths
from tests.desktop.portal_bus import FakePortalProcess, private_bus, weston_command
from tests.e2e.conftest import wait_for

WESTON = shutil.which("weston")
ROOT = Path(__file__).resolve().parents[2]
PAINTED = re.compile(r"capture window painted at (\d+\.\d+)")

pytestmark = [
    pytest.mark.x11,  # the session's D-Bus and notification daemon
    pytest.mark.skipif(WESTON is None, reason="weston is not installed (scripts/test.sh installs Debian's weston)"),
]


@pytest.fixture
def wayland_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A running weston; the environment of a client that sees only it (no DISPLAY)."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    socket = runtime / "wayland-inflow"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    process = subprocess.Popen(
        weston_command(socket.name, tmp_path / "weston.log"),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: socket.exists() or process.poll() is not None, 10, "weston's socket")
        assert process.poll() is None, (tmp_path / "weston.log").read_text()
        client = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        client.update(QT_QPA_PLATFORM="wayland", WAYLAND_DISPLAY=str(socket), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
        yield client
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_capture_save_and_library_under_weston(wayland_env: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.desktop.wayland_client", str(tmp_path / "base")],
        env=wayland_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["platform"] == "wayland"
    assert seen["capture_exposed"], "the compositor never mapped the capture window"
    assert seen["saved"], "Ctrl+Return did not store the moment"
    assert seen["capture_hidden_after_save"]
    assert seen["library_exposed"], "the compositor never mapped the library"
    assert seen["library_rows"] == 1
    assert seen["cli_saved"]
    assert seen["hotkey"].startswith("none: no xdg-desktop-portal on the session bus; bind the command")

    def notified() -> bool:  # through the session's notification daemon, as on X11
        subprocess.run(["dunstctl", "close-all"], check=True, timeout=10)
        history = subprocess.run(["dunstctl", "history"], capture_output=True, text=True, check=True, timeout=10)
        return "Told under weston" in history.stdout

    wait_for(notified, what="the 'Saved to Inflow' notification")


def cli(basedir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--basedir", str(basedir), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow  # ~8 s: the app starts, binds through the portal, several CLI processes
def test_real_app_under_weston_opens_the_capture_window_from_the_cli_and_the_portal(
    wayland_env: dict[str, str], tmp_path: Path
) -> None:
    basedir = tmp_path / "base"
    (basedir / "config").mkdir(parents=True)
    (basedir / "config" / "config.toml").write_text('log_level = "debug"\n')
    log = tmp_path / "app.log"
    with private_bus() as bus:
        portal = FakePortalProcess(bus)
        env = {**wayland_env, "DBUS_SESSION_BUS_ADDRESS": bus}
        with log.open("wb") as stderr:
            app = subprocess.Popen(
                [sys.executable, "-m", "app", "--basedir", str(basedir), "--json-logging"],
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            doctor: dict[str, object] = {}

            def bound() -> bool:
                doctor.update(json.loads(cli(basedir, env, "doctor", "--json").stdout or "{}"))
                return str(doctor.get("hotkey", "")).startswith("portal: Ctrl+Alt+J bound")

            wait_for(bound, 30, "the app to bind its hotkey through the portal")
            assert cli(basedir, env, "capture", "--window").returncode == 0
            wait_for(lambda: len(PAINTED.findall(log.read_text())) == 1, 10, "the capture window's first paint")
            stamp = time.time()
            portal.activate()
            painted = wait_for(lambda: PAINTED.findall(log.read_text())[1:], 10, "a paint after Activated")
            assert float(painted[0]) >= stamp
            saved = cli(basedir, env, "capture", "--title", "Under weston", "body")
            assert saved.returncode == 0, saved.stderr
            found = cli(basedir, env, "search", "weston", "--json")
            assert "Under weston" in found.stdout
        finally:
            try:
                send_command(resolve_paths(str(basedir)).socket_path, {"cmd": "quit"}, timeout=5)
            except InstanceError:
                pass  # already gone
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait(timeout=10)
            portal.stop()
    errors = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert not [e for e in errors if e.get("level") in ("error", "critical")]
