"""What the screen context filled into the capture window, kept apart from what the person typed.

A prefill goes only into a field that is empty and that the person has not edited in this draft (a
cleared field stays cleared). It is selected, so typing replaces it, the keys hint says so, and Esc
clears it (a second Esc hides the window).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel

from storage.models import MAX_TEXT_BYTES
from ui.capture_form import TextFields
from ui.ports import CaptureContext

Field = Literal["body", "url"]
KEYS_HINT = "Ctrl+Enter saves · Esc hides, keeping the draft"


class Prefill:
    """The body and link fields' prefill state; `apply` brings context in, `clear` (Esc) takes it out."""

    def __init__(self, fields: TextFields, hint: QLabel) -> None:
        self._fields, self._hint = fields, hint
        self._body, self._url = body, url = fields.body_edit, fields.url_edit
        self.touched: set[Field] = set()
        """Fields the person edited in this draft (typed, pasted or cleared): never prefilled."""
        self.marked: set[Field] = set()
        """Fields that hold an unedited prefill."""
        self._origin = ""
        self._filling = False
        body.textChanged.connect(lambda: self._on_edited("body"))
        url.textChanged.connect(lambda _text: self._on_edited("url"))

    def apply(self, ctx: CaptureContext) -> str | None:
        """Fill the empty, untouched fields from `ctx`; a problem to show (text too long), or None."""
        text = (ctx.selection or ctx.clipboard or "").strip()
        origin = "your selection" if ctx.selection.strip() else "the clipboard"
        url = (ctx.url or "").strip()
        if not url and text.startswith(("http://", "https://")) and not any(c.isspace() for c in text):
            url, text = text, ""
        problem = None
        if url and self._open("url") and not self._url.text().strip():
            self._quietly(lambda: self._url.setText(url))
            self._url.selectAll()
            self.marked.add("url")
        if text and self._open("body") and self._body.document().isEmpty():
            if len(text) > MAX_TEXT_BYTES:
                problem = "The selection is too long to bring in; paste the part you need."
            else:
                self._quietly(lambda: self._fields.set_body(text))
                self.marked.add("body")
                cursor = self._body.textCursor()
                cursor.select(QTextCursor.SelectionType.Document)
                self._body.setTextCursor(cursor)
        if self.marked:
            self._origin = origin
        self._update_hint()
        return problem

    def clear(self) -> bool:
        """Take the unedited prefill out again (Esc); False when there is none."""
        if not self.marked:
            return False
        for field in sorted(self.marked):
            self._quietly(self._url.clear if field == "url" else self._body.clear)
        self.marked.clear()
        self._update_hint()
        return True

    def touch_all(self) -> None:
        """A restored draft: its fields are the person's, whatever they hold."""
        self.touched = {"body", "url"}
        self.marked.clear()
        self._update_hint()

    def forget(self) -> None:
        """A new, blank draft (after a save)."""
        self.touched.clear()
        self.marked.clear()
        self._update_hint()

    def _open(self, field: Field) -> bool:
        return field not in self.touched and field not in self.marked

    def _quietly(self, change: Callable[[], None]) -> None:
        """A change made by Inflow, not an edit by the person."""
        self._filling = True
        try:
            change()
        finally:
            self._filling = False

    def _on_edited(self, field: Field) -> None:
        if self._filling:
            return
        self.touched.add(field)
        if field in self.marked:
            self.marked.discard(field)
            self._update_hint()

    def _update_hint(self) -> None:
        if self.marked:
            self._hint.setText(f"Ctrl+Enter saves · Esc clears what came from {self._origin}")
        else:
            self._hint.setText(KEYS_HINT)
