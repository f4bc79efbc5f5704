"""Browsers' bookmark files (the Netscape bookmark HTML every browser imports and exports): bookmarks
as resources, folders (and Firefox's TAGS) as tags, ADD_DATE / LAST_MODIFIED as dates, the <DD>
description as the note. Non-web links are skipped. Read as a stream (one item in memory); written
flat, each moment's tags in TAGS."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from storage.interchange.items import ImportItem, ImportSource
from storage.interchange.textfile import TextFile
from storage.links import LINK_SCHEMES
from storage.models import Kind, Moment, normalize_tags

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


def looks_like_bookmarks(text: str) -> bool:
    head = text[:65536].lower()
    if "netscape-bookmark-file" in head:
        return True
    return "<dl" in head and re.search(r"<dt>\s*<a\s[^>]*href", head) is not None


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


def stream_bookmarks(reader: TextFile, source: ImportSource) -> Iterator[ImportItem]:
    """The bookmarks of a file as they are parsed; what was skipped is added to `source` at the end."""
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


# ---------------------------------------------------------------------------- writing


def bookmark_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """The tags a bookmark file carries for these (each read back like a folder name)."""
    return normalize_tags([t for tag in tags for t in _folder_tag(tag)])


def to_bookmarks_html(moments: Iterable[Moment]) -> Iterator[str]:
    """A bookmarks file any browser imports, piece by piece: every moment with a web link, its title,
    dates (to the second), tags (TAGS) and note (<DD>)."""
    yield (
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n"
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
        "<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n"
    )
    for moment in moments:
        if not moment.url or urlsplit(moment.url).scheme.lower() not in WEB_SCHEMES:
            continue
        attributes = f' ADD_DATE="{_unix(moment.created_at)}" LAST_MODIFIED="{_unix(moment.updated_at)}"'
        if moment.tags:
            attributes += f' TAGS="{html.escape(",".join(moment.tags))}"'
        note = f"<DD>{html.escape(moment.body, quote=False)}\n" if moment.body.strip() else ""
        title = html.escape(moment.title, quote=False)
        yield f'    <DT><A HREF="{html.escape(moment.url)}"{attributes}>{title}</A>\n{note}'
    yield "</DL><p>\n"


def _unix(stamp: str) -> int:
    try:
        return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0
