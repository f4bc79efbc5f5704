from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.export import export_json, export_markdown
from storage.files import FileTooLargeError, add_file_moment, check_size, extract_text, media_type_for
from storage.importing import BATCH_SIZE, ImportTooLargeError, import_items, import_path, normalize_url
from storage.interchange.bookmarks_html import parse_bookmarks_html
from storage.interchange.detect import load_import, open_import
from storage.interchange.items import ImportFormatError, ImportItem
from storage.models import Draft, Kind, MomentQuery, SnapshotState
from storage.moments import add_moment, all_moments, count_moments, get_moment, list_rowids
from storage.search import search
from storage.snapshots import (
    Asset,
    SnapshotContent,
    file_data,
    get_asset,
    get_file,
    get_snapshot,
    save_snapshot,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"


def by_url(db: Database) -> dict[str, object]:
    return {m.url: m for m in all_moments(db) if m.url}


# ---------------------------------------------------------------------------- parsing


def test_firefox_export_folders_tags_unicode_and_skipped_links() -> None:
    source = load_import(FIXTURES / "firefox-bookmarks.html")
    assert source.format == "bookmarks"
    assert source.skipped == 2  # the javascript: bookmarklet and the place: query
    assert any("javascript:" in p for p in source.problems)
    assert any("place:" in p for p in source.problems)
    urls = [i.url for i in source.items]
    assert not any(u and u.startswith(("javascript:", "place:")) for u in urls)
    items = {i.url: i for i in source.items}
    paper = items["https://arxiv.org/abs/1706.03762#abstract"]
    assert paper.title == "Attention Is All You Need"
    assert paper.tags == ("programming", "machine-learning", "transformers", "deep-learning")
    assert paper.created_at == "2024-01-23T08:53:20.000Z"
    assert paper.kind is Kind.RESOURCE
    parser_doc = items["https://docs.python.org/3/library/html.parser.html"]
    assert parser_doc.body == "Event-driven parser; handles <p> soup just fine & quickly."
    assert parser_doc.tags == ("programming", "python", "stdlib")
    assert items["https://ja.wikipedia.org/wiki/%E3%83%91%E3%83%B3"].title == "パン - Wikipedia"
    assert items["https://de.wikipedia.org/wiki/Sauerteig"].tags == ("küche-café",)
    # The browser's root folders are not tags.
    assert items["https://sqlite.org/wal.html"].tags == ()
    assert items["https://sqlite.org/wal.html#ckpt"].tags == ("sqlite",)


def test_chrome_export_nested_folders_and_unclosed_tags() -> None:
    source = load_import(FIXTURES / "chrome-bookmarks.html")
    items = {i.url: i for i in source.items}
    assert len(list(source.items)) == 6
    assert source.skipped == 2  # javascript: and chrome://
    assert items["https://kubernetes.io/docs/concepts/workloads/pods/"].tags == ("work", "kubernetes")
    assert items["https://12factor.net/"].tags == ("work",)
    assert items["https://github.com/"].tags == ()
    assert items["https://www.rust-lang.org/learn"].tags == ()
    assert items["https://zh.wikipedia.org/wiki/%E7%BC%96%E7%A8%8B"].title == "编程 — 维基百科，自由的百科全书"


def test_minimal_soup_without_doctype_is_still_bookmarks() -> None:
    source = parse_bookmarks_html(
        '<DL><p><DT><H3>Reading</H3><DL><p><DT><A HREF="https://a.example/x">A<DT><A HREF="https://b.example">B</A>'
    )
    assert [(i.url, i.title, i.tags) for i in source.items] == [
        ("https://a.example/x", "A", ("reading",)),
        ("https://b.example", "B", ("reading",)),
    ]


def test_garbage_and_ordinary_pages_are_refused(tmp_path: Path) -> None:
    for name, content in [
        ("random.bin", b"\x00\x01\x02binary"),
        ("notes.txt", b"just some notes"),
        ("other.json", json.dumps({"format": "something-else"}).encode()),
        ("broken.json", b'{"format": "inflow-export", '),
    ]:
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ImportFormatError, match="not a bookmarks file or an Inflow export"):
            load_import(tmp_path / name)
    with pytest.raises(ImportFormatError, match="not a bookmarks file or an Inflow export"):
        load_import(FIXTURES / "not-bookmarks.html")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFormatError, match="not a bookmarks file or an Inflow export"):
        load_import(tmp_path / "empty")


def test_url_normalisation() -> None:
    same = [
        "https://Example.ORG/path/",
        "HTTPS://example.org/path",
        "https://example.org/path#section",
        "https://example.org:443/path/",
    ]
    assert len({normalize_url(u) for u in same}) == 1
    assert normalize_url("https://example.org/Path") != normalize_url("https://example.org/path")
    assert normalize_url("https://example.org/p?a=1") != normalize_url("https://example.org/p?a=2")
    assert normalize_url("https://example.org/") == normalize_url("https://example.org")


