from __future__ import annotations

import time

import pytest
from sqlite_utils import Database

from storage.models import Draft, Kind, MomentQuery, SnapshotState
from storage.moments import add_moment, delete_moments
from storage.search import search, snippets
from storage.snapshots import (
    Asset,
    SnapshotContent,
    attach_file,
    claim_snapshot,
    get_asset,
    get_snapshot,
    reconcile_fetching,
    request_refresh,
    retry_snapshot,
    save_snapshot,
    snapshot_failed,
    storage_sizes,
)


def resource(db: Database, url: str = "https://example.org/article") -> int:
    return add_moment(db, Draft(kind=Kind.RESOURCE, title="An article", url=url), snapshot=True).rowid


def page(text: str = "The readable text about sourdough starters") -> SnapshotContent:
    return SnapshotContent(
        final_url="https://example.org/article", content_type="text/html", title="Sourdough", text=text,
        html=f'<p>{text}</p><img src="inflow-asset:1">', assets=[Asset("1", "image/png", b"\x89PNG...")],
    )  # fmt: skip


def test_a_resource_with_a_url_queues_a_snapshot_in_the_same_transaction(db: Database) -> None:
    rowid = resource(db)
    assert get_snapshot(db, rowid).state is SnapshotState.PENDING  # type: ignore[union-attr]
    tip = add_moment(db, Draft(kind=Kind.TIP, title="t", url="https://x.example"), snapshot=True)
    assert get_snapshot(db, tip.rowid) is None


def test_claim_save_and_search_inside_the_page(db: Database) -> None:
    rowid = resource(db)
    job = claim_snapshot(db, time.time())
    assert job is not None
    assert (job.moment_rowid, job.url, job.refresh) == (rowid, "https://example.org/article", False)
    assert claim_snapshot(db, time.time()) is None
    save_snapshot(db, rowid, page())
    snap = get_snapshot(db, rowid)
    assert snap is not None
    assert snap.state is SnapshotState.SAVED
    assert snap.size > 0
    assert get_asset(db, rowid, "1") == ("image/png", b"\x89PNG...")
    result = search(db, MomentQuery(text="sourdough starters"))
    assert result.rowids == [rowid]
    snippet = snippets(db, "sourdough", [rowid])[rowid]
    assert "\x02sourdough\x03" in snippet.lower()


def test_a_failed_refresh_keeps_the_old_copy(db: Database) -> None:
    rowid = resource(db)
    claim_snapshot(db, time.time())
    save_snapshot(db, rowid, page("old text"))
    assert request_refresh(db, _id(db, rowid))
    job = claim_snapshot(db, time.time())
    assert job is not None
    assert job.refresh
    snapshot_failed(db, rowid, "the server answered 500", retry_at=None)
    snap = get_snapshot(db, rowid)
    assert snap is not None
    assert (snap.state, snap.text, snap.error) == (SnapshotState.SAVED, "old text", "the server answered 500")


def _id(db: Database, rowid: int) -> str:
    return str(db.execute("SELECT id FROM moments WHERE rowid = ?", [rowid]).fetchone()[0])


def test_failure_then_retry_and_crash_reconciliation(db: Database) -> None:
    rowid = resource(db)
    claim_snapshot(db, time.time())
    assert reconcile_fetching(db) == 1  # a crash while fetching: due again
    claim_snapshot(db, time.time())
    snapshot_failed(db, rowid, "404 Not Found", retry_at=None)
    assert get_snapshot(db, rowid).state is SnapshotState.FAILED  # type: ignore[union-attr]
    assert retry_snapshot(db, _id(db, rowid))
    assert claim_snapshot(db, time.time()) is not None


def test_deleting_a_moment_deletes_its_snapshot_and_files(db: Database) -> None:
    rowid = resource(db)
    claim_snapshot(db, time.time())
    save_snapshot(db, rowid, page())
    with db.atomic():
        attach_file(db, rowid, "notes.txt", "text/plain", b"kept file words", text="kept file words")
    assert search(db, MomentQuery(text="kept file words")).rowids == [rowid]
    assert storage_sizes(db)["files"] == 1
    db.execute("PRAGMA foreign_keys = ON")
    delete_moments(db, [_id(db, rowid)])
    db.execute("DELETE FROM moments WHERE rowid = ?", [rowid])  # purge (soft delete keeps it for undo)
    assert get_snapshot(db, rowid) is None
    assert storage_sizes(db) == {"snapshots": 0, "snapshot_bytes": 0, "files": 0, "file_bytes": 0}


def test_a_transient_failure_records_its_reason_and_next_try_and_retry_now_brings_it_forward(
    db: Database,
) -> None:
    rowid = resource(db)
    claim_snapshot(db, time.time())
    at = time.time() + 300
    snapshot_failed(db, rowid, "cannot find the server example.org (DNS lookup failed)", retry_at=at)
    snap = get_snapshot(db, rowid)
    assert snap is not None
    assert (snap.state, snap.attempts) == (SnapshotState.PENDING, 1)
    assert snap.error == "cannot find the server example.org (DNS lookup failed)"
    assert snap.next_attempt_at == pytest.approx(at)
    assert claim_snapshot(db, time.time()) is None  # not due yet
    assert retry_snapshot(db, _id(db, rowid))  # Retry now
    snap = get_snapshot(db, rowid)
    assert snap is not None
    assert (snap.state, snap.error, snap.next_attempt_at) == (SnapshotState.PENDING, None, 0.0)
    assert claim_snapshot(db, time.time()) is not None
    assert not retry_snapshot(db, _id(db, rowid))  # fetching: nothing to bring forward
