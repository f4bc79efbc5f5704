"""The single-instance server: its options per platform, "another instance answers" apart from
"cannot listen", and the person told in the second case."""

from __future__ import annotations

import socket
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer

from app import gui
from app.gui import claim_instance
from app.instance_server import InstanceServer, Started, listen_options
from app.paths import resolve_paths

Option = QLocalServer.SocketOption


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


@pytest.fixture
def server(qapp: object, runtime: Path) -> Iterator[InstanceServer]:
    made = InstanceServer(runtime / "inflow-test.sock", runtime / "inflow-test.lock")
    yield made
    made.stop()


def test_user_access_only_on_windows() -> None:
    assert listen_options("win32") == Option.UserAccessOption
    assert listen_options("linux") == Option.NoOptions  # there it would allow a silent takeover
    assert listen_options("darwin") == Option.NoOptions


def test_unix_listens_with_default_options_and_a_private_socket(server: InstanceServer, runtime: Path) -> None:
    assert server.start() is Started.LISTENING
    assert server._server.socketOptions() == Option.NoOptions
    assert stat.S_IMODE((runtime / "inflow-test.sock").stat().st_mode) == 0o600


def test_windows_listens_with_user_access(
    server: InstanceServer, runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr("app.instance_client._open_pipe", _no_pipe)
    assert server.start() is Started.LISTENING
    assert server._server.socketOptions() == Option.UserAccessOption


def _no_pipe(path: str) -> object:
    raise FileNotFoundError(2, "no pipe")


def test_another_instance_answering_is_not_a_listen_failure(server: InstanceServer, runtime: Path) -> None:
    other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    other.bind(str(runtime / "inflow-test.sock"))
    other.listen(1)

    def answer() -> None:
        conn, _ = other.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b'{"ok": true}\n')

    worker = threading.Thread(target=answer)
    worker.start()
    try:
        assert server.start() is Started.OTHER_INSTANCE
    finally:
        worker.join(5)
        other.close()
    assert server.problem == ""


def test_a_socket_path_longer_than_sun_path_is_refused_with_the_reason(qapp: object, tmp_path: Path) -> None:
    folder = tmp_path / ("d" * 120)
    made = InstanceServer(folder / "inflow-default.sock", tmp_path / "inflow-default.lock")
    assert made.start() is Started.CANNOT_LISTEN
    assert "bytes long; this system allows 107" in made.problem
    assert not folder.exists()


def test_cannot_listen_is_told_and_the_app_goes_on(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "run"
    not_a_folder.write_text("a file where the runtime folder should be")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "missing"))
    paths = resolve_paths(str(tmp_path / "base"))
    made = InstanceServer(not_a_folder / "inflow.sock", not_a_folder / "inflow.lock")
    handed: list[object] = []
    monkeypatch.setattr(gui, "send_command", lambda *args, **kwargs: handed.append(args))
    notices = claim_instance(made, paths, open_capture=False)
    assert notices is not None and len(notices) == 1  # runs on, and says why
    assert notices[0].startswith("Inflow runs without its single-instance link (")
    assert str(not_a_folder) in notices[0] and "opens a second one" in notices[0]
    assert handed == []


def test_another_instance_gets_the_request(server: InstanceServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "start", lambda: Started.OTHER_INSTANCE)
    handed: list[object] = []
    monkeypatch.setattr(gui, "send_command", lambda path, message: handed.append(message))
    paths = resolve_paths(None)
    assert claim_instance(server, paths, open_capture=True) is None
    assert handed == [{"cmd": "capture-window"}]
    monkeypatch.setattr(server, "start", lambda: Started.LISTENING)
    assert claim_instance(server, paths, open_capture=False) == []
