"""Run a blocking call (a network test, a keyring write) off the GUI thread; get the result back on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")


class Background(QObject):
    """`run(work, done)`: `work()` runs on a short-lived thread, `done(result, error)` on the GUI thread
    (the result is None when `work` raised `error`)."""

    _finished = Signal(object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._finished.connect(self._on_finished)

    def run(self, work: Callable[[], T], done: Callable[[T | None, BaseException | None], None]) -> None:
        def target() -> None:
            try:
                result = work()
            except Exception as exc:  # handed to `done`, which tells the person
                self._finished.emit(done, None, exc)
                return
            self._finished.emit(done, result, None)

        threading.Thread(target=target, name="inflow-background", daemon=True).start()

    def _on_finished(
        self, done: Callable[[object, BaseException | None], None], result: object, error: BaseException | None
    ) -> None:
        done(result, error)
