"""One way to insert a moment (capture, import, team feed) and one rule for which get an offline copy."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from storage.importing import ImportItem, import_items
from storage.models import Draft, Kind
from storage.moments import NewMoment, add_moment, insert_moment
from storage.pull import IncomingFeedItem, store_feed
from storage.snapshots import offline_copy_link


def _row(db: Database, rowid: int) -> dict[str, object]:
    cursor = db.execute("SELECT * FROM moments WHERE rowid = ?", [rowid])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_capture_import_and_team_feed_write_the_same_insert(db: Database) -> None:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    add_moment(db, Draft(kind=Kind.TIP, title="captured", tags=("a",)))
    import_items(db, [ImportItem(kind=Kind.QUESTION, title="imported", id="q-1", author="me", answered_at="2024")])
    item = IncomingFeedItem("r1", "@bob", Kind.TIP, "pulled", "", "https://example.org/x", ("b",), "2024-01-01")
    store_feed(db, "team", [item], cursor="c1")
    db.conn.set_trace_callback(None)
    # The trace shows values filled in: compare the statements without them.
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT") and " INTO moments " in s]
    assert len({s.partition(" VALUES ")[0] + s.rpartition(")")[2] for s in inserts}) == 1, inserts
    rows = {r["title"]: r for r in (_row(db, rowid) for (rowid,) in db.execute("SELECT rowid FROM moments"))}
    assert rows.keys() == {"captured", "imported", "pulled"}
    for row in rows.values():  # every row has every column the insert names: the same set, filled the same way
        assert row["tags"] is not None and row["created_at"] and row["updated_at"] and row["deleted_at"] is None
    assert (rows["captured"]["origin"], rows["captured"]["visibility"], rows["captured"]["feed_target"]) == (
        "local", "private", None,
    )  # fmt: skip
    imported = rows["imported"]
    assert (imported["id"], imported["author"], imported["answered_at"]) == ("q-1", "me", "2024")
    pulled = rows["pulled"]
    assert (pulled["origin"], pulled["visibility"], pulled["author"]) == ("team", "team", "@bob")
    assert (pulled["feed_target"], pulled["feed_remote_id"], pulled["created_at"]) == ("team", "r1", "2024-01-01")
    tagged = db.execute("SELECT tag FROM moment_tags ORDER BY tag").fetchall()
    assert tagged == [("a",), ("b",)]


def _new(moment_id: str, **extra: str) -> NewMoment:
    return NewMoment(moment_id, Kind.TIP, "t", "", None, ("x",), "2024-01-01", "2024-01-01", **extra)


def test_a_feed_item_stored_twice_is_ignored_but_a_taken_id_is_an_error(db: Database) -> None:
    first = insert_moment(db, _new("a", feed_target="team", feed_remote_id="r1", origin="team"))
    assert first is not None
    assert insert_moment(db, _new("b", feed_target="team", feed_remote_id="r1", origin="team")) is None
    assert insert_moment(db, _new("c", feed_target="other", feed_remote_id="r1", origin="team")) is not None
    with pytest.raises(sqlite3.IntegrityError):
        insert_moment(db, _new("a"))
    assert db.execute("SELECT count(*) FROM moment_tags").fetchone()[0] == 2


@pytest.mark.parametrize(
    ("kind", "url", "from_team", "expected"),
    [
        (Kind.RESOURCE, "https://example.org/a", False, "https://example.org/a"),
        (Kind.RESOURCE, "http://example.org/a", False, "http://example.org/a"),
        (Kind.RESOURCE, None, False, None),
        (Kind.RESOURCE, "", False, None),
        (Kind.RESOURCE, "example.org/a", False, None),  # kept as typed, but not fetched
        (Kind.RESOURCE, "ftp://example.org/a", False, None),
        (Kind.TIP, "https://example.org/a", False, None),  # own tips and questions: no copy
        (Kind.QUESTION, "https://example.org/a", False, None),
        (Kind.TIP, "https://example.org/a", True, "https://example.org/a"),  # a colleague's link: a copy
        (Kind.QUESTION, "http://example.org/a", True, "http://example.org/a"),
        (Kind.RESOURCE, "https://example.org/a", True, "https://example.org/a"),
        (Kind.TIP, None, True, None),
        (Kind.TIP, "mailto:bob@example.org", True, None),
    ],
)
def test_which_moments_get_an_offline_copy(kind: Kind, url: str | None, from_team: bool, expected: str | None) -> None:
    assert offline_copy_link(kind, url, from_team=from_team) == expected


def test_every_path_applies_the_offline_copy_rule(db: Database) -> None:
    add_moment(db, Draft(kind=Kind.RESOURCE, url="https://example.org/r"), snapshot=True)
    add_moment(db, Draft(kind=Kind.TIP, title="t", url="https://example.org/t"), snapshot=True)
    import_items(db, [ImportItem(kind=Kind.TIP, title="i", url="https://example.org/i")], snapshot=True)
    import_items(db, [ImportItem(kind=Kind.RESOURCE, url="https://example.org/ir")], snapshot=True)
    feed = [IncomingFeedItem("r1", "@bob", Kind.TIP, "f", "", "https://example.org/f", (), "2024-01-01")]
    store_feed(db, "team", feed, cursor=None, snapshot=True)
    queued = {r[0] for r in db.execute("SELECT url FROM snapshots")}
    assert queued == {"https://example.org/r", "https://example.org/ir", "https://example.org/f"}
