"""storage.repair without the sqlite3 program: the row-by-row salvage and the quick_check verdict."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import open_database
from storage.models import Draft, Kind
from storage.moments import add_moment
from storage.repair import quick_check, repair_library


def _library(path: Path, count: int) -> None:
    db = open_database(path)
    for i in range(count):
        add_moment(db, Draft(kind=Kind.TIP, title=f"m{i}", body=f"text {i} " * 60, tags=("a", f"t{i % 3}")))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def _overwrite_pages(path: Path, first: int, count: int) -> None:
    with path.open("r+b") as handle:
        handle.seek(first * 4096)
        handle.write(b"\xa5" * 4096 * count)


def test_an_intact_library_with_tags_passes_quick_check(tmp_path: Path) -> None:
    _library(tmp_path / "inflow.db", 20)  # moment_tags is WITHOUT ROWID: SQLite 3.40 misreports it
    assert quick_check(tmp_path / "inflow.db") is None


def test_salvage_row_by_row_keeps_what_is_readable_and_a_consistent_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)  # as without the sqlite3 program
    path = tmp_path / "inflow.db"
    _library(path, 200)
    pages = path.stat().st_size // 4096
    _overwrite_pages(path, pages // 2, 3)
    assert quick_check(path) is not None
    result = repair_library(path, tmp_path / "backups")
    assert result.method == "copy" and result.backup is None
    assert 100 < result.moments < 200
    assert result.damaged.exists() and result.damaged.name.startswith("inflow.db.damaged-")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    indexed = conn.execute("SELECT count(*) FROM moments_fts WHERE moments_fts MATCH 'text'").fetchone()[0]
    assert indexed == result.moments  # the search index was rebuilt from the saved rows
    conn.close()
    assert quick_check(path) is None
