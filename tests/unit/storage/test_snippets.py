"""Search snippets: the passage around the hit, from the note (or page, or link), never a copy of the title."""

from __future__ import annotations

from sqlite_utils import Database

from storage.models import Draft, Kind
from storage.moments import add_moment
from storage.search import SNIPPET_END, SNIPPET_START, snippets

HIT_START, HIT_END = SNIPPET_START, SNIPPET_END


def snippet_of(db: Database, draft: Draft, text: str) -> str:
    rowid = add_moment(db, draft).rowid
    return snippets(db, text, [rowid])[rowid]


def test_the_hit_sits_inside_a_passage_cut_with_an_ellipsis_on_both_sides(db: Database) -> None:
    words = [f"filler{i}" for i in range(60)]
    words[30] = "needle"
    snippet = snippet_of(db, Draft(kind=Kind.TIP, title="Haystack", body=" ".join(words)), "needle")
    assert f"{HIT_START}needle{HIT_END}" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "filler29" in snippet and "filler31" in snippet


def test_a_title_match_never_becomes_the_snippet(db: Database) -> None:
    draft = Draft(kind=Kind.TIP, title="Sourdough starter tips", body="Feed it twice a day with rye flour.")
    assert snippet_of(db, draft, "sourdough") == ""


def test_a_word_in_title_and_note_shows_the_note_passage(db: Database) -> None:
    draft = Draft(kind=Kind.TIP, title="Rebase", body="Never rebase a branch others already pulled.")
    snippet = snippet_of(db, draft, "rebase")
    assert snippet == f"Never {HIT_START}rebase{HIT_END} a branch others already pulled."


def test_an_untitled_moment_does_not_repeat_its_first_line(db: Database) -> None:
    """Without a title the row shows the note's first line: a one-line note is no snippet."""
    draft = Draft(kind=Kind.TIP, title="", body="Use git worktree for parallel checkouts")
    assert snippet_of(db, draft, "worktree") == ""
    longer = Draft(kind=Kind.TIP, title="", body="Use git worktree\n\nA worktree shares the object store.")
    assert f"A worktree {HIT_START}shares{HIT_END}" in snippet_of(db, longer, "shares")


def test_a_match_in_the_link_only_shows_the_link(db: Database) -> None:
    draft = Draft(kind=Kind.RESOURCE, title="Guide", body="about mail", url="https://docs.example.org/zebra/x")
    snippet = snippet_of(db, draft, "zebra")
    assert f"{HIT_START}zebra{HIT_END}" in snippet and "docs" in snippet


def test_awkward_texts(db: Database) -> None:
    """Markdown, newlines, accents, prefixes and punctuation-glued words all keep the hit in the passage."""
    body = "# Heading\n\n* item one\n* **Café** au lait — see `naïve.py`,x\n\n" + "tail " * 40
    draft = Draft(kind=Kind.TIP, title="Notes", body=body)
    assert f"{HIT_START}Café{HIT_END}" in snippet_of(db, draft, "cafe")
    again = Draft(kind=Kind.TIP, title="Other", body=body)
    assert f"{HIT_START}naïve{HIT_END}" in snippet_of(db, again, "naiv")  # the last word is a prefix
    glued = Draft(kind=Kind.TIP, title="Glued", body="🙂 never deploy/friday,(really)")
    assert f"{HIT_START}friday{HIT_END}" in snippet_of(db, glued, "friday")


def test_no_words_or_no_rows_give_no_snippets(db: Database) -> None:
    rowid = add_moment(db, Draft(kind=Kind.TIP, title="t", body="b")).rowid
    assert snippets(db, "  ++ ", [rowid]) == {}
    assert snippets(db, "b", []) == {}
