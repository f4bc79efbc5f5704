from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlite_utils import Database

from storage.models import MAX_TEXT_BYTES, Draft, DraftError, Kind, MomentQuery, normalize_tags
from storage.moments import (
    add_moment,
    count_moments,
    delete_moments,
    get_moment,
    list_rowids,
    moments_by_rowid,
    tag_counts,
    undelete_moments,
    update_moment,
)


def test_add_then_get_round_trips_every_field(db: Database) -> None:
    moment = add_moment(
        db,
        Draft(
            kind=Kind.RESOURCE,
            title=" Rebase ",
            body="Use `git rebase -i`",
            url="https://git-scm.com",
            tags=("Git", "#howto", "git"),
            source_app="firefox",
            source_window="Git - Book",
        ),
    )
    stored = get_moment(db, moment.id)
    assert stored == moment
    assert stored.title == "Rebase"
    assert stored.tags == ("git", "howto")
    assert stored.source_app == "firefox"


def test_empty_draft_is_refused_with_a_hint(db: Database) -> None:
    with pytest.raises(DraftError, match="Nothing to save"):
        add_moment(db, Draft(title="  ", body="\n"))
    assert count_moments(db) == 0


def test_text_over_one_mib_is_refused(db: Database) -> None:
    with pytest.raises(DraftError, match="1 MiB"):
        add_moment(db, Draft(body="x" * (MAX_TEXT_BYTES + 1)))
    add_moment(db, Draft(body="x" * MAX_TEXT_BYTES))
    assert count_moments(db) == 1


def test_nul_bytes_and_lone_surrogates_are_cleaned(db: Database) -> None:
    moment = add_moment(db, Draft(title="a\x00b", body="bad \udcff byte"))
    stored = get_moment(db, moment.id)
    assert stored.title == "ab"
    assert "\x00" not in stored.body
    stored.body.encode("utf-8")  # valid UTF-8 now


def test_list_is_newest_first_and_filters_by_kind_and_tag(db: Database) -> None:
    a = add_moment(db, Draft(kind=Kind.TIP, title="a", tags=("x",)), now="2026-01-01T00:00:00.000Z")
    b = add_moment(db, Draft(kind=Kind.QUESTION, title="b", tags=("y",)), now="2026-01-02T00:00:00.000Z")
    c = add_moment(db, Draft(kind=Kind.TIP, title="c", tags=("x", "y")), now="2026-01-03T00:00:00.000Z")
    assert list_rowids(db, MomentQuery()) == [c.rowid, b.rowid, a.rowid]
    assert list_rowids(db, MomentQuery(kind=Kind.TIP)) == [c.rowid, a.rowid]
    assert list_rowids(db, MomentQuery(tag="y")) == [c.rowid, b.rowid]
    assert [m.title for m in moments_by_rowid(db, [a.rowid, c.rowid])] == ["a", "c"]


def test_delete_hides_and_undelete_restores(db: Database) -> None:
    m = add_moment(db, Draft(title="gone soon", tags=("t",)))
    assert delete_moments(db, [m.id]) == 1
    assert list_rowids(db, MomentQuery()) == []
    assert tag_counts(db) == []
    with pytest.raises(KeyError):
        get_moment(db, m.id)
    assert undelete_moments(db, [m.id]) == 1
    assert get_moment(db, m.id).title == "gone soon"
    assert tag_counts(db) == [("t", 1)]


def test_update_replaces_fields_and_tags(db: Database) -> None:
    m = add_moment(db, Draft(title="old", tags=("a",)))
    updated = update_moment(db, m.id, Draft(kind=Kind.QUESTION, title="new", body="b", tags=("b",)))
    assert (updated.title, updated.kind, updated.tags) == ("new", Kind.QUESTION, ("b",))
    assert tag_counts(db) == [("b", 1)]
    with pytest.raises(KeyError):
        update_moment(db, "no-such-id", Draft(title="x"))


def test_get_accepts_a_unique_prefix(db: Database) -> None:
    m = add_moment(db, Draft(title="prefix"))
    assert get_moment(db, m.id[:8]).id == m.id
    with pytest.raises(KeyError):
        get_moment(db, m.id[:2])


def test_a_failed_write_leaves_nothing_half_done(db: Database) -> None:
    db.execute("PRAGMA max_page_count = " + str(db.execute("PRAGMA page_count").fetchone()[0]))
    with pytest.raises(sqlite3.OperationalError, match="full"):
        add_moment(db, Draft(title="big", body="y" * 200_000, tags=("t",)))
    assert count_moments(db) == 0
    assert db.execute("SELECT count(*) FROM moment_tags").fetchone()[0] == 0


def test_tags_are_stored_as_json_list(db: Database) -> None:
    m = add_moment(db, Draft(title="t", tags=("one", "two")))
    raw = db.execute("SELECT tags FROM moments WHERE id = ?", [m.id]).fetchone()[0]
    assert json.loads(raw) == ["one", "two"]


@given(st.lists(st.text(), max_size=5))
def test_normalized_tags_stay_as_they_are(raw: list[str]) -> None:
    """What is stored comes back unchanged through every format that normalizes tags on import."""
    once = normalize_tags(raw)
    assert normalize_tags(list(once)) == once
    assert normalize_tags(["\u0301#", "#a", "b#"]) == ("a", "b#")  # a mark before '#' is dropped, then '#'
