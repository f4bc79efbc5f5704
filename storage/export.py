"""Export everything, so nothing is locked in: one JSON file, or a folder of Markdown files (the
formats themselves are in storage.interchange). Files are written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from storage.interchange.json_format import file_to_dict, json_document, moment_to_dict, snapshot_to_dict
from storage.interchange.markdown_format import MarkdownNames, kept_file_name, moment_to_markdown, snapshot_html_page
from storage.moments import all_moments
from storage.snapshots import file_data, get_file, get_snapshot, list_assets

__all__ = ["atomic_file", "export_json", "export_markdown", "write_atomically"]


def export_json(db: Database, destination: Path) -> int:
    """Write every moment with its snapshot and kept file to one JSON file (atomically, streamed one
    moment at a time); returns how many were written. `inflow import` reads it back."""
    count = 0

    def entries() -> Iterator[dict[str, Any]]:
        nonlocal count
        for moment in all_moments(db):
            data = moment_to_dict(moment)
            data["snapshot"] = snapshot_to_dict(db, moment.rowid, full=True)
            data["file"] = file_to_dict(db, moment.rowid, full=True)
            count += 1
            yield data

    with atomic_file(destination) as handle:
        for piece in json_document(entries()):
            handle.write(piece)
    return count


def export_markdown(db: Database, folder: Path) -> int:
    """Write one Markdown file per moment (front matter + body) into folder; returns the count.

    A moment with a saved snapshot also gets `<same name>.html` (a standalone page, images inlined),
    and a kept file is written next to it as `<same name>--<file name>`."""
    folder.mkdir(parents=True, exist_ok=True)
    names = MarkdownNames()
    count = 0
    for moment in all_moments(db):
        stem = names.stem_for(moment)
        extra: dict[str, Any] = {}
        snap = get_snapshot(db, moment.rowid)
        if snap is not None and snap.html is not None:
            assets = {name: (media, blob) for name, media, blob in list_assets(db, moment.rowid)}
            write_atomically(folder / f"{stem}.html", snapshot_html_page(moment, snap, assets))
            extra["snapshot"] = f"{stem}.html"
        kept = get_file(db, moment.rowid)
        if kept is not None:
            kept_name = kept_file_name(stem, kept.name)
            write_atomically(folder / kept_name, file_data(db, moment.rowid) or b"")
            extra["file"] = kept_name
            extra["file_media_type"] = kept.media_type
        write_atomically(folder / f"{stem}.md", moment_to_markdown(moment, extra))
        count += 1
    return count


@contextmanager
def atomic_file(path: Path) -> Iterator[TextIO]:
    """A text file written through a temporary file in the same folder and renamed into place on
    success: a crash or a full disk leaves the old file whole, and no temporary file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: str | bytes) -> None:
    """Replace a file's content atomically (see atomic_file)."""
    with atomic_file(path) as handle:
        if isinstance(data, bytes):
            handle.flush()
            handle.buffer.write(data)
        else:
            handle.write(data)
