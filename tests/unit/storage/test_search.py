from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from storage import search as search_module
from storage.models import Draft, Kind, MomentQuery
from storage.moments import add_moment, delete_moments, update_moment
from storage.search import parse_query, search


@pytest.fixture
def library(db: Database) -> Database:
    add_moment(db, Draft(kind=Kind.TIP, title="C++ move semantics", body="std::move casts", tags=("cpp",)))
    add_moment(
        db,
        Draft(
            kind=Kind.RESOURCE,
            title="Email etiquette",
            body="Write short e-mail subjects",
            url="https://mail.example.org/guide",
        ),
    )
    add_moment(
        db,
        Draft(kind=Kind.QUESTION, title="How do I rebase?", body="interactive rebase onto main", tags=("git",)),
    )
    return db


def titles(db: Database, text: str, **filters: object) -> list[str]:
    result = search(db, MomentQuery(text=text, **filters))  # type: ignore[arg-type]
    rows = db.execute(
        f"SELECT rowid, title FROM moments WHERE rowid IN ({','.join(map(str, result.rowids)) or 0})"
    ).fetchall()
    by_rowid = dict(rows)
    return [by_rowid[r] for r in result.rowids]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C++", ["C++ move semantics"]),
        ("e-mail", ["Email etiquette"]),
        ('"rebase', ["How do I rebase?"]),
        ("rebase'", ["How do I rebase?"]),
        ("reba", ["How do I rebase?"]),  # prefix while typing
        ("mail.example", ["Email etiquette"]),
        ("cpp", ["C++ move semantics"]),  # tags are searched
        ("AND", []),
        ("NEAR(", []),
        ("()*:^", []),
        ("", []),
    ],
)
def test_any_text_is_a_valid_query(library: Database, text: str, expected: list[str]) -> None:
    assert titles(library, text) == expected


def test_title_matches_rank_above_body_matches(db: Database) -> None:
    add_moment(db, Draft(title="notes", body="something about rebase in passing " * 3))
    add_moment(db, Draft(title="rebase", body="other"))
    assert titles(db, "rebase") == ["rebase", "notes"]


def test_kind_and_tag_filters_apply_to_search(library: Database) -> None:
    assert titles(library, "rebase", kind=Kind.QUESTION) == ["How do I rebase?"]
    assert titles(library, "rebase", kind=Kind.TIP) == []
    assert titles(library, "rebase", tag="git") == ["How do I rebase?"]
    assert titles(library, "rebase", tag="cpp") == []


def test_the_word_tip_does_not_match_every_tip_through_the_kind_column(library: Database) -> None:
    assert titles(library, "tip") == []


def test_deleted_and_edited_moments_leave_the_index(db: Database) -> None:
    m = add_moment(db, Draft(title="ephemeral"))
    delete_moments(db, [m.id])
    assert titles(db, "ephemeral") == []
    n = add_moment(db, Draft(title="before"))
    update_moment(db, n.id, Draft(title="after"))
    assert titles(db, "before") == []
    assert titles(db, "after") == ["after"]


def test_terms_are_returned_for_highlighting(library: Database) -> None:
    assert search(library, MomentQuery(text="Move sem")).terms == ("move", "sem")


def test_very_common_terms_rank_only_the_newest_window(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "RANK_WINDOW", 5)
    for i in range(8):
        add_moment(db, Draft(title=f"common {i}"))
    result = search(db, MomentQuery(text="common"))
    assert result.truncated
    assert len(result.rowids) == 5
    assert min(result.rowids) == 4  # the three oldest matches are outside the window


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_query_never_produces_an_fts_error(text: str) -> None:
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(title, body, tags, url, kind, snapshot)")
    conn.execute("INSERT INTO f VALUES ('a', 'b', 'c', 'd', 'tip', 'e')")
    expression, _ = parse_query(text)
    if expression is not None:
        conn.execute("SELECT rowid FROM f WHERE f MATCH ?", [expression]).fetchall()
