"""Backups of the library with SQLite's online backup API, and bringing one back.

A backup is `inflow-YYYYMMDD-HHMMSS.db` (local time) in the backup folder, a plain single-file
database checked with `PRAGMA integrity_check` before it counts. A restore never deletes anything:
the current library (and its -wal/-shm) is moved aside with a timestamp first.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from storage.db import NewerDatabaseError, StorageError, disk_full_note
from storage.migrations import MIGRATION_SET, known_migration_names

DEFAULT_KEEP = 7
BACKUP_EVERY_S = 86400.0
_NAME = re.compile(r"^inflow-(\d{8})-(\d{6})(?:-(\d+))?\.db$")


class BackupError(StorageError):
    """A backup or restore that could not be done; the message is written for the person."""


def backup_database(db_path: Path, backup_dir: Path, *, keep: int = DEFAULT_KEEP, now: datetime | None = None) -> Path:
    """Copy the live library (safe while it is in use) into backup_dir, verify the copy, then delete
    the oldest backups beyond `keep` (at least the new one is kept). Returns the new backup."""
    if not db_path.exists():
        raise BackupError(f"There is no library at {db_path} to back up.")
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Cannot create the backup folder {backup_dir}: {exc.strerror or exc}") from exc
    target = _free_name(backup_dir, now or datetime.now())
    partial = target.with_name(f".{target.name}.partial")
    try:
        source = sqlite3.connect(db_path)  # read only; a plain connection also reads a WAL library
        try:
            source.execute("PRAGMA busy_timeout = 5000")
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                problem = _integrity_problem(copy)
            finally:
                copy.close()
        finally:
            source.close()
        if problem:
            raise BackupError(f"The backup of {db_path} failed its integrity check ({problem}); it was not kept.")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"Could not back up {db_path}: {exc}{disk_full_note(backup_dir)}") from exc
    except OSError as exc:
        note = disk_full_note(backup_dir)
        raise BackupError(f"Could not write the backup in {backup_dir}: {exc.strerror or exc}{note}") from exc
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            leftover.unlink(missing_ok=True)
    prune_backups(backup_dir, keep=keep)
    return target


def _integrity_problem(conn: sqlite3.Connection) -> str | None:
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return None if rows == ["ok"] else "; ".join(rows[:3])


def _free_name(backup_dir: Path, now: datetime) -> Path:
    stem = f"inflow-{now:%Y%m%d-%H%M%S}"
    target = backup_dir / f"{stem}.db"
    n = 1
    while target.exists():
        n += 1
        target = backup_dir / f"{stem}-{n}.db"
    return target


def list_backups(backup_dir: Path) -> list[Path]:
    """Backups in backup_dir, oldest first."""
    try:
        entries = list(backup_dir.iterdir())
    except OSError:
        return []
    found: list[tuple[str, int, Path]] = []
    for entry in entries:
        match = _NAME.match(entry.name)
        if match and entry.is_file():
            found.append((match.group(1) + match.group(2), int(match.group(3) or 1), entry))
    return [path for *_, path in sorted(found)]


def prune_backups(backup_dir: Path, *, keep: int) -> list[Path]:
    """Delete the oldest backups beyond `keep` (never the newest one); returns what was deleted."""
    backups = list_backups(backup_dir)
    doomed = backups[: max(len(backups) - max(keep, 1), 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def latest_backup(backup_dir: Path) -> Path | None:
    backups = list_backups(backup_dir)
    return backups[-1] if backups else None


def backup_time(backup: Path) -> float | None:
    """When a backup was made (from its name, local time), as a unix timestamp."""
    match = _NAME.match(backup.name)
    if match is None:
        return None
    return datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S").timestamp()


def backup_due(backup_dir: Path, now: float, every: float = BACKUP_EVERY_S) -> bool:
    """True when there is no backup yet, or the newest is at least `every` seconds old."""
    latest = latest_backup(backup_dir)
    made = backup_time(latest) if latest is not None else None
    return made is None or now - made >= every


def check_backup(backup: Path) -> list[str]:
    """Refuse anything that is not an intact Inflow library this version can open; returns the
    migrations it has. Raises BackupError, or NewerDatabaseError for a newer Inflow's library."""
    if not backup.is_file():
        raise BackupError(f"{backup} is not a file.")
    try:
        with backup.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise BackupError(f"Cannot read {backup}: {exc.strerror or exc}") from exc
    if header != b"SQLite format 3\x00":
        raise BackupError(f"{backup} is not an Inflow library (not an SQLite database).")
    try:
        conn = sqlite3.connect(f"file:{quote(str(backup.resolve()))}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open {backup}: {exc}") from exc
    try:
        problem = _integrity_problem(conn)
        if problem:
            raise BackupError(f"{backup} is damaged ({problem}).")
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()
        names = (
            [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])]
            if has_table
            else []
        )
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup} is not an Inflow library ({exc}).") from exc
    finally:
        conn.close()
    if not names:
        raise BackupError(f"{backup} is not an Inflow library.")
    unknown = [n for n in names if n not in set(known_migration_names())]
    if unknown:
        raise NewerDatabaseError(
            f"{backup} was written by a newer version of Inflow (schema step '{unknown[-1]}'). "
            "Update Inflow to restore it; nothing was changed."
        )
    return names


def restore_backup(backup: Path, db_path: Path, *, now: datetime | None = None) -> Path | None:
    """Put `backup` in place of the library at db_path. The current library and its -wal/-shm are
    moved aside as `<name>.before-restore-YYYYMMDD-HHMMSS` (never deleted); returns where (None when
    there was no library). Nobody may have the library open (the caller checks Inflow is not running).
    """
    check_backup(backup)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    incoming = db_path.with_name(f".{db_path.name}.restoring")
    try:
        shutil.copyfile(backup, incoming)
        check_backup(incoming)
        moved = _move_aside(db_path, now or datetime.now())
        os.replace(incoming, db_path)
    except OSError as exc:
        raise BackupError(f"Could not restore {backup}: {exc.strerror or exc}") from exc
    finally:
        incoming.unlink(missing_ok=True)
    return moved


def _move_aside(db_path: Path, now: datetime) -> Path | None:
    existed = db_path.exists()
    stem = f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}"
    target = db_path.with_name(stem)
    n = 1
    while any(target.with_name(target.name + s).exists() for s in ("", "-wal", "-shm")):
        n += 1
        target = db_path.with_name(f"{stem}-{n}")
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    if existed:
        db_path.rename(target)
    return target if existed else None
