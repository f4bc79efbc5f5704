"""Which screen context may prefill the capture window, so that a prefill never invents text.

A selection or clipboard text is brought in only when (1) Inflow does not own it (text selected in
Inflow's own windows is not context), (2) it differs from what was there at the last capture (the same
old selection is not brought in twice), and (3) it is fresh: the desktop said it changed less than
FRESH_S seconds ago. Text that was already there when Inflow started has no known change time, so it is
never fresh. No Qt here: the controller feeds the desktop's change signals in; the clock is injectable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

from app.context_urls import find_url
from ui.ports import CaptureContext

FRESH_S = 60.0
"""How long after it changed a selection (or copied text) may still prefill a capture."""

Source = Literal["selection", "clipboard"]


class PrefillGate:
    """Filters a read CaptureContext down to what may prefill the capture window.

    `changed(source)` records that the desktop's selection or clipboard changed (now, by the clock);
    `admit(context, ...)` is called once per capture and remembers what it saw for the next one.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, fresh_for: float = FRESH_S) -> None:
        self._clock = clock
        self._fresh_for = fresh_for
        self._changed_at: dict[Source, float] = {}
        self._at_last_capture: dict[Source, str] = {}

    def changed(self, source: Source) -> None:
        """The selection or the clipboard changed just now (QClipboard.changed)."""
        self._changed_at[source] = self._clock()

    def admit(
        self,
        context: CaptureContext,
        *,
        own_selection: bool = False,
        own_clipboard: bool = False,
        live_selection: bool = False,
    ) -> CaptureContext:
        """The context without the texts that must not prefill (and a URL only from what is left).

        own_*: Inflow owns that text (selected or copied in its own windows). live_selection: the
        selection was read from the focused application's current highlight (macOS Accessibility),
        which has no change signal but cannot be stale; it still must differ from the last capture's.
        """
        now = self._clock()
        selection = self._usable("selection", context.selection, own=own_selection, now=now, live=live_selection)
        clipboard = self._usable("clipboard", context.clipboard, own=own_clipboard, now=now, live=False)
        return replace(
            context, selection=selection, clipboard=clipboard, url=find_url(selection) or find_url(clipboard)
        )

    def _usable(self, source: Source, text: str, *, own: bool, now: float, live: bool) -> str:
        previous = self._at_last_capture.get(source)
        self._at_last_capture[source] = text
        if own or not text.strip() or text == previous:
            return ""
        if live:
            return text
        changed_at = self._changed_at.get(source)
        if changed_at is None or now - changed_at > self._fresh_for:
            return ""
        return text
