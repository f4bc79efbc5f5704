"""What read_context finds on a real X server: selection, clipboard, URL and the active window."""

from __future__ import annotations

import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtGui import QClipboard
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from Xlib import X, Xatom

from app.context import read_context
from app.context_x11 import active_window
from storage.models import MAX_TEXT_BYTES

pytestmark = pytest.mark.x11

# Another program: its own process and X connection, one top-level window with EWMH/ICCCM properties.
_OTHER_APP = textwrap.dedent(
    """
    import os, sys
    from Xlib import X, Xatom
    from Xlib.display import Display
    d = Display()
    w = d.screen().root.create_window(0, 0, 100, 100, 0, X.CopyFromParent)
    net_name = sys.argv[1].encode() if sys.argv[1] else None
    if net_name:
        w.change_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"), 8, net_name)
    w.change_property(Xatom.WM_NAME, Xatom.STRING, 8, sys.argv[2].encode("latin-1"))
    if sys.argv[3]:
        w.change_property(Xatom.WM_CLASS, Xatom.STRING, 8, sys.argv[3].replace("|", "\\0").encode())
    w.change_property(d.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    w.map()
    d.sync()
    print(w.id, flush=True)
    sys.stdin.read()
    """
)


@pytest.fixture
def other_app() -> Iterator[Callable[[str, str, str], int]]:
    procs: list[subprocess.Popen[str]] = []

    def start(net_wm_name: str, wm_name: str, wm_class: str) -> int:
        proc = subprocess.Popen(
            [sys.executable, "-c", _OTHER_APP, net_wm_name, wm_name, wm_class],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None
        return int(proc.stdout.readline())

    yield start
    for proc in procs:
        assert proc.stdin is not None
        assert proc.stdout is not None
        proc.stdin.close()
        proc.wait(timeout=10)
        proc.stdout.close()


@pytest.fixture
def set_active(xdisplay: Any) -> Iterator[Callable[[int | None], None]]:
    """Play window manager: point the root's _NET_ACTIVE_WINDOW at a window (None: delete it)."""
    root = xdisplay.screen().root
    atom = xdisplay.intern_atom("_NET_ACTIVE_WINDOW")

    def set_to(window: int | None) -> None:
        if window is None:
            root.delete_property(atom)
        else:
            root.change_property(atom, Xatom.WINDOW, 32, [window])
        xdisplay.sync()

    yield set_to
    set_to(None)


def test_selection_clipboard_and_url(qapp: QApplication) -> None:
    clipboard = qapp.clipboard()
    assert clipboard.supportsSelection()
    clipboard.setText("read (https://docs.python.org/3/library/re.html).", QClipboard.Mode.Selection)
    clipboard.setText("copied https://example.org/a", QClipboard.Mode.Clipboard)
    context = read_context(clipboard)
    assert context.selection == "read (https://docs.python.org/3/library/re.html)."
    assert context.clipboard == "copied https://example.org/a"
    assert context.url == "https://docs.python.org/3/library/re.html"


def test_url_falls_back_to_the_clipboard(qapp: QApplication) -> None:
    clipboard = qapp.clipboard()
    clipboard.setText("no link here, http://not a host", QClipboard.Mode.Selection)
    clipboard.setText("see https://example.org/a;", QClipboard.Mode.Clipboard)
    assert read_context(clipboard).url == "https://example.org/a"
    clipboard.clear(QClipboard.Mode.Selection)
    clipboard.clear(QClipboard.Mode.Clipboard)
    context = read_context(clipboard)
    assert (context.selection, context.clipboard, context.url) == ("", "", None)


def test_text_is_cleaned_and_capped(qapp: QApplication) -> None:
    clipboard = qapp.clipboard()
    clipboard.setText("a\x00b", QClipboard.Mode.Selection)
    clipboard.setText("é" * MAX_TEXT_BYTES, QClipboard.Mode.Clipboard)  # 2 MiB of UTF-8
    context = read_context(clipboard)
    assert context.selection == "ab"
    assert len(context.clipboard.encode("utf-8")) <= MAX_TEXT_BYTES
    assert context.clipboard == "é" * (MAX_TEXT_BYTES // 2)


def test_active_window_of_another_program(
    qapp: QApplication, other_app: Callable[[str, str, str], int], set_active: Callable[[int | None], None]
) -> None:
    window = other_app("Résumé – Writer", "ignored", "writer|Writer|")
    set_active(window)
    context = read_context(qapp.clipboard())
    assert context.window_title == "Résumé – Writer"
    assert context.app_name == "Writer"


def test_title_falls_back_to_wm_name(
    other_app: Callable[[str, str, str], int], set_active: Callable[[int | None], None]
) -> None:
    set_active(other_app("", "Caf\xe9 (Latin-1)", ""))
    assert active_window() == ("Caf\xe9 (Latin-1)", None)


def test_no_active_window_or_a_dead_one(xdisplay: Any, set_active: Callable[[int | None], None]) -> None:
    set_active(None)
    assert active_window() == (None, None)
    set_active(0)
    assert active_window() == (None, None)
    gone = xdisplay.screen().root.create_window(0, 0, 10, 10, 0, X.CopyFromParent)
    gone.destroy()
    xdisplay.sync()
    set_active(gone.id)
    assert active_window() == (None, None)  # BadWindow, not an exception


def test_our_own_window_does_not_count(qtbot: QtBot, set_active: Callable[[int | None], None]) -> None:
    widget = QWidget()
    widget.setWindowTitle("Inflow capture")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    set_active(int(widget.winId()))
    assert active_window() == (None, None)


def test_active_window_is_fast(
    other_app: Callable[[str, str, str], int],
    set_active: Callable[[int | None], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    set_active(other_app("Editor", "Editor", "ed|Ed|"))
    active_window()  # the connection opens on first use
    durations = []
    for _ in range(50):
        start = time.perf_counter()
        assert active_window() == ("Editor", "Ed")
        durations.append(time.perf_counter() - start)
    median = statistics.median(durations)
    with capsys.disabled():
        print(f"\nactive_window(): median {median * 1000:.2f} ms, max {max(durations) * 1000:.2f} ms")
    assert median < 0.005
