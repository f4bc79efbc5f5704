"""Where our post is in a page: revisions, the sections action=parse reports, and our section's text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sync.http import dig


@dataclass(frozen=True, slots=True)
class Located:
    """Our section in one revision of a page."""

    index: str  # the section number for action=edit&section=
    anchor: str
    level: int
    text: str  # the whole section (heading line included, subsections included)
    revid: int
    timestamp: str  # the revision's timestamp (basetimestamp for an edit)
    now: str  # the server's time when we read it (starttimestamp)


@dataclass(frozen=True, slots=True)
class Heading:
    index: str
    anchor: str
    line: str
    level: int
    start: int  # where the heading line starts, in characters of the wikitext


def headings_of(wikitext: str, sections: Any) -> list[Heading]:
    """action=parse's sections that start in the page's own wikitext (not in templates), in page order.

    MediaWiki 1.39 counts `byteoffset` in characters, older releases in bytes: the reading that lands on
    a heading is taken.
    """
    data = wikitext.encode()
    headings: list[Heading] = []
    for section in sections if isinstance(sections, list) else []:
        if not isinstance(section, dict) or not isinstance(section.get("byteoffset"), int):
            continue
        offset: int = section["byteoffset"]
        if not wikitext.startswith("=", offset):
            as_chars = len(data[:offset].decode("utf-8", "ignore"))
            offset = as_chars if wikitext.startswith("=", as_chars) else offset
        level = str(section.get("level") or "")
        headings.append(
            Heading(
                index=str(section.get("index") or ""),
                anchor=str(section.get("anchor") or ""),
                line=str(section.get("line") or ""),
                level=int(level) if level.isdigit() else 2,
                start=offset,
            )
        )
    return sorted(headings, key=lambda heading: heading.start)


def section_text(wikitext: str, headings: list[Heading], heading: Heading) -> str:
    """The section from its heading line up to the next heading of the same or a higher level."""
    later = [h.start for h in headings if h.start > heading.start and h.level <= heading.level]
    return wikitext[heading.start : min(later) if later else len(wikitext)]


def revision_of(answer: dict[str, Any]) -> tuple[str, int, str] | None:
    """(wikitext, revid, timestamp) of the one revision a prop=revisions query returned, None if missing."""
    pages = dig(answer, "query", "pages")
    if not isinstance(pages, list) or not pages or not isinstance(pages[0], dict) or pages[0].get("missing"):
        return None
    revisions = pages[0].get("revisions")
    revision = revisions[0] if isinstance(revisions, list) and revisions else None
    content = dig(revision, "slots", "main", "content")
    revid, stamp = dig(revision, "revid"), dig(revision, "timestamp")
    if not isinstance(content, str) or not isinstance(revid, int) or not isinstance(stamp, str):
        return None
    return content, revid, stamp
