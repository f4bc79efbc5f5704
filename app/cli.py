"""The `inflow` command: global options, then a command. Commands that need no GUI never import Qt.

Exit codes: 0 success (a search with no hits too), 1 failure with a one-line reason on stderr,
2 bad usage.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence

from app.cli_support import CliError
from app.paths import Paths, make_private, resolve_paths
from app.terminal import escape_standard_streams
from app.version import __version__

KINDS = ("resource", "tip", "question")


class _TargetKinds:
    """The registered target kinds with their labels, read only when help is shown (the registry costs
    ~12 ms to import: not on every command)."""

    def __str__(self) -> str:
        from sync.registry import connector_for, kinds

        return "; ".join(f"{kind}: {connector_for(kind).label}" for kind in kinds())


class _KeepNamesWhole(argparse.HelpFormatter):
    """Wraps help without breaking a kind's name at its hyphen (teams-workflow)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def _add_target_kind(parser: argparse.ArgumentParser) -> None:
    action = parser.add_argument("kind", metavar="KIND", help="one of: %(target_kinds)s")
    action.target_kinds = _TargetKinds()  # type: ignore[attr-defined]  # argparse formats help with vars(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inflow",
        description="Capture learning moments in the flow of work. Without a command, starts the tray app.",
    )
    parser.add_argument(
        "--basedir",
        metavar="DIR",
        help="keep all data, config and logs under DIR (also INFLOW_BASEDIR; the flag wins)",
    )
    parser.add_argument("--json-logging", action="store_true", help="also log JSON lines to stderr")
    parser.add_argument("--self-test", action="store_true", help="check the installation and exit")
    parser.add_argument("--version", action="version", version=f"inflow {__version__}")
    parser.add_argument("--open-capture", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    capture = commands.add_parser("capture", help="store a learning moment (prints its id)")
    capture.add_argument("text", nargs="?", metavar="TEXT", help="the note (read from stdin when omitted)")
    capture.add_argument("--kind", choices=KINDS, default=None, help="default: the default_kind setting")
    capture.add_argument("--title", default="")
    capture.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")
    capture.add_argument("--url", default=None)
    capture.add_argument(
        "--file", metavar="PATH", default=None, help="keep this file in the library (a resource; text, Markdown, PDF)"
    )
    capture.add_argument(
        "--window",
        action="store_true",
        help="open the capture window in the running app (starting it if needed)",
    )
    capture.add_argument("--json", action="store_true", help="print the stored moment as JSON")
    sharing = capture.add_mutually_exclusive_group()
    sharing.add_argument(
        "--share",
        action="append",
        default=[],
        metavar="NAME",
        help="share with this target (repeatable); nothing is shared without it",
    )
    sharing.add_argument("--private", action="store_true", help="keep it private (the default)")
    capture.add_argument(
        "--allow-secrets", action="store_true", help="share even when the text looks like it contains a secret"
    )

    search = commands.add_parser("search", help="find moments, best first")
    search.add_argument("query", metavar="QUERY")
    search.add_argument("--kind", choices=KINDS)
    search.add_argument("--tag")
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true")

    show = commands.add_parser("show", help="print one moment")
    show.add_argument("id", metavar="ID", help="the id, or a unique prefix of it (at least 4 characters)")
    show.add_argument("--json", action="store_true")

    export = commands.add_parser("export", help="write everything out")
    export.add_argument("--format", choices=("json", "markdown"), required=True)
    export.add_argument("destination", metavar="DEST", help="a file for json, a folder for markdown")

    doctor = commands.add_parser("doctor", help="versions, paths, hotkey and config problems")
    doctor.add_argument("--json", action="store_true")

    target = commands.add_parser("target", help="team targets to share with").add_subparsers(
        dest="target_command", metavar="ACTION", required=True
    )
    add = target.add_parser("add", help="add (or --replace) a target", formatter_class=_KeepNamesWhole)
    _add_target_kind(add)
    add.add_argument("--name", required=True)
    add.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a setting (repeatable)")
    add.add_argument("--token-stdin", action="store_true", help="read the secret from stdin (to the keyring)")
    add.add_argument("--replace", action="store_true", help="replace a target of the same name")
    listing = target.add_parser("list", help="the configured targets")
    listing.add_argument("--json", action="store_true")
    target.add_parser("test", help="a real authenticated call").add_argument("name", metavar="NAME")
    target.add_parser("signin", help="sign in on the web with a device code (teams-graph)").add_argument(
        "name", metavar="NAME"
    )
    for action, text in (
        ("remove", "remove a target and cancel what it had queued"),
        ("main", "share tips and questions with this target by default (never a public one)"),
    ):
        target.add_parser(action, help=text).add_argument("name", metavar="NAME")

    sync = commands.add_parser("sync", help="sharing status, or a full pass now").add_subparsers(
        dest="sync_command", metavar="ACTION", required=True
    )
    sync.add_parser("status", help="the outbox per target").add_argument("--json", action="store_true")
    sync.add_parser("now", help="push, pull replies and the feed; returns when done")
    _add_library_commands(commands)
    return parser


def _add_digest_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """digest (app.commands_digest)."""
    digest = commands.add_parser("digest", help="the weekly look back: captured, shared, answers, open questions")
    digest.add_argument("--week", metavar="YYYY-Www", help="an ISO week (default: this week, local time)")
    digest.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def _add_library_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """import, snapshot, backup, restore (app.commands_library); digest."""
    importing = commands.add_parser("import", help="import browser bookmarks or an Inflow export")
    importing.add_argument("file", metavar="FILE", help="bookmarks HTML, Inflow JSON, or a Markdown export folder")
    importing.add_argument("--no-snapshots", action="store_true", help="do not fetch offline copies of the pages")
    importing.add_argument("--json", action="store_true", help="print the report as JSON")
    importing.add_argument(
        "--max", type=int, default=100_000, metavar="N", help="add at most N new moments (default 100,000)"
    )

    snapshot = commands.add_parser("snapshot", help="offline copies of pages").add_subparsers(
        dest="snapshot_command", metavar="ACTION", required=True
    )
    snapshot.add_parser("refresh", help="fetch the page again (the old copy stays until then)").add_argument(
        "id", metavar="ID"
    )

    repair = commands.add_parser("repair", help="recover a damaged library (the damaged file is kept)")
    repair.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    backup = commands.add_parser("backup", help="back up the library now")
    backup.add_argument("--json", action="store_true")

    restore = commands.add_parser("restore", help="bring back a backup (the current library is kept aside)")
    restore.add_argument("backup", metavar="BACKUP", help="a backup file (inflow-YYYYMMDD-HHMMSS.db)")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _add_digest_command(commands)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = resolve_paths(args.basedir)
    make_private(paths)  # the library, logs and backups are this user's only (umask 077, tightened)
    escape_standard_streams()  # stored and remote text is printed: show control characters, never obey them
    try:
        return _dispatch(args, paths)
    except CliError as exc:
        print(f"inflow: {exc}", file=sys.stderr)
        return exc.exit_code
    except sqlite3.DatabaseError as exc:  # a damaged (or locked) library: one line, never a traceback
        from app.commands_repair import library_problem

        print(f"inflow: {library_problem(paths, exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, paths: Paths) -> int:
    if args.self_test:
        from app.selftest import run_self_test

        return run_self_test(paths)
    if args.command == "capture" and args.window:
        from app.commands import open_capture_window

        return open_capture_window(paths, json_logging=args.json_logging)
    if args.command is None:
        from app.commands import start_app

        return start_app(paths, json_logging=args.json_logging, open_capture=args.open_capture)
    if args.command in ("target", "sync"):
        from app import commands_sync

        name = f"{args.command}_{getattr(args, args.command + '_command')}"
        return int(getattr(commands_sync, name)(args, paths))
    if args.command == "digest":
        from app.commands_digest import digest

        return digest(args, paths)
    if args.command == "repair":
        from app.commands_repair import repair

        return repair(args, paths)
    if args.command in ("import", "snapshot", "backup", "restore"):
        from app import commands_library

        return commands_library.run(args, paths)
    from app import commands

    handler = {
        "capture": commands.capture,
        "search": commands.search,
        "show": commands.show,
        "export": commands.export,
        "doctor": commands.doctor,
    }[args.command]
    return handler(args, paths)


if __name__ == "__main__":
    sys.exit(main())
