"""Settings → Team targets: the list of targets moments can be shared with (state, main one, policy
locks) with its buttons beside it, and the sharing defaults below. The Add/Edit form is ui.target_form,
the rows ui.target_list, the sign-in dialog ui.signin_dialog."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.ports import TargetInfo, TargetKindInfo
from ui.signin_dialog import SignInDialog
from ui.target_form import TargetForm
from ui.target_list import MANAGED, row_text, state_text, target_kind_icon
from ui.widgets import InlineMessage, muted, tip, tone_color

__all__ = ["MANAGED", "TargetsPage", "managed_tip"]
SHARING_DEFAULTS = (
    ("share_tips", "New ti&ps", True),
    ("share_questions", "New &questions", True),
    ("share_resources", "New &resources", False),
)
ADD_TIP = "Add a Matrix room, a Slack or Teams channel, a wiki, an LRS, a webhook…"
ICON_SIZE = 32
NAME_ROLE = Qt.ItemDataRole.UserRole + 1


def managed_tip(source: str) -> str:
    """The tooltip of a managed control: who manages it and where the policy is."""
    return f"{MANAGED} (policy: {source})" if source else MANAGED


class TargetsPage(QWidget):
    """The "Team targets" settings tab.

    Signals:
        target_test_requested(str, str, dict, str): name, kind, settings, secret ("" for a configured target:
            use the stored secret).
        target_add_requested(str, str, dict, str): name, kind, settings, secret from the Add form.
        target_edit_requested(str, str, dict, str): the same from the Edit form ("" secret: keep the stored one).
        target_remove_requested(str): remove this target (the person confirmed).
        main_target_requested(str): make this target the main one.
        signin_requested(str, str): a paused target's name and the secret typed again.
    """

    target_test_requested = Signal(str, str, dict, str)
    target_add_requested = Signal(str, str, dict, str)
    target_edit_requested = Signal(str, str, dict, str)
    target_remove_requested = Signal(str)
    main_target_requested = Signal(str)
    signin_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._targets: list[TargetInfo] = []
        self._kinds: list[TargetKindInfo] = []
        self._targets_fixed_by = ""
        self._main_fixed_by = ""
        self.form: TargetForm | None = None
        self.signin_dialog: SignInDialog | None = None
        self.list = self._build_list()
        self.empty_state = self._build_empty_state()
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty_state)
        self.add_button = tip(QPushButton("&Add…", self), ADD_TIP)
        self.edit_button = tip(QPushButton("&Edit…", self), "Change this target's settings or secret")
        self.remove_button = tip(QPushButton("Re&move", self), "Stop sharing with this target")
        self.test_button = tip(QPushButton("Te&st", self), "Check that the target answers with its stored secret")
        self.main_button = tip(QPushButton("Set as ma&in", self), "New tips and questions go here by default")
        self.signin_button = tip(QPushButton("Sig&n in again…", self), "Type the secret again to resume sharing")
        self.status = InlineMessage(self)
        self.button_column = QWidget(self)
        buttons = QVBoxLayout(self.button_column)
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (
            self.add_button, self.edit_button, self.remove_button, self.test_button, self.main_button,
            self.signin_button,
        ):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.stack, 1)
        row.addWidget(self.button_column)

        defaults = self._build_defaults()
        self.load_defaults({})

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 12, 8, 8)
        layout.setSpacing(8)
        layout.addLayout(row, 1)
        layout.addWidget(self.status)
        layout.addWidget(defaults)

        self.add_button.clicked.connect(self.open_add_form)
        self.add_first_button.clicked.connect(self.open_add_form)
        self.edit_button.clicked.connect(self.open_edit_form)
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.main_button.clicked.connect(self._on_main_clicked)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.signin_button.clicked.connect(self.open_signin)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.set_targets([])

    # ------------------------------------------------------------------ API
    def set_target_kinds(self, kinds: list[TargetKindInfo]) -> None:
        """The kinds of target the Add form offers."""
        self._kinds = list(kinds)
        self._update_buttons()

    def set_managed(self, targets_fixed_by: str, main_fixed_by: str = "") -> None:
        """The organisation's policy: not empty `targets_fixed_by` means only its targets exist (no Add,
        Remove); not empty `main_fixed_by` means it chooses the main target. Each is the policy source."""
        self._targets_fixed_by = targets_fixed_by
        self._main_fixed_by = main_fixed_by
        self._update_buttons()

    def set_targets(self, targets: list[TargetInfo]) -> None:
        """Show the configured targets, keeping the selected one when it is still there."""
        current = self.current_target()
        self._targets = list(targets)
        labels = {k.kind: k.label for k in self._kinds}
        self.list.clear()
        for target in targets:
            label = labels.get(target.kind, target.kind)
            item = QListWidgetItem(target_kind_icon(target.kind, label), row_text(target, label))
            item.setData(NAME_ROLE, target.name)
            item.setToolTip(item.text())
            _text, tone = state_text(target)
            if tone != "success":
                item.setForeground(QColor(tone_color(self.list, tone)))
            if target.is_main:
                bold = item.font()
                bold.setBold(True)
                item.setFont(bold)
            self.list.addItem(item)
        names = [t.name for t in targets]
        if current is not None and current.name in names:
            self.list.setCurrentRow(names.index(current.name))
        elif targets:
            self.list.setCurrentRow(0)
        self.stack.setCurrentWidget(self.list if targets else self.empty_state)
        self.button_column.setVisible(bool(targets))
        self._update_buttons()

    def current_target(self) -> TargetInfo | None:
        row = self.list.currentRow()
        return self._targets[row] if 0 <= row < len(self._targets) else None

    def open_add_form(self) -> TargetForm | None:
        """Open the Add form (window-modal, not blocking)."""
        if not self._kinds:
            return None
        if self._targets_fixed_by:
            return None
        return self._open_form(None)

    def open_edit_form(self) -> TargetForm | None:
        """Open the Edit form of the selected target (not a managed one, nor under a targets policy)."""
        target = self.current_target()
        if target is None or target.managed or self._targets_fixed_by:
            return None
        if not any(k.kind == target.kind for k in self._kinds):
            self.status.show_error(f"{target.name} is a {target.kind} target, which cannot be edited here.")
            return None
        return self._open_form(target)

    def _open_form(self, editing: TargetInfo | None) -> TargetForm:
        form = TargetForm(self._kinds, {t.name for t in self._targets}, self, editing=editing)
        form.test_requested.connect(self.target_test_requested)
        form.save_requested.connect(self.target_edit_requested if editing else self.target_add_requested)
        form.finished.connect(self._on_form_finished)
        self.form = form
        form.open()
        first = form.page.edits or {}
        focus = next(iter(first.values()), form.name_edit) if editing else form.name_edit
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        return form

    def open_signin(self) -> SignInDialog | None:
        target = self.current_target()
        if target is None or not target.paused_reason:
            return None
        label = next((k.secret_label for k in self._kinds if k.kind == target.kind), "")
        dialog = SignInDialog(target, label, self)
        dialog.signin_requested.connect(self.signin_requested)
        dialog.finished.connect(dialog.deleteLater)
        self.signin_dialog = dialog
        dialog.open()
        return dialog

    def show_target_test_result(self, ok: bool, message: str, problem: str = "") -> None:
        """A connection test finished: shown in the open form (with what was checked and how to fix
        it; `problem` is the kind of failure), else on the tab."""
        self.test_button.setEnabled(self.current_target() is not None)
        if self.form is not None and self.form.isVisible():
            self.form.show_test_result(ok, message, problem)
        elif ok:
            self.status.show_success(message or "Connection works.")
        else:
            self.status.show_error(message or "The connection test failed.")

    def show_target_note(self, message: str) -> None:
        """A step for the person (e.g. where to sign in, with the code): in the open form, else on the tab."""
        if self.form is not None and self.form.isVisible():
            self.form.message.show_hint(message)
        else:
            self.status.show_hint(message)

    def target_saved(self, name: str) -> None:
        """The app saved the target from the Add form: close it and select the new target."""
        edited = False
        if self.form is not None:
            form, self.form = self.form, None
            edited = form.editing is not None
            form._set_saving(False)
            form.accept()
            form.deleteLater()
        names = [t.name for t in self._targets]
        if name in names:
            self.list.setCurrentRow(names.index(name))
        self.status.show_success(f"Saved {name}." if edited else f"Added {name}.")

    def show_target_error(self, message: str) -> None:
        """Adding (or another target action) failed: in the open form with everything kept, else on the tab."""
        if self.form is not None and self.form.isVisible():
            self.form.show_error(message)
        else:
            self.status.show_error(message)

    def load_defaults(self, values: dict[str, Any]) -> None:
        for key, _text, default in SHARING_DEFAULTS:
            self.default_checks[key].setChecked(bool(values.get(key, default)))

    def default_values(self) -> dict[str, bool]:
        return {key: check.isChecked() for key, check in self.default_checks.items()}

    # ------------------------------------------------------------------ internals
    def _build_list(self) -> QListWidget:
        targets = QListWidget(self)
        targets.setAlternatingRowColors(True)
        targets.setSpacing(2)
        targets.setMinimumHeight(120)
        targets.setWordWrap(True)
        targets.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        targets.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        targets.setAccessibleName("Team targets")
        return targets

    def _build_defaults(self) -> QGroupBox:
        """The sharing defaults, below the list."""
        self.default_checks: dict[str, QCheckBox] = {}
        defaults = QGroupBox("Shared with the main target by default", self)
        defaults_layout = QVBoxLayout(defaults)
        for key, text, _default in SHARING_DEFAULTS:
            check = QCheckBox(text, defaults)
            self.default_checks[key] = check
            defaults_layout.addWidget(check)
        note = muted(QLabel("You can change it for each moment in the capture window (Ctrl+Shift+P).", defaults))
        note.setWordWrap(True)
        defaults_layout.addWidget(note)
        return defaults

    def _build_empty_state(self) -> QWidget:
        """What the list's place shows before the first target: what targets are for, and Add."""
        panel = QWidget(self)
        heading = QLabel("No team targets yet", panel)
        bold = heading.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        heading.setFont(bold)
        text = QLabel(
            "Connect your team to share tips, questions and resources where it already talks: a Matrix room, "
            "a Slack or Teams channel, a wiki, a forum, a learning record store or your own webhook.",
            panel,
        )
        text.setWordWrap(True)
        self.add_first_button = tip(QPushButton("&Add your first target…", panel), ADD_TIP)
        self.empty_note = muted(QLabel("", panel))
        self.empty_note.setWordWrap(True)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addWidget(self.add_first_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.empty_note)
        layout.addStretch(1)
        return panel

    def _update_buttons(self, *_args: object) -> None:
        target = self.current_target()
        selected = target is not None
        fixed = self._targets_fixed_by
        self.add_button.setEnabled(bool(self._kinds) and not fixed)
        self.add_button.setToolTip(managed_tip(fixed) + ": only its targets can be used" if fixed else ADD_TIP)
        self.add_first_button.setEnabled(bool(self._kinds) and not fixed)
        self.add_first_button.setToolTip(self.add_button.toolTip())
        self.empty_note.setText(self.add_button.toolTip() if fixed else "")
        self.empty_note.setVisible(bool(fixed))
        managed = bool(target and target.managed)
        self.remove_button.setEnabled(selected and not managed and not fixed)
        self.edit_button.setEnabled(selected and not managed and not fixed)
        if managed or fixed:
            self.remove_button.setToolTip(managed_tip(fixed) + ": targets cannot be removed here")
            self.edit_button.setToolTip(managed_tip(fixed) + ": targets cannot be changed here")
        else:
            self.remove_button.setToolTip("Stop sharing with this target")
            self.edit_button.setToolTip("Change this target's settings or secret")
        public = bool(target and target.public)
        self.main_button.setEnabled(
            selected and not (target and target.is_main) and not self._main_fixed_by and not public
        )
        self.main_button.setToolTip(
            managed_tip(self._main_fixed_by) + ": it chooses the main target"
            if self._main_fixed_by
            else "A public target is never the main one: anyone can read what is shared there"
            if public
            else "New tips and questions go here by default"
        )
        self.test_button.setEnabled(selected)
        self.signin_button.setVisible(bool(target and target.paused_reason))

    def _on_list_item_activated(self, _item: QListWidgetItem) -> None:
        """Enter or a double click on a row: sign in again when paused, else Edit."""
        if self.signin_button.isVisible():
            self.open_signin()
        elif self.edit_button.isEnabled():
            self.open_edit_form()

    def _on_remove_clicked(self) -> None:
        target = self.current_target()
        if target is None or target.managed or self._targets_fixed_by:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Remove target — Inflow")
        box.setText(f"Stop sharing with {target.name}?")
        box.setInformativeText(
            "Moments already shared stay there; nothing more is sent. Queued moments for it are cancelled."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        box.deleteLater()
        if clicked is remove:
            self.target_remove_requested.emit(target.name)

    def _on_main_clicked(self) -> None:
        target = self.current_target()
        if target is not None:
            self.main_target_requested.emit(target.name)

    def _on_test_clicked(self) -> None:
        target = self.current_target()
        if target is None:
            return
        self.status.show_hint(f"Testing {target.name}…")
        self.test_button.setEnabled(False)
        self.target_test_requested.emit(target.name, target.kind, dict(target.settings), "")

    def _on_form_finished(self, _result: int) -> None:
        form, self.form = self.form, None
        if form is not None:
            form.deleteLater()
