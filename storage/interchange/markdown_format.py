"""Inflow's Markdown export: one `<stem>.md` per moment (front matter, `# title`, `<url>`, the body),
beside it `<stem>.html` (the snapshot as a standalone page, for people; not read back) and
`<stem>--<file name>` (the kept file). Stems are unique in a folder, case-insensitively, and never
hold `--`, so a kept file's name is read back from the stem of its moment."""

from __future__ import annotations

import base64
import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from mimetypes import guess_type
from pathlib import Path
from typing import Any

from storage.files import decode_text
from storage.interchange.items import ImportedFile, ImportFormatError, ImportItem, ImportSource
from storage.interchange.json_format import item_from_dict
from storage.models import Moment, Snapshot

MARKDOWN_SUFFIXES = (".md", ".markdown")
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*):\s?(.*)$")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_ASSET_REF = re.compile(r"inflow-asset:([^\s\"'<>()]+)")


# ---------------------------------------------------------------------------- file names


def markdown_stem(moment: Moment) -> str:
    """`2026-11-28-how-to-rebase-1a2b3c4d`: sortable, readable; no `--`, no path separators."""
    slug = _word_part(_word_part(moment.display_title.lower())[:60])
    parts = (_word_part(moment.created_at[:10]), slug or moment.kind.value, _word_part(moment.id[:8]))
    return "-".join(p for p in parts if p)


class MarkdownNames:
    """The stems of one export folder: a moment whose stem is taken (same day, title and id start,
    also when only the case differs, for Windows and macOS folders) gets `-2`, `-3`, ..."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def stem_for(self, moment: Moment) -> str:
        base = stem = markdown_stem(moment)
        n = 1
        while _fold(stem) in self._taken:
            n += 1
            stem = f"{base}-{n}"
        self._taken.add(_fold(stem))
        return stem


def kept_file_name(stem: str, name: str) -> str:
    """The name a moment's kept file is written under, next to `<stem>.md`."""
    return f"{stem}--{safe_filename(name)}"


def kept_file_original(stem: str, kept: str) -> str:
    """The kept file's own name, read back from the name it was written under."""
    if kept.startswith(f"{stem}--"):
        return kept[len(stem) + 2 :]
    return kept.split("--", 1)[1] if "--" in kept else kept  # a renamed .md file: the older rule


def safe_filename(name: str) -> str:
    """A file name any file system takes (no separators, reserved or control characters)."""
    cleaned = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", name).strip(" .")
    return cleaned[:120] or "file"


def _word_part(text: str) -> str:
    return _NOT_WORD.sub("-", text).strip("-")


def _fold(stem: str) -> str:
    return unicodedata.normalize("NFC", stem).casefold()


# ---------------------------------------------------------------------------- to Markdown


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


# ---------------------------------------------------------------------------- from Markdown


MAX_MARKDOWN_BYTES = 48 * 1024 * 1024
"""The largest Markdown file an import reads: a moment's text (1 MiB) with its kept file's text (10 M
characters) in the front matter, with room to spare; a bigger one is refused before it is read."""


def read_markdown(path: Path) -> str:
    """A Markdown file's text; ValueError (one line) when it is bigger than MAX_MARKDOWN_BYTES."""
    size = path.stat().st_size
    if size > MAX_MARKDOWN_BYTES:
        raise ValueError(
            f"{size / 1048576:.0f} MiB is too big for an Inflow Markdown file "
            f"(the limit is {MAX_MARKDOWN_BYTES // 1048576} MiB); it was not read"
        )
    return decode_text(path.read_bytes())


def parse_markdown_folder(folder: Path) -> ImportSource:
    """A folder written by `inflow export --format markdown` (snapshots are fetched again), read one
    file at a time. Kept files (`<stem>--<name>`, also when they are Markdown) are not moments."""
    candidates = sorted(p for p in folder.iterdir() if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file())
    stems = {p.stem for p in candidates}
    files = [p for p in candidates if not ("--" in p.name and p.name.split("--", 1)[0] in stems)]
    if not files:
        raise ImportFormatError(f"{folder.name} is not a bookmarks file or an Inflow export (no Inflow Markdown files)")
    source = ImportSource("markdown")
    done = 0

    def items() -> Iterator[ImportItem]:
        nonlocal done
        for path in files:
            done += 1
            try:
                item = parse_markdown_file(read_markdown(path), folder, path.stem)
            except (OSError, ValueError) as exc:
                source.skipped += 1
                source.problems.append(f"{path.name}: {exc}")
                continue
            if item is None:
                source.skipped += 1
                source.problems.append(f"{path.name}: no Inflow front matter")
            else:
                yield item

    source.items = items()
    source.progress = lambda: done / len(files)
    return source


def parse_markdown_file(text: str, folder: Path, stem: str) -> ImportItem | None:
    """One exported moment (`<stem>.md` in `folder`): `key: <json>` front matter, then `# title`,
    `<url>` and the body; None when there is no Inflow front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    fields: dict[str, Any] = {}
    end = None
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            end = index
            break
        match = _FRONT_MATTER_LINE.match(line)
        if match is None:
            continue
        raw = match.group(2).strip()
        try:
            fields[match.group(1)] = json.loads(raw)
        except json.JSONDecodeError:
            fields[match.group(1)] = raw
    if end is None or "kind" not in fields:
        return None
    fields["body"] = _body("\n".join(lines[end + 1 :]), str(fields.get("title") or ""), fields.get("url")).rstrip("\n")
    kept = fields.pop("file", None)
    fields.pop("snapshot", None)
    item = item_from_dict(fields)
    if isinstance(kept, str) and kept and "/" not in kept and "\\" not in kept:
        kept_path = folder / kept
        if kept_path.is_file():
            name = kept_file_original(stem, kept)
            media_type = str(fields.get("file_media_type") or guess_type(name)[0] or "application/octet-stream")
            item = replace(item, file=ImportedFile(name, media_type, kept_path.read_bytes(), fields.get("file_text")))
    return item


def _body(rest: str, title: str, url: Any) -> str:
    """What follows the front matter, less the blank line, heading and link the export writes (exactly
    those: a body's own leading blank lines are kept)."""
    rest = rest.removeprefix("\n")
    if title and rest.startswith(f"# {title}\n"):
        rest = rest[len(f"# {title}\n") :].removeprefix("\n")
    if url and rest.startswith(f"<{url}>"):
        rest = rest[len(f"<{url}>") :].removeprefix("\n").removeprefix("\n")
    return rest
