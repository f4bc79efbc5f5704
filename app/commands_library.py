"""CLI commands for the library as a whole: import, snapshot refresh, backup, restore, and keeping a
file (`inflow capture --file`). They write the database directly (WAL makes that safe next to a
running Inflow, which is then nudged to refresh), except restore, which refuses while Inflow runs.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from app.cli_support import CliError, open_library
from app.instance_client import InstanceError, is_running, send_command
from app.paths import Paths
from app.terminal import json_text

if TYPE_CHECKING:
    from storage.importing import ImportReport
    from storage.models import Draft

DEFAULT_BACKUP_KEEP = 7
PROGRESS_WIDTH = 30
PROGRESS_EVERY_S = 1.0


def run(args: argparse.Namespace, paths: Paths) -> int:
    """Dispatch `inflow import|snapshot|backup|restore`."""
    handlers: dict[str, Callable[[argparse.Namespace, Paths], int]] = {
        "import": import_file,
        "snapshot": snapshot_refresh,
        "backup": backup,
        "restore": restore,
    }
    return handlers[args.command](args, paths)


def _setting_int(paths: Paths, key: str, default: int) -> int:
    """A setting that may not be declared yet in this version (then the default)."""
    from app.config import load_config
    from app.settings import SETTINGS_BY_KEY

    if key not in SETTINGS_BY_KEY:
        return default
    try:
        return load_config(paths).get_int(key)
    except (TypeError, ValueError):
        return default


def _snapshots_enabled(paths: Paths) -> bool:
    from app.config import load_config
    from app.settings import SETTINGS_BY_KEY

    return "snapshots_enabled" not in SETTINGS_BY_KEY or load_config(paths).get_bool("snapshots_enabled")


def _nudge_instance(paths: Paths) -> bool:
    """Tell a running Inflow the library changed under it (refresh, fetch queued snapshots).
    True when one is running."""
    try:
        return send_command(paths.socket_path, {"cmd": "library-changed"}, timeout=2.0) is not None
    except InstanceError:
        return False


# ---------------------------------------------------------------------------- import


class _Progress:
    """On a terminal, a bar redrawn in place (by how much of the file was read) with the count; plain
    lines otherwise. At most once a second, on stderr."""

    def __init__(self, stream: TextIO) -> None:
        self._stream: TextIO = getattr(stream, "unescaped", stream)  # draws with \r; writes only its own text
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._drawn = False
        self._last = -PROGRESS_EVERY_S

    def __call__(self, done: int, fraction: float) -> None:
        now = time.monotonic()
        if not done or (now - self._last < PROGRESS_EVERY_S and fraction < 1.0):
            return
        self._last = now
        percent = f"{100 * fraction:3.0f} %"
        if self._tty:
            filled = round(PROGRESS_WIDTH * fraction)
            bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
            self._stream.write(f"\rImporting [{bar}] {percent}  {done:,} read")
            self._drawn = True
        else:
            self._stream.write(f"importing: {done:,} read ({percent.strip()})\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False


class _CancelOnInterrupt:
    """The first Ctrl+C asks the import to stop at the next batch; a second one stops now. Either way
    the import's one transaction is rolled back: nothing of it is kept."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Callable[[int, FrameType | None], object] | int | None = None

    def __enter__(self) -> _CancelOnInterrupt:
        self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\ninflow: stopping; nothing will be imported (Ctrl+C again to stop now)", file=sys.stderr)

    def __call__(self) -> bool:
        return self.requested


def import_file(args: argparse.Namespace, paths: Paths) -> int:
    from storage.importing import ImportFormatError, import_items, open_import

    path = Path(args.file)
    if not path.exists():
        raise CliError(f"no such file or folder: {path}")
    if args.max < 1:
        raise CliError("--max must be at least 1")
    try:
        source = open_import(path)
    except ImportFormatError as exc:
        raise CliError(str(exc)) from exc
    db = open_library(paths)
    progress = _Progress(sys.stderr)
    try:
        with _CancelOnInterrupt() as cancel:
            report = import_items(
                db, source.items, snapshot=not args.no_snapshots and _snapshots_enabled(paths),
                on_progress=progress, cancelled=cancel, max_moments=args.max, progress_of=source.progress,
            )  # fmt: skip
    except ImportFormatError as exc:  # above the cap, or the file breaks off: rolled back
        progress.finish()
        raise CliError(f"{path.name}: {exc}") from exc
    except KeyboardInterrupt:
        progress.finish()
        print("inflow: import stopped; nothing was imported", file=sys.stderr)
        return 130
    finally:
        progress.finish()
    report.skipped += source.skipped
    report.problems[:0] = source.problems
    running = _nudge_instance(paths) if not report.cancelled else False
    if args.json:
        print(json_text({"format": source.format, "file": str(path), **report.as_dict()}))
    else:
        for problem in report.problems[:20]:
            print(f"inflow: {problem}", file=sys.stderr)
        if len(report.problems) > 20:
            print(f"inflow: ... and {len(report.problems) - 20} more", file=sys.stderr)
        print(_summary(report, running=running))
    return 130 if report.cancelled else 0


