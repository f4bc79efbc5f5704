"""Fixtures for the widget tests: a fake LibrarySource that records what the widgets ask for."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from storage.models import KeptFile, Kind, Moment, MomentQuery, SearchResult, Snapshot
from ui.capture import CaptureWindow

_KINDS = (Kind.TIP, Kind.RESOURCE, Kind.QUESTION)


_HERE = Path(__file__).parent

# The offscreen platform cannot raise windows, grab the keyboard or propagate size hints, and says so
# with a Qt warning; those say nothing about the widgets, so only they are ignored here.
_OFFSCREEN_LIMITS = r"This plugin does not support (raise|grabbing the keyboard|propagateSizeHints)\(?\)?"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        return
    for item in items:
        if _HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.qt_log_ignore(_OFFSCREEN_LIMITS))


def make_moment(rowid: int, **fields: object) -> Moment:
    """A plausible moment; fields override the defaults."""
    moment = Moment(
        id=f"m{rowid}",
        rowid=rowid,
        kind=_KINDS[rowid % 3],
        title=f"Moment number {rowid}",
        body=f"Body of moment {rowid}",
        url=None,
        tags=("python",) if rowid % 2 else ("qt", "python"),
        created_at="2024-05-01T12:00:00+00:00",
        updated_at="2024-05-01T12:00:00+00:00",
    )
    return replace(moment, **fields)  # type: ignore[arg-type]


class FakeSource:
    """In-memory LibrarySource: explicit moments, or `count` synthetic ones made on demand."""

    def __init__(self, moments: Sequence[Moment] = (), count: int = 0) -> None:
        self.by_rowid = {m.rowid: m for m in moments}
        self.count = count
        self.deleted: set[int] = set()
        self.queries: list[MomentQuery] = []
        self.moment_calls: list[list[int]] = []

    def _get(self, rowid: int) -> Moment | None:
        if rowid in self.deleted:
            return None
        if rowid in self.by_rowid:
            return self.by_rowid[rowid]
        return make_moment(rowid) if 1 <= rowid <= self.count else None

    def query(self, query: MomentQuery) -> SearchResult:
        self.queries.append(query)
        if self.count:
            ids = [r for r in range(self.count, 0, -1) if r not in self.deleted]
            return SearchResult(rowids=ids, terms=tuple(query.text.split()))
        terms = tuple(query.text.lower().split())
        rowids = []
        for m in sorted(self.by_rowid.values(), key=lambda m: -m.rowid):
            if m.rowid in self.deleted:
                continue
            text = f"{m.title} {m.body} {' '.join(m.tags)}".lower()
            if terms and not all(t in text for t in terms):
                continue
            if query.kind and m.kind != query.kind:
                continue
            if query.tag and query.tag not in m.tags:
                continue
            rowids.append(m.rowid)
        return SearchResult(rowids=rowids, terms=terms)

    def moments(self, rowids: Sequence[int]) -> list[Moment]:
        self.moment_calls.append(list(rowids))
        return [m for m in (self._get(r) for r in rowids) if m is not None]

    def tags(self) -> list[str]:
        return ["python", "qt", "sqlite"]


@pytest.fixture
def show_active(qtbot: QtBot) -> Callable[[QWidget], None]:
    """Show a window and wait until it is the active one (window shortcuts need that)."""

    def show(widget: QWidget) -> None:
        qtbot.addWidget(widget)
        widget.show()
        qtbot.waitExposed(widget)
        widget.activateWindow()
        qtbot.waitUntil(widget.isActiveWindow, timeout=2000)

    return show


@pytest.fixture
def window(show_active: Callable[[QWidget], None]) -> CaptureWindow:
    """A capture window, shown and active, with the title field focused (the capture tests' window)."""
    w = CaptureWindow()
    show_active(w)
    w.title_edit.setFocus()
    return w


@pytest.fixture
def fake_source() -> type[FakeSource]:
    """The FakeSource class, to build sources of any size in a test."""
    return FakeSource


@pytest.fixture
def sample_source() -> FakeSource:
    """A handful of moments to search, filter, edit and delete."""
    return FakeSource(
        [
            make_moment(1, title="Python descriptors explained", kind=Kind.RESOURCE, url="https://docs.python.org"),
            make_moment(2, title="Qt models are lazy", body="Use **fetchMore** and pages.", tags=("qt",)),
            make_moment(3, title="Why is SQLite WAL faster?", kind=Kind.QUESTION, tags=("sqlite",)),
        ]
    )


class FakeSnapshots:
    """In-memory SnapshotSource that records every call (to prove what is read, and when)."""

    def __init__(self) -> None:
        self.snapshots: dict[int, Snapshot] = {}
        self.assets: dict[tuple[int, str], tuple[str, bytes]] = {}
        self.files: dict[int, KeptFile] = {}
        self.snippet_text: Callable[[int], str] = lambda rowid: f"…the \x02word\x03 in row {rowid}…"
        self.asset_calls: list[tuple[int, str]] = []
        self.snippet_calls: list[tuple[str, list[int]]] = []

    def snapshot(self, rowid: int) -> Snapshot | None:
        return self.snapshots.get(rowid)

    def snapshot_asset(self, rowid: int, name: str) -> tuple[str, bytes] | None:
        self.asset_calls.append((rowid, name))
        return self.assets.get((rowid, name))

    def kept_file(self, rowid: int) -> KeptFile | None:
        return self.files.get(rowid)

    def snippets(self, text: str, rowids: Sequence[int]) -> dict[int, str]:
        self.snippet_calls.append((text, list(rowids)))
        return {rowid: self.snippet_text(rowid) for rowid in rowids}


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    """A small valid PNG."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


@pytest.fixture
def fake_snapshots() -> FakeSnapshots:
    return FakeSnapshots()
