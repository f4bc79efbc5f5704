"""The `inflow` entry point: `inflow capture --window` hands over to the running app with the
standard library only (~30 ms), before argparse, Qt or the rest of the CLI is imported.

Anything else, or no running instance, goes to app.cli.
"""

from __future__ import annotations

import os
import sys


def _socket_path(basedir: str | None) -> str:
    """The same path app.paths.Paths.socket_path computes (kept in step by a test)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not runtime or not os.path.isdir(runtime):
        import tempfile

        runtime = os.path.join(tempfile.gettempdir(), f"inflow-{os.getuid() if hasattr(os, 'getuid') else 0}")
    if basedir:
        import hashlib
        from pathlib import Path

        key = hashlib.sha256(str(Path(basedir).expanduser().resolve()).encode()).hexdigest()[:12]
    else:
        key = "default"
    return os.path.join(runtime, f"inflow-{key}.sock")


def _window_request(argv: list[str]) -> str | None:
    """The socket path when argv is exactly `[--basedir DIR] capture --window`, else None."""
    basedir = os.environ.get("INFLOW_BASEDIR") or None
    if len(argv) >= 2 and argv[0] == "--basedir":
        basedir, argv = argv[1], argv[2:]
    elif argv and argv[0].startswith("--basedir="):
        basedir, argv = argv[0].split("=", 1)[1], argv[1:]
    if argv not in (["capture", "--window"], ["capture", "--window", "--"]):
        return None
    return _socket_path(basedir)


def _hand_over(path: str) -> bool:
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(2.0)
        sock.connect(path)
        sock.sendall(b'{"cmd": "capture-window"}\n')
        return b'"ok": true' in sock.recv(4096)
    except OSError:
        return False
    finally:
        sock.close()


def main() -> int:
    path = _window_request(sys.argv[1:])
    if path is not None and _hand_over(path):
        return 0
    from app.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
