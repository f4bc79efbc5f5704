"""The first-run welcome: the hotkey (and whether it works), the three kinds, where the library is, and
the way to connect a team. Shown once per profile; the tray menu's "Getting started" shows it again."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from storage.models import Kind
from ui.icons import app_icon

KIND_HELP = {
    Kind.RESOURCE: "a page, paper or file worth finding again",
    Kind.TIP: "something you just learned, in your own words",
    Kind.QUESTION: "something to ask your team; the answers come back here",
}
TEAM_LINK = "inflow:connect-team"


def welcome_html(hotkey: str, hotkey_problem: str | None, library_place: str, *, team_link: bool = True) -> str:
    """The welcome's text (rich text): the same in the window and in an empty library without a tray."""
    key = f"<b>{escape(hotkey)}</b>"
    if hotkey_problem:
        state = f"The hotkey {key} is not available: {escape(hotkey_problem)}"
    else:
        state = f"Press {key} anywhere to capture what you just learned: type, then Ctrl+Enter."
    kinds = "".join(f"<li><b>{kind.label}</b>: {KIND_HELP[kind]}</li>" for kind in Kind)
    team = (
        f'<p><a href="{TEAM_LINK}">Connect your team…</a> to share moments with a chat room, wiki or LRS.</p>'
        if team_link
        else ""
    )
    return (
        f"<p>{state}</p><p>Each moment is one of three kinds:</p><ul>{kinds}</ul>"
        f"<p>Your library: {escape(library_place)}</p>{team}"
    )


class WelcomeWindow(QWidget):
    """A small, dismissable window.

    Signals:
        connect_team_requested(): "Connect your team…" was chosen (open Settings > Team targets).
        library_requested(): "Open library" was chosen.
        dismissed(): the window was closed (any way).
    """

    connect_team_requested = Signal()
    library_requested = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Welcome to Inflow")
        self.setWindowIcon(app_icon())
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.team_button = QPushButton("&Connect your team…", self)
        self.library_button = QPushButton("Open &library", self)
        self.close_button = QPushButton("&Got it", self, default=True)
        self.team_button.clicked.connect(self.connect_team_requested)
        self.library_button.clicked.connect(self.library_requested)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.team_button)
        buttons.addWidget(self.library_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.setMinimumWidth(360)

    def show_welcome(self, hotkey: str, hotkey_problem: str | None, library_place: str) -> None:
        """Fill in the text and show the window in front."""
        self.text.setText(welcome_html(hotkey, hotkey_problem, library_place, team_link=False))
        self.adjustSize()
        self.show()
        self.raise_()
        self.activateWindow()
        self.close_button.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.dismissed.emit()
        super().closeEvent(event)
