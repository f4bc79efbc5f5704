"""Small helpers shared by tests of different layers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.db import open_database


def make_newer_library(database: Path) -> None:
    """A library as a future Inflow would leave it: migrated, plus a schema step we do not know."""
    database.parent.mkdir(parents=True, exist_ok=True)
    open_database(database).conn.close()
    conn = sqlite3.connect(database)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('inflow', '9999_from_the_future', '')"
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
