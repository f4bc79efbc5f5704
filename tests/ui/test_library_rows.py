"""Library rows: the snippet keeps its hit in view, and the second line always says the same things."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.highlight import split_snippet
from ui.library_delegate import keep_hit_visible


def test_a_hit_far_into_the_snippet_is_moved_into_view(qtbot: QtBot) -> None:
    metrics = QFontMetrics(QApplication.font())
    lead = "a long run of words before the hit " * 4
    runs = split_snippet(f"…{lead}\x02needle\x03 and after…")
    width = metrics.horizontalAdvance("needle") * 4
    fitted = keep_hit_visible(runs, metrics, width)
    assert fitted[0][0].startswith("…")
    assert fitted[1] == ("needle", True)
    assert metrics.horizontalAdvance(fitted[0][0] + "needle") <= width


def test_a_snippet_whose_hit_fits_is_left_alone(qtbot: QtBot) -> None:
    metrics = QFontMetrics(QApplication.font())
    runs = split_snippet("see \x02needle\x03 " + "and after " * 30)
    assert keep_hit_visible(runs, metrics, metrics.horizontalAdvance("see needle") + 4) == runs
    assert keep_hit_visible([("no hit at all", False)], metrics, 10) == [("no hit at all", False)]


def test_the_second_line_always_reads_kind_then_tags() -> None:
    from storage.models import Kind
    from tests.ui.conftest import make_moment
    from ui.library_delegate import second_line

    assert second_line(make_moment(1, kind=Kind.TIP, tags=())) == "Tip"
    assert second_line(make_moment(2, kind=Kind.RESOURCE, tags=("qt", "python"))) == "Resource · #qt  #python"
    team = make_moment(3, kind=Kind.QUESTION, origin="team", author="", tags=("git",))
    assert second_line(team) == "Question · a teammate · #git"
