"""Round trips through every interchange format: moment -> format -> moment is the identity on the
fields the format carries (awkward titles, tags, unicode, newlines, clashing file names)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from storage.db import open_database
from storage.export import export_markdown
from storage.importing import import_items, import_path
from storage.interchange.bookmarks_html import bookmark_tags, parse_bookmarks_html, to_bookmarks_html
from storage.interchange.detect import load_import
from storage.interchange.items import ImportItem
from storage.interchange.json_format import json_document, moment_to_dict, parse_inflow_json
from storage.interchange.markdown_format import (
    MarkdownNames,
    kept_file_name,
    kept_file_original,
    markdown_stem,
    moment_to_markdown,
    parse_markdown_file,
    safe_filename,
)
from storage.models import Draft, DraftError, Kind, Moment, validate_draft
from storage.moments import all_moments
from storage.snapshots import attach_file, file_data, get_file

AWKWARD = [
    "", " ", "---", "# heading", "<b>bold</b> & co", "line one\nline two", "\n\nleading", "tab\there",
    "パン - Wikipedia", "Küche & Café", "emoji 🍞", "a--b", "C:\\path\\file", "quote \" ' `", "\r\nCRLF\r\n",
    "\u2028separator", "<https://example.org>", "-", "--", "..", "CON", "a/b", "%20",
]  # fmt: skip
TEXT = st.one_of(st.sampled_from(AWKWARD), st.text(st.characters(exclude_categories=["Cs"]), max_size=40))
TAG = st.one_of(st.sampled_from(["c++", "c#", "küche-café", "a.b", "x/y", "a--b", "-lead", "UPPER"]), TEXT)
STAMP = st.datetimes(datetime(1971, 1, 1), datetime(2400, 1, 1)).map(
    lambda d: d.replace(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
)
WHOLE_SECOND = STAMP.map(lambda s: s[:19] + ".000Z")
ID = st.one_of(st.uuids().map(str), st.text(st.sampled_from("aA-/.x1 "), min_size=1, max_size=12))
URL = st.one_of(
    st.none(),
    TEXT.map(lambda t: "https://example.org/" + t.strip().replace(" ", "%20")),
    st.sampled_from(["http://EXAMPLE.org:80/a?b=1&c=2#frag", "https://例え.jp/パン", "example.org/no-scheme"]),
)


@st.composite
def moments(draw: st.DrawFn, url: st.SearchStrategy[str | None] = URL, stamp: st.SearchStrategy[str] = STAMP) -> Moment:
    """A moment as the library stores it (the draft cleaned by validate_draft)."""
    try:
        clean = validate_draft(
            Draft(
                kind=draw(st.sampled_from(Kind)), title=draw(TEXT), body=draw(TEXT), url=draw(url),
                tags=tuple(draw(st.lists(TAG, max_size=4))), source_app=draw(st.none() | TEXT),
                source_window=draw(st.none() | TEXT),
            )
        )  # fmt: skip
    except DraftError:
        assume(False)
        raise
    created = draw(stamp)
    return Moment(
        id=draw(ID), rowid=0, kind=clean.kind, title=clean.title, body=clean.body, url=clean.url, tags=clean.tags,
        created_at=created, updated_at=draw(stamp), visibility=draw(st.sampled_from(["private", "team"])),
        origin=draw(st.sampled_from(["local", "team"])), source_app=clean.source_app,
        source_window=clean.source_window, author=draw(st.none() | TEXT), answered_at=draw(st.none() | STAMP),
    )  # fmt: skip


def _values(record: object, fields: tuple[str, ...]) -> tuple[object, ...]:
    """The fields a format carries, read from a moment or from what the format gave back."""
    return tuple(getattr(record, name) for name in fields)


# ---------------------------------------------------------------------------- JSON


JSON_FIELDS = (
    "id", "kind", "title", "body", "url", "tags", "created_at", "updated_at", "visibility", "origin",
    "source_app", "source_window", "author", "answered_at",
)  # fmt: skip


@given(st.lists(moments(), max_size=4))
def test_json_round_trip_is_the_identity(items: list[Moment]) -> None:
    text = "".join(json_document(moment_to_dict(m) for m in items))
    source = parse_inflow_json(json.loads(text))
    assert source.skipped == 0
    parsed = list(source.items)
    assert len(parsed) == len(items)
    for moment, item in zip(items, parsed, strict=True):
        assert _values(item, JSON_FIELDS) == _values(moment, JSON_FIELDS)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(moments(), min_size=1, max_size=4))
def test_json_streamed_from_a_file_reads_the_same(items: list[Moment]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.json"
        path.write_text("".join(json_document(moment_to_dict(m) for m in items)), "utf-8")
        source = load_import(path)
    assert source.format == "inflow-json"
    got = [_values(item, JSON_FIELDS) for item in source.items]
    assert got == [_values(moment, JSON_FIELDS) for moment in items]


# ---------------------------------------------------------------------------- Markdown


MARKDOWN_FIELDS = (
    "id",
    "kind",
    "title",
    "body",
    "url",
    "tags",
    "created_at",
    "updated_at",
    "source_app",
    "source_window",
)


@given(moments())
def test_markdown_round_trip_is_the_identity(moment: Moment) -> None:
    stem = markdown_stem(moment)
    item = parse_markdown_file(moment_to_markdown(moment), Path("/nonexistent"), stem)
    assert item is not None
    assert _values(item, MARKDOWN_FIELDS) == _values(moment, MARKDOWN_FIELDS)


@given(moments(), TEXT)
def test_markdown_file_names_are_safe_and_kept_files_read_back(moment: Moment, file_name: str) -> None:
    stem = markdown_stem(moment)
    assert stem and "--" not in stem and "/" not in stem and "\\" not in stem and not stem.startswith(".")
    kept = kept_file_name(stem, file_name)
    assert "/" not in kept and "\\" not in kept
    assert kept_file_original(stem, kept) == safe_filename(file_name)  # the name as any file system takes it
    assert safe_filename("report 2024.pdf") == "report 2024.pdf"


def test_clashing_stems_get_numbered_case_insensitively() -> None:
    base = Moment("abcdefgh-1", 0, Kind.TIP, "Same", "", None, (), "2024-01-01T00:00:00.000Z", "x")
    names = MarkdownNames()
    stems = [names.stem_for(m) for m in (base, base, replace(base, id="ABCDEFGH-2"))]
    assert stems == ["2024-01-01-same-abcdefgh", "2024-01-01-same-abcdefgh-2", "2024-01-01-same-ABCDEFGH-3"]


def test_a_clash_in_one_folder_loses_nothing(tmp_path: Path) -> None:
    db = open_database(tmp_path / "a.db")
    items = [
        ImportItem(kind=Kind.TIP, title="Same title", created_at="2024-01-01T09:00:00.000Z", id=moment_id)
        for moment_id in ("abcdefgh-1", "abcdefgh-2", "ABCDEFGH-3")
    ]
    assert import_items(db, items, snapshot=False).added == 3
    for moment in all_moments(db):
        attach_file(
            db, moment.rowid, "notes.md", "text/markdown", f"---\nkind: tip\n---\n{moment.id}".encode(), text=None
        )
    export_markdown(db, tmp_path / "md")
    fresh = open_database(tmp_path / "b.db")
    report = import_path(fresh, tmp_path / "md", snapshot=False)
    assert (report.added, report.skipped) == (3, 0), report.problems
    for moment in all_moments(fresh):
        assert file_data(fresh, moment.rowid) == f"---\nkind: tip\n---\n{moment.id}".encode()
        assert get_file(fresh, moment.rowid).name == "notes.md"  # type: ignore[union-attr]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        moments(stamp=st.sampled_from(["2024-05-01T10:00:00.000Z", "2024-05-01T11:00:00.000Z"])), min_size=1, max_size=5
    ),
    st.lists(st.sampled_from(["notes.md", "Notes.MD", "a--b.txt", "x.html", "report.pdf"]), max_size=5),
)
def test_a_markdown_folder_brings_every_moment_and_file_back(items: list[Moment], files: list[str]) -> None:
    """Clashing file names (same day, same title, ids alike but for case), kept files that are
    Markdown themselves: every moment comes back once, with its own file."""
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "a.db")
        clashing = [_as_item(m, f"same-id{i % 2}{'X' if i % 3 else 'x'}{i}") for i, m in enumerate(items)]  # 8 alike
        report = import_items(db, clashing, snapshot=False)
        assume(report.added == len(items))  # two equal links merge: not this test's subject
        stored = list(all_moments(db))
        for moment, name in zip(stored, files, strict=False):
            attach_file(db, moment.rowid, name, "text/plain", f"---\nkind: tip\n---\n{name}".encode(), text=None)
        assert export_markdown(db, Path(tmp) / "md") == len(stored)
        fresh = open_database(Path(tmp) / "b.db")
        back = import_path(fresh, Path(tmp) / "md", snapshot=False)
        assert (back.added, back.skipped, back.merged) == (len(stored), 0, 0), back.problems
        originals = {m.id: m for m in stored}
        for moment in all_moments(fresh):
            original = originals.pop(moment.id)
            assert _values(moment, MARKDOWN_FIELDS) == _values(original, MARKDOWN_FIELDS)
            assert get_file(fresh, moment.rowid) == get_file(db, original.rowid)
            assert file_data(fresh, moment.rowid) == file_data(db, original.rowid)
        assert not originals


def _as_item(moment: Moment, moment_id: str) -> ImportItem:
    return ImportItem(
        kind=moment.kind, title=moment.title, body=moment.body, url=moment.url, tags=moment.tags,
        created_at=moment.created_at, updated_at=moment.updated_at, id=moment_id, visibility=moment.visibility,
        origin=moment.origin, source_app=moment.source_app, source_window=moment.source_window,
        author=moment.author, answered_at=moment.answered_at,
    )  # fmt: skip


# ---------------------------------------------------------------------------- bookmarks


WEB_URL = st.one_of(
    URL.filter(lambda u: u is not None and u.startswith("https://")), st.just("http://a.example/?q=1&r=<2>")
)


@given(st.lists(moments(url=WEB_URL, stamp=WHOLE_SECOND), max_size=4))
def test_bookmarks_round_trip_is_the_identity_on_what_bookmarks_carry(items: list[Moment]) -> None:
    source = parse_bookmarks_html("".join(to_bookmarks_html(items)))
    assert source.skipped == 0
    parsed = list(source.items)
    assert len(parsed) == len(items)
    for moment, item in zip(items, parsed, strict=True):
        assert item.kind is Kind.RESOURCE
        assert (item.url, item.created_at, item.updated_at) == (moment.url, moment.created_at, moment.updated_at)
        assert item.title == " ".join(moment.title.split())  # one line, as browsers show it
        assert item.body == moment.body.strip()
        assert item.tags == bookmark_tags(moment.tags)


def test_bookmark_tags_are_read_back_like_folder_names() -> None:
    assert bookmark_tags(("c++", "c#", "küche-café", "a.b", "x/y")) == ("c++", "c#", "küche-café", "a.b", "x/y")
    assert bookmark_tags(("a--b", "-lead", "trail-")) == ("a-b", "lead", "trail")


def test_moments_without_a_web_link_are_not_written_as_bookmarks() -> None:
    note = Moment("1", 0, Kind.TIP, "note", "", None, (), "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00.000Z")
    typed = replace(note, id="2", url="example.org/x")
    assert list(parse_bookmarks_html("".join(to_bookmarks_html([note, typed]))).items) == []
