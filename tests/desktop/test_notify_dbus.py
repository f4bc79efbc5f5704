"""Notifications over the session bus, with dunst (the test session's daemon) and without one."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.notify import Notifier

pytestmark = pytest.mark.x11


@pytest.fixture
def notifier() -> Iterator[Notifier]:
    n = Notifier()
    yield n
    n.close()


def dunst_history() -> list[dict[str, object]]:
    subprocess.run(["dunstctl", "close-all"], check=True, timeout=10)
    time.sleep(0.2)  # close-all is asynchronous
    out = subprocess.run(["dunstctl", "history"], check=True, capture_output=True, text=True, timeout=10)
    return [{key: value["data"] for key, value in n.items()} for n in json.loads(out.stdout)["data"][0]]


def test_notify_reaches_dunst(notifier: Notifier) -> None:
    assert notifier.available()
    assert notifier.notify("Saved", "A tip about rebase --onto")
    first = notifier.last_id
    assert first > 0
    assert notifier.notify("Saved again", "Second")
    assert notifier.last_id > first  # the connection is reused and each call is a new notification

    shown = {n["id"]: n for n in dunst_history()}
    assert shown[first]["appname"] == "Inflow"
    assert shown[first]["summary"] == "Saved"
    assert shown[first]["body"] == "A tip about rebase --onto"


def test_no_bus_returns_false_quickly(notifier: Notifier, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/nothing")
    start = time.perf_counter()
    assert not notifier.notify("Saved", "x")
    assert not notifier.available()
    assert time.perf_counter() - start < 0.5
    assert notifier.last_id == 0


@pytest.fixture
def bus_without_daemon(tmp_path: Path) -> Iterator[str]:
    """A private session bus with no notification daemon and nothing it could activate."""
    config = tmp_path / "bus.conf"
    address = f"unix:path={tmp_path}/bus"
    config.write_text(
        "<!DOCTYPE busconfig PUBLIC '-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN'"
        " 'http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd'>"
        f"<busconfig><type>session</type><listen>{address}</listen><auth>EXTERNAL</auth>"
        "<policy context='default'><allow send_destination='*' eavesdrop='true'/><allow eavesdrop='true'/>"
        "<allow own='*'/></policy></busconfig>"
    )
    bus = subprocess.Popen(
        ["dbus-daemon", "--nofork", f"--config-file={config}", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert bus.stdout is not None
        bus.stdout.readline()  # printed once it listens
        yield address
    finally:
        bus.terminate()
        bus.wait(timeout=10)
        if bus.stdout is not None:
            bus.stdout.close()


def test_bus_without_daemon(notifier: Notifier, monkeypatch: pytest.MonkeyPatch, bus_without_daemon: str) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_without_daemon)
    assert not notifier.available()
    assert not notifier.notify("Saved", "x")


def test_nothing_opens_at_import_or_construction() -> None:
    code = "import sys, app.notify; n = app.notify.Notifier(); print('jeepney' in sys.modules, n._router)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["False", "None"]
