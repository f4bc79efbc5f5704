"""The Wayland hotkey backend against a fake GlobalShortcuts portal on a private session bus."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.hotkey import HotkeyError, create_hotkey_backend
from app.hotkey.keys import parse_sequence
from app.hotkey.portal import PortalHotkey, portal_trigger, request_path
from app.paths import resolve_paths
from tests.desktop.portal_bus import FakePortalProcess, private_bus

ADVICE = "bind the command `inflow capture --window`"


@pytest.fixture
def bus() -> Iterator[str]:
    with private_bus() as address:
        yield address


@pytest.fixture
def start_portal(bus: str) -> Iterator[Callable[..., FakePortalProcess]]:
    started: list[FakePortalProcess] = []

    def start(*options: str) -> FakePortalProcess:
        started.append(FakePortalProcess(bus, *options))
        return started[-1]

    yield start
    for portal in started:
        portal.stop()


@pytest.fixture
def hotkey(qapp: Any, bus: str) -> Iterator[PortalHotkey]:
    backend = PortalHotkey(bus_address=bus)
    yield backend
    backend.close()


def wait_state(qtbot: QtBot, backend: PortalHotkey, start: str) -> str:
    qtbot.waitUntil(lambda: backend.state().startswith(start), timeout=5000)
    return backend.state()


@pytest.mark.parametrize(
    ("sequence", "trigger"),
    [
        ("Ctrl+Alt+J", "CTRL+ALT+j"),
        ("Meta+Shift+F8", "SHIFT+LOGO+F8"),
        ("Ctrl+Alt+,", "CTRL+ALT+comma"),
        ("Alt+Ctrl+PgUp", "CTRL+ALT+Prior"),
        ("Ctrl+Alt+Space", "CTRL+ALT+space"),
    ],
)
def test_trigger_follows_the_shortcuts_spec(sequence: str, trigger: str) -> None:
    assert portal_trigger(parse_sequence(sequence)) == trigger


def test_request_handle_is_the_documented_one() -> None:
    assert request_path(":1.42", "inflow_ab") == "/org/freedesktop/portal/desktop/request/1_42/inflow_ab"


def test_factory_picks_the_portal_on_wayland(qapp: Any) -> None:
    backend = create_hotkey_backend("wayland")
    try:
        assert isinstance(backend, PortalHotkey)
        assert backend.state() == "portal: not registered"
    finally:
        backend.close()


def test_binding_accepted(qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]) -> None:
    portal = start_portal()
    hotkey.register("Ctrl+Alt+J")
    assert hotkey.state() == "portal: asking the desktop to bind Ctrl+Alt+J (waiting for its answer)"
    assert wait_state(qtbot, hotkey, "portal: Ctrl+Alt+J bound") == (
        "portal: Ctrl+Alt+J bound (the desktop shows it as 'Ctrl+Alt+J')"
    )
    calls = portal.calls()
    assert [c["method"] for c in calls] == ["Register", "CreateSession", "BindShortcuts"]
    assert calls[0]["body"] == ["inflow", {}]
    options = calls[1]["body"][0]
    assert options["handle_token"][1].startswith("inflow_")
    assert options["session_handle_token"][1].startswith("inflow_")
    session, shortcuts, parent, bind_options = calls[2]["body"]
    assert session.startswith("/org/freedesktop/portal/desktop/session/")
    assert shortcuts == [
        ["capture", {"description": ["s", "Open Inflow's capture window"], "preferred_trigger": ["s", "CTRL+ALT+j"]}]
    ]
    assert parent == ""
    assert bind_options["handle_token"][1] != options["handle_token"][1]  # a fresh token per request


def test_the_desktops_later_answer_is_signalled(
    qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]
) -> None:
    """An open Settings window follows the state line: the portal's answer arrives after register()."""
    start_portal()
    states: list[str] = []
    hotkey.state_changed.connect(lambda: states.append(hotkey.state()))
    hotkey.register("Ctrl+Alt+J")
    qtbot.waitUntil(lambda: any(state.startswith("portal: Ctrl+Alt+J bound") for state in states), timeout=5000)
    assert states[0] == "portal: asking the desktop to bind Ctrl+Alt+J (waiting for its answer)"


