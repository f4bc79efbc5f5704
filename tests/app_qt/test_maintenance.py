from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from app.config import load_config, save_settings
from app.maintenance import Maintenance
from app.paths import resolve_paths
from storage.db import open_database
from storage.models import Draft, Kind
from storage.moments import add_moment
from storage.snapshots import SnapshotContent, claim_snapshot, get_snapshot, save_snapshot


def test_daily_maintenance_backs_up_once_a_day_and_prunes_old_copies(qapp: Any, tmp_path: Path) -> None:
    paths = resolve_paths(str(tmp_path / "base"))
    save_settings(paths, {"snapshot_keep_days": 30, "backup_keep": 2})
    db = open_database(paths.database)
    rowid = add_moment(db, Draft(kind=Kind.RESOURCE, title="r", url="https://x.example/a"), snapshot=True).rowid
    claim_snapshot(db, time.time())
    save_snapshot(db, rowid, SnapshotContent(final_url="https://x.example/a", content_type="text/html", text="t"))
    db.execute("UPDATE snapshots SET fetched_at = '2020-01-01T00:00:00.000Z'")
    maintenance = Maintenance(paths, load_config(paths))
    result = maintenance.run_once()
    assert "backup inflow-" in result
    assert "1 old offline copies removed" in result
    assert get_snapshot(db, rowid) is None
    assert len(list(maintenance.backup_dir.glob("inflow-*.db"))) == 1
    assert maintenance.run_once() == "nothing to do"  # the next backup is due tomorrow


def test_moments_deleted_a_week_ago_are_purged_with_their_copies(qapp: Any, tmp_path: Path) -> None:
    from storage.moments import delete_moments

    paths = resolve_paths(str(tmp_path / "base"))
    db = open_database(paths.database)
    old = add_moment(db, Draft(kind=Kind.RESOURCE, title="old", url="https://x.example/a"), snapshot=True)
    recent = add_moment(db, Draft(title="recent"))
    delete_moments(db, [old.id, recent.id])
    db.execute("UPDATE moments SET deleted_at = '2020-01-01T00:00:00.000Z' WHERE id = ?", [old.id])
    result = Maintenance(paths, load_config(paths)).run_once()
    assert "1 deleted moments removed for good" in result
    assert db.execute("SELECT title FROM moments").fetchall() == [("recent",)]
    assert db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 0
