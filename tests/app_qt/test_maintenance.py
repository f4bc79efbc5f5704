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