def test_activated_emits_once_per_signal(
    qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]
) -> None:
    portal = start_portal()
    hotkey.register("Ctrl+Alt+J")
    wait_state(qtbot, hotkey, "portal: Ctrl+Alt+J bound")
    seen: list[int] = []
    hotkey.activated.connect(lambda: seen.append(1))
    with qtbot.waitSignal(hotkey.activated, timeout=3000):
        portal.activate()
    qtbot.wait(150)  # the Deactivated that follows must not count
    assert seen == [1]
    with qtbot.assertNotEmitted(hotkey.activated, wait=200):
        portal.activate("someone-elses-shortcut")


def test_trigger_changed_by_the_user(
    qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]
) -> None:
    portal = start_portal()
    hotkey.register("Ctrl+Alt+J")
    wait_state(qtbot, hotkey, "portal: Ctrl+Alt+J bound")
    portal.change_trigger("Super+K")
    qtbot.waitUntil(lambda: "Super+K" in hotkey.state(), timeout=3000)
    assert hotkey.state() == (
        "portal: Ctrl+Alt+J bound (the desktop shows it as 'Super+K') after you changed it in the desktop's settings"
    )
    with qtbot.waitSignal(hotkey.activated, timeout=3000):
        portal.activate()


def test_rejected_by_the_user(
    qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]
) -> None:
    start_portal("--bind-response", "1")
    with qtbot.waitSignal(hotkey.problem, timeout=5000) as problem:
        hotkey.register("Ctrl+Alt+J")
    assert problem.args is not None
    assert problem.args[0].startswith("You declined Inflow's global shortcut")
    assert ADVICE in problem.args[0]
    assert hotkey.state() == (
        "none: you declined the shortcut in the desktop's dialog; "
        "bind the command `inflow capture --window` to a key in your desktop's keyboard settings"
    )


def test_desktop_that_binds_no_key_counts_as_declined(
    qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]
) -> None:
    start_portal("--bind-nothing")
    with qtbot.waitSignal(hotkey.problem, timeout=5000):
        hotkey.register("Ctrl+Alt+J")
    assert hotkey.state().startswith("none: you declined")


def test_session_refused(qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]) -> None:
    portal = start_portal("--session-response", "2")
    with qtbot.waitSignal(hotkey.problem, timeout=5000):
        hotkey.register("Ctrl+Alt+J")
    assert hotkey.state().startswith("none: the desktop's portal could not start a shortcuts session (response 2);")
    assert [c["method"] for c in portal.calls()] == ["Register", "CreateSession"]


def test_portal_absent(hotkey: PortalHotkey) -> None:
    with pytest.raises(HotkeyError, match=r"Your desktop has no portal, so Inflow has no global shortcut; bind"):
        hotkey.register("Ctrl+Alt+J")
    assert (
        hotkey.state()
        == f"none: no xdg-desktop-portal on the session bus; {ADVICE} to a key in your desktop's keyboard settings"
    )


def test_interface_missing(hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]) -> None:
    start_portal("--no-interface")
    with pytest.raises(HotkeyError, match="does not offer global shortcuts"):
        hotkey.register("Ctrl+Alt+J")
    assert hotkey.state().startswith("none: the desktop's portal has no GlobalShortcuts interface; " + ADVICE)


def test_interface_version_too_old(hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]) -> None:
    portal = start_portal("--version", "0")
    with pytest.raises(HotkeyError, match="too old"):
        hotkey.register("Ctrl+Alt+J")
    assert hotkey.state().startswith(
        "none: the desktop's GlobalShortcuts portal is version 0, Inflow needs 1 or newer;"
    )
    assert portal.calls() == []  # nothing was asked of a portal it cannot use


