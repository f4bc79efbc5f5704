"""The Today view's source: today's queue read from the library, answers and opt-outs written through
the one writer (each one transaction), the `resurface` settings read through the config."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from app.config import Config
from app.resurface import ANSWERS_BY_KEY, Clock, queue, review, system_clock
from app.writer import StorageWriter, WriteOp
from storage.resurface import set_never_resurface
from ui.today_view import TodayItem


class ResurfaceSource:
    """A TodaySource over the read connection and the writer; `done` runs (GUI thread) after each write."""

    def __init__(
        self,
        config: Config,
        read_db: Database,
        writer: StorageWriter,
        done: Callable[[], None] = lambda: None,
        clock: Clock = system_clock,
    ) -> None:
        self._config, self._read_db, self._writer, self._clock = config, read_db, writer, clock
        self.done = done
        """Called on the GUI thread after each write (the view reloads)."""

    def _failed(self, text: str) -> None:
        self._writer.change_failed.emit(text)  # the library shows it in its error bar

    def today(self) -> list[TodayItem]:
        if not self._config.get_bool("resurface"):
            return []
        cards = queue(self._read_db, self._config.get_int("resurface_per_day"), self._clock)
        return [TodayItem(c.moment_id, c.title, c.kind) for c in cards]

    def answer(self, moment_id: str, choice: int) -> None:
        answer, clock = ANSWERS_BY_KEY[str(choice)], self._clock
        self._writer.submit(
            WriteOp(
                lambda db: review(db, moment_id, answer, clock),
                success=lambda _new: self.done(),
                failure=self._failed,
                name="review",
            )
        )

    def never(self, moment_id: str) -> None:
        self._writer.submit(
            WriteOp(
                lambda db: set_never_resurface(db, moment_id),
                success=lambda _none: self.done(),
                failure=self._failed,
                name="never",
            )
        )
