"""Daily housekeeping in the running app: a backup of the library and pruning old offline copies.

One single-shot timer for the next due time (at most once a day); the work runs off the GUI thread.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from app.background import Background
from app.config import Config
from app.paths import Paths

log = logging.getLogger(__name__)
DAY_S = 86400.0
FIRST_DELAY_S = 60.0  # let start-up finish first


class Maintenance(QObject):
    def __init__(self, paths: Paths, config: Config, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._config = config
        self._background = Background(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def backup_dir(self) -> Path:
        return self._paths.data_dir / "backups"

    def start(self) -> None:
        self._timer.start(int(FIRST_DELAY_S * 1000))

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        self._background.run(self.run_once, self._on_done)

    def run_once(self) -> str:
        """Back up when a day has passed since the last backup; prune copies past the keep setting."""
        from storage.backup import backup_database, backup_due
        from storage.db import open_database
        from storage.snapshots import prune_snapshots

        done = []
        if backup_due(self.backup_dir, time.time()):
            path = backup_database(self._paths.database, self.backup_dir, keep=self._config.get_int("backup_keep"))
            done.append(f"backup {path.name}")
        from storage.moments import purge_deleted

        week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        purged = purge_deleted(open_database(self._paths.database), week_ago)
        if purged:
            done.append(f"{purged} deleted moments removed for good")
        keep_days = self._config.get_int("snapshot_keep_days")
        if keep_days > 0:
            cutoff = (datetime.now(UTC) - timedelta(days=keep_days)).isoformat(timespec="milliseconds")
            pruned = prune_snapshots(open_database(self._paths.database), cutoff.replace("+00:00", "Z"))
            if pruned:
                done.append(f"{pruned} old offline copies removed")
        return ", ".join(done) or "nothing to do"

    def _on_done(self, result: str | None, error: BaseException | None) -> None:
        if error is not None:
            log.error("daily maintenance failed: %s", error)
        else:
            log.info("daily maintenance: %s", result)
        self._timer.start(int(DAY_S * 1000))
