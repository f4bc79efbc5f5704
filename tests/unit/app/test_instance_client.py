"""The stdlib client: on Windows it opens the pipe as a file (a fake opener stands in for the OS), on
Unix it speaks AF_UNIX; the same one-line JSON both ways, for send_command and the fast path."""

from __future__ import annotations

import json
import socket
import sys
import threading
from pathlib import Path

import pytest

from app import instance_client
from app.fastpath import _hand_over
from app.instance_client import InstanceError, is_running, send_command


class FakePipe:
    """A pipe's client end: records what is written, then yields the reply in small pieces."""

    def __init__(self, reply: bytes, *, stuck: threading.Event | None = None) -> None:
        self.written = b""
        self._reply = reply
        self._stuck = stuck
        self.closed = False

    def write(self, data: bytes) -> int:
        self.written += data
        return len(data)

    def read(self, size: int) -> bytes:
        if self._stuck is not None:
            self._stuck.wait(5)
        chunk, self._reply = self._reply[:4], self._reply[4:]
        return chunk

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Windows, with no pipe at all unless a test sets instance_client._open_pipe itself."""
    monkeypatch.setattr(sys, "platform", "win32")
    paths: list[str] = []

    def no_pipe(path: str) -> FakePipe:
        paths.append(path)
        raise FileNotFoundError(2, "The system cannot find the file specified")

    monkeypatch.setattr(instance_client, "_open_pipe", no_pipe)
    return paths


def test_windows_opens_the_named_pipe_and_speaks_one_json_line(
    opened: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe = FakePipe(b'{"ok": true, "version": "1"}\n')

    def opener(path: str) -> FakePipe:
        opened.append(path)
        return pipe

    monkeypatch.setattr(instance_client, "_open_pipe", opener)
    assert send_command("inflow-0123456789ab-default", {"cmd": "status"}) == {"ok": True, "version": "1"}
    assert opened == ["\\\\.\\pipe\\inflow-0123456789ab-default"]
    assert json.loads(pipe.written) == {"cmd": "status"} and pipe.written.endswith(b"\n")
    assert pipe.closed


def test_windows_without_the_pipe_means_no_instance(opened: list[str]) -> None:
    assert send_command("inflow-x-default", {"cmd": "ping"}) is None
    assert not is_running(Path("inflow-x-default"))
    assert opened == ["\\\\.\\pipe\\inflow-x-default"] * 2


def test_windows_waits_for_a_busy_pipe(opened: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str] = []

    def busy_once(path: str) -> FakePipe:
        attempts.append(path)
        if len(attempts) == 1:
            error = OSError(16, "All pipe instances are busy")
            error.winerror = instance_client.PIPE_BUSY  # type: ignore[attr-defined]
            raise error
        return FakePipe(b'{"ok": true}\n')

    monkeypatch.setattr(instance_client, "_open_pipe", busy_once)
    assert send_command("inflow-x-default", {"cmd": "ping"}) == {"ok": True}
    assert len(attempts) == 2


def test_windows_a_stuck_instance_times_out(opened: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    monkeypatch.setattr(instance_client, "_open_pipe", lambda path: FakePipe(b"", stuck=release))
    try:
        with pytest.raises(InstanceError, match=r"did not answer within 0\.2 s"):
            send_command("inflow-x-default", {"cmd": "ping"}, timeout=0.2)
    finally:
        release.set()


def test_the_fast_path_hands_over_through_the_pipe(opened: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = FakePipe(b'{"ok": true}\n')
    monkeypatch.setattr(instance_client, "_open_pipe", lambda path: pipe)
    assert _hand_over("inflow-x-default")
    assert json.loads(pipe.written) == {"cmd": "capture-window"}
    monkeypatch.setattr(instance_client, "_open_pipe", lambda path: FakePipe(b'{"ok": false}\n'))
    assert not _hand_over("inflow-x-default")


def test_unix_speaks_the_same_line_over_af_unix(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    got: list[bytes] = []

    def answer() -> None:
        conn, _ = server.accept()
        with conn:
            got.append(conn.recv(4096))
            conn.sendall(b'{"ok": true}\n')

    worker = threading.Thread(target=answer)
    worker.start()
    try:
        assert send_command(path, {"cmd": "ping"}) == {"ok": True}
    finally:
        worker.join(5)
        server.close()
    assert got == [b'{"cmd": "ping"}\n']
    assert send_command(tmp_path / "nobody.sock", {"cmd": "ping"}) is None
