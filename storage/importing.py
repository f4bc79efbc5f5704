"""Import: browser bookmark files (the Netscape bookmark HTML every browser writes) and Inflow's own
JSON and Markdown exports, into the library as moments; duplicates (same URL) are merged.

Files are read as a stream (64 KiB at a time, one item in memory), so a huge file costs no more
memory than a small one. `import_items` writes everything in one transaction: a cancel, an error, a
kill or an import above the cap (DEFAULT_MAX_MOMENTS new moments) leaves the library as it was.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlite_utils import Database

from storage.clock import utc_now
from storage.links import LINK_SCHEMES
from storage.models import Draft, DraftError, Kind, normalize_tags, validate_draft
from storage.moments import NewMoment, insert_moment, write_tags
from storage.snapshots import attach_file, offline_copy_link, queue_snapshot

BATCH_SIZE = 500
"""Progress is reported (and Cancel asked) every BATCH_SIZE items."""

DEFAULT_MAX_MOMENTS = 100_000
"""How many new moments one import may add unless told otherwise (`inflow import --max N`)."""

READ_CHUNK = 1 << 16

WEB_SCHEMES = LINK_SCHEMES
"""Bookmarks with other schemes (javascript: bookmarklets, file:, ftp:, place:, about:) are skipped."""

_ROOT_FOLDERS = frozenset(
    {
        "bookmarks",
        "bookmarks bar",
        "bookmarks toolbar",
        "bookmarks menu",
        "other bookmarks",
        "mobile bookmarks",
        "favorites",
        "favorites bar",
        "favourites bar",
        "other favorites",
    }
)
"""Browser root folders: not tags (a bookmark on the toolbar is not about toolbars)."""


class ImportFormatError(ValueError):
    """The file is not something Inflow can import; the message is written for the person."""


class ImportTooLargeError(ImportFormatError):
    """More new moments than one import may add; nothing was imported."""

    def __init__(self, found: int, limit: int) -> None:
        super().__init__(
            f"the file holds {found:,} moments, more than the {limit:,} one import may add; nothing was "
            f"imported (to import it all: inflow import FILE --max {found})"
        )
        self.found, self.limit = found, limit


@dataclass(frozen=True, slots=True)
class ImportedAsset:
    name: str
    media_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ImportedSnapshot:
    """A saved snapshot carried by an Inflow JSON export."""

    url: str
    final_url: str | None = None
    content_type: str | None = None
    title: str | None = None
    byline: str | None = None
    site: str | None = None
    published: str | None = None
    text: str | None = None
    html: str | None = None
    fetched_at: str | None = None
    assets: tuple[ImportedAsset, ...] = ()

    @property
    def size(self) -> int:
        return len((self.text or "").encode()) + len((self.html or "").encode()) + sum(len(a.data) for a in self.assets)


@dataclass(frozen=True, slots=True)
class ImportedFile:
    name: str
    media_type: str
    data: bytes
    text: str | None = None


@dataclass(frozen=True, slots=True)
class ImportItem:
    """One moment to import. `id` is kept when no moment has it yet (Inflow exports)."""

    kind: Kind = Kind.RESOURCE
    title: str = ""
    body: str = ""
    url: str | None = None
    tags: tuple[str, ...] = ()
    created_at: str | None = None
    updated_at: str | None = None
    id: str | None = None
    visibility: str = "private"
    origin: str = "local"
    source_app: str | None = None
    source_window: str | None = None
    author: str | None = None
    answered_at: str | None = None
    snapshot: ImportedSnapshot | None = None
    file: ImportedFile | None = None


@dataclass(slots=True)
class ImportSource:
    """What a file holds: its format, the items (a list, or a stream read as it is iterated), what was
    left out while parsing (and why: complete once the items are used up), and how far reading got."""

    format: str
    items: Iterable[ImportItem] = field(default_factory=list)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    progress: Callable[[], float] = lambda: 0.0


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    merged: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    snapshots_queued: int = 0
    cancelled: bool = False
    total: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "merged": self.merged,
            "skipped": self.skipped,
            "problems": list(self.problems),
            "snapshots_queued": self.snapshots_queued,
            "cancelled": self.cancelled,
            "total": self.total,
        }


# ---------------------------------------------------------------------------- URLs and dates


def normalize_url(url: str) -> str:
    """The key duplicates are found by: scheme and host lower-case, no fragment, no default port,
    no trailing slash (query and path case are kept: they matter to servers)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.rpartition(":") if not hostport.endswith("]") else (hostport, "", "")
    if not colon or not port.isdigit():
        host, colon, port = hostport, "", ""
    if (scheme, port) in (("http", "80"), ("https", "443")):
        colon, port = "", ""
    netloc = f"{userinfo}{at}{host.lower()}{colon}{port}"
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def _iso_from_unix(value: str | None) -> str | None:
    """ADD_DATE is unix seconds (some tools write milli- or microseconds)."""
    if not value:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if number <= 0:
        return None
    while number > 1e11:  # milliseconds or microseconds
        number /= 1000
    try:
        stamp = datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _folder_tag(name: str) -> tuple[str, ...]:
    """A folder or tag name becomes one tag: "Machine Learning" -> machine-learning, "Küche & Café" ->
    küche-café."""
    joined = re.sub(r"[^\w\-.+#/]+", "-", name.strip(), flags=re.UNICODE)
    return normalize_tags(re.sub(r"-{2,}", "-", joined).strip("-"))


