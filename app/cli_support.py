"""What the `inflow` commands share: the error they report, and opening the library for one command.

Kept apart from `app.cli` (the parser and dispatch) so that the command modules never import the
module that dispatches to them.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from app.paths import Paths

if TYPE_CHECKING:
    from sqlite_utils import Database


class CliError(Exception):
    """A failure to report as `inflow: <message>` with exit code 1."""

    exit_code = 1


class UsageError(CliError):
    """The command was asked for something it cannot mean (`search ""`): exit code 2, like argparse."""

    exit_code = 2


def open_library(paths: Paths) -> Database:
    """The library for one command, recovered if needed (a warning about that goes to stderr)."""
    from storage.db import StorageError, open_or_recover

    try:
        db, warning = open_or_recover(paths.database)
    except StorageError as exc:
        raise CliError(str(exc)) from exc
    if warning:
        print(f"inflow: warning: {warning}", file=sys.stderr)
    return db