def _summary(report: ImportReport, *, running: bool) -> str:
    if report.cancelled:
        return f"Cancelled after reading {report.total:,}: nothing was imported"
    else:
        text = f"Imported {report.added:,}"
    if report.merged:
        text += f" ({report.merged:,} merged duplicate{'s' if report.merged != 1 else ''})"
    if report.skipped:
        text += f"; skipped {report.skipped:,}"
    if report.snapshots_queued:
        text += "; snapshots will be fetched in the background" + ("" if running else " while Inflow runs")
    return text


# ---------------------------------------------------------------------------- snapshots


def snapshot_refresh(args: argparse.Namespace, paths: Paths) -> int:
    from storage.moments import get_moment
    from storage.snapshots import request_refresh

    db = open_library(paths)
    try:
        moment = get_moment(db, args.id)
    except KeyError:
        raise CliError(f"no moment with id {args.id}") from None
    if not moment.url or not request_refresh(db, moment.id):
        raise CliError(f"moment {moment.id} has no URL to fetch")
    running = _nudge_instance(paths)
    when = "now" if running else "the next time Inflow runs"
    print(f"The page of {moment.id} will be fetched again {when}; the current copy stays until the new one is saved.")
    return 0


# ---------------------------------------------------------------------------- backups


def backup_folder(paths: Paths) -> Path:
    return paths.data_dir / "backups"


def backup(args: argparse.Namespace, paths: Paths) -> int:
    from storage.backup import BackupError, backup_database, list_backups

    keep = _setting_int(paths, "backup_keep", DEFAULT_BACKUP_KEEP)
    folder = backup_folder(paths)
    try:
        made = backup_database(paths.database, folder, keep=keep)
    except BackupError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        kept = [str(p) for p in list_backups(folder)]
        print(json.dumps({"path": str(made), "size": made.stat().st_size, "keep": keep, "backups": kept}))
    else:
        print(made)
    return 0


def restore(args: argparse.Namespace, paths: Paths) -> int:
    from storage.backup import check_backup, restore_backup
    from storage.db import StorageError

    source = Path(args.backup)
    if is_running(paths.socket_path):
        raise CliError("Inflow is running for this library; quit it first (tray menu: Quit), then restore")
    try:
        check_backup(source)
    except StorageError as exc:
        raise CliError(str(exc)) from exc
    now = datetime.now()
    aside = paths.database.with_name(f"{paths.database.name}.before-restore-{now:%Y%m%d-%H%M%S}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("not restoring without --yes (no terminal to confirm on)")
        kept = f"The current one is kept as {aside}" if paths.database.exists() else "There is no current one"
        print(f"Replace your library with {source}? {kept} [y/N] ", end="", file=sys.stderr, flush=True)
        try:
            answer = sys.stdin.readline().strip().lower()
        except KeyboardInterrupt:
            answer = ""
        if answer not in ("y", "yes"):
            print("Nothing was changed.", file=sys.stderr)
            return 1
    try:
        moved = restore_backup(source, paths.database, now=now)
    except StorageError as exc:
        raise CliError(str(exc)) from exc
    print(f"Restored {source}." + (f" The previous library was moved to {moved}." if moved else ""))
    return 0


# ---------------------------------------------------------------------------- capture --file


def capture_file(paths: Paths, draft: Draft, file: str, *, track_targets: tuple[str, ...]) -> dict[str, object]:
    """Keep a file as a resource (searchable text for text, Markdown and PDF); returns the moment as
    `--json` prints it, with `file`."""
    from storage.db import StorageError
    from storage.files import FileTooLargeError, add_file_moment, check_size, extract_text
    from storage.interchange.json_format import file_to_dict, moment_to_dict
    from storage.models import MAX_FILE_BYTES

    path = Path(file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    budget = _setting_int(paths, "file_max_mb", MAX_FILE_BYTES // 1048576) * 1048576
    try:
        check_size(path.name, path.stat().st_size, budget)
        data = path.read_bytes()
        check_size(path.name, len(data), budget)
    except FileTooLargeError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
    from storage.files import media_type_for

    media_type = media_type_for(path.name)
    text = extract_text(path.name, media_type, data)
    db = open_library(paths)
    try:
        moment = add_file_moment(db, draft, path.name, media_type, data, text, track_targets=track_targets)
    except (StorageError, OSError) as exc:
        raise CliError(f"could not save: {exc}") from exc
    _nudge_instance(paths)
    result = moment_to_dict(moment)
    result["file"] = file_to_dict(db, moment.rowid, full=False)
    if text is None and media_type == "application/pdf":
        print(f"inflow: warning: no text could be read from {path.name}; it is kept, not searchable", file=sys.stderr)
    return result
