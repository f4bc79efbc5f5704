"""The real app as a subprocess on the session's X server, driven like a person would (xdotool)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.instance_client import InstanceError, send_command
from app.paths import resolve_paths

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class RunningApp:
    basedir: Path
    process: subprocess.Popen[bytes]
    stderr_path: Path

    @property
    def socket(self) -> Path:
        return resolve_paths(str(self.basedir)).socket_path

    def command(self, message: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return send_command(self.socket, message, timeout=10)
        except InstanceError:
            return None

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app", "--basedir", str(self.basedir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )


def xdotool(*args: str) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=30, check=False).stdout


def visible_window(name: str) -> str | None:
    ids = xdotool("search", "--onlyvisible", "--name", name).split()
    return ids[0] if ids else None


def start_app(basedir: Path, *extra: str) -> RunningApp:
    """Start the app; its stderr (JSON log lines) goes to a file so a full pipe never blocks it."""
    basedir.mkdir(parents=True, exist_ok=True)
    stderr_path = basedir.parent / f"{basedir.name}-stderr-{time.monotonic_ns()}.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "--basedir", str(basedir), "--json-logging", *extra],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, "QT_QPA_PLATFORM": "xcb"},
        )
    app = RunningApp(basedir, process, stderr_path)
    try:
        wait_for(lambda: process.poll() is not None or app.command({"cmd": "ping"}), what="the app to start")
    except AssertionError:
        process.kill()
        raise
    if process.poll() is not None:
        raise AssertionError(f"the app exited with {process.returncode}: {stderr_path.read_text()}")
    return app


def stop_app(app: RunningApp) -> str:
    if app.process.poll() is None:
        app.command({"cmd": "quit"})
        try:
            app.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.process.send_signal(signal.SIGKILL)
            app.process.wait()
    return app.stderr_path.read_text(errors="replace")


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[RunningApp]:
    app = start_app(tmp_path / "base")
    yield app
    log = stop_app(app)
    errors = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    bad = [e for e in errors if e.get("level") in ("error", "critical")]
    assert not bad, bad


# ---------------------------------------------------------------- the frozen bundle, built once per session
PYINSTALLER = Path(sys.executable).parent / "pyinstaller"
BUILD_TIMEOUT_S = 480


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/inflow, built from the working tree into a temporary folder (once per test session; the
    bundle tests and the .deb test share it)."""
    base = tmp_path_factory.mktemp("bundle")
    command = [
        str(PYINSTALLER),
        "--noconfirm",
        "--distpath",
        str(base / "dist"),
        "--workpath",
        str(base / "work"),
        "build.spec",
    ]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"PyInstaller did not finish within {BUILD_TIMEOUT_S} s: {' '.join(command)}")
    (base / "pyinstaller.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        pytest.fail(f"PyInstaller failed ({result.returncode}); last lines:\n{result.stderr[-4000:]}")
    folder = base / "dist" / "inflow"
    assert (folder / "inflow").is_file()
    return folder