# ---------------------------------------------------------------------------- importing


def test_import_merges_duplicates_within_the_file_and_with_the_library(db: Database) -> None:
    existing = add_moment(db, Draft(kind=Kind.RESOURCE, url="https://sqlite.org/wal.html/", tags=("db",)))
    report = import_path(db, FIXTURES / "firefox-bookmarks.html", snapshot=True)
    # 9 links: the toolbar copy of html.parser and the WAL #ckpt link merge; WAL also merges with the library.
    assert (report.added, report.merged, report.skipped) == (6, 3, 2)
    assert count_moments(db) == 7
    merged = get_moment(db, existing.id)
    assert merged.title == "Write-Ahead Logging"  # the empty title was filled in
    assert merged.tags == ("db", "sqlite")
    python = next(m for m in all_moments(db) if m.url == "https://docs.python.org/3/library/html.parser.html")
    assert python.title == "html.parser — Simple HTML and XHTML parser"  # kept: it was not empty
    assert python.tags == ("programming", "python", "stdlib", "reference")
    assert python.created_at == "2024-01-11T19:06:40.000Z"
    assert list_rowids(db, MomentQuery(tag="reference")) == [python.rowid]
    # Snapshots are queued for the new resources (and the merged one that had none).
    assert report.snapshots_queued == 7
    assert get_snapshot(db, python.rowid).state is SnapshotState.PENDING  # type: ignore[union-attr]
    # Importing again doubles nothing.
    again = import_path(db, FIXTURES / "firefox-bookmarks.html", snapshot=True)
    assert (again.added, again.merged, again.snapshots_queued) == (0, 9, 0)
    assert count_moments(db) == 7


def test_import_without_snapshots_queues_none(db: Database) -> None:
    report = import_path(db, FIXTURES / "chrome-bookmarks.html", snapshot=False)
    assert (report.added, report.merged, report.snapshots_queued) == (5, 1, 0)
    assert db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 0


def _bookmarks(count: int, distinct: int) -> str:
    rows = [
        f'<DT><A HREF="https://site{i % distinct}.example/page/{i % distinct}" ADD_DATE="{1700000000 + i}">Page {i}</A>'
        for i in range(count)
    ]
    return "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p><DT><H3>Bulk</H3>\n<DL><p>\n" + "\n".join(rows) + "\n</DL>"


