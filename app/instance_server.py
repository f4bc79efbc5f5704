"""The running instance's end of the local socket (QLocalServer), guarded against two instances.

QLocalServer with UserAccessOption listens successfully while another process already listens on
the same name (a silent takeover), so: connect first, hold a QLockFile, listen with default options
and chmod the socket 0600.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.instance_client import Message, is_running
from app.paths import ensure_private_dir

log = logging.getLogger(__name__)
MAX_REQUEST_BYTES = 4 * 1024 * 1024

Reply = Callable[[Message], None]


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
        self._lock = QLockFile(str(lock_path))
        self._lock.setStaleLockTime(0)
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytearray] = {}

    def start(self) -> bool:
        """Listen; False when another instance is already running."""
        ensure_private_dir(self._socket_path.parent)
        if is_running(self._socket_path):
            return False
        if not self._lock.tryLock(200):
            # A live holder that did not answer the ping is still starting up: it is the instance.
            return False
        QLocalServer.removeServer(str(self._socket_path))
        if not self._server.listen(str(self._socket_path)):
            log.error("cannot listen on %s: %s", self._socket_path, self._server.errorString())
            self._lock.unlock()
            return False
        os.chmod(self._socket_path, 0o600)
        return True

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
