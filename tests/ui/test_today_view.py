from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from ui.today_view import EMPTY_TEXT, TodayItem, TodayView


class FakeToday:
    """A TodaySource in memory: what the view asked for is recorded."""

    def __init__(self, items: list[TodayItem]) -> None:
        self.items = items
        self.answers: list[tuple[str, int]] = []
        self.nevers: list[str] = []

    def today(self) -> list[TodayItem]:
        return [i for i in self.items if i.moment_id not in {a for a, _ in self.answers} | set(self.nevers)]

    def answer(self, moment_id: str, choice: int) -> None:
        self.answers.append((moment_id, choice))

    def never(self, moment_id: str) -> None:
        self.nevers.append(moment_id)


def test_keys_1_2_3_answer_in_order_then_the_empty_state(qtbot: QtBot) -> None:
    source = FakeToday([TodayItem(f"m{i}", f"Tip {i}", "tip") for i in range(3)])
    view = TodayView(source)
    qtbot.addWidget(view)
    view.show()
    view.list.setFocus()
    qtbot.waitExposed(view)
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3):
        QTest.keyClick(view.list, key)
    assert source.answers == [("m0", 1), ("m1", 2), ("m2", 3)]
    assert view.stack.currentWidget() is view.empty_label
    assert view.empty_label.text() == EMPTY_TEXT
    assert not view.answer_buttons[0].isEnabled()


def test_never_resurface_takes_the_moment_off(qtbot: QtBot) -> None:
    source = FakeToday([TodayItem("a", "A", "resource"), TodayItem("b", "B", "tip")])
    view = TodayView(source)
    qtbot.addWidget(view)
    view.never_button.click()
    assert source.nevers == ["a"]
    assert view.list.count() == 1
    view.refresh()
    assert view.list.count() == 1 and view.list.item(0).data(Qt.ItemDataRole.UserRole) == "b"


def test_nothing_due_shows_the_empty_state(qtbot: QtBot) -> None:
    view = TodayView(FakeToday([]))
    qtbot.addWidget(view)
    assert view.stack.currentWidget() is view.empty_label
