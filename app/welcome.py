"""The first run: a welcome once per profile (a flag in the UI state, not a setting a policy could lock),
a notification naming the hotkey, and the welcome again from the tray menu."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from app.drafts import load_ui_state, save_ui_state
from app.paths import Paths

if TYPE_CHECKING:
    from ui.welcome import WelcomeWindow

WELCOMED_KEY = "welcomed"


class Tell(Protocol):
    def __call__(self, body: str, *, summary: str = ...) -> None: ...


def first_run(paths: Paths) -> bool:
    """True until the welcome has been shown once for this profile."""
    return not load_ui_state(paths).get(WELCOMED_KEY)


def mark_welcomed(paths: Paths) -> None:
    save_ui_state(paths, {WELCOMED_KEY: True})


def library_place(paths: Paths) -> str:
    """Where the library is, in the app and on disk."""
    return f"the tray icon's menu › Library (or middle-click the icon); kept on this computer in {paths.data_dir}"


def first_start_notice(hotkey: str, hotkey_problem: str | None) -> str:
    """The first start's notification: the hotkey, or why there is none."""
    if hotkey_problem:
        return f"Inflow is in your tray. The hotkey {hotkey} is not available, so use the tray icon to capture."
    return f"Inflow is in your tray. Press {hotkey} anywhere to capture what you just learned."


class Welcome:
    """The welcome window, made on first use; its buttons call back into the app."""

    def __init__(self, paths: Paths, *, open_library: Callable[[], None], open_team: Callable[[], None]) -> None:
        self._paths = paths
        self._open_library = open_library
        self._open_team = open_team
        self.window: WelcomeWindow | None = None

    def first_start(self, hotkey: str, hotkey_problem: str | None, *, has_tray: bool, tell: Tell) -> None:
        """On a profile's first start: a notification naming the hotkey, and the welcome window (without
        a tray the library, the app's home then, shows the welcome in its empty state)."""
        if not first_run(self._paths):
            return
        tell(first_start_notice(hotkey, hotkey_problem), summary="Welcome to Inflow")
        if has_tray:
            self.show(hotkey, hotkey_problem)
        else:
            mark_welcomed(self._paths)

    def show(self, hotkey: str, hotkey_problem: str | None) -> None:
        """Show the welcome; the flag is set, so it does not come up by itself again."""
        if self.window is None:
            from ui.welcome import WelcomeWindow

            self.window = WelcomeWindow()
            self.window.connect_team_requested.connect(self._on_window_connect_team_requested)
            self.window.library_requested.connect(self._on_window_library_requested)
        self.window.show_welcome(hotkey, hotkey_problem, library_place(self._paths))
        mark_welcomed(self._paths)

    def html(self, hotkey: str, hotkey_problem: str | None) -> str:
        """The welcome's text for an empty library window (no tray), with its "Connect your team" link."""
        from ui.welcome import welcome_html

        place = f"this window; kept on this computer in {self._paths.data_dir}"
        return welcome_html(hotkey, hotkey_problem, place)

    def close(self) -> None:
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None

    def _on_window_connect_team_requested(self) -> None:
        if self.window is not None:
            self.window.close()
        self._open_team()

    def _on_window_library_requested(self) -> None:
        if self.window is not None:
            self.window.close()
        self._open_library()
