"""Text on its way to a terminal: control characters shown, never obeyed.

A title, a note or a server's error text can hold escape sequences (`ESC]0;...BEL` retitles the
window, `ESC[2J` clears the screen, others rewrite what was printed before). Every C0/C1 control
character except newline and tab is written visibly instead (`\\x1b`). The CLI writes its stdout and
stderr through `EscapingStream`, so every print is covered; `escape_controls` is the same rule for
one string, `json_text` keeps JSON valid while doing it.
"""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")  # json.dumps escapes C0 itself, not DEL or C1


def escape_controls(text: str) -> str:
    """`text` with each control character (not newline or tab) shown as `\\xNN`."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def json_text(data: object) -> str:
    """`json.dumps(data, ensure_ascii=False)` with DEL and C1 characters escaped as `\\u00NN`."""
    text = json.dumps(data, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class EscapingStream:
    """A text stream that escapes control characters in everything written to it.

    `unescaped` is the stream underneath, for the few writers that draw with `\\r` on purpose
    (a progress bar) and write only their own text."""

    def __init__(self, stream: TextIO) -> None:
        self.unescaped = stream

    def write(self, text: str) -> int:
        self.unescaped.write(escape_controls(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # Any: whatever the wrapped stream has (flush, fileno, ...)
        return getattr(self.unescaped, name)


def escape_standard_streams() -> None:
    """From now on, sys.stdout and sys.stderr escape control characters (once per process).

    A missing stream (None: the windowed Windows program has no console) stays None, so that a print
    is dropped as Python drops it, instead of failing in the wrapper."""
    import sys

    if sys.stdout is not None and not isinstance(sys.stdout, EscapingStream):
        sys.stdout = EscapingStream(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, EscapingStream):
        sys.stderr = EscapingStream(sys.stderr)
