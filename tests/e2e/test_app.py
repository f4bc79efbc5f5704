"""End to end: the real app under Xvfb, the hotkey pressed with xdotool, found again with the CLI."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningApp, start_app, stop_app, visible_window, wait_for, xdotool

pytestmark = pytest.mark.x11


def search_titles(app: RunningApp, query: str) -> list[str]:
    result = app.cli("search", query, "--json", "--limit", "10000")
    assert result.returncode == 0, result.stderr
    return [hit["title"] for hit in json.loads(result.stdout)]


def test_hotkey_type_save_then_search_finds_it(running_app: RunningApp) -> None:
    assert visible_window("New moment") is None
    xdotool("key", "ctrl+alt+j")
    window = wait_for(lambda: visible_window("New moment"), what="the capture window after the hotkey")
    xdotool("windowfocus", "--sync", window)
    xdotool("type", "--delay", "5", "Hotkey end to end")
    xdotool("key", "Return")  # Enter in the title saves
    wait_for(lambda: visible_window("New moment") is None, what="the capture window to close after saving")
    assert wait_for(lambda: search_titles(running_app, "hotkey end"), what="the moment in search") == [
        "Hotkey end to end"
    ]


def test_escape_keeps_the_draft_for_next_time(running_app: RunningApp) -> None:
    xdotool("key", "ctrl+alt+j")
    window = wait_for(lambda: visible_window("New moment"), what="the capture window")
    xdotool("windowfocus", "--sync", window)
    xdotool("type", "--delay", "5", "half a thought")
    xdotool("key", "Escape")
    wait_for(lambda: visible_window("New moment") is None, what="Esc to hide the window")
    draft_file = running_app.basedir / "state" / "draft.json"
    wait_for(draft_file.exists, what="the draft to be kept on disk")
    assert json.loads(draft_file.read_text())["title"] == "half a thought"
    xdotool("key", "ctrl+alt+j")
    window = wait_for(lambda: visible_window("New moment"), what="the capture window again")
    xdotool("windowfocus", "--sync", window)
    xdotool("key", "ctrl+Return")
    wait_for(lambda: search_titles(running_app, "half thought"), what="the kept draft to be saved")


def test_second_start_hands_over_to_the_running_instance(running_app: RunningApp) -> None:
    started = time.monotonic()
    second = running_app.cli()
    assert second.returncode == 0, second.stderr
    assert time.monotonic() - started < 10
    # the library itself: a fresh profile also shows the welcome, whose title names Inflow too
    wait_for(lambda: visible_window("^Library"), what="the library window of the running instance")
    assert running_app.process.poll() is None


def test_cli_capture_goes_through_the_running_app_and_notifies(running_app: RunningApp) -> None:
    result = running_app.cli("capture", "--title", "Through the instance", "body")
    assert result.returncode == 0, result.stderr
    moment_id = result.stdout.strip()
    assert len(moment_id) == 36
    assert search_titles(running_app, "through instance") == ["Through the instance"]

    def notified() -> bool:
        # dunst lists a notification in its history once it is closed
        subprocess.run(["dunstctl", "close-all"], check=True, timeout=10)
        history = subprocess.run(["dunstctl", "history"], capture_output=True, text=True, check=True, timeout=10)
        return "Through the instance" in history.stdout

    wait_for(notified, what="the desktop notification")


def test_capture_window_command_opens_the_window(running_app: RunningApp) -> None:
    result = running_app.cli("capture", "--window")
    assert result.returncode == 0, result.stderr
    wait_for(lambda: visible_window("New moment"), what="the capture window from the CLI")


def test_status_reports_the_hotkey(running_app: RunningApp) -> None:
    status = running_app.command({"cmd": "status"})
    assert status is not None and status["ok"]
    assert "Ctrl+Alt+J" in status["hotkey"]
    doctor = running_app.cli("doctor", "--json")
    assert json.loads(doctor.stdout)["running"] is True


def test_kill_9_during_saves_loses_nothing_committed(tmp_path: Path) -> None:
    """Captures stream through the running app while it is killed; every acknowledged one survives."""
    app = start_app(tmp_path / "base")
    acknowledged: list[str] = []
    stop = threading.Event()

    def capture_loop() -> None:
        i = 0
        while not stop.is_set():
            reply = app.command(
                {"cmd": "capture", "draft": {"kind": "tip", "title": f"before kill {i}", "body": "x" * 20000}}
            )
            if reply is None:
                return  # the app is gone
            if reply.get("ok"):
                acknowledged.append(reply["moment"]["id"])
            i += 1

    worker = threading.Thread(target=capture_loop)
    worker.start()
    try:
        wait_for(lambda: len(acknowledged) >= 20, what="some acknowledged captures")
        app.process.send_signal(signal.SIGKILL)
        app.process.wait(timeout=10)
    finally:
        stop.set()
        worker.join(timeout=30)
        stop_app(app)
    database = tmp_path / "base" / "data" / "inflow.db"
    conn = sqlite3.connect(database)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {row[0] for row in conn.execute("SELECT id FROM moments")}
    conn.close()
    assert set(acknowledged) <= stored
    restarted = start_app(tmp_path / "base")
    try:
        assert len(search_titles(restarted, "before kill")) == len(stored)
    finally:
        stop_app(restarted)


def test_capture_window_starts_the_app_when_none_runs(tmp_path: Path) -> None:
    basedir = tmp_path / "base"
    app = RunningApp(basedir, subprocess.Popen(["true"]), tmp_path / "unused.log")
    app.process.wait()
    result = app.cli("capture", "--window")
    try:
        assert result.returncode == 0, result.stderr
        wait_for(lambda: visible_window("New moment"), what="the capture window of the started app")
        status = app.command({"cmd": "status"})
        assert status is not None
        assert status["ok"]
    finally:
        app.command({"cmd": "quit"})
    wait_for(lambda: app.command({"cmd": "ping"}) is None, what="the started app to quit")


def test_a_library_from_a_newer_inflow_is_refused_untouched(tmp_path: Path) -> None:
    from tests.helpers import make_newer_library

    database = tmp_path / "base" / "data" / "inflow.db"
    make_newer_library(database)
    before = database.read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--basedir", str(tmp_path / "base")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        dialog = wait_for(lambda: visible_window("cannot open your library"), what="the error dialog")
        xdotool("windowfocus", "--sync", dialog)
        xdotool("key", "Return")
        assert process.wait(timeout=10) == 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert database.read_bytes() == before
