"""What start-up puts on screen before anything else loads: the tray icon and the armed hotkey.

Everything else (the library database, the capture window, sync, snapshots, connectors, the keyring,
the secret scanner) loads on the event loop's first turn, after the icon has been asked to dock, so
the person sees Inflow as soon as a bare PySide6 tray app would appear (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.hotkey import HotkeyBackend
    from ui.tray import Tray

log = logging.getLogger(__name__)


@dataclass
class StartShell:
    """The tray and the hotkey, shown and armed; the controller takes them over.

    Attributes:
        tray: the tray (shown when the desktop has one).
        hotkey: the global hotkey backend, registered when `hotkey_problem` is None.
        hotkey_problem: why the hotkey could not be grabbed, written for the person.
        has_tray: whether the desktop has a system tray.
        early_presses: hotkey presses (and tray clicks) before the controller took over.
    """

    tray: Tray
    hotkey: HotkeyBackend
    hotkey_problem: str | None
    has_tray: bool
    early_presses: list[str] = field(default_factory=list)

    def _pressed(self) -> None:
        self.early_presses.append("capture")

    def hand_over(self) -> bool:
        """Stop recording early presses; True when one came (the capture window opens)."""
        self.hotkey.activated.disconnect(self._pressed)
        self.tray.new_moment_requested.disconnect(self._pressed)
        return bool(self.early_presses)


def show_shell(qapp: QApplication, hotkey_sequence: str) -> StartShell:
    """Arm the hotkey and show the tray icon, then let Qt send the dock request right away."""
    from app.hotkey import HotkeyError, create_hotkey_backend
    from ui.tray import Tray

    tray = Tray()
    tray.set_hotkey_hint(hotkey_sequence)
    hotkey = create_hotkey_backend(qapp.platformName())
    problem: str | None = None
    try:
        hotkey.register(hotkey_sequence)
    except HotkeyError as exc:
        problem = str(exc)
        log.warning("hotkey: %s", exc)
    has_tray = tray.available()
    if has_tray:
        tray.show()
    shell = StartShell(tray, hotkey, problem, has_tray)
    hotkey.activated.connect(shell._pressed)
    tray.new_moment_requested.connect(shell._pressed)
    qapp.processEvents()  # flush the X requests (dock, grab) before the rest loads
    return shell
