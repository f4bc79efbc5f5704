"""The one writer: writes run on its thread in order; results and failure texts reach the GUI thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlite_utils import Database

from app.writer import StorageWriter, WriteOp
from storage.db import open_database
from storage.models import Draft, DraftError, Moment
from storage.moments import add_moment, update_moment


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "inflow.db")


@pytest.fixture
def writer(qapp: QApplication, db: Database) -> Iterator[StorageWriter]:
    instance = StorageWriter(db)
    yield instance
    instance.stop()


def test_writes_run_in_the_order_they_were_submitted(qtbot: QtBot, writer: StorageWriter, db: Database) -> None:
    ran: list[int] = []
    delivered: list[str] = []

    def adding(i: int) -> WriteOp[Moment]:
        def run(conn: Database) -> Moment:
            ran.append(i)
            return add_moment(conn, Draft(title=f"moment {i}"))

        return WriteOp(run, success=lambda moment: delivered.append(moment.title))

    for i in range(30):
        writer.submit(adding(i))
    qtbot.waitUntil(lambda: len(delivered) == 30, timeout=5000)
    assert ran == list(range(30))
    assert delivered == [f"moment {i}" for i in range(30)]
    titles = [row[0] for row in db.execute("SELECT title FROM moments ORDER BY rowid")]
    assert titles == delivered


def test_a_result_reaches_its_callback_on_the_gui_thread(
    qtbot: QtBot, qapp: QApplication, writer: StorageWriter
) -> None:
    threads: dict[str, str | bool] = {}

    def run(_db: Database) -> int:
        threads["run"] = QThread.currentThread().objectName()
        return 42

    def success(value: int) -> None:
        threads["value"] = str(value)
        threads["success on the GUI thread"] = QThread.currentThread() is qapp.thread()

    with qtbot.waitSignal(writer.finished, timeout=5000):
        writer.submit(WriteOp(run, success=success))
    assert threads == {"run": "inflow-writer", "value": "42", "success on the GUI thread": True}


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (sqlite3.OperationalError("database or disk is full"), "Could not save: the disk is full."),
        (sqlite3.OperationalError("attempt to write a readonly database"), "Could not save: the library is read-only."),
        (DraftError("A question needs a title."), "A question needs a title."),
        (KeyError("m1"), "That moment no longer exists."),
    ],
)
def test_a_failure_reaches_its_callback_as_text_for_the_person(
    qtbot: QtBot, writer: StorageWriter, error: Exception, text: str
) -> None:
    outcomes: list[str] = []

    def failing(_db: Database) -> None:
        raise error

    with qtbot.waitSignal(writer.finished, timeout=5000):
        writer.submit(WriteOp(failing, success=lambda _v: outcomes.append("saved"), failure=outcomes.append))
    assert len(outcomes) == 1
    assert outcomes[0].startswith(text)
    with qtbot.waitSignal(writer.finished, timeout=5000):  # the writer carries on after a failure
        writer.submit(WriteOp(lambda _db: "next", success=outcomes.append))
    assert outcomes[1] == "next"


def test_a_library_change_reports_changed_or_why_it_failed(qtbot: QtBot, writer: StorageWriter, db: Database) -> None:
    moment = add_moment(db, Draft(title="old title"))
    with qtbot.waitSignal(writer.changed, timeout=5000):
        writer.change(lambda conn: update_moment(conn, moment.id, Draft(title="new title")))
    assert db.execute("SELECT title FROM moments").fetchone()[0] == "new title"
    with qtbot.waitSignal(writer.change_failed, timeout=5000) as failed:
        writer.change(lambda conn: update_moment(conn, "gone", Draft(title="x")))
    assert failed.args == ["That moment no longer exists."]
