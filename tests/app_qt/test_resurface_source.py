"""The Today view's source over a real library and the real writer: answers and opt-outs are stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlite_utils import Database

from app.config import load_config, save_settings
from app.paths import Paths
from app.resurface import stamp
from app.resurface_source import ResurfaceSource
from app.writer import StorageWriter
from storage.db import open_database
from storage.models import Draft, Kind
from storage.moments import add_moment
from storage.resurface import card

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(paths: Paths) -> Database:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    return open_database(paths.data_dir / "inflow.db")


@pytest.fixture
def writer(qapp: QApplication, db: Database) -> Iterator[StorageWriter]:
    instance = StorageWriter(db)
    yield instance
    instance.stop()


def test_answers_and_never_go_through_the_writer(
    qtbot: QtBot, paths: Paths, db: Database, writer: StorageWriter
) -> None:
    ids = [add_moment(db, Draft(kind=Kind.TIP, title=f"t{i}"), now="2026-05-01T09:00:00.000Z").id for i in range(2)]
    done: list[int] = []
    source = ResurfaceSource(load_config(paths), db, writer, done=lambda: done.append(1), clock=lambda: NOW)
    assert [i.moment_id for i in source.today()] == ids
    source.answer(ids[0], 1)
    source.never(ids[1])
    qtbot.waitUntil(lambda: len(done) == 2)
    assert card(db, ids[0]).reps == 1 and card(db, ids[0]).last_review == stamp(NOW)
    assert source.today() == []


def test_resurface_off_empties_today(paths: Paths, db: Database, writer: StorageWriter) -> None:
    add_moment(db, Draft(kind=Kind.RESOURCE, title="r"), now="2026-05-01T09:00:00.000Z")
    save_settings(paths, {"resurface": False})
    assert ResurfaceSource(load_config(paths), db, writer, clock=lambda: NOW).today() == []
