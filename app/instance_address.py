"""Where the running Inflow listens: one name for the server, the clients and the fast path.

Unix: a socket file, `$XDG_RUNTIME_DIR/inflow-<key>.sock`, else `<tmp>/inflow-<uid>/inflow-<key>.sock`;
when that path does not fit `sun_path` (a long $TMPDIR on macOS), `/tmp/inflow-<uid>/` instead.
Windows: a flat pipe name `inflow-<user>-<key>` that Qt and the client open as `\\\\.\\pipe\\<name>`;
pipe names are one namespace per machine, so the name carries a hash of the user.

Only os and sys at import time: `inflow capture --window` computes this before anything else loads.
"""

from __future__ import annotations

import os
import sys

APP_NAME = "inflow"
PIPE_PREFIX = "\\\\.\\pipe\\"
SHORT_TMP = "/tmp"
MAX_PIPE_NAME = 256
"""CreateNamedPipe: the whole `\\\\.\\pipe\\<name>` may be up to 256 characters."""


def instance_key(basedir: str | os.PathLike[str] | None) -> str:
    """Short hash naming a library folder (resolved already); "default" for the platform dirs."""
    if basedir is None:
        return "default"
    import hashlib

    return hashlib.sha256(str(basedir).encode()).hexdigest()[:12]


def runtime_dir() -> str:
    """XDG_RUNTIME_DIR (short, private, per user), else a private folder in the temp dir."""
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        return xdg
    import tempfile

    return os.path.join(tempfile.gettempdir(), f"{APP_NAME}-{_uid()}")


def instance_address(key: str) -> str:
    """The server name for a library key: a socket path on Unix, a flat pipe name on Windows."""
    if sys.platform == "win32":
        return f"{APP_NAME}-{_user_hash()}-{key}"
    path = os.path.join(runtime_dir(), f"{APP_NAME}-{key}.sock")
    if socket_path_fits(path):
        return path
    return os.path.join(SHORT_TMP, f"{APP_NAME}-{_uid()}", f"{APP_NAME}-{key}.sock")


def pipe_path(name: str) -> str:
    """The path a Windows client opens for a pipe name."""
    return PIPE_PREFIX + name


def max_socket_path_bytes() -> int:
    """The size of `sun_path`, its closing NUL included: 108 on Linux, 104 on macOS and the BSDs."""
    return 108 if sys.platform.startswith("linux") else 104


def socket_path_fits(path: str) -> bool:
    """True when a Unix socket can be bound at path (its bytes and a NUL fit `sun_path`)."""
    return len(os.fsencode(path)) < max_socket_path_bytes()


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def _user_hash() -> str:
    """A short hash of the Windows user (DOMAIN\\name, which Windows compares without case)."""
    import hashlib

    user = f"{os.environ.get('USERDOMAIN', '')}\\{os.environ.get('USERNAME', '')}"
    if user == "\\":
        user = os.path.expanduser("~")
    return hashlib.sha256(user.lower().encode()).hexdigest()[:12]
