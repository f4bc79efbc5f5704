from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.backup import (
    BackupError,
    backup_database,
    backup_due,
    backup_time,
    check_backup,
    latest_backup,
    list_backups,
    restore_backup,
)
from storage.db import NewerDatabaseError, open_database
from storage.models import Draft, Kind
from storage.moments import add_moment, count_moments

T0 = datetime(2026, 3, 1, 9, 30, 0)


def test_backup_is_a_verified_copy_named_by_time(db: Database, tmp_path: Path) -> None:
    add_moment(db, Draft(kind=Kind.TIP, title="keep me"))  # the library stays open (WAL) meanwhile
    backups = tmp_path / "backups"
    made = backup_database(tmp_path / "inflow.db", backups, keep=7, now=T0)
    assert made.name == "inflow-20260301-093000.db"
    copy = sqlite3.connect(made)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert copy.execute("SELECT title FROM moments").fetchall() == [("keep me",)]
    copy.close()
    assert [p.name for p in backups.iterdir()] == [made.name]  # no partial files left behind
    # Two in the same second do not overwrite each other.
    second = backup_database(tmp_path / "inflow.db", backups, keep=7, now=T0)
    assert second.name == "inflow-20260301-093000-2.db"
    assert latest_backup(backups) == second


def test_keep_n_prunes_the_oldest(db: Database, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    made = [backup_database(tmp_path / "inflow.db", backups, keep=3, now=T0 + timedelta(days=i)) for i in range(5)]
    assert list_backups(backups) == made[2:]
    (backups / "notes.txt").write_text("not a backup")
    backup_database(tmp_path / "inflow.db", backups, keep=1, now=T0 + timedelta(days=9))
    assert [p.name for p in list_backups(backups)] == ["inflow-20260310-093000.db"]
    assert (backups / "notes.txt").exists()


def test_backup_due_daily(db: Database, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    assert backup_due(backups, now=T0.timestamp())
    made = backup_database(tmp_path / "inflow.db", backups, keep=7, now=T0)
    assert backup_time(made) == T0.timestamp()
    assert not backup_due(backups, now=(T0 + timedelta(hours=23)).timestamp())
    assert backup_due(backups, now=(T0 + timedelta(hours=24)).timestamp())
    assert not backup_due(backups, now=(T0 + timedelta(hours=2)).timestamp(), every=3 * 3600)


def test_backup_of_a_missing_library_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no library"):
        backup_database(tmp_path / "nothing.db", tmp_path / "backups", keep=7)


def test_restore_moves_the_current_library_aside_and_never_deletes(tmp_path: Path) -> None:
    path = tmp_path / "data" / "inflow.db"
    db = open_database(path)
    add_moment(db, Draft(kind=Kind.TIP, title="old"))
    made = backup_database(path, tmp_path / "backups", keep=7, now=T0)
    add_moment(db, Draft(kind=Kind.TIP, title="newer, not in the backup"))
    db.conn.close()
    (path.parent / "inflow.db-wal").write_bytes(b"wal bytes")  # as a crash would leave it
    moved = restore_backup(made, path, now=T0 + timedelta(hours=1))
    assert moved == path.with_name("inflow.db.before-restore-20260301-103000")
    assert moved.exists() and moved.with_name(moved.name + "-wal").read_bytes() == b"wal bytes"
    assert not (path.parent / "inflow.db-wal").exists()
    assert count_moments(open_database(path)) == 1
    previous = sqlite3.connect(moved)
    assert previous.execute("SELECT count(*) FROM moments").fetchone()[0] == 2
    previous.close()
    assert made.exists()  # the backup itself is untouched
    # Restoring again in the same second keeps both earlier libraries.
    again = restore_backup(made, path, now=T0 + timedelta(hours=1))
    assert again is not None and again != moved and again.exists() and moved.exists()


def test_restore_refuses_a_backup_from_a_newer_inflow(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    db = open_database(newer)
    db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('inflow', '9999_future', 'now')"
    )
    db.conn.close()
    current = tmp_path / "data" / "inflow.db"
    add_moment(open_database(current), Draft(kind=Kind.TIP, title="mine"))
    before = current.read_bytes()
    with pytest.raises(NewerDatabaseError, match="newer version of Inflow"):
        restore_backup(newer, current)
    assert current.read_bytes() == before
    assert sorted(p.name for p in current.parent.iterdir() if "before-restore" in p.name) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not sqlite at all" * 10, "not an SQLite database"),
        (b"", "not an SQLite database"),
        (None, "not an Inflow library"),
    ],
)
def test_restore_refuses_what_is_not_an_inflow_library(tmp_path: Path, content: bytes | None, message: str) -> None:
    candidate = tmp_path / "candidate.db"
    if content is None:
        other = sqlite3.connect(candidate)
        other.execute("CREATE TABLE t (x)")
        other.commit()
        other.close()
    else:
        candidate.write_bytes(content)
    current = tmp_path / "data" / "inflow.db"
    open_database(current).conn.close()
    with pytest.raises(BackupError, match=message):
        restore_backup(candidate, current)
    assert "inflow.db" in os.listdir(current.parent)
    assert not any("before-restore" in n for n in os.listdir(current.parent))


def test_check_backup_accepts_a_real_backup(db: Database, tmp_path: Path) -> None:
    made = backup_database(tmp_path / "inflow.db", tmp_path / "b", keep=7)
    assert "0001_moments_and_search" in check_backup(made)
