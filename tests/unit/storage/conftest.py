from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.db import open_database


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A real file database (WAL, migrations), fresh per test."""
    return open_database(tmp_path / "inflow.db")
