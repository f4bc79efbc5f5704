"""Opening the database: pragmas, migrations, and the two refusals (corrupt file, newer Inflow); and
`immediate`, the write transaction that takes the lock first."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from storage.migrations import known_migration_names, migrations

BUSY_TIMEOUT_MS = 5000


class StorageError(Exception):
    """A problem with the library file that a person must hear about (message written for them)."""


class NewerDatabaseError(StorageError):
    """The database was written by a newer Inflow; it is left untouched."""


class CorruptDatabaseError(StorageError):
    """The file is not a usable SQLite database; it was moved aside (see `moved_to`)."""

    def __init__(self, message: str, moved_to: Path) -> None:
        super().__init__(message)
        self.moved_to = moved_to


def open_database(path: Path, *, readonly: bool = False) -> Database:
    """Open (creating and migrating when needed) the library at `path`.

    Raises NewerDatabaseError for a database from a newer Inflow (untouched), CorruptDatabaseError
    after moving a non-SQLite or damaged file aside, StorageError when the file cannot be opened.
    """
    try:
        conn = _connect(path, readonly)
        # No sqlite-utils plugins: skips a scan of every installed package's metadata (~17 ms, at start-up).
        db = Database(conn, execute_plugins=False)
        _check_readable(db)
    except sqlite3.DatabaseError as exc:
        if not looks_corrupt(exc):
            raise StorageError(f"Cannot open the library {path}: {exc}{disk_full_note(path.parent)}") from exc
        if readonly:
            raise StorageError(f"The library {path} is damaged: {exc}") from exc
        moved = move_aside(path)
        raise CorruptDatabaseError(
            f"The library {path} was damaged ({exc}). It was moved to {moved} and never deleted; "
            "a new, empty library was started.",
            moved,
        ) from exc
    _refuse_newer(db, path)
    if not readonly:
        _migrate(db, path)
    return db


LOW_SPACE_BYTES = 1 << 20


def disk_full_note(folder: Path) -> str:
    """' (the disk holding <folder> is full ...)' when less than 1 MiB is free there, else ''. SQLite
    words a full disk as 'disk I/O error' when it cannot grow its shared-memory (-shm) file."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # a folder not made yet: the disk it would be on
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return ""
    if free >= LOW_SPACE_BYTES:
        return ""
    return f" (the disk holding {folder} is full, {free // 1024} KiB free: free some space and try again)"


@contextmanager
def immediate(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (for read-then-write: a plain BEGIN can
    fail with SQLITE_BUSY_SNAPSHOT under concurrency, whatever the busy timeout)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def open_or_recover(path: Path) -> tuple[Database, str | None]:
    """Open for writing; after a corrupt file was moved aside, start a fresh one and say so."""
    try:
        return open_database(path), None
    except CorruptDatabaseError as exc:
        return open_database(path), str(exc)


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot create the data folder {path.parent}: {exc.strerror}") from exc
        if not os.access(path.parent, os.W_OK):
            raise StorageError(
                f"Cannot save to the data folder {path.parent}: it is read-only for you. "
                "Fix its permissions or start Inflow with --basedir pointing elsewhere."
            )
        # isolation_level=None: only explicit BEGINs (db.atomic(), BEGIN IMMEDIATE) open transactions.
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _check_readable(db: Database) -> None:
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()


def looks_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is damaged (not busy, locked or full)."""
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def database_problem(path: Path, exc: sqlite3.DatabaseError) -> str:
    """One sentence for a database error met while using the library at `path`."""
    if looks_corrupt(exc):
        return f"The library {path} is damaged ({exc})."
    return f"Cannot use the library {path}: {exc}."


def move_aside(path: Path, label: str = "corrupt", now: datetime | None = None) -> Path:
    """Rename the library and its -wal/-shm to `<name>.<label>-<UTC stamp>` (never overwriting)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    n = 1
    while any(target.with_name(target.name + s).exists() for s in ("", "-wal", "-shm")):
        n += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def applied_migrations(db: Database) -> list[str]:
    """Names of the migrations recorded in this database."""
    return [m.name for m in migrations.applied(db)]


def _refuse_newer(db: Database, path: Path) -> None:
    unknown = [name for name in applied_migrations(db) if name not in set(known_migration_names())]
    if unknown:
        raise NewerDatabaseError(
            f"The library {path} was written by a newer version of Inflow (it has schema step "
            f"'{unknown[-1]}', which this version does not know). Update Inflow to open it; "
            "the file was not changed."
        )


def _migrate(db: Database, path: Path) -> None:
    if not migrations.pending(db):
        return
    try:
        # BEGIN IMMEDIATE takes the write lock first, so two processes never migrate at once; each
        # migration then runs in its own savepoint (sqlite-utils nests atomic() blocks).
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            _refuse_newer(db, path)
            migrations.apply(db)
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        raise StorageError(f"Cannot prepare the library {path}: {exc}") from exc
