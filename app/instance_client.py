"""Talking to the running Inflow over its local socket, with the standard library only.

This path runs before any Qt import so that `inflow capture --window` hands over in milliseconds.
Protocol: one JSON object per line each way; the connection closes after the reply.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

CONNECT_TIMEOUT_S = 1.0
Message = dict[str, object]
"""A command or a reply: one JSON object (read its values with isinstance)."""


class InstanceError(Exception):
    """The running instance answered with an error, or stopped answering."""


def send_command(socket_path: Path, message: Message, *, timeout: float = 10.0) -> Message | None:
    """Send one command; returns the reply, or None when no instance is listening."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT_S)
        try:
            sock.connect(str(socket_path))
        except (FileNotFoundError, ConnectionRefusedError):
            return None
        except OSError:
            return None
        sock.settimeout(timeout)
        try:
            sock.sendall(json.dumps(message).encode() + b"\n")
            reply = _read_line(sock)
        except (TimeoutError, OSError) as exc:
            raise InstanceError(f"the running Inflow did not answer ({exc})") from exc
    finally:
        sock.close()
    if not reply:
        raise InstanceError("the running Inflow closed the connection without answering")
    try:
        decoded = json.loads(reply)
    except ValueError as exc:
        raise InstanceError("the running Inflow sent an unreadable answer") from exc
    if not isinstance(decoded, dict):
        raise InstanceError("the running Inflow sent an unexpected answer")
    return decoded


def _read_line(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = sock.recv(65536)
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
