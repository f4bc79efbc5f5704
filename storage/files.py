"""Files kept as resources: the size budget, their searchable text, and storing one with its moment."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path, PurePath

from sqlite_utils import Database

from storage.models import MAX_FILE_BYTES, Draft, Kind, Moment, clean_text

MAX_PDF_PAGES = 200
"""PDF text is extracted from the first pages only."""

MAX_FILE_TEXT_CHARS = 10 * 1024 * 1024
"""Searchable text kept per file, at most."""

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".mdown", ".rst", ".org", ".log", ".csv"})


class FileTooLargeError(ValueError):
    """A file over the size budget; the message is written for the person."""


def media_type_for(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in (".md", ".markdown", ".mdown"):
        return "text/markdown"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def check_size(name: str, size: int, budget: int = MAX_FILE_BYTES) -> None:
    if size > budget:
        raise FileTooLargeError(
            f"{name} is too large to keep ({size / 1048576:.1f} MB; the limit is {budget / 1048576:.0f} MB)"
        )


def extract_text(name: str, media_type: str, data: bytes) -> str | None:
    """Searchable text: text and Markdown files as they are, PDFs via pypdf (first MAX_PDF_PAGES
    pages); None for other files or a PDF whose text cannot be read."""
    suffix = PurePath(name).suffix.lower()
    if media_type == "application/pdf" or suffix == ".pdf":
        return _pdf_text(data)
    if media_type.startswith("text/") or suffix in TEXT_SUFFIXES:
        return clean_text(decode_text(data))[:MAX_FILE_TEXT_CHARS]
    return None


def decode_text(raw: bytes) -> str:
    """A small file's bytes as text (UTF-8, a BOM skipped; else cp1252): kept files and imported Markdown."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _pdf_text(data: bytes) -> str | None:
    import io

    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        reader = PdfReader(io.BytesIO(data))
        parts: list[str] = []
        for page in reader.pages[:MAX_PDF_PAGES]:
            parts.append(page.extract_text() or "")
    except (PyPdfError, ValueError, OSError, KeyError, TypeError):
        return None
    text = clean_text("\n".join(p.strip() for p in parts if p.strip()))
    return text[:MAX_FILE_TEXT_CHARS] or None


def add_file_moment(  # noqa: PLR0917 (the plain-argument signature callers share)
    db: Database,
    draft: Draft,
    name: str,
    media_type: str,
    data: bytes,
    text: str | None,
    *,
    track_targets: Sequence[str] = (),
) -> Moment:
    """A resource with a kept file: the moment, its shares and the file land in one transaction.

    The title defaults to the file name."""
    from dataclasses import replace

    from storage.moments import add_moment
    from storage.snapshots import attach_file

    if not draft.title.strip():
        draft = replace(draft, title=name)
    with db.atomic():
        moment = add_moment(db, replace(draft, kind=Kind(draft.kind)), track_targets=track_targets)
        attach_file(db, moment.rowid, name, media_type, data, text=text)
    return moment


def add_file_from_path(
    db: Database, draft: Draft, path: Path, *, track_targets: Sequence[str] = (), budget: int = MAX_FILE_BYTES
) -> Moment:
    """Read a file (its size checked before reading) and keep it with its moment (see add_file_moment)."""
    check_size(path.name, path.stat().st_size, budget)
    data = path.read_bytes()
    media_type = media_type_for(path.name)
    text = extract_text(path.name, media_type, data)
    return add_file_moment(db, draft, path.name, media_type, data, text, track_targets=track_targets)
