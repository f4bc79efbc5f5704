"""Search-term highlighting shared by the list delegate and the Markdown renderer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from PySide6.QtGui import QColor, QPalette

HIGHLIGHT_CLASS = "hl"
"""CSS class of highlighted spans in rendered HTML (styled by SafeTextBrowser from the palette)."""


@lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    words = {t.strip().strip("\"'*").casefold() for t in terms}
    words.discard("")
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


def term_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """A regex matching any term at the start of a word, case-insensitively (None for no terms)."""
    return _pattern(tuple(terms))


def split_highlights(text: str, terms: Sequence[str]) -> list[tuple[str, bool]]:
    """Split text into (piece, is_match) runs; word-prefix matches of the terms are marked."""
    pattern = term_pattern(terms)
    if pattern is None or not text:
        return [(text, False)] if text else []
    runs: list[tuple[str, bool]] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            runs.append((text[pos : match.start()], False))
        runs.append((match.group(0), True))
        pos = match.end()
    if pos < len(text):
        runs.append((text[pos:], False))
    return runs


SNIPPET_START, SNIPPET_END = "\x02", "\x03"
"""Markers around matched words in search snippets (the same as storage.search's, which ui may not import)."""


def split_snippet(snippet: str) -> list[tuple[str, bool]]:
    """Split a marked snippet into (piece, is_match) runs on one line; stray markers are dropped."""
    runs: list[tuple[str, bool]] = []
    flat = " ".join(snippet.split())
    for i, chunk in enumerate(flat.split(SNIPPET_START)):
        hit, sep, rest = chunk.partition(SNIPPET_END)
        if i == 0:
            pieces = [(chunk.replace(SNIPPET_END, ""), False)]
        elif sep:
            pieces = [(hit, True), (rest.replace(SNIPPET_END, ""), False)]
        else:  # an opening marker without its end: the rest is the match
            pieces = [(chunk, True)]
        runs.extend(p for p in pieces if p[0])
    return runs


def mark_colors(palette: QPalette) -> tuple[QColor, QColor]:
    """Background and text colour for a highlighted term: soft amber, darker in a dark theme."""
    if palette.color(QPalette.ColorRole.Base).lightness() >= 128:
        return QColor("#fde68a"), QColor("#1f1f1f")
    return QColor("#6b520f"), QColor("#fff8e1")
