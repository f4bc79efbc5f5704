"""Which format an import file is in, and its items as a stream (parsed while they are iterated)."""

from __future__ import annotations

from pathlib import Path

from storage.interchange.bookmarks_html import looks_like_bookmarks, stream_bookmarks
from storage.interchange.items import ImportFormatError, ImportSource
from storage.interchange.json_format import looks_like_inflow_json, stream_inflow_json
from storage.interchange.markdown_format import (
    MARKDOWN_SUFFIXES,
    parse_markdown_file,
    parse_markdown_folder,
    read_markdown,
)
from storage.interchange.textfile import TextFile


def open_import(path: Path) -> ImportSource:
    """A bookmarks HTML file, an Inflow JSON export, or a Markdown export folder (or one file), as a
    stream: the items are parsed while they are iterated, in constant memory."""
    if path.is_dir():
        return parse_markdown_folder(path)
    reader = TextFile(path)
    head = reader.head.lstrip()
    if head.startswith("{"):
        if looks_like_inflow_json(head):
            source = ImportSource("inflow-json", progress=reader.progress)
            source.items = stream_inflow_json(reader, source)
            return source
    elif head.startswith("---") and path.suffix.lower() in MARKDOWN_SUFFIXES:
        try:
            item = parse_markdown_file(read_markdown(path), path.parent, path.stem)
        except (OSError, ValueError) as exc:  # too big, unreadable, or a value it cannot hold: one line
            raise ImportFormatError(f"{path.name}: {exc}") from None
        if item is not None:
            return ImportSource("markdown", [item])
    elif looks_like_bookmarks(reader.head):
        source = ImportSource("bookmarks", progress=reader.progress)
        source.items = stream_bookmarks(reader, source)
        return source
    raise ImportFormatError(f"{path.name} is not a bookmarks file or an Inflow export")


def load_import(path: Path) -> ImportSource:
    """open_import with every item read into a list (small files)."""
    source = open_import(path)
    source.items = list(source.items)
    return source
