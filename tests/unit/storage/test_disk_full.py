"""A full disk is named as such: SQLite calls it 'disk I/O error' when it cannot grow its -shm file."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from storage.db import disk_full_note


class Usage(NamedTuple):
    total: int
    used: int
    free: int


def test_a_full_disk_is_named_and_a_roomy_one_is_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []

    def usage(folder: Path) -> Usage:
        seen.append(folder)
        return Usage(10 << 20, 10 << 20, 512 << 10)

    monkeypatch.setattr("shutil.disk_usage", usage)
    note = disk_full_note(tmp_path / "backups" / "not-made-yet")
    assert note == f" (the disk holding {tmp_path} is full, 512 KiB free: free some space and try again)"
    assert seen == [tmp_path]  # the nearest folder that exists
    monkeypatch.setattr("shutil.disk_usage", lambda _f: Usage(10 << 20, 0, 2 << 20))
    assert disk_full_note(tmp_path) == ""


def test_a_disk_that_cannot_be_asked_adds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_folder: Path) -> Usage:
        raise PermissionError("no")

    monkeypatch.setattr("shutil.disk_usage", refuse)
    assert disk_full_note(tmp_path) == ""
