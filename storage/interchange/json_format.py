"""Inflow's JSON export: one document, `{"format": "inflow-export", "version": 2, "moments": [...]}`,
each moment with its snapshot (HTML and images) and kept file, bytes as base64. Written and read one
moment at a time."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from storage.interchange.items import (
    ImportedAsset,
    ImportedFile,
    ImportedSnapshot,
    ImportFormatError,
    ImportItem,
    ImportSource,
)
from storage.interchange.textfile import TextFile
from storage.models import Kind, Moment, normalize_tags
from storage.snapshots import file_data, get_file, get_snapshot, list_assets

EXPORT_FORMAT_VERSION = 2
"""2: each moment also carries its snapshot (with images) and kept file, base64 where binary."""

_INFLOW_FORMAT = re.compile(r'"format"\s*:\s*"inflow-export"')
_KINDS = frozenset(kind.value for kind in Kind)
_MOMENTS_KEY = re.compile(r'"moments"\s*:\s*\[')
_ITEM_ERRORS = (ValueError, TypeError, KeyError, binascii.Error)
MAX_ENTRY_CHARS = 128 * 1024 * 1024
"""The largest one moment of an export may be (its kept file of 25 MiB as base64, its text, its snapshot's
HTML and images, with room to spare): a bigger one is refused instead of held in memory."""


# ---------------------------------------------------------------------------- to JSON


def moment_to_dict(moment: Moment) -> dict[str, Any]:
    """A moment as plain JSON-ready data (also what `--json` prints)."""
    data = asdict(moment)
    data["kind"] = moment.kind.value
    data["tags"] = list(moment.tags)
    del data["rowid"]
    return data


def snapshot_to_dict(db: Database, rowid: int, *, full: bool) -> dict[str, Any] | None:
    """A moment's snapshot: metadata and text (`inflow show --json`); with `full`, also the HTML and
    every kept image (base64), for the JSON export."""
    snap = get_snapshot(db, rowid)
    if snap is None:
        return None
    data: dict[str, Any] = {
        "state": snap.state.value,
        "url": snap.url,
        "final_url": snap.final_url,
        "title": snap.title,
        "byline": snap.byline,
        "site": snap.site,
        "size": snap.size,
        "error": snap.error,
        "fetched_at": snap.fetched_at,
        "text": snap.text,
    }
    if full:
        data["content_type"] = snap.content_type
        data["published"] = snap.published
        data["html"] = snap.html
        data["assets"] = [
            {"name": name, "media_type": media_type, "data": base64.b64encode(blob).decode("ascii")}
            for name, media_type, blob in list_assets(db, rowid)
        ]
    return data


def file_to_dict(db: Database, rowid: int, *, full: bool) -> dict[str, Any] | None:
    """A moment's kept file: name, type, size; with `full`, also its text and bytes (base64)."""
    kept = get_file(db, rowid)
    if kept is None:
        return None
    data: dict[str, Any] = {"name": kept.name, "media_type": kept.media_type, "size": kept.size}
    if full:
        data["text"] = kept.text
        data["data"] = base64.b64encode(file_data(db, rowid) or b"").decode("ascii")
    return data


