"""The detail pane's "Shared with" section: one line per delivery, with Retry and Cancel where they apply."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from storage.models import Delivery, DeliveryState
from ui.markdown import is_safe_url
from ui.widgets import tone_color

_ACTIONS = {"post": "post", "edit": "edit", "retract": "remove"}


def next_try_text(at: float) -> str:
    """HH:MM:SS in local time for a unix timestamp."""
    return time.strftime("%H:%M:%S", time.localtime(at))


def delivery_state_text(delivery: Delivery) -> str:
    """What a delivery's state says in the detail pane (plain text, without the link)."""
    error = (delivery.last_error or "").strip() or "unknown error"
    state = delivery.state
    if state is DeliveryState.PENDING and delivery.attempts > 0:
        return (
            f"retrying (attempt {delivery.attempts}): {error} — next try at {next_try_text(delivery.next_attempt_at)}"
        )
    texts = {
        DeliveryState.PENDING: "queued",
        DeliveryState.INFLIGHT: "sending…",
        DeliveryState.SENT: "sent",
        DeliveryState.DEAD: f"failed: {error}",
        DeliveryState.PAUSED: f"paused: sign in again ({(delivery.last_error or '').strip() or 'signed out'})",
        DeliveryState.CANCELLED: "cancelled",
    }
    return texts[state]


def can_cancel(delivery: Delivery) -> bool:
    return delivery.state in (DeliveryState.PENDING, DeliveryState.PAUSED)


def can_retry(delivery: Delivery) -> bool:
    return delivery.state is DeliveryState.DEAD


class SharingPanel(QFrame):
    """Lists a moment's deliveries; hidden when there are none.

    Signals:
        retry_requested(int): Retry was pressed for the delivery with this id.
        cancel_requested(int): Cancel was pressed for the delivery with this id.
        link_activated(QUrl): a sent item's link (http/https only) was activated.
    """

    retry_requested = Signal(int)
    cancel_requested = Signal(int)
    link_activated = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SharingPanel")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.heading = QLabel("<b>Shared with</b>", self)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 8)
        self._layout.setSpacing(6)
        self._layout.addWidget(self.heading)
        self._rows, self._grid = self._new_rows()
        self.state_labels: dict[int, QLabel] = {}
        self.retry_buttons: dict[int, QPushButton] = {}
        self.cancel_buttons: dict[int, QPushButton] = {}
        self._deliveries: list[Delivery] = []
        self._row_height = QPushButton("Cancel").sizeHint().height()  # rows with and without buttons alike
        self.hide()

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self._deliveries)

    def set_deliveries(self, deliveries: list[Delivery]) -> None:
        """Show these deliveries (oldest first); a focused Retry/Cancel button keeps focus if it is still there."""
        if deliveries == self._deliveries:
            return
        focused = self._focused_button()
        self._deliveries = list(deliveries)
        self._clear()
        for row, delivery in enumerate(deliveries):
            self._add_row(row, delivery)
        self.setVisible(bool(deliveries))
        if focused is not None:
            kind, delivery_id = focused
            button = (self.retry_buttons if kind == "retry" else self.cancel_buttons).get(delivery_id)
            if button is not None:
                button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _focused_button(self) -> tuple[str, int] | None:
        for kind, buttons in (("retry", self.retry_buttons), ("cancel", self.cancel_buttons)):
            for delivery_id, button in buttons.items():
                if button.hasFocus():
                    return kind, delivery_id
        return None

    def _new_rows(self) -> tuple[QWidget, QGridLayout]:
        rows = QWidget(self)
        grid = QGridLayout(rows)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(2, 1)
        self._layout.addWidget(rows)
        return rows, grid

    def _clear(self) -> None:
        self.state_labels.clear()
        self.retry_buttons.clear()
        self.cancel_buttons.clear()
        self._layout.removeWidget(self._rows)
        self._rows.hide()
        self._rows.deleteLater()
        self._rows, self._grid = self._new_rows()

    def _add_row(self, row: int, delivery: Delivery) -> None:
        name = QLabel(self._rows)
        name.setTextFormat(Qt.TextFormat.PlainText)
        name.setText(delivery.target)
        font = name.font()
        font.setBold(True)
        name.setFont(font)
        action = QLabel(_ACTIONS.get(delivery.action, delivery.action), self._rows)
        action.setEnabled(False)
        state = self._state_label(delivery)
        self.state_labels[delivery.id] = state
        middle = Qt.AlignmentFlag.AlignVCenter
        self._grid.addWidget(name, row, 0, middle)
        self._grid.addWidget(action, row, 1, middle)
        self._grid.addWidget(state, row, 2, middle)
        self._grid.setRowMinimumHeight(row, self._row_height)
        buttons = QWidget(self._rows)
        buttons_layout = _hbox(buttons)
        if can_retry(delivery):
            retry = QPushButton("Retry", buttons)
            retry.setToolTip(f"Try sending to {delivery.target} again now")
            retry.clicked.connect(lambda _=False, i=delivery.id: self.retry_requested.emit(i))
            self.retry_buttons[delivery.id] = retry
            buttons_layout.addWidget(retry)
        if can_cancel(delivery):
            cancel = QPushButton("Cancel", buttons)
            cancel.setToolTip(f"Do not send this to {delivery.target}")
            cancel.clicked.connect(lambda _=False, i=delivery.id: self.cancel_requested.emit(i))
            self.cancel_buttons[delivery.id] = cancel
            buttons_layout.addWidget(cancel)
        self._grid.addWidget(buttons, row, 3, middle | Qt.AlignmentFlag.AlignRight)

    def _state_label(self, delivery: Delivery) -> QLabel:
        label = QLabel(self._rows)
        label.setWordWrap(True)
        label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        text = delivery_state_text(delivery)
        label.setToolTip(text)
        link = delivery.remote_link
        if delivery.state is DeliveryState.SENT and link and is_safe_url(link) and not link.startswith("mailto:"):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setText(f'{html.escape(text)} · <a href="{html.escape(link)}">open</a>')
            label.setToolTip(link)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            )
            label.linkActivated.connect(self._on_link_activated)
        else:
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setText(text)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        tone = {DeliveryState.DEAD: "error", DeliveryState.PAUSED: "warning", DeliveryState.SENT: "success"}.get(
            delivery.state
        )
        if tone is None and delivery.retrying:
            tone = "warning"
        if tone is not None:
            label.setStyleSheet(f"color: {tone_color(label, tone)};")
        return label

    def _on_link_activated(self, link: str) -> None:
        if is_safe_url(link):
            self.link_activated.emit(QUrl(link))


def _hbox(parent: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    return layout
