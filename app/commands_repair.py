"""`inflow repair`, and the one line every command prints when the library turns out damaged."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from app.cli_support import CliError
from app.instance_client import is_running
from app.paths import Paths

REPAIR_HINT = "Run `inflow repair` to recover it (the damaged file is kept)."


def library_problem(paths: Paths, exc: sqlite3.DatabaseError) -> str:
    """What went wrong, which file, and (when it is damaged) the command that recovers it."""
    from storage.db import database_problem, looks_corrupt

    text = database_problem(paths.database, exc)
    return f"{text} {REPAIR_HINT}" if looks_corrupt(exc) else text


def repair(args: argparse.Namespace, paths: Paths) -> int:
    """Check the library; when damaged, move it aside and restore the newest intact backup (or
    salvage what can be read)."""
    from app.commands_library import backup_folder
    from storage.db import StorageError
    from storage.repair import quick_check, repair_library

    if is_running(paths.socket_path):
        raise CliError("Inflow is running for this library; quit it first (tray menu: Quit), then repair")
    if not paths.database.exists():
        raise CliError(f"there is no library at {paths.database}")
    problem = quick_check(paths.database)
    if problem is None:
        print(f"The library {paths.database} passes its check; nothing to repair.")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("not repairing without --yes (no terminal to confirm on)")
        print(
            f"The library is damaged ({problem}). Move it aside and recover it? [y/N] ",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print("Nothing was changed.", file=sys.stderr)
            return 1
    try:
        result = repair_library(paths.database, backup_folder(paths))
    except StorageError as exc:
        raise CliError(str(exc)) from exc
    print(result.describe())
    return 0