# ---------------------------------------------------------------------------- reading files


_INFLOW_FORMAT = re.compile(r'"format"\s*:\s*"inflow-export"')
_MOMENTS_KEY = re.compile(r'"moments"\s*:\s*\[')


def open_import(path: Path) -> ImportSource:
    """A bookmarks HTML file, an Inflow JSON export, or a Markdown export folder (or one file), as a
    stream: the items are parsed while they are iterated, in constant memory."""
    if path.is_dir():
        return parse_markdown_folder(path)
    reader = _Reader(path)
    head = reader.head.lstrip()
    if head.startswith("{"):
        if _INFLOW_FORMAT.search(head[:4096]):
            source = ImportSource("inflow-json", progress=reader.progress)
            source.items = _stream_inflow_json(reader, source)
            return source
    elif head.startswith("---") and path.suffix.lower() in (".md", ".markdown"):
        item = parse_markdown_file(_decode(path.read_bytes()), path.parent)
        if item is not None:
            return ImportSource("markdown", [item])
    elif looks_like_bookmarks(reader.head):
        source = ImportSource("bookmarks", progress=reader.progress)
        source.items = _stream_bookmarks(reader, source)
        return source
    raise ImportFormatError(f"{path.name} is not a bookmarks file or an Inflow export")


def load_import(path: Path) -> ImportSource:
    """open_import with every item read into a list (small files)."""
    source = open_import(path)
    source.items = list(source.items)
    return source


