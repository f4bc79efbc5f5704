"""The fields of one kind of team target in the Add/Edit form: a short label with a mnemonic, the field,
and its help under it; the secret with Show/Hide."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.ports import TargetKindInfo
from ui.widgets import muted

FORM_SPACING = 10
_TRAILING_NOTE = re.compile(r"^(?P<label>[^()]+?)\s*\((?P<note>[^()]*)\)$")


def split_label(text: str) -> tuple[str, str]:
    """A connector's label as a short label and help: "Access token (or password when a user is set)"
    -> ("Access token", "Or password when a user is set"); "A or B" -> ("A", "Or B"). Others have no help."""
    match = _TRAILING_NOTE.match(text.strip())
    if match is not None:
        label, note = match["label"].strip(), match["note"].strip()
    elif " or " in text:  # "Personal access token or bot token"
        label, rest = text.strip().split(" or ", 1)
        note = f"or {rest}"
    else:
        return text.strip(), ""
    return label, note[:1].upper() + note[1:]


def with_mnemonic(text: str, taken: set[str]) -> str:
    """`text` with & before a letter no other control in the dialog uses (a word's first letter when
    one is free), which is added to `taken`. Text that already has one keeps it."""
    if "&" in text.replace("&&", ""):
        taken.add(text[text.index("&") + 1].lower())
        return text
    starts = [m.start() for m in re.finditer(r"\b[A-Za-z]", text)]
    others = [i for i, c in enumerate(text) if c.isascii() and c.isalpha() and i not in starts]
    for index in [*starts, *others]:
        letter = text[index].lower()
        if letter not in taken:
            taken.add(letter)
            return f"{text[:index]}&{text[index:]}"
    return text


def mnemonic_of(text: str) -> str:
    """The lowercase letter after the single & of a label or button text ("" when it has none)."""
    plain = text.replace("&&", "")
    index = plain.find("&")
    return plain[index + 1].lower() if 0 <= index < len(plain) - 1 else ""


def help_label(text: str, parent: QWidget) -> QLabel:
    """Muted, wrapped help under a field."""
    label = muted(QLabel(text, parent))
    label.setWordWrap(True)
    label.setObjectName("help")
    return label


def with_help(field: QWidget, note: str, parent: QWidget) -> QWidget:
    """`field` with its help (when there is any) under it, as one form row's field."""
    box = QWidget(parent)
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    if note:
        column.addWidget(help_label(note, box))
    return box


class ShowButton(QToolButton):
    """A checkable Show button (with a free mnemonic) that shows or hides what `edit` holds."""

    def __init__(self, edit: QLineEdit, taken: set[str], parent: QWidget) -> None:
        super().__init__(parent)
        self._edit = edit
        self.setText(with_mnemonic("Show", taken))
        self.setCheckable(True)
        self.setToolTip("Show or hide what is typed")
        self.setAccessibleName("Show the secret")
        self.toggled.connect(self._on_toggled)

    def _on_toggled(self, shown: bool) -> None:
        self._edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)


def secret_row(edit: QLineEdit, button: QToolButton, parent: QWidget) -> QWidget:
    """The secret field with its Show button beside it."""
    row = QWidget(parent)
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    line.addWidget(edit, 1)
    line.addWidget(button)
    return row


class KindPage(QWidget):
    """The fields of one kind of target: one row per setting, then the secret (with Show/Hide).

    `editing`: the secret may stay empty (the stored one is kept)."""

    def __init__(
        self, info: TargetKindInfo, taken: set[str], parent: QWidget | None = None, *, editing: bool = False
    ) -> None:
        super().__init__(parent)
        self.info = info
        self.editing = editing
        self.edits: dict[str, QLineEdit] = {}
        self.labels: list[QLabel] = []
        taken = set(taken)
        self.form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(FORM_SPACING)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key in info.keys:
            edit = QLineEdit(self)
            edit.setObjectName(f"key_{key.name}")
            edit.setAccessibleDescription(key.help)
            self.edits[key.name] = edit
            label, note = split_label(key.label)
            self._add_row(with_mnemonic(f"{label}{' *' if key.required else ''}:", taken), edit, key.help or note)
        self.secret_edit = QLineEdit(self)
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setObjectName("secret")
        self.show_button = ShowButton(self.secret_edit, taken, self)
        if info.interactive_sign_in:
            self.secret_edit.hide()
            self.show_button.hide()
            note = "Save signs you in: a web address and a code appear here; enter the code there."
            form.addRow(help_label(note, self))
        elif info.secret_label:
            self._add_secret_row(taken)
        else:
            self.secret_edit.hide()
            self.show_button.hide()
        if not info.can_retract:
            form.addRow(help_label("Shared moments cannot be removed from there later.", self))

    def _add_secret_row(self, taken: set[str]) -> None:
        secret_label, secret_help = split_label(self.info.secret_label)
        if self.editing:
            self.secret_edit.setPlaceholderText("Unchanged")
            keep = "Leave it empty to keep the stored one"
            secret_help = f"{secret_help.rstrip('.')}. {keep}" if secret_help else keep
        row = secret_row(self.secret_edit, self.show_button, self)
        star = "" if self.editing else " *"
        self.secret_edit.setToolTip("Kept in your system's keyring, never in the settings file")
        self._add_row(with_mnemonic(f"{secret_label}{star}:", taken), row, secret_help, buddy=self.secret_edit)

    def _add_row(self, text: str, field: QWidget, note: str, *, buddy: QWidget | None = None) -> None:
        label = QLabel(text, self)
        label.setBuddy(buddy or field)
        self.labels.append(label)
        self.form.addRow(label, with_help(field, note, self))

    def load(self, settings: dict[str, str]) -> None:
        for name, edit in self.edits.items():
            edit.setText(settings.get(name, ""))

    def settings(self) -> dict[str, str]:
        return {name: edit.text().strip() for name, edit in self.edits.items()}

    def secret(self) -> str:
        return self.secret_edit.text() if self.info.secret_label else ""

    def problem(self) -> tuple[str, QLineEdit] | None:
        for key in self.info.keys:
            edit = self.edits[key.name]
            if key.required and not edit.text().strip():
                return f"{split_label(key.label)[0]} is required.", edit
        needs_secret = self.info.secret_label and not self.info.interactive_sign_in and not self.editing
        if needs_secret and not self.secret_edit.text():
            return f"{split_label(self.info.secret_label)[0]} is required.", self.secret_edit
        return None
