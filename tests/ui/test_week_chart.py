"""The 12-week chart: bar heights proportional to the figures at DPR 1 and 2, keyboard and accessible text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from storage.models import Kind
from ui.week_chart import KIND_COLORS, WeekChart

BARS = [(f"2026-W{n:02d}", {Kind.RESOURCE: n % 3, Kind.TIP: n % 5, Kind.QUESTION: n % 2}) for n in range(42, 53)] + [
    ("2026-W53", {Kind.RESOURCE: 4, Kind.TIP: 8, Kind.QUESTION: 2})
]


def _render(chart: WeekChart, ratio: float) -> QImage:
    image = QImage(chart.size() * ratio, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor("white"))
    chart.render(image)
    return image


def _run(image: QImage, x: int, color: QColor) -> int:
    """How many device pixels of column `x` have `color`."""
    return sum(1 for y in range(image.height()) if image.pixelColor(x, y) == color)


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_bar_heights_are_proportional_to_the_figures(qtbot: QtBot, ratio: float) -> None:
    chart = WeekChart()
    qtbot.addWidget(chart)
    chart.resize(480, 180)
    chart.set_bars(BARS)
    image = _render(chart, ratio)
    unit = chart.plot_rect().height() / chart.scale_max() * ratio  # device pixels per moment
    assert chart.scale_max() == 14
    for index in (len(BARS) - 1, 3):
        centre = round(chart.segment_rects(index)[Kind.TIP].center().x() * ratio)
        for kind, count in BARS[index][1].items():
            assert abs(_run(image, centre, KIND_COLORS[kind]) - count * unit) <= 1.5, (index, kind, ratio)
    # The tallest week (14 moments) fills the plot's height.
    centre = round(chart.segment_rects(len(BARS) - 1)[Kind.TIP].center().x() * ratio)
    filled = sum(_run(image, centre, c) for c in KIND_COLORS.values())
    assert abs(filled - chart.plot_rect().height() * ratio) <= 2


def test_keyboard_moves_between_weeks_and_announces_the_figures(qtbot: QtBot) -> None:
    chart = WeekChart()
    qtbot.addWidget(chart)
    chart.set_bars(BARS)
    assert chart.accessibleDescription() == "2026-W53: 14 moments (4 resources, 8 tips, 2 questions)"
    with qtbot.waitSignal(chart.week_selected) as moved:
        QTest.keyClick(chart, Qt.Key.Key_Left)
    assert moved.args == [10]
    assert chart.accessibleDescription() == "2026-W52: 3 moments (1 resource, 2 tips, 0 questions)"
    QTest.keyClick(chart, Qt.Key.Key_Home)
    assert chart.accessibleDescription().startswith("2026-W42: ")
    QTest.keyClick(chart, Qt.Key.Key_Left)  # stays on the first week
    assert chart.selected() == 0
    assert chart.summary_text().splitlines()[-1] == "2026-W53: 14 moments (4 resources, 8 tips, 2 questions)"
    assert chart.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_an_empty_chart_says_so(qtbot: QtBot) -> None:
    chart = WeekChart()
    qtbot.addWidget(chart)
    chart.set_bars([])
    assert chart.accessibleDescription() == "No moments yet."
    _render(chart, 2.0)  # paints without bars
