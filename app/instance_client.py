"""Talking to the running Inflow over its local socket, with the standard library only.

This path runs before any Qt import so that `inflow capture --window` hands over in milliseconds.
Protocol: one JSON object per line each way; the connection closes after the reply. On Unix the
address is a socket file (AF_UNIX); on Windows, where CPython has no AF_UNIX, it is a pipe name and
the pipe is opened as a file.
"""

from __future__ import annotations

import io
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

from app.instance_address import pipe_path

CONNECT_TIMEOUT_S = 1.0
PIPE_BUSY = 231
"""ERROR_PIPE_BUSY: every instance of the pipe is taken; Qt makes the next one right after."""
Message = dict[str, object]
"""A command or a reply: one JSON object (read its values with isinstance)."""


class InstanceError(Exception):
    """The running instance answered with an error, or stopped answering."""


def send_command(socket_path: Path | str, message: Message, *, timeout: float = 10.0) -> Message | None:
    """Send one command to the address from app.instance_address; returns the reply, or None when
    no instance is listening."""
    import json  # here, not at the top: app.fastpath's hand-over needs only exchange()

    reply = exchange(socket_path, json.dumps(message).encode() + b"\n", timeout=timeout)
    if reply is None:
        return None
    if not reply:
        raise InstanceError("the running Inflow closed the connection without answering")
    try:
        decoded = json.loads(reply)
    except ValueError as exc:
        raise InstanceError("the running Inflow sent an unreadable answer") from exc
    if not isinstance(decoded, dict):
        raise InstanceError("the running Inflow sent an unexpected answer")
    return decoded


def exchange(address: Path | str, request: bytes, *, timeout: float) -> bytes | None:
    """Send one request line and return the reply line (None when nobody listens at address)."""
    if sys.platform == "win32":
        return _exchange_pipe(str(address), request, timeout)
    return _exchange_socket(str(address), request, timeout)


def _exchange_socket(path: str, request: bytes, timeout: float) -> bytes | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT_S)
        try:
            sock.connect(path)
        except OSError:
            return None
        sock.settimeout(timeout)
        try:
            sock.sendall(request)
            return _read_line(sock.recv)
        except (TimeoutError, OSError) as exc:
            raise InstanceError(f"the running Inflow did not answer ({exc})") from exc
    finally:
        sock.close()


def _open_pipe(path: str) -> io.FileIO:
    """Open a Windows named pipe for reading and writing (replaced by a fake in tests)."""
    return open(path, "r+b", buffering=0)


def _exchange_pipe(name: str, request: bytes, timeout: float) -> bytes | None:
    """The same exchange over `\\\\.\\pipe\\<name>`; the reply is read on a helper thread so that
    a stuck instance cannot hold this process longer than timeout (a blocking pipe read has none)."""
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while True:
        try:
            pipe = _open_pipe(pipe_path(name))
            break
        except OSError as exc:
            if getattr(exc, "winerror", None) != PIPE_BUSY or time.monotonic() > deadline:
                return None  # no such pipe (no instance), or not ours to open
            time.sleep(0.02)
    import threading

    result: list[bytes] = []
    failure: list[OSError] = []

    def talk() -> None:
        try:
            pipe.write(request)
            result.append(_read_line(pipe.read))
        except OSError as exc:
            failure.append(exc)

    worker = threading.Thread(target=talk, name="inflow-pipe", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise InstanceError(f"the running Inflow did not answer within {timeout:g} s")
    pipe.close()
    if failure:
        raise InstanceError(f"the running Inflow did not answer ({failure[0]})") from failure[0]
    return result[0]


def _read_line(recv: Callable[[int], bytes | None]) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks).strip()


def is_running(socket_path: Path) -> bool:
    """True when an instance answers a ping."""
    try:
        return send_command(socket_path, {"cmd": "ping"}, timeout=2.0) is not None
    except InstanceError:
        return False
