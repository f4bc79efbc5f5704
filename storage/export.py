"""Export everything, so nothing is locked in: one JSON file, or a folder of Markdown files."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

from storage.models import Moment, Snapshot
from storage.moments import all_moments

EXPORT_FORMAT_VERSION = 2
"""2: each moment also carries its snapshot (with images) and kept file, base64 where binary."""


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
    from storage.snapshots import get_snapshot

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
            for name, media_type, blob in _assets(db, rowid)
        ]
    return data


def file_to_dict(db: Database, rowid: int, *, full: bool) -> dict[str, Any] | None:
    """A moment's kept file: name, type, size; with `full`, also its text and bytes (base64)."""
    from storage.snapshots import file_data, get_file

    kept = get_file(db, rowid)
    if kept is None:
        return None
    data: dict[str, Any] = {"name": kept.name, "media_type": kept.media_type, "size": kept.size}
    if full:
        data["text"] = kept.text
        data["data"] = base64.b64encode(file_data(db, rowid) or b"").decode("ascii")
    return data


def _assets(db: Database, rowid: int) -> list[tuple[str, str, bytes]]:
    return [
        (str(r[0]), str(r[1]), bytes(r[2]))
        for r in db.execute(
            "SELECT name, media_type, data FROM snapshot_assets WHERE moment_rowid = ? ORDER BY id", [rowid]
        )
    ]


def export_json(db: Database, destination: Path) -> int:
    """Write every moment with its snapshot and kept file to one JSON file (atomically, streamed one
    moment at a time); returns how many were written. `inflow import` reads it back."""
    count = 0
    with atomic_file(destination) as handle:
        handle.write(f'{{\n  "format": "inflow-export",\n  "version": {EXPORT_FORMAT_VERSION},\n  "moments": [')
        for moment in all_moments(db):
            data = moment_to_dict(moment)
            data["snapshot"] = snapshot_to_dict(db, moment.rowid, full=True)
            data["file"] = file_to_dict(db, moment.rowid, full=True)
            handle.write(("\n    " if count == 0 else ",\n    ") + json.dumps(data, ensure_ascii=False))
            count += 1
        handle.write("\n  ]\n}\n")
    return count


def export_markdown(db: Database, folder: Path) -> int:
    """Write one Markdown file per moment (front matter + body) into folder; returns the count.

    A moment with a saved snapshot also gets `<same name>.html` (a standalone page, images inlined),
    and a kept file is written next to it as `<same name>--<file name>`."""
    from storage.snapshots import file_data, get_file, get_snapshot

    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for moment in all_moments(db):
        name = markdown_filename(moment)
        stem = name.removesuffix(".md")
        extra: dict[str, Any] = {}
        snap = get_snapshot(db, moment.rowid)
        if snap is not None and snap.html is not None:
            assets = {asset_name: (media, blob) for asset_name, media, blob in _assets(db, moment.rowid)}
            write_atomically(folder / f"{stem}.html", snapshot_html_page(moment, snap, assets))
            extra["snapshot"] = f"{stem}.html"
        kept = get_file(db, moment.rowid)
        if kept is not None:
            kept_name = f"{stem}--{_safe_filename(kept.name)}"
            blob = file_data(db, moment.rowid) or b""
            write_atomically(folder / kept_name, blob)
            extra["file"] = kept_name
            extra["file_media_type"] = kept.media_type
        write_atomically(folder / name, moment_to_markdown(moment, extra))
        count += 1
    return count


_ASSET_REF = re.compile(r"inflow-asset:([^\s\"'<>()]+)")

_PAGE_STYLE = """
body { font: 18px/1.6 Georgia, "Times New Roman", serif; max-width: 42em; margin: 2em auto; padding: 0 1em;
       color: #1d1d1f; background: #fff; }
header { font: 14px/1.4 system-ui, sans-serif; color: #555; border-bottom: 1px solid #ddd; margin-bottom: 1.5em; }
header h1 { font: bold 26px/1.25 system-ui, sans-serif; color: inherit; margin: 0 0 .4em; }
img { max-width: 100%; height: auto; }
pre, code { font-family: ui-monospace, monospace; font-size: 15px; }
pre { overflow-x: auto; background: #f5f5f5; padding: .8em; }
a { color: #0b57d0; }
@media (prefers-color-scheme: dark) {
  body { color: #e6e6e6; background: #1b1b1d; } header { color: #aaa; border-color: #333; }
  pre { background: #26262a; } a { color: #8ab4f8; }
}
"""


def snapshot_html_page(moment: Moment, snap: Snapshot, assets: dict[str, tuple[str, bytes]]) -> str:
    """A standalone, readable HTML page: title, original URL, dates, the sanitized snapshot with its
    `inflow-asset:` images inlined as data: URIs; a Content-Security-Policy forbids any network load."""

    def inline(match: re.Match[str]) -> str:
        found = assets.get(match.group(1))
        if found is None:
            return "data:,"
        media_type, blob = found
        return f"data:{media_type};base64,{base64.b64encode(blob).decode('ascii')}"

    heading = snap.title or moment.display_title
    url = snap.url or snap.final_url or ""
    details = [f'Original: <a href="{html.escape(url)}">{html.escape(url)}</a>']
    if snap.byline or snap.site:
        details.append(html.escape(" · ".join(x for x in (snap.byline, snap.site) if x)))
    details.append(f"Captured {html.escape(moment.created_at[:10])}")
    if snap.fetched_at:
        details.append(f"saved {html.escape(snap.fetched_at[:10])}")
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(heading)}</title>\n<style>{_PAGE_STYLE}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{html.escape(heading)}</h1>\n<p>{' · '.join(details)}</p>\n</header>\n"
        f"<article>\n{_ASSET_REF.sub(inline, snap.html or '')}\n</article>\n</body>\n</html>\n"
    )


def _safe_filename(name: str) -> str:
    cleaned = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", name).strip(" .")
    return cleaned[:120] or "file"


def markdown_filename(moment: Moment) -> str:
    """`2026-11-28-how-to-rebase-1a2b3c4d.md`: sortable, readable, unique."""
    slug = re.sub(r"[^\w]+", "-", moment.display_title.lower(), flags=re.UNICODE).strip("-")[:60]
    return f"{moment.created_at[:10]}-{slug or moment.kind.value}-{moment.id[:8]}.md"


def moment_to_markdown(moment: Moment, extra: dict[str, Any] | None = None) -> str:
    """Front matter (values as JSON, which every YAML reader accepts) followed by the body.

    `extra` adds front matter keys (the export names the snapshot page and kept file next to it)."""
    fields: dict[str, Any] = {
        "id": moment.id,
        "kind": moment.kind.value,
        "title": moment.title,
        "url": moment.url,
        "tags": list(moment.tags),
        "created": moment.created_at,
        "updated": moment.updated_at,
        "source_app": moment.source_app,
        "source_window": moment.source_window,
        **(extra or {}),
    }
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items() if value]
    lines.append("---")
    heading = f"# {moment.title}\n\n" if moment.title else ""
    link = f"<{moment.url}>\n\n" if moment.url else ""
    return "\n".join(lines) + "\n\n" + heading + link + moment.body + ("\n" if moment.body else "")


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