class _Reader:
    """A file read as text in chunks: UTF-8 (a BOM skipped) when all of it is UTF-8, else cp1252."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.name = path.name
        self._read = 0
        try:
            self.size = path.stat().st_size
            self.encoding = _sniff_encoding(path)
            with path.open("rb") as handle:
                raw = handle.read(READ_CHUNK)
        except OSError as exc:
            raise ImportFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
        self.head = raw.decode(self.encoding, errors="replace")

    def progress(self) -> float:
        """How much of the file was read, 0..1."""
        return min(self._read / self.size, 1.0) if self.size else 1.0

    def chunks(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        try:
            with self._path.open("rb") as handle:
                while raw := handle.read(READ_CHUNK):
                    self._read += len(raw)
                    yield decoder.decode(raw)
        except OSError as exc:
            raise ImportFormatError(f"cannot read {self._path}: {exc.strerror or exc}") from exc
        yield decoder.decode(b"", final=True)


def _sniff_encoding(path: Path) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while raw := handle.read(READ_CHUNK):
                decoder.decode(raw)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def looks_like_bookmarks(text: str) -> bool:
    head = text[:65536].lower()
    if "netscape-bookmark-file" in head:
        return True
    return "<dl" in head and re.search(r"<dt>\s*<a\s[^>]*href", head) is not None


# ---------------------------------------------------------------------------- Netscape bookmarks


class _BookmarkParser(HTMLParser):
    """Events over the loosely nested format browsers write (<DT> and <p> are never closed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[ImportItem] = []
        self.skipped = 0
        self.skipped_schemes: dict[str, int] = {}
        self._folders: list[tuple[str, ...]] = []  # tags per open <DL>
        self._pending_folder: tuple[str, ...] = ()
        self._heading: list[str] | None = None
        self._heading_root = False
        self._link: dict[str, str] | None = None
        self._link_text: list[str] = []
        self._last: dict[str, Any] | None = None  # the finished link, waiting for its <DD>
        self._description: list[str] | None = None

    # -- events
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("dt", "dd", "dl", "h3", "a", "hr"):  # an unclosed <A> or <H3> ends here
            if self._link is not None:
                self._finish_link()
            if self._heading is not None:
                self.handle_endtag("h3")
        if tag in ("dt", "dl", "h3", "a", "hr"):
            self._flush_description()
        if tag == "dl":
            self._folders.append(self._pending_folder)
            self._pending_folder = ()
        elif tag == "h3":
            attributes = {k.lower(): (v or "") for k, v in attrs}
            self._heading = []
            self._heading_root = bool(
                attributes.get("personal_toolbar_folder") or attributes.get("unfiled_bookmarks_folder")
            )
        elif tag == "a":
            self._link = {k.lower(): (v or "") for k, v in attrs}
            self._link_text = []
        elif tag == "dd" and self._last is not None:
            self._description = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3" and self._heading is not None:
            name = " ".join("".join(self._heading).split())
            top_level = len(self._folders) <= 1
            root = self._heading_root or (top_level and name.lower() in _ROOT_FOLDERS)
            self._pending_folder = () if root else _folder_tag(name)
            self._heading = None
        elif tag == "a" and self._link is not None:
            self._finish_link()
        elif tag == "dl":
            self._flush_description()
            if self._folders:
                self._folders.pop()

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        elif self._link is not None:
            self._link_text.append(data)
        elif self._description is not None:
            self._description.append(data)

    def close(self) -> None:
        super().close()
        if self._link is not None:
            self._finish_link()
        self._flush_description()

    def drain(self) -> list[ImportItem]:
        """The items finished since the last call (a link waits for its <DD> description)."""
        items, self.items = self.items, []
        return items

    # -- helpers
    def _finish_link(self) -> None:
        self._flush_description()
        attributes, self._link = self._link or {}, None
        href = attributes.get("href", "").strip()
        scheme = urlsplit(href).scheme.lower() if href else ""
        if scheme not in WEB_SCHEMES:
            self.skipped += 1
            label = f"{scheme}:" if scheme else "(no address)"
            self.skipped_schemes[label] = self.skipped_schemes.get(label, 0) + 1
            self._last = None
            return
        folder_tags = [t for tags in self._folders for t in tags]
        extra = [t for part in attributes.get("tags", "").split(",") for t in _folder_tag(part)]
        self._last = {
            "url": href,
            "title": " ".join("".join(self._link_text).split()),
            "tags": normalize_tags([*folder_tags, *extra]),
            "created": _iso_from_unix(attributes.get("add_date")),
            "updated": _iso_from_unix(attributes.get("last_modified")),
            "body": "",
        }

    def _flush_description(self) -> None:
        """The waiting link is finished, with its description when one was read."""
        if self._last is not None:
            text = "".join(self._description or ()).strip()
            if text:
                self._last["body"] = text
            self.items.append(self._item(self._last))
        self._description = None
        self._last = None

    @staticmethod
    def _item(data: dict[str, Any]) -> ImportItem:
        return ImportItem(
            kind=Kind.RESOURCE,
            title=data["title"],
            body=data["body"],
            url=data["url"],
            tags=data["tags"],
            created_at=data["created"],
            updated_at=data["updated"] or data["created"],
            source_app="bookmarks import",
        )


def parse_bookmarks_html(text: str) -> ImportSource:
    """Bookmarks as resources; folders (and Firefox's TAGS) become tags; non-web links are skipped."""
    parser = _BookmarkParser()
    parser.feed(text)
    parser.close()
    return ImportSource("bookmarks", parser.drain(), parser.skipped, _skipped_schemes(parser))


def _stream_bookmarks(reader: _Reader, source: ImportSource) -> Iterator[ImportItem]:
    parser = _BookmarkParser()
    for chunk in reader.chunks():
        parser.feed(chunk)
        yield from parser.drain()
    parser.close()
    yield from parser.drain()
    source.skipped += parser.skipped
    source.problems += _skipped_schemes(parser)


def _skipped_schemes(parser: _BookmarkParser) -> list[str]:
    return [
        f"skipped {count} {label} bookmark{'s' if count != 1 else ''} (not a web page)"
        for label, count in sorted(parser.skipped_schemes.items())
    ]


# ---------------------------------------------------------------------------- Inflow JSON


def parse_inflow_json(document: dict[str, Any]) -> ImportSource:
    """An `inflow export --format json` document (any version: unknown keys are ignored)."""
    items: list[ImportItem] = []
    source = ImportSource("inflow-json", items)
    moments = document.get("moments")
    if not isinstance(moments, list):
        raise ImportFormatError("this Inflow export has no list of moments")
    for index, data in enumerate(moments):
        try:
            if not isinstance(data, dict):
                raise ValueError("not an object")
            items.append(_item_from_dict(data))
        except (ValueError, TypeError, KeyError, binascii.Error) as exc:
            source.skipped += 1
            source.problems.append(f"moment #{index + 1}: {exc}")
    return source


def _stream_inflow_json(reader: _Reader, source: ImportSource) -> Iterator[ImportItem]:
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
        if end < 0:  # cut off by the chunk: read at least as much again, then retry
            grown = _read_more(chunks, len(buffer))
            if not grown:
                raise ImportFormatError(f"this Inflow export is cut off or not valid JSON (at moment #{index + 1})")
            buffer += grown
            continue
        buffer = buffer[end:]
        index += 1
        try:
            if not isinstance(data, dict):
                raise ValueError("not an object")
            item = _item_from_dict(data)
        except (ValueError, TypeError, KeyError, binascii.Error) as exc:
            source.skipped += 1
            source.problems.append(f"moment #{index}: {exc}")
            continue
        yield item


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


def _item_from_dict(data: dict[str, Any]) -> ImportItem:
    tags = data.get("tags") or ()
    snapshot = data.get("snapshot")
    kept = data.get("file")
    return ImportItem(
        kind=Kind(str(data.get("kind") or "tip")),
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


# ---------------------------------------------------------------------------- Markdown export


_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*):\s?(.*)$")


def parse_markdown_folder(folder: Path) -> ImportSource:
    """A folder written by `inflow export --format markdown` (snapshots are fetched again), read one
    file at a time."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".md", ".markdown") and p.is_file())
    if not files:
        raise ImportFormatError(f"{folder.name} is not a bookmarks file or an Inflow export (no Inflow Markdown files)")
    source = ImportSource("markdown")
    done = 0

    def items() -> Iterator[ImportItem]:
        nonlocal done
        for path in files:
            done += 1
            try:
                item = parse_markdown_file(_decode(path.read_bytes()), folder)
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


def parse_markdown_file(text: str, folder: Path) -> ImportItem | None:
    """One exported moment: `key: <json>` front matter, then `# title`, `<url>` and the body."""
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
    rest = "\n".join(lines[end + 1 :]).lstrip("\n")
    title = str(fields.get("title") or "")
    url = fields.get("url")
    if title and rest.startswith(f"# {title}\n"):
        rest = rest[len(f"# {title}\n") :].lstrip("\n")
    if url and rest.startswith(f"<{url}>"):
        rest = rest[len(f"<{url}>") :].lstrip("\n")
    fields["body"] = rest.rstrip("\n")
    kept = fields.pop("file", None)
    fields.pop("snapshot", None)
    item = _item_from_dict(fields)
    if isinstance(kept, str) and kept and "/" not in kept and "\\" not in kept:
        kept_path = folder / kept
        if kept_path.is_file():
            from mimetypes import guess_type

            name = kept.split("--", 1)[1] if "--" in kept else kept
            media_type = str(fields.get("file_media_type") or guess_type(name)[0] or "application/octet-stream")
            data = kept_path.read_bytes()
            item = _with_file(item, ImportedFile(name, media_type, data, fields.get("file_text")))
    return item


def _with_file(item: ImportItem, kept: ImportedFile) -> ImportItem:
    from dataclasses import replace

    return replace(item, file=kept)


# ---------------------------------------------------------------------------- writing


@dataclass(slots=True)
class _Existing:
    rowid: int
    title: str
    tags: tuple[str, ...]
    has_snapshot: bool
    has_file: bool


class _StopImportError(Exception):
    """Raised inside the import transaction to roll it back."""


Progress = Callable[[int, float], None]
"""on_progress(items read so far, fraction of the input read 0..1)."""


def import_items(
    db: Database,
    items: Iterable[ImportItem],
    *,
    snapshot: bool = True,
    on_progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_moments: int = DEFAULT_MAX_MOMENTS,
    progress_of: Callable[[], float] | None = None,
) -> ImportReport:
    """Write items in ONE transaction; merge duplicates (same URL, or the same id).

    A merge unites the tags and fills in an empty title (and a missing snapshot or file); nothing else
    of the existing moment changes. With `snapshot`, web resources without an imported copy get their
    page fetch queued. Every BATCH_SIZE items progress is reported and `cancelled` asked: a cancel, an
    error, a kill, or more than `max_moments` new moments (ImportTooLargeError, after counting the
    rest) leaves the library as it was. `progress_of` says how much of the input was read (0..1).
    """
    report = ImportReport()
    if progress_of is None and isinstance(items, (list, tuple)):
        size = len(items)
        progress_of = lambda: report.total / size if size else 1.0  # noqa: E731
    fraction = progress_of or (lambda: 0.0)
    by_url, by_id, taken_ids = _index_existing(db)
    if on_progress is not None:
        on_progress(0, 0.0)
    stream = iter(items)
    try:
        with db.atomic():
            for item in stream:
                if report.total % BATCH_SIZE == 0 and report.total:
                    if cancelled is not None and cancelled():
                        report.cancelled = True
                        raise _StopImportError
                    if on_progress is not None:
                        on_progress(report.total, fraction())
                report.total += 1
                _import_one(db, item, report, snapshot=snapshot, by_url=by_url, by_id=by_id, taken_ids=taken_ids)
                if report.added > max_moments:
                    raise _StopImportError
    except _StopImportError:
        if not report.cancelled:
            raise ImportTooLargeError(report.total + sum(1 for _ in stream), max_moments) from None
        report.added = report.merged = report.snapshots_queued = 0
        return report
    if on_progress is not None:
        on_progress(report.total, 1.0)
    return report


def _index_existing(db: Database) -> tuple[dict[str, _Existing], dict[str, _Existing], set[str]]:
    by_url: dict[str, _Existing] = {}
    by_id: dict[str, _Existing] = {}
    rows = db.execute(
        "SELECT m.rowid, m.id, m.kind, m.title, m.url, m.tags, m.deleted_at, "
        "EXISTS (SELECT 1 FROM snapshots s WHERE s.moment_rowid = m.rowid), "
        "EXISTS (SELECT 1 FROM files f WHERE f.moment_rowid = m.rowid) FROM moments m"
    )
    taken: set[str] = set()
    for rowid, moment_id, kind, title, url, tags, deleted_at, has_snapshot, has_file in rows:
        taken.add(moment_id)
        if deleted_at is not None:
            continue
        existing = _Existing(rowid, title, tuple(json.loads(tags)), bool(has_snapshot), bool(has_file))
        by_id[moment_id] = existing
        if url and kind == Kind.RESOURCE.value:
            by_url.setdefault(normalize_url(url), existing)
    return by_url, by_id, taken


def _import_one(
    db: Database,
    item: ImportItem,
    report: ImportReport,
    *,
    snapshot: bool,
    by_url: dict[str, _Existing],
    by_id: dict[str, _Existing],
    taken_ids: set[str],
) -> None:
    try:
        clean = validate_draft(
            Draft(kind=item.kind, title=item.title, body=item.body, url=item.url, tags=item.tags,
                  source_app=item.source_app, source_window=item.source_window)
        )  # fmt: skip
    except (DraftError, ValueError) as exc:
        report.skipped += 1
        report.problems.append(f"{item.title or item.url or item.id or 'a moment'}: {exc}")
        return
    key = normalize_url(clean.url) if clean.url and clean.kind is Kind.RESOURCE else None
    existing = (by_id.get(item.id) if item.id else None) or (by_url.get(key) if key else None)
    if existing is not None:
        _merge(db, existing, clean, item, report, snapshot=snapshot)
        return
    moment_id = item.id if item.id and item.id not in taken_ids else str(uuid.uuid4())
    created = item.created_at or utc_now()
    rowid = insert_moment(
        db,
        NewMoment(
            id=moment_id, kind=clean.kind, title=clean.title, body=clean.body, url=clean.url, tags=clean.tags,
            created_at=created, updated_at=item.updated_at or created, visibility=item.visibility,
            origin=item.origin, source_app=clean.source_app, source_window=clean.source_window,
            author=item.author, answered_at=item.answered_at,
        ),
    ) or 0  # fmt: skip
    taken_ids.add(moment_id)
    added = _Existing(rowid, clean.title, clean.tags, False, False)
    by_id[moment_id] = added
    if key:
        by_url[key] = added
    _attach(db, added, clean, item, report, snapshot=snapshot)
    report.added += 1


def _merge(
    db: Database, existing: _Existing, clean: Draft, item: ImportItem, report: ImportReport, *, snapshot: bool
) -> None:
    tags = tuple(dict.fromkeys([*existing.tags, *clean.tags]))
    title = existing.title or clean.title
    if tags != existing.tags or title != existing.title:
        db.execute(
            "UPDATE moments SET tags = ?, title = ?, updated_at = ? WHERE rowid = ?",
            [json.dumps(list(tags)), title, utc_now(), existing.rowid],
        )
        write_tags(db, existing.rowid, tags)
        existing.tags, existing.title = tags, title
    _attach(db, existing, clean, item, report, snapshot=snapshot)
    report.merged += 1


def _attach(
    db: Database, target: _Existing, clean: Draft, item: ImportItem, report: ImportReport, *, snapshot: bool
) -> None:
    """The imported snapshot and file, or a snapshot request, where the moment has none yet."""
    if item.file is not None and not target.has_file:
        attach_file(db, target.rowid, item.file.name, item.file.media_type, item.file.data, text=item.file.text)
        target.has_file = True
    if target.has_snapshot:
        return
    if item.snapshot is not None:
        _insert_snapshot(db, target.rowid, item.snapshot, clean.url or item.snapshot.url)
        target.has_snapshot = True
    elif snapshot and (link := offline_copy_link(clean.kind, clean.url)):
        queue_snapshot(db, target.rowid, link)
        target.has_snapshot = True
        report.snapshots_queued += 1


def _insert_snapshot(db: Database, rowid: int, snap: ImportedSnapshot, url: str) -> None:
    stamp = utc_now()
    for asset in snap.assets:
        db.execute(
            "INSERT OR REPLACE INTO snapshot_assets (moment_rowid, name, media_type, data) VALUES (?, ?, ?, ?)",
            [rowid, asset.name, asset.media_type, asset.data],
        )
    db.execute(
        "INSERT INTO snapshots (moment_rowid, state, url, final_url, content_type, title, byline, site, published, "
        "text, html, size, attempts, fetched_at, created_at, updated_at) "
        "VALUES (?, 'saved', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        [rowid, snap.url or url, snap.final_url, snap.content_type, snap.title, snap.byline, snap.site,
         snap.published, snap.text, snap.html, snap.size, snap.fetched_at or stamp, stamp, stamp],
    )  # fmt: skip


def import_path(
    db: Database,
    path: Path,
    *,
    snapshot: bool = True,
    on_progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    max_moments: int = DEFAULT_MAX_MOMENTS,
) -> ImportReport:
    """open_import + import_items (streamed); what parsing left out is counted as skipped."""
    source = open_import(path)
    report = import_items(
        db, source.items, snapshot=snapshot, on_progress=on_progress, cancelled=cancelled,
        max_moments=max_moments, progress_of=source.progress,
    )  # fmt: skip
    report.skipped += source.skipped
    report.problems[:0] = source.problems
    return report