def test_five_thousand_bookmarks_with_duplicates(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(_bookmarks(5000, 4990), encoding="utf-8")
    progress: list[tuple[int, float]] = []
    report = import_path(db, path, snapshot=True, on_progress=lambda done, read: progress.append((done, read)))
    assert (report.added, report.merged, report.skipped) == (4990, 10, 0)
    assert count_moments(db) == 4990
    assert progress[0] == (0, 0.0) and progress[-1] == (5000, 1.0)
    assert len(progress) == 1 + 5000 // BATCH_SIZE
    fractions = [read for _, read in progress]
    assert fractions == sorted(fractions)  # by how much of the file was read
    assert db.execute("SELECT count(*) FROM snapshots WHERE state = 'pending'").fetchone()[0] == 4990
    assert db.execute("SELECT count(*) FROM moment_tags WHERE tag = 'bulk'").fetchone()[0] == 4990


def test_cancel_half_way_keeps_nothing(db: Database) -> None:
    add_moment(db, Draft(kind=Kind.RESOURCE, title="before", url="https://example.org/0"))
    items = [ImportItem(url=f"https://example.org/{i}", title=f"p{i}", tags=("new",)) for i in range(5 * BATCH_SIZE)]
    batches = 0

    def cancelled() -> bool:
        nonlocal batches
        batches += 1
        return batches > 2  # two batches go through, then the person presses Cancel

    report = import_items(db, items, snapshot=False, on_progress=None, cancelled=cancelled)
    assert report.cancelled and report.added == 0
    assert count_moments(db) == 1  # one transaction: all or nothing
    assert db.execute("SELECT tags FROM moments").fetchone()[0] == "[]"  # the merge was rolled back too


def test_an_interrupt_or_error_anywhere_rolls_back_the_whole_import(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.moments

    items = [ImportItem(url=f"https://example.org/{i}") for i in range(3 * BATCH_SIZE)]
    from storage.moments import write_tags as real_write_tags

    calls = 0

    def write_tags(*args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 2 * BATCH_SIZE + 200:  # in the third batch: a second Ctrl+C
            raise KeyboardInterrupt
        real_write_tags(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(storage.moments, "write_tags", write_tags)  # what every new moment's insert calls
    with pytest.raises(KeyboardInterrupt):
        import_items(db, items, snapshot=False, on_progress=None, cancelled=None)
    assert count_moments(db) == 0


def test_more_than_the_cap_imports_nothing_and_says_how_many(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bookmarks.html"
    path.write_text(_bookmarks(1200, 1200), encoding="utf-8")
    expected = r"holds 1,200 moments, more than the 1,000 .* FILE --max 1200\)"
    with pytest.raises(ImportTooLargeError, match=expected) as err:
        import_path(db, path, snapshot=False, max_moments=1000)
    assert (err.value.found, err.value.limit) == (1200, 1000)
    assert count_moments(db) == 0
    assert import_path(db, path, snapshot=False, max_moments=1200).added == 1200


def test_a_json_export_cut_off_half_way_imports_nothing(db: Database, tmp_path: Path) -> None:
    moments = [{"kind": "tip", "title": f"t{i}", "body": "x" * 300} for i in range(600)]
    text = json.dumps({"format": "inflow-export", "version": 1, "moments": moments})
    (tmp_path / "cut.json").write_text(text[: len(text) * 2 // 3], "utf-8")
    with pytest.raises(ImportFormatError, match="cut off"):
        import_path(db, tmp_path / "cut.json", snapshot=False)
    assert count_moments(db) == 0


def test_streamed_json_reads_items_across_chunk_boundaries(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.interchange.textfile

    monkeypatch.setattr(storage.interchange.textfile, "READ_CHUNK", 97)  # every moment straddles chunks
    moments = [{"kind": "tip", "title": f"Tïtle {i}", "body": "ünïcode " * (i % 50), "tags": ["a"]} for i in range(300)]
    moments.insert(7, "not an object")  # type: ignore[arg-type]
    (tmp_path / "e.json").write_text(
        json.dumps({"format": "inflow-export", "version": 1, "moments": moments}, indent=2, ensure_ascii=False), "utf-8"
    )
    report = import_path(db, tmp_path / "e.json", snapshot=False)
    assert (report.added, report.skipped) == (300, 1)
    assert report.problems == ["moment #8: not an object"]
    assert db.execute("SELECT title FROM moments ORDER BY rowid DESC LIMIT 1").fetchone()[0] == "Tïtle 299"


def test_parsing_a_big_bookmarks_file_runs_in_constant_memory(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "big.html"
    path.write_text(_bookmarks(40000, 40000), encoding="utf-8")  # ~5 MB
    tracemalloc.start()
    try:
        source = open_import(path)
        count = sum(1 for _ in source.items)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 40000
    assert peak < 2 * 1024 * 1024, f"peak {peak / 1048576:.1f} MiB while parsing {path.stat().st_size / 1048576:.1f} MB"


def test_invalid_items_are_skipped_with_a_reason(db: Database) -> None:
    report = import_items(
        db, [ImportItem(title="", url=None), ImportItem(url="https://ok.example")], snapshot=False,
        on_progress=None, cancelled=None,
    )  # fmt: skip
    assert (report.added, report.skipped) == (1, 1)
    assert report.problems and "Nothing to save" in report.problems[0]


# ---------------------------------------------------------------------------- round trips


def _library_with_a_snapshot_and_a_file(db: Database) -> tuple[str, str, str]:
    article = add_moment(
        db, Draft(kind=Kind.RESOURCE, title="Sourdough", url="https://example.org/bread", tags=("baking",)),
        snapshot=True,
    )  # fmt: skip
    save_snapshot(
        db, article.rowid,
        SnapshotContent(
            final_url="https://example.org/bread?amp=0", content_type="text/html", title="Sourdough basics",
            byline="A. Baker", site="Example", text="Feed the levain twice a day", html='<p>Feed the levain</p>'
            '<img src="inflow-asset:1" alt="jar">', assets=[Asset("1", "image/png", b"\x89PNG\r\n\x1a\nfake")],
        ),
    )  # fmt: skip
    tip = add_moment(db, Draft(kind=Kind.TIP, title="Rebase", body="keep branches short", tags=("git",)))
    kept = add_file_moment(
        db, Draft(kind=Kind.RESOURCE, tags=("pdf",)), "notes.txt", "text/plain", b"quarterly zeppelin notes",
        "quarterly zeppelin notes",
    )  # fmt: skip
    return article.id, tip.id, kept.id


def test_json_export_round_trips_through_the_importer(db: Database, tmp_path: Path) -> None:
    article_id, tip_id, file_id = _library_with_a_snapshot_and_a_file(db)
    export_json(db, tmp_path / "export.json")
    document = json.loads((tmp_path / "export.json").read_text())
    assert document["format"] == "inflow-export"
    assert document["moments"][0]["snapshot"]["assets"][0]["name"] == "1"

    from storage.db import open_database

    fresh = open_database(tmp_path / "other" / "inflow.db")
    report = import_path(fresh, tmp_path / "export.json", snapshot=True)
    assert (report.added, report.merged, report.skipped) == (3, 0, 0)
    assert report.snapshots_queued == 0  # the snapshot came along
    article = get_moment(fresh, article_id)  # ids kept
    assert article.tags == ("baking",) and article.url == "https://example.org/bread"
    snap = get_snapshot(fresh, article.rowid)
    assert snap is not None and snap.state is SnapshotState.SAVED
    assert (snap.title, snap.byline, snap.text) == ("Sourdough basics", "A. Baker", "Feed the levain twice a day")
    assert snap.html is not None and "inflow-asset:1" in snap.html
    assert get_asset(fresh, article.rowid, "1") == ("image/png", b"\x89PNG\r\n\x1a\nfake")
    assert get_moment(fresh, tip_id).body == "keep branches short"
    kept = get_moment(fresh, file_id)
    assert get_file(fresh, kept.rowid) == get_file(db, get_moment(db, file_id).rowid)
    assert file_data(fresh, kept.rowid) == b"quarterly zeppelin notes"
    assert search(fresh, MomentQuery(text="levain")).rowids == [article.rowid]
    assert search(fresh, MomentQuery(text="zeppelin")).rowids == [kept.rowid]
    # A second import merges by id: nothing doubles.
    again = import_path(fresh, tmp_path / "export.json", snapshot=True)
    assert (again.added, again.merged) == (0, 3)
    assert count_moments(fresh) == 3


def test_ids_taken_by_a_deleted_moment_get_a_new_id(db: Database, tmp_path: Path) -> None:
    from storage.moments import delete_moments

    tip = add_moment(db, Draft(kind=Kind.TIP, title="gone"))
    export_json(db, tmp_path / "export.json")
    delete_moments(db, [tip.id])
    report = import_path(db, tmp_path / "export.json", snapshot=False)
    assert report.added == 1
    (restored,) = list(all_moments(db))
    assert restored.id != tip.id and restored.title == "gone"


def test_markdown_export_folder_imports_back(db: Database, tmp_path: Path) -> None:
    _library_with_a_snapshot_and_a_file(db)
    add_moment(db, Draft(kind=Kind.QUESTION, title="Why?", body="line one\n\nline two", tags=("q",)))
    export_markdown(db, tmp_path / "md")
    from storage.db import open_database

    fresh = open_database(tmp_path / "other" / "inflow.db")
    report = import_path(fresh, tmp_path / "md", snapshot=True)
    assert (report.added, report.skipped) == (4, 0)
    originals = {m.id: m for m in all_moments(db)}
    for moment in all_moments(fresh):
        original = originals[moment.id]
        assert (moment.kind, moment.title, moment.body, moment.url, moment.tags, moment.created_at) == (
            original.kind, original.title, original.body, original.url, original.tags, original.created_at,
        )  # fmt: skip
    kept = next(m for m in all_moments(fresh) if m.title == "notes.txt")
    assert file_data(fresh, kept.rowid) == b"quarterly zeppelin notes"
    # The snapshot is fetched again (the .html page is for people, not for re-import).
    article = next(m for m in all_moments(fresh) if m.url)
    assert get_snapshot(fresh, article.rowid).state is SnapshotState.PENDING  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- kept files


def test_file_moment_is_stored_with_its_file_in_one_transaction(db: Database) -> None:
    moment = add_file_moment(db, Draft(kind=Kind.RESOURCE), "plan.md", "text/markdown", b"# Plan\nzebra", "zebra")
    assert moment.title == "plan.md" and moment.kind is Kind.RESOURCE
    assert get_file(db, moment.rowid).name == "plan.md"  # type: ignore[union-attr]
    assert search(db, MomentQuery(text="zebra")).rowids == [moment.rowid]


def test_file_text_extraction_and_budget() -> None:
    assert media_type_for("a.md") == "text/markdown"
    assert media_type_for("a.pdf") == "application/pdf"
    assert extract_text("a.txt", "text/plain", "héllo".encode()) == "héllo"
    assert extract_text("a.md", "text/markdown", b"\xef\xbb\xbf# T") == "# T"
    assert extract_text("a.bin", "application/octet-stream", b"\x00\x01") is None
    assert extract_text("a.pdf", "application/pdf", b"not a pdf") is None
    check_size("ok.txt", 10, 100)
    with pytest.raises(FileTooLargeError, match="too large"):
        check_size("big.bin", 101, 100)
