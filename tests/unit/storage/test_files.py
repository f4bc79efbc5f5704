"""Keeping a file from disk: its size is checked before it is read; file, text and moment land together."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.files import FileTooLargeError, add_file_from_path
from storage.models import Draft, Kind
from storage.snapshots import file_data, get_file


def test_a_file_from_disk_is_kept_with_its_text_and_named_after_itself(db: Database, tmp_path: Path) -> None:
    notes = tmp_path / "pairing.md"
    notes.write_bytes(b"# Pairing\nwords to find later")
    moment = add_file_from_path(db, Draft(kind=Kind.RESOURCE), notes, track_targets=("lrs",))
    assert moment.title == "pairing.md"
    kept = get_file(db, moment.rowid)
    assert kept is not None
    assert (kept.name, kept.media_type) == ("pairing.md", "text/markdown")
    assert file_data(db, moment.rowid) == b"# Pairing\nwords to find later"
    assert db.execute("SELECT text FROM files").fetchone()[0] == "# Pairing\nwords to find later"
    assert db.execute("SELECT target, detail FROM outbox").fetchall() == [("lrs", "captured")]


def test_a_file_over_the_budget_is_refused_before_it_is_read(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)

    def no_reading(_self: Path) -> bytes:
        raise AssertionError("read a file over the budget")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(FileTooLargeError, match=r"big\.bin is too large"):
        add_file_from_path(db, Draft(kind=Kind.RESOURCE), big, budget=1024)
    assert db.execute("SELECT count(*) FROM moments").fetchone()[0] == 0
