"""A damaged library: finding out (`PRAGMA quick_check`) and repairing it.

A repair never overwrites or deletes the damaged file: it (and its -wal/-shm) is moved aside as
`<name>.damaged-YYYYMMDDTHHMMSSZ` first. Then the newest backup that passes `PRAGMA integrity_check`
is restored; without one, what can still be read is salvaged into a fresh library with the current
schema: through sqlite3's `.recover` when the `sqlite3` program has it (it reads damaged pages too;
builds without the dbpage module, as Debian's, cannot), else row by row, table by table. Either way
the rows are copied into the current schema, so the search index is rebuilt from them.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from storage.backup import list_backups, restore_backup
from storage.db import StorageError, move_aside, open_database

RECOVER_TIMEOUT_S = 600.0
_MAX_SKIPS = 48
"""A damaged stretch of a table is stepped over by doubling jumps in rowid, at most this many."""


class RepairError(StorageError):
    """A repair that could not be done; the message is written for the person."""


@dataclass(frozen=True, slots=True)
class RepairResult:
    damaged: Path
    method: str  # "backup", "recover" (sqlite3 .recover, then copied) or "copy" (row by row)
    backup: Path | None = None
    rows: int = 0
    moments: int = 0

    def describe(self) -> str:
        kept = f"The damaged file was kept as {self.damaged}."
        if self.backup is not None:
            return f"Restored the backup {self.backup.name} ({self.moments:,} moments). {kept}"
        how = "sqlite3 .recover" if self.method == "recover" else "reading it row by row"
        return f"Salvaged {self.rows:,} rows ({self.moments:,} moments) by {how}; there was no intact backup. {kept}"


def quick_check(path: Path) -> str | None:
    """None when the library passes `PRAGMA quick_check` (or does not exist), else the problem."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
        if rows != ["ok"] and all(row.startswith("NULL value in ") for row in rows):
            # SQLite 3.40's quick_check reports NOT NULL key columns of WITHOUT ROWID tables as NULL
            # (moment_tags); integrity_check reads them right, so it has the last word.
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(5)").fetchall()]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
    if rows == ["ok"]:
        return None
    lines = [line.strip() for row in rows for line in row.splitlines() if line.strip() and "***" not in line]
    text = "; ".join(lines[:3]) or "failed"
    return text if len(text) <= 200 else text[:199] + "…"


def repair_library(db_path: Path, backup_dir: Path, *, now: datetime | None = None) -> RepairResult:
    """Move the damaged library aside, then restore the newest intact backup or salvage the rows.
    Nobody may have the library open (the caller checks that Inflow is not running)."""
    if not db_path.exists():
        raise RepairError(f"There is no library at {db_path} to repair.")
    damaged = move_aside(db_path, "damaged", now)
    for backup in reversed(list_backups(backup_dir)):
        try:
            restore_backup(backup, db_path)
        except StorageError:
            continue  # damaged too, or from a newer Inflow: try the one before
        return RepairResult(damaged, "backup", backup=backup, moments=_count_moments(db_path) or 0)
    return _salvage(damaged, db_path)


def _salvage(damaged: Path, db_path: Path) -> RepairResult:
    partial = db_path.with_name(f".{db_path.name}.salvage")
    scratch = db_path.with_name(f".{db_path.name}.recovered")
    for leftover in (partial, scratch):
        _remove_with_sides(leftover)
    try:
        source, method = damaged, "copy"
        if _run_recover(damaged, scratch):
            source, method = scratch, "recover"
        fresh = open_database(partial)  # the current schema, empty
        try:
            rows = _copy_rows(source, fresh.conn)
        finally:
            fresh.conn.close()
        partial.rename(db_path)
        for suffix in ("-wal", "-shm"):
            side = partial.with_name(partial.name + suffix)
            if side.exists():
                side.rename(db_path.with_name(db_path.name + suffix))
    except (OSError, sqlite3.Error) as exc:
        raise RepairError(f"Could not salvage {damaged}: {exc}; it was left as it is.") from exc
    finally:
        for leftover in (partial, scratch):
            _remove_with_sides(leftover)
    return RepairResult(damaged, method, rows=rows, moments=_count_moments(db_path) or 0)


