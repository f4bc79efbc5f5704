"""Reading selections from other programs, including slow, hung and very large ones."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest
from Xlib import X
from Xlib.display import Display

from app.selection_x11 import read_selection
from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.x11

OWNER = textwrap.dedent(
    """
    import sys
    from PySide6.QtGui import QClipboard
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    text = sys.stdin.read()
    mode = QClipboard.Mode.Selection if sys.argv[1] == "PRIMARY" else QClipboard.Mode.Clipboard
    app.clipboard().setText(text, mode)
    print("owned", flush=True)
    app.exec()
    """
)


@pytest.fixture
def owner() -> Iterator[object]:
    processes: list[subprocess.Popen[str]] = []

    def own(name: str, text: str) -> None:
        process = subprocess.Popen(
            [sys.executable, "-c", OWNER, name], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(text)
        process.stdin.close()
        assert process.stdout.readline().strip() == "owned"
        processes.append(process)

    yield own
    for process in processes:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_reads_primary_and_clipboard_owned_by_another_program(owner) -> None:  # type: ignore[no-untyped-def]
    owner("PRIMARY", "selected words https://example.org/x")
    owner("CLIPBOARD", "copied ünïcode")
    assert wait_for(lambda: read_selection("PRIMARY")) == "selected words https://example.org/x"
    assert read_selection("CLIPBOARD") == "copied ünïcode"


def test_large_selection_arrives_incrementally_and_is_capped(owner) -> None:  # type: ignore[no-untyped-def]
    big = ("0123456789abcdef" * 64 + "\n") * 700  # ~710 KB: Qt sends it with the INCR protocol
    owner("CLIPBOARD", big)
    got = wait_for(lambda: read_selection("CLIPBOARD", timeout=5.0), what="the large selection")
    assert got == big


def test_a_hung_owner_costs_only_the_timeout() -> None:
    hung = Display()
    window = hung.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
    window.set_selection_owner(hung.intern_atom("PRIMARY"), X.CurrentTime)
    hung.sync()  # owns PRIMARY but will never answer a request
    try:
        started = time.monotonic()
        assert read_selection("PRIMARY", timeout=0.3) == ""
        assert time.monotonic() - started < 2.0
    finally:
        hung.close()


def test_no_owner_is_empty() -> None:
    display = Display()
    try:
        display.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent).set_selection_owner(
            display.intern_atom("SECONDARY"), X.CurrentTime
        )
        display.sync()
    finally:
        display.close()  # ownership ends with the connection
    assert read_selection("SECONDARY") == ""
