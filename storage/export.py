"""Export everything, so nothing is locked in: one JSON file, or a folder of Markdown files."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.models import Moment
from storage.moments import all_moments

EXPORT_FORMAT_VERSION = 1


def moment_to_dict(moment: Moment) -> dict[str, Any]:
    """A moment as plain JSON-ready data (also what `--json` prints)."""
    data = asdict(moment)
    data["kind"] = moment.kind.value
    data["tags"] = list(moment.tags)
    del data["rowid"]
    return data


def export_json(db: Database, destination: Path) -> int:
    """Write every moment to one JSON file (atomically); returns how many were written."""
    moments = [moment_to_dict(m) for m in all_moments(db)]
    document = {"format": "inflow-export", "version": EXPORT_FORMAT_VERSION, "moments": moments}
    _write_atomically(destination, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    return len(moments)


def export_markdown(db: Database, folder: Path) -> int:
    """Write one Markdown file per moment (front matter + body) into folder; returns the count."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for moment in all_moments(db):
        _write_atomically(folder / markdown_filename(moment), moment_to_markdown(moment))
        count += 1
    return count


def markdown_filename(moment: Moment) -> str:
    """`2026-11-28-how-to-rebase-1a2b3c4d.md`: sortable, readable, unique."""
    slug = re.sub(r"[^\w]+", "-", moment.display_title.lower(), flags=re.UNICODE).strip("-")[:60]
    return f"{moment.created_at[:10]}-{slug or moment.kind.value}-{moment.id[:8]}.md"


def moment_to_markdown(moment: Moment) -> str:
    """Front matter (values as JSON, which every YAML reader accepts) followed by the body."""
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
    }
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items() if value]
    lines.append("---")
    heading = f"# {moment.title}\n\n" if moment.title else ""
    link = f"<{moment.url}>\n\n" if moment.url else ""
    return "\n".join(lines) + "\n\n" + heading + link + moment.body + ("\n" if moment.body else "")


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