def _run_recover(damaged: Path, scratch: Path) -> bool:
    """`sqlite3 COPY .recover | sqlite3 scratch` on a copy of the damaged file (so nothing, not even a
    checkpoint, writes to it); False when the program is missing or fails."""
    program = shutil.which("sqlite3")
    if program is None:
        return False
    copy = scratch.with_name(scratch.name + "-source")
    try:
        for suffix in ("", "-wal"):
            if damaged.with_name(damaged.name + suffix).exists():
                shutil.copyfile(damaged.with_name(damaged.name + suffix), copy.with_name(copy.name + suffix))
        dump = subprocess.run(
            [program, str(copy), ".recover"], capture_output=True, timeout=RECOVER_TIMEOUT_S, check=False
        )
        if dump.returncode != 0 or not dump.stdout:
            return False
        load = subprocess.run(
            [program, str(scratch)], input=dump.stdout, capture_output=True, timeout=RECOVER_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    finally:
        _remove_with_sides(copy)
    return load.returncode == 0 and _count_moments(scratch) is not None


def _copy_rows(source: Path, target: sqlite3.Connection) -> int:
    """Copy what can be read from every table the current schema has (moments first, so the search
    index triggers see them); rows pointing at a moment that was lost are dropped. Returns the count."""
    old = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=ro", uri=True)
    try:
        old_tables = _tables(old)
        copied = 0
        target.execute("PRAGMA foreign_keys = OFF")
        target.execute("BEGIN")
        for table, sql in _tables(target).items():
            if table in old_tables and not table.startswith("_sqlite"):
                copied += _copy_table(old, target, table, without_rowid="WITHOUT ROWID" in sql.upper())
        copied -= _drop_orphans(target)
        target.execute("COMMIT")
        target.execute("PRAGMA foreign_keys = ON")
        return copied
    finally:
        old.close()


def _tables(conn: sqlite3.Connection) -> dict[str, str]:
    """Ordinary tables in creation order (not FTS shadow tables or SQLite's own)."""
    try:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY rowid"
        ).fetchall()
    except sqlite3.DatabaseError:
        return {}
    return {str(name): str(sql or "") for name, sql in rows}


def _copy_table(old: sqlite3.Connection, new: sqlite3.Connection, table: str, *, without_rowid: bool) -> int:
    new_info = new.execute(f'PRAGMA table_info("{table}")').fetchall()
    try:
        old_columns = {row[1] for row in old.execute(f'PRAGMA table_info("{table}")')}
    except sqlite3.DatabaseError:
        return 0
    columns = [f'"{row[1]}"' for row in new_info if row[1] in old_columns]
    keys = [row for row in new_info if row[5]]
    aliased = len(keys) == 1 and str(keys[0][2]).upper() == "INTEGER"  # the rowid has a column name
    names = columns if without_rowid or aliased else ["_rowid_", *columns]
    insert = f'INSERT OR IGNORE INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
    if without_rowid:
        return _copy_scan(old, new, f'SELECT {", ".join(names)} FROM "{table}"', insert)
    return _copy_by_rowid(old, new, f'SELECT _rowid_, {", ".join(names)} FROM "{table}"', insert)


def _copy_scan(old: sqlite3.Connection, new: sqlite3.Connection, select: str, insert: str) -> int:
    copied = 0
    try:
        for row in old.execute(select):
            copied += _insert(new, insert, row)
    except sqlite3.DatabaseError:
        pass  # the rest of this table is unreadable
    return copied


def _copy_by_rowid(old: sqlite3.Connection, new: sqlite3.Connection, select: str, insert: str) -> int:
    """Read in rowid order; at a damaged stretch, jump ahead (1, 2, 4, ... rowids) and go on."""
    copied, last, skip = 0, -(2**63), 0
    for _ in range(_MAX_SKIPS):
        try:
            for rowid, *values in old.execute(f"{select} WHERE _rowid_ > ? ORDER BY _rowid_", [last + skip]):
                copied += _insert(new, insert, values)
                last, skip = int(rowid), 0
            return copied
        except sqlite3.DatabaseError:
            skip = max(skip * 2, 1)
            if last + skip >= 2**63:
                break
    return copied


def _drop_orphans(conn: sqlite3.Connection) -> int:
    """Delete rows whose moment (or other parent) was lost; returns how many."""
    dropped = 0
    for table in dict.fromkeys(str(row[0]) for row in conn.execute("PRAGMA foreign_key_check")):
        for _id, _seq, parent, column, key, *_ in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
            dropped += conn.execute(
                f'DELETE FROM "{table}" WHERE "{column}" IS NOT NULL AND "{column}" NOT IN '
                f'(SELECT "{key or "rowid"}" FROM "{parent}")'
            ).rowcount
    return dropped


def _insert(new: sqlite3.Connection, insert: str, row: Sequence[object]) -> int:
    try:
        return new.execute(insert, row).rowcount
    except sqlite3.Error:
        return 0  # a row the current schema refuses (a damaged value): left out


def _count_moments(db_path: Path) -> int | None:
    """Live moments in a library, None when it has no readable moments table."""
    if not db_path.exists():
        return None
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("SELECT count(*) FROM moments WHERE deleted_at IS NULL").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _remove_with_sides(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
