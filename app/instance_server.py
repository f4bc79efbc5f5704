"""The running instance's end of the local socket (QLocalServer), guarded against two instances.

QLocalServer with UserAccessOption listens successfully while another process already listens on
the same name (a silent takeover), so: connect first, hold a QLockFile, listen with default options
and chmod the socket 0600. On Windows (a pipe name, no file to chmod) UserAccessOption is what keeps
the pipe to this user: a pipe's default DACL lets Everyone read it.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.instance_address import max_socket_path_bytes, socket_path_fits
from app.instance_client import Message, is_running
from app.paths import ensure_private_dir

log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 4 * 1024 * 1024

Reply = Callable[[Message], None]


class Started(enum.Enum):
    """How InstanceServer.start() went."""

    LISTENING = "listening"
    OTHER_INSTANCE = "another instance answers"
    CANNOT_LISTEN = "cannot listen"


def listen_options(platform: str) -> QLocalServer.SocketOption:
    """The socket options for the platform: UserAccessOption on Windows only (see the module)."""
    if platform == "win32":
        return QLocalServer.SocketOption.UserAccessOption
    return QLocalServer.SocketOption.NoOptions


class InstanceServer(QObject):
    """Accepts commands from other `inflow` processes.

    Signals:
        command_received(dict, object): a command arrived; call the second argument (a Reply) once
            with the answer.
    """

    command_received = Signal(dict, object)

    def __init__(self, socket_path: Path, lock_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._socket_path = socket_path
        self._lock_path = lock_path
        self._lock = QLockFile(str(lock_path))
        self._lock.setStaleLockTime(0)
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytearray] = {}
        self.problem = ""
        """Why start() returned CANNOT_LISTEN, in words for the person."""

    def start(self) -> Started:
        """Listen; OTHER_INSTANCE when another instance has it, CANNOT_LISTEN (see problem) when
        this one cannot listen at all."""
        windows = sys.platform == "win32"
        name = str(self._socket_path)
        if not windows and not socket_path_fits(name):
            return self._cannot(
                f"the socket path {name} is {len(os.fsencode(name))} bytes long; this system allows "
                f"{max_socket_path_bytes() - 1}"
            )
        try:
            ensure_private_dir(self._lock_path.parent)
            if not windows:
                ensure_private_dir(self._socket_path.parent)
        except OSError as exc:
            return self._cannot(str(exc))
        if is_running(self._socket_path):
            return Started.OTHER_INSTANCE
        if not self._lock.tryLock(200):
            if self._lock.error() == QLockFile.LockError.LockFailedError:
                # A live holder that did not answer the ping is still starting up: it is the instance.
                return Started.OTHER_INSTANCE
            return self._cannot(f"cannot create the lock file {self._lock_path}")
        QLocalServer.removeServer(name)
        self._server.setSocketOptions(listen_options(sys.platform))
        if not self._server.listen(name):
            self._lock.unlock()
            return self._cannot(f"cannot listen on {name}: {self._server.errorString()}")
        if not windows:
            os.chmod(self._socket_path, 0o600)
        return Started.LISTENING

    def _cannot(self, problem: str) -> Started:
        log.error("single instance: %s", problem)
        self.problem = problem
        return Started.CANNOT_LISTEN

    def stop(self) -> None:
        self._server.close()
        self._lock.unlock()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = bytearray()
            sock.readyRead.connect(self._on_socket_ready_read)
            sock.disconnected.connect(self._on_socket_disconnected)

    def _on_socket_ready_read(self) -> None:
        sock = self.sender()
        assert isinstance(sock, QLocalSocket)
        buffer = self._buffers.get(sock)
        if buffer is None:
            return
        buffer += bytes(sock.readAll().data())
        if len(buffer) > MAX_REQUEST_BYTES:
            self._answer(sock, {"ok": False, "error": "request too large"})
            return
        if b"\n" not in buffer:
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        del self._buffers[sock]
        try:
            message = json.loads(line)
            if not isinstance(message, dict):
                raise ValueError("not an object")
        except ValueError:
            self._answer(sock, {"ok": False, "error": "malformed request"})
            return
        answered = False

        def reply(answer: Message) -> None:
            nonlocal answered
            if not answered:
                answered = True
                self._answer(sock, answer)

        self.command_received.emit(message, reply)

    def _on_socket_disconnected(self) -> None:
        sock = self.sender()
        if isinstance(sock, QLocalSocket):
            self._buffers.pop(sock, None)
            sock.deleteLater()

    def _answer(self, sock: QLocalSocket, answer: Message) -> None:
        if sock.state() != QLocalSocket.LocalSocketState.ConnectedState:
            return
        sock.write(json.dumps(answer).encode() + b"\n")
        sock.flush()
        sock.disconnectFromServer()
