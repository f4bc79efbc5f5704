from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import CorruptDatabaseError, NewerDatabaseError, open_database, open_or_recover
from storage.migrations import known_migration_names, migrations
from storage.models import Draft
from storage.moments import add_moment, count_moments
from tests.helpers import make_newer_library


def test_new_database_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(tmp_path / "inflow.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "inflow.db"
    add_moment(open_database(path), Draft(title="kept"))
    db = open_database(path)
    assert count_moments(db) == 1
    assert db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(known_migration_names())


def test_non_sqlite_file_is_moved_aside_never_deleted(tmp_path: Path) -> None:
    path = tmp_path / "inflow.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorruptDatabaseError) as caught:
        open_database(path)
    moved = caught.value.moved_to
    assert moved.read_bytes() == b"this is not a database" * 100
    assert moved.name.startswith("inflow.db.corrupt-")
    assert str(moved) in str(caught.value)
    db, warning = open_or_recover(path)
    assert warning is None  # the fresh file opened cleanly
    assert count_moments(db) == 0


def test_open_or_recover_reports_the_move(tmp_path: Path) -> None:
    path = tmp_path / "inflow.db"
    path.write_bytes(b"\x00" * 4096)
    db, warning = open_or_recover(path)
    assert warning is not None and "moved to" in warning
    assert count_moments(db) == 0
    assert len(list(tmp_path.glob("inflow.db.corrupt-*"))) == 1


def test_database_from_a_newer_inflow_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "inflow.db"
    make_newer_library(path)
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError, match="newer version of Inflow"):
        open_database(path)
    assert path.read_bytes() == before


def test_a_file_where_the_data_folder_should_be_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file, not a folder")
    from storage.db import StorageError

    with pytest.raises(StorageError, match="data folder"):
        open_database(blocker / "sub" / "inflow.db")


def test_a_v1_library_upgrades_keeping_its_moments(tmp_path: Path) -> None:
    import sqlite3

    from sqlite_utils import Database

    path = tmp_path / "inflow.db"
    conn = sqlite3.connect(path, isolation_level=None)

    old = Database(conn)
    migrations.apply(old, stop_before="0002_sharing_outbox_replies_feed")
    old.execute(
        "INSERT INTO moments (id, kind, title, created_at, updated_at) VALUES ('a', 'tip', 'from v1', 'x', 'x')"
    )
    conn.close()
    db = open_database(path)
    assert db.execute("SELECT title, author FROM moments").fetchall() == [("from v1", None)]
    assert "outbox" in db.table_names()