def json_document(entries: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The export document, piece by piece (one moment's entry at a time)."""
    yield f'{{\n  "format": "inflow-export",\n  "version": {EXPORT_FORMAT_VERSION},\n  "moments": ['
    for count, entry in enumerate(entries):
        yield ("\n    " if count == 0 else ",\n    ") + json.dumps(entry, ensure_ascii=False)
    yield "\n  ]\n}\n"


# ---------------------------------------------------------------------------- from JSON


def looks_like_inflow_json(head: str) -> bool:
    """Whether the start of a file is an Inflow export."""
    return head.lstrip().startswith("{") and _INFLOW_FORMAT.search(head.lstrip()[:4096]) is not None


def parse_inflow_json(document: dict[str, Any]) -> ImportSource:
    """An `inflow export --format json` document (any version: unknown keys are ignored)."""
    items: list[ImportItem] = []
    source = ImportSource("inflow-json", items)
    moments = document.get("moments")
    if not isinstance(moments, list):
        raise ImportFormatError("this Inflow export has no list of moments")
    for index, data in enumerate(moments, start=1):
        item = _checked_item(data, index, source)
        if item is not None:
            items.append(item)
    return source


def stream_inflow_json(reader: TextFile, source: ImportSource) -> Iterator[ImportItem]:
    """The moments of an export one at a time (json.JSONDecoder.raw_decode over a sliding buffer)."""
    decoder = json.JSONDecoder()
    chunks = reader.chunks()
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        match = _MOMENTS_KEY.search(buffer)
        if match:
            buffer = buffer[match.end() :]
            break
        buffer = buffer[-64:]  # the key may straddle two chunks
    else:
        raise ImportFormatError(f"{reader.name} is not a bookmarks file or an Inflow export (no list of moments)")
    index = 0
    while True:
        buffer = buffer.lstrip(" \t\r\n,")
        if buffer.startswith("]"):
            return
        try:
            data, end = decoder.raw_decode(buffer) if buffer else (None, -1)
        except json.JSONDecodeError:
            end = -1
        except RecursionError:  # arrays or objects thousands deep: no export writes that
            raise ImportFormatError(f"this Inflow export is nested too deeply (at moment #{index + 1})") from None
        if end > MAX_ENTRY_CHARS or (end < 0 and len(buffer) > MAX_ENTRY_CHARS):
            raise ImportFormatError(
                f"moment #{index + 1} of this Inflow export is over {MAX_ENTRY_CHARS // 1048576} MiB, more than an "
                "export holds for one moment; nothing was imported"
            )
        if end < 0:  # cut off by the chunk: read at least as much again, then retry
            grown = _read_more(chunks, len(buffer))
            if not grown:
                raise ImportFormatError(f"this Inflow export is cut off or not valid JSON (at moment #{index + 1})")
            buffer += grown
            continue
        buffer = buffer[end:]
        index += 1
        item = _checked_item(data, index, source)
        if item is not None:
            yield item


def item_from_dict(data: dict[str, Any]) -> ImportItem:
    """One exported moment (JSON entry, or Markdown front matter) as an item to import."""
    tags = data.get("tags") or ()
    snapshot = data.get("snapshot")
    kept = data.get("file")
    kind = str(data.get("kind") or "tip")
    if kind not in _KINDS:
        raise ValueError(f"unknown kind {kind[:40]!r} (tip, resource or question)")
    return ImportItem(
        kind=Kind(kind),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        url=_opt_str(data.get("url")) or None,
        tags=normalize_tags([str(t) for t in tags] if isinstance(tags, list) else str(tags)),
        created_at=_opt_str(data.get("created_at") or data.get("created")),
        updated_at=_opt_str(data.get("updated_at") or data.get("updated")),
        id=_opt_str(data.get("id")),
        visibility="team" if data.get("visibility") == "team" else "private",
        origin=str(data.get("origin") or "local"),
        source_app=_opt_str(data.get("source_app")),
        source_window=_opt_str(data.get("source_window")),
        author=_opt_str(data.get("author")),
        answered_at=_opt_str(data.get("answered_at")),
        snapshot=_snapshot_from_dict(snapshot) if isinstance(snapshot, dict) else None,
        file=_file_from_dict(kept) if isinstance(kept, dict) and kept.get("data") is not None else None,
    )


def _checked_item(data: Any, index: int, source: ImportSource) -> ImportItem | None:
    """The item, or None with the reason counted as skipped."""
    try:
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return item_from_dict(data)
    except _ITEM_ERRORS as exc:
        source.skipped += 1
        source.problems.append(f"moment #{index}: {exc}")
        return None


def _read_more(chunks: Iterator[str], at_least: int) -> str:
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size >= max(at_least, 1):
            break
    return "".join(parts)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _snapshot_from_dict(data: dict[str, Any]) -> ImportedSnapshot | None:
    if data.get("html") is None and data.get("text") is None:
        return None  # never saved (pending, failed): fetched again instead
    assets = tuple(
        ImportedAsset(str(a["name"]), str(a.get("media_type") or "application/octet-stream"), _b64(a["data"]))
        for a in data.get("assets") or ()
        if isinstance(a, dict)
    )
    return ImportedSnapshot(
        url=str(data.get("url") or ""),
        final_url=_opt_str(data.get("final_url")),
        content_type=_opt_str(data.get("content_type")),
        title=_opt_str(data.get("title")),
        byline=_opt_str(data.get("byline")),
        site=_opt_str(data.get("site")),
        published=_opt_str(data.get("published")),
        text=_opt_str(data.get("text")),
        html=_opt_str(data.get("html")),
        fetched_at=_opt_str(data.get("fetched_at")),
        assets=assets,
    )


def _file_from_dict(data: dict[str, Any]) -> ImportedFile:
    return ImportedFile(
        name=str(data.get("name") or "file"),
        media_type=str(data.get("media_type") or "application/octet-stream"),
        data=_b64(data["data"]),
        text=_opt_str(data.get("text")),
    )


def _b64(value: Any) -> bytes:
    return base64.b64decode(str(value), validate=True)