def test_no_session_bus(qapp: Any, tmp_path: Path) -> None:
    backend = PortalHotkey(bus_address=f"unix:path={tmp_path / 'no-bus'}")
    try:
        with pytest.raises(HotkeyError, match="cannot reach the session bus"):
            backend.register("Ctrl+Alt+J")
        assert backend.state().startswith("none: no session D-Bus (")
    finally:
        backend.close()


def test_invalid_sequence_asks_nothing(hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]) -> None:
    portal = start_portal()
    with pytest.raises(HotkeyError, match="no modifier"):
        hotkey.register("J")
    assert portal.calls() == []


def test_register_again_closes_the_old_session_and_binds_the_new_key(
    qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]
) -> None:
    portal = start_portal()
    hotkey.register("Ctrl+Alt+J")
    wait_state(qtbot, hotkey, "portal: Ctrl+Alt+J bound")
    hotkey.register("Meta+F8")
    wait_state(qtbot, hotkey, "portal: Meta+F8 bound")
    calls = portal.calls()
    first_session = calls[2]["body"][0]
    assert {"method": "Session.Close", "path": first_session} in calls
    assert calls[-1]["body"][1][0][1]["preferred_trigger"] == ["s", "LOGO+F8"]
    assert sum(c["method"] == "Register" for c in calls) == 1  # once per connection
    with qtbot.waitSignal(hotkey.activated, timeout=3000):
        portal.activate()


def test_unregister_closes_the_session(
    qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]
) -> None:
    portal = start_portal()
    hotkey.register("Ctrl+Alt+J")
    wait_state(qtbot, hotkey, "portal: Ctrl+Alt+J bound")
    session = portal.calls()[2]["body"][0]
    hotkey.unregister()
    assert hotkey.state() == "portal: not registered"
    assert portal.calls()[-1] == {"method": "Session.Close", "path": session}


def test_session_closed_by_the_desktop(
    qtbot: QtBot, hotkey: PortalHotkey, start_portal: Callable[..., FakePortalProcess]
) -> None:
    portal = start_portal()
    hotkey.register("Ctrl+Alt+J")
    wait_state(qtbot, hotkey, "portal: Ctrl+Alt+J bound")
    with qtbot.waitSignal(hotkey.problem, timeout=3000) as problem:
        portal.close_session()
    assert problem.args is not None
    assert "ended Inflow's global shortcut" in problem.args[0]
    assert hotkey.state().startswith("none: the desktop closed the shortcuts session;")


@pytest.mark.x11  # the app's tray needs the session's X server
def test_activated_opens_the_capture_window_through_the_app(
    qtbot: QtBot,
    bus: str,
    start_portal: Callable[..., FakePortalProcess],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QApplication

    import app.hotkey
    from app.config import load_config
    from app.controller import AppController
    from storage.db import open_database

    portal = start_portal()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setattr(app.hotkey, "create_hotkey_backend", lambda _platform: PortalHotkey(bus_address=bus))
    paths = resolve_paths(str(tmp_path / "base"))
    db = open_database(paths.database)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    ctrl = AppController(qapp, paths, load_config(paths), db, open_database(paths.database, readonly=True))
    try:
        ctrl.start(open_capture=False, notices=[])
        qtbot.waitUntil(lambda: ctrl.hotkey_state().startswith("portal: Ctrl+Alt+J bound"), timeout=5000)
        assert not ctrl._capture.isVisible()
        portal.activate()
        qtbot.waitUntil(ctrl._capture.isVisible, timeout=3000)
    finally:
        ctrl.shutdown()
        ctrl._capture.hide()
        ctrl._capture.deleteLater()
        ctrl._tray.hide()


def test_doctor_names_the_portal_on_wayland_when_not_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.doctor import collect_report

    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-test")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    report = collect_report(resolve_paths(str(tmp_path / "base")))
    assert report["hotkey"] == (
        "Inflow is not running; it would use the desktop's GlobalShortcuts portal "
        "(where there is none: bind `inflow capture --window`) for Ctrl+Alt+J"
    )
