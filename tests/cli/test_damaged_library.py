"""Issue 18 item 5: a library with damaged pages in the middle gives one clear line (never a
traceback), doctor and --self-test see it, and `inflow repair` recovers it keeping the damaged file."""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
from pathlib import Path

import pytest

from storage.db import open_database
from storage.models import Draft, Kind
from storage.moments import add_moment
from tests.cli.conftest import Run

MOMENTS = 300
PAGE = 4096


def _build(database: Path) -> None:
    db = open_database(database)
    for i in range(MOMENTS):
        add_moment(db, Draft(kind=Kind.TIP, title=f"moment {i}", body=f"body text {i} " * 40, tags=("x",)))
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def _damage(database: Path) -> None:
    """Overwrite six whole pages a third of the way into the closed file."""
    pages = database.stat().st_size // PAGE
    noise = random.Random(18)
    with database.open("r+b") as handle:
        for page in range(pages // 3, pages // 3 + 6):
            handle.seek(page * PAGE)
            handle.write(noise.randbytes(PAGE))


@pytest.fixture
def damaged(basedir: Path) -> Path:
    database = basedir / "data" / "inflow.db"
    _build(database)
    _damage(database)
    return database


def _one_clear_line(stderr: str, database: Path) -> None:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert str(database) in lines[0] and "damaged" in lines[0] and "inflow repair" in lines[0]


@pytest.mark.parametrize(
    "command",
    [("search", "text", "--limit", "1000"), ("show", "0000"), ("export", "--format", "json", "{tmp}/all.json")],
)
def test_every_command_on_a_damaged_library_says_one_line(
    inflow: Run, damaged: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = inflow(*(part.replace("{tmp}", str(tmp_path)) for part in command))
    assert result.returncode == 1
    _one_clear_line(result.stderr, damaged)


def test_doctor_and_self_test_report_the_damage(inflow: Run, damaged: Path) -> None:
    doctor = inflow("doctor")
    assert doctor.returncode == 0
    assert "Database: DAMAGED" in doctor.stdout and "inflow repair" in doctor.stdout
    assert inflow("doctor", "--json").stdout.count('"database_problem": null') == 0
    selftest = inflow("--self-test", env={"QT_QPA_PLATFORM": "offscreen"})
    assert selftest.returncode == 1
    assert re.search(r"^failed +database: .*damaged.*inflow repair", selftest.stdout, re.M), selftest.stdout


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kept_aside(database: Path) -> Path:
    aside = [p for p in database.parent.iterdir() if re.fullmatch(r"inflow\.db\.damaged-\d{8}T\d{6}Z", p.name)]
    assert len(aside) == 1, list(database.parent.iterdir())
    return aside[0]


def _live_moments(database: Path) -> int:
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT count(*) FROM moments").fetchone()[0])
    finally:
        conn.close()


def test_repair_without_a_backup_salvages_what_can_be_read(inflow: Run, damaged: Path) -> None:
    before = _digest(damaged)
    result = inflow("repair", "--yes")
    assert result.returncode == 0, result.stderr
    assert "Salvaged" in result.stdout and "kept as" in result.stdout
    assert _digest(_kept_aside(damaged)) == before  # moved, never written to
    saved = _live_moments(damaged)
    assert MOMENTS // 2 < saved < MOMENTS  # most of it, not the damaged pages
    search = inflow("search", "moment", "--json")
    assert search.returncode == 0, search.stderr
    assert inflow("doctor").stdout.count("passes its check") == 1


def test_repair_restores_the_newest_intact_backup(inflow: Run, basedir: Path) -> None:
    database = basedir / "data" / "inflow.db"
    _build(database)
    assert inflow("backup").returncode == 0
    _damage(database)
    result = inflow("repair", "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Restored the backup inflow-") and f"({MOMENTS} moments)" in result.stdout
    _kept_aside(database)
    assert _live_moments(database) == MOMENTS
    assert inflow("show", "--json", "0000").returncode == 1  # a normal "no moment", not a damaged library
    assert "damaged" not in inflow("search", "moment").stderr


def test_repair_of_an_intact_library_changes_nothing(inflow: Run, basedir: Path) -> None:
    database = basedir / "data" / "inflow.db"
    _build(database)
    result = inflow("repair", "--yes")
    assert result.returncode == 0
    assert "nothing to repair" in result.stdout
    assert not [p.name for p in database.parent.iterdir() if "damaged" in p.name]
