"""Issue 18 item 4: the library, its -wal/-shm, backups, exports and logs are the user's only."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.cli.conftest import Run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes (Windows uses ACLs)")


def _loose(root: Path) -> list[str]:
    """Every folder under root that is not 0700 and every file that is not 0600."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode != wanted:
            found.append(f"{path.relative_to(root)}: {mode:o}")
    return found


def test_everything_written_under_a_lax_umask_is_private(inflow: Run, basedir: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# kept\n", "utf-8")
    steps = [
        ("capture", "--title", "t", "--url", "https://example.com/a", "a note"),
        ("capture", "--file", str(note)),
        ("backup",),
        ("export", "--format", "json", str(basedir / "exports" / "all.json")),
        ("export", "--format", "markdown", str(basedir / "markdown")),
    ]
    for args in steps:
        result = inflow(*args, umask=0o022)
        assert result.returncode == 0, result.stderr
    assert list((basedir / "data" / "backups").iterdir())
    assert _loose(basedir) == []


def test_an_existing_open_library_is_tightened_on_start(inflow: Run, basedir: Path) -> None:
    data = basedir / "data"
    data.mkdir(parents=True)
    conn = sqlite3.connect(data / "inflow.db")
    conn.execute("CREATE TABLE x (y)")
    conn.close()
    (data / "backups").mkdir()
    (data / "backups" / "inflow-20240101-000000.db").write_bytes(b"")
    for path in (basedir, data, data / "backups"):
        path.chmod(0o755)
    for path in (data / "inflow.db", data / "backups" / "inflow-20240101-000000.db"):
        path.chmod(0o644)
    result = inflow("search", "anything", umask=0o022)
    assert result.returncode == 0, result.stderr
    assert _loose(data) == []
    # SQLite gives -wal and -shm the database file's mode, whoever opens it and whatever their umask.
    old = os.umask(0o022)
    try:
        reader = sqlite3.connect(data / "inflow.db")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.glob("inflow.db-*")} == {
            "inflow.db-wal": 0o600,
            "inflow.db-shm": 0o600,
        }
        reader.close()
    finally:
        os.umask(old)
