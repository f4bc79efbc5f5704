"""The `inflow` entry point: `inflow capture --window` hands over to the running app with the
standard library only (~30 ms), before argparse, Qt or the rest of the CLI is imported; a bare
`inflow [--basedir DIR]` starts the tray app without loading the CLI either.

Anything else, or no running instance, goes to app.cli.
"""

from __future__ import annotations

import os
import sys


def _socket_path(basedir: str | None) -> str:
    """The address app.paths.Paths.socket_path gives (both ask app.instance_address)."""
    from app.instance_address import instance_address, instance_key

    if not basedir:
        return instance_address(instance_key(None))
    from pathlib import Path

    return instance_address(instance_key(Path(basedir).expanduser().resolve()))


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
    """True when the running instance took the request (socket or, on Windows, pipe)."""
    from app.instance_client import InstanceError, exchange

    try:
        reply = exchange(path, b'{"cmd": "capture-window"}\n', timeout=2.0)
    except InstanceError:
        return False
    return reply is not None and b'"ok": true' in reply


def _bare_start(argv: list[str]) -> tuple[bool, str | None]:
    """(True, the --basedir value or None) for a bare `inflow [--basedir DIR]`, which starts the
    tray app; (False, None) for anything else."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--basedir":
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--basedir="):
        return True, argv[0].split("=", 1)[1]
    return False, None


def _start_app(basedir: str | None) -> int:
    """Start the tray app (or hand over to the running one) without loading argparse and the CLI."""
    from app.gui import start_or_hand_over
    from app.paths import make_private, resolve_paths
    from app.terminal import escape_standard_streams

    paths = resolve_paths(basedir)
    make_private(paths)
    escape_standard_streams()
    return start_or_hand_over(paths, json_logging=False)


def main() -> int:
    path = _window_request(sys.argv[1:])
    if path is not None and _hand_over(path):
        return 0
    bare, basedir = _bare_start(sys.argv[1:])
    if bare:
        return _start_app(basedir)
    from app.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
