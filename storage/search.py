"""Full-text search: any typed text becomes a safe FTS5 query; results are ranked best first.

Ranking every match costs time in proportion to the number of matches (a word found in a third
of 100,000 moments takes ~31 ms to rank here). bm25 says little about such a word anyway: its
weight is near zero. So the search ranks only the RANK_WINDOW newest matches (FTS5 walks its
doclists newest-first and stops after the window): exact ranking whenever a query matches fewer
moments than that (every term in up to 10 % of a 100,000-moment library), and bounded time when it
matches more (SearchResult.truncated says so). bench/storage_bench.py measures both sides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from storage.models import Kind, MomentQuery, SearchResult

RANK_WINDOW = 10_000
"""How many of the newest matches are ranked."""
MAX_PHRASES = 64
"""A query's chunks beyond this many are not matched (FTS5's time grows with their square: 1,000 took 4 s)."""

_TEXT_COLUMNS = "{title body tags url snapshot}"
_BM25_WEIGHTS = "10.0, 1.0, 5.0, 2.0, 0.0, 0.5"  # title, body, tags, url, kind, snapshot (and file) text
SNIPPET_START, SNIPPET_END = "\x02", "\x03"
"""Markers around matched words in snippets (the UI turns them into highlighting)."""
_WORD = re.compile(r"\w+", re.UNICODE)


def parse_query(text: str) -> tuple[str | None, tuple[str, ...]]:
    """Turn what a person typed into an FTS5 expression and the words to highlight.

    Every chunk between spaces becomes a quoted phrase of its words (`e-mail` -> "e mail", `C++` ->
    "c"), so no FTS5 syntax error can ever happen; all chunks must match (AND). The last word is a
    prefix when it has two letters or more (search as you type). Returns (None, ()) when the text
    holds no word at all.
    """
    phrases: list[str] = []
    terms: list[str] = []
    chunks = text.split()
    for index, chunk in enumerate(chunks):
        words = [w.lower() for w in _WORD.findall(chunk)]
        if not words:
            continue
        terms.extend(words)
        phrase = '"' + " ".join(words) + '"'
        is_last = index == len(chunks) - 1 and not text[-1:].isspace()
        if is_last and len(words[-1]) >= 2:
            phrase += "*"
        phrases.append(phrase)
    if not phrases:
        return None, ()
    phrases = list(dict.fromkeys(phrases))  # the same chunk twice adds nothing (and FTS5 time grows ~n²)
    if len(phrases) > MAX_PHRASES:  # pasted pages of text: the first chunks and the one being typed
        phrases = [*phrases[: MAX_PHRASES - 1], phrases[-1]]
    return f"{_TEXT_COLUMNS} : ({' AND '.join(phrases)})", tuple(dict.fromkeys(terms))


def search(db: Database, query: MomentQuery, *, limit: int | None = None) -> SearchResult:
    """Rowids of live moments matching query.text (best first), filtered by kind and tag."""
    expression, terms = parse_query(query.text)
    if expression is None:
        return SearchResult(rowids=[], terms=())
    if query.kind is not None:
        expression = f'({expression}) AND kind : "{Kind(query.kind).value}"'
    params: list[Any] = [expression]
    tag_filter = ""
    if query.tag:
        tag_filter = "AND rowid IN (SELECT moment_rowid FROM moment_tags WHERE tag = ?)"
        params.append(query.tag)
    params.append(RANK_WINDOW + 1)
    sql = f"""
        WITH window AS (
            SELECT rowid, bm25(moments_fts, {_BM25_WEIGHTS}) AS score
            FROM moments_fts
            WHERE moments_fts MATCH ? {tag_filter}
            ORDER BY rowid DESC
            LIMIT ?
        )
        SELECT rowid FROM window ORDER BY score, rowid DESC
    """
    rowids = [row[0] for row in db.execute(sql, params)]
    truncated = len(rowids) > RANK_WINDOW
    if truncated:
        # The extra row only told us there are more; drop it wherever ranking put it.
        oldest = min(rowids)
        rowids.remove(oldest)
    if limit is not None:
        rowids = rowids[:limit]
    return SearchResult(rowids=rowids, terms=terms, truncated=truncated)


SNIPPET_COLUMNS = (1, 5, 3)
"""Where a snippet may come from, best first: the note, the page's (or kept file's) text, the link. Never
the title (the row shows it already) nor the tags (the row's second line)."""


def snippets(db: Database, text: str, rowids: Sequence[int], *, tokens: int = 14) -> dict[int, str]:
    """For the given (displayed) rows only: the passage around the matched words (between SNIPPET_START
    and SNIPPET_END), from the note, else the page's text, else the link, with "…" where it was cut on
    either side. "" when the words matched only the title or tags, or when the passage would just repeat
    the row's title (a moment without a title shows its note's first line as its title)."""
    expression, _ = parse_query(text)
    if expression is None or not rowids:
        return {}
    placeholders = ", ".join("?" for _ in rowids)
    calls = ", ".join(f"snippet(moments_fts, {column}, ?, ?, '…', ?)" for column in SNIPPET_COLUMNS)
    marks = [SNIPPET_START, SNIPPET_END, tokens] * len(SNIPPET_COLUMNS)
    # The rowid range lets FTS5 seek; `+rowid IN` keeps SQLite from running the MATCH once per row.
    rows = db.execute(
        f"SELECT rowid, title, substr(body, 1, 500), {calls} FROM moments_fts "
        f"WHERE moments_fts MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN ({placeholders})",
        [*marks, expression, min(rowids), max(rowids), *rowids],
    )
    return {row[0]: _best_passage(row[1] or "", row[2] or "", row[3:]) for row in rows}


def _best_passage(title: str, body_start: str, candidates: Sequence[str | None]) -> str:
    """The first candidate holding a match that is not a copy of the shown title."""
    shown = _flat(title) or _flat(body_start.lstrip().partition("\n")[0])
    for candidate in candidates:
        if not candidate or SNIPPET_START not in candidate:
            continue
        plain = _flat(candidate.replace(SNIPPET_START, "").replace(SNIPPET_END, "").strip("…"))
        if plain and plain not in shown:
            return candidate
    return ""


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()
