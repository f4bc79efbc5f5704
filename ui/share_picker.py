"""The capture window's "Share with:" row: Only me, or one or more team targets."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QWidget

from ui.ports import SharingDefaults, TargetInfo

MAX_CHIPS = 4
"""With more targets than this, they are offered in a drop-down menu instead of one chip each."""

_CHIP_STYLE = (
    "QToolButton { border: 1px solid palette(mid); border-radius: 10px; padding: 1px 9px; }"
    "QToolButton:checked { background-color: palette(highlight); color: palette(highlighted-text);"
    " border-color: palette(highlight); }"
    "QToolButton:focus { border: 2px solid palette(highlight); padding: 0px 8px; }"
    "QToolButton:checked:focus { border-color: palette(dark); }"
    "QToolButton::menu-indicator { image: none; width: 0; }"
)


class SharePicker(QWidget):
    """Choose who sees a moment: "Only me" (private) or any of the configured targets.

    The selection follows the kind's default until the person changes it (`touched`). When the
    organisation's policy fixes sharing (`SharingDefaults.fixed_by`), it is always the kind's default
    and the chips are disabled.

    Signals:
        changed(): the selection changed (by the person or by a kind default).
        settings_requested(): the "Add a team target in Settings" link was activated.
    """

    changed = Signal()
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._targets: list[TargetInfo] = []
        self._defaults = SharingDefaults(by_kind={})
        self._selected: tuple[str, ...] = ()
        self._remembered: tuple[str, ...] = ()
        self.touched = False
        self.target_buttons: dict[str, QToolButton] = {}
        self.target_actions: dict[str, QAction] = {}
        self.label = QLabel("Share with:", self)
        self.only_me_button = self._chip("Only me", "Keep this moment private (Ctrl+Shift+P)")
        self.only_me_button.clicked.connect(self._on_only_me_clicked)
        self.menu_button: QToolButton | None = None
        self.empty_link = QLabel(self)
        self.empty_link.setTextFormat(Qt.TextFormat.RichText)
        muted_color = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText).name()
        self.empty_link.setText(
            f'<span style="color: {muted_color}">Only me ·</span> <a href="settings">Add a team target in Settings</a>'
        )
        self.empty_link.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.empty_link.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.empty_link.setToolTip("Share moments with your team: add a Matrix room, an LRS or a webhook")
        self.empty_link.linkActivated.connect(self._on_empty_link_activated)
        self.fixed_label = QLabel("Managed by your organization", self)
        self.fixed_label.setEnabled(False)  # muted, like the disabled chips it explains
        self.fixed_label.hide()
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._rebuild()

    # ------------------------------------------------------------------ API
    def set_targets(self, targets: list[TargetInfo], defaults: SharingDefaults, kind: str) -> None:
        """The targets to offer and each kind's default; an untouched selection takes the kind's default."""
        self._targets = list(targets)
        self._defaults = defaults
        if self.fixed:
            self.touched = False
        self._rebuild()
        if self.touched:
            self._set_selected(self._selected, emit=True)
        else:
            self.follow_kind(kind)

    @property
    def fixed(self) -> bool:
        """The policy fixes the choice to the defaults (allow_share_override is false)."""
        return bool(self._defaults.fixed_by)

    @property
    def targets(self) -> list[TargetInfo]:
        return list(self._targets)

    def selection(self) -> tuple[str, ...]:
        """The chosen target names, in the order the targets are listed (empty: only me)."""
        return self._selected

    def default_for(self, kind: str) -> tuple[str, ...]:
        return self._known(self._defaults.by_kind.get(kind, ()))

    def follow_kind(self, kind: str) -> None:
        """The kind changed: take its default unless the person already chose."""
        if not self.touched:
            self._set_selected(self.default_for(kind), emit=True)

    def restore(self, share_to: tuple[str, ...], kind: str) -> None:
        """Show a saved draft's choice; it counts as the person's own unless it is the kind's default."""
        self._set_selected(self.default_for(kind) if self.fixed else tuple(share_to), emit=False)
        self.touched = self._selected != self.default_for(kind)

    def reset(self, kind: str) -> None:
        """A new, blank draft: untouched, at the kind's default."""
        self.touched = False
        self._remembered = ()
        self._set_selected(self.default_for(kind), emit=False)

    def choose(self, names: tuple[str, ...]) -> None:
        """Set the selection as the person would (marks it touched); nothing while the policy fixes it."""
        if self.fixed:
            return
        self.touched = True
        self._set_selected(names, emit=True)

    def toggle_only_me(self) -> None:
        """Ctrl+Shift+P: private, or back to the targets chosen before (else the main target)."""
        if not self._targets or self.fixed:
            return
        if self._selected:
            self._remembered = self._selected
            self.choose(())
        else:
            main = tuple(t.name for t in self._targets if t.is_main)[:1]
            self.choose(self._known(self._remembered) or main or (self._targets[0].name,))

    def first_focus(self) -> QWidget:
        """The widget that takes focus when tabbing into the row."""
        return self.empty_link if not self._targets else self.only_me_button

    def last_focus(self) -> QWidget:
        if not self._targets:
            return self.empty_link
        if self.menu_button is not None:
            return self.menu_button
        return list(self.target_buttons.values())[-1]

    # ------------------------------------------------------------------ internals
    def _known(self, names: tuple[str, ...]) -> tuple[str, ...]:
        wanted = set(names)
        return tuple(t.name for t in self._targets if t.name in wanted)

    def _chip(self, text: str, tooltip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setCheckable(True)
        button.setToolTip(tooltip)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.setStyleSheet(_CHIP_STYLE)
        button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        return button

    def _rebuild(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in (
                self.label,
                self.only_me_button,
                self.empty_link,
                self.fixed_label,
            ):
                widget.deleteLater()
        self.target_buttons.clear()
        self.target_actions.clear()
        self.menu_button = None
        has_targets = bool(self._targets)
        self.only_me_button.setVisible(has_targets)
        self.empty_link.setVisible(not has_targets)
        self._layout.addWidget(self.label)
        self.label.setEnabled(has_targets)  # muted while there is nothing to choose
        self.fixed_label.hide()
        if not has_targets:
            self._layout.addWidget(self.empty_link)
            self._layout.addStretch(1)
            return
        self._layout.addWidget(self.only_me_button)
        if len(self._targets) <= MAX_CHIPS:
            for target in self._targets:
                button = self._chip(_target_text(target), _target_tip(target))
                button.clicked.connect(lambda checked, n=target.name: self._on_target_toggled(n, checked))
                self.target_buttons[target.name] = button
                self._layout.addWidget(button)
        else:
            self.menu_button = self._chip("Team targets ▾", "Choose the targets to share with")
            self.menu_button.setCheckable(True)
            self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(self.menu_button)
            for target in self._targets:
                action = menu.addAction(_target_text(target))
                action.setCheckable(True)
                action.setToolTip(_target_tip(target))
                action.toggled.connect(lambda checked, n=target.name: self._on_target_toggled(n, checked))
                self.target_actions[target.name] = action
            menu.setToolTipsVisible(True)
            self.menu_button.setMenu(menu)
            self._layout.addWidget(self.menu_button)
        self.fixed_label.setVisible(self.fixed)
        if self.fixed:
            self._layout.addWidget(self.fixed_label)
        self._layout.addStretch(1)
        self._show_fixed()
        self._sync_buttons()

    def _show_fixed(self) -> None:
        """Disabled chips and a word of why while the policy fixes the choice."""
        if not self.fixed:
            self.only_me_button.setEnabled(True)
            self.only_me_button.setToolTip("Keep this moment private (Ctrl+Shift+P)")
            self.label.setToolTip("")
            return
        tip = f"Managed by your organization (policy: {self._defaults.fixed_by}): shared as the defaults say"
        for chip in (self.only_me_button, *self.target_buttons.values(), self.menu_button):
            if chip is not None:
                chip.setEnabled(False)
                chip.setToolTip(tip)
        self.label.setToolTip(tip)
        self.fixed_label.setToolTip(tip)

    def _set_selected(self, names: tuple[str, ...], *, emit: bool) -> None:
        selected = self._known(names) if self._targets else ()
        changed = selected != self._selected
        self._selected = selected
        self._sync_buttons()
        if changed and emit:
            self.changed.emit()

    def _sync_buttons(self) -> None:
        chosen = set(self._selected)
        self.only_me_button.setChecked(not chosen)
        for name, button in self.target_buttons.items():
            button.setChecked(name in chosen)
        for name, action in self.target_actions.items():
            action.blockSignals(True)
            action.setChecked(name in chosen)
            action.blockSignals(False)
        if self.menu_button is not None:
            names = [t.name for t in self._targets if t.name in chosen]
            text = ", ".join(names) if len(names) <= 2 else f"{len(names)} targets"
            if any(t.public for t in self._targets if t.name in chosen):
                text += " · public"
            self.menu_button.setText(f"{text or 'Team targets'} ▾")
            self.menu_button.setChecked(bool(names))

    def _on_only_me_clicked(self) -> None:
        if self._selected:
            self._remembered = self._selected
        self.choose(())

    def _on_target_toggled(self, name: str, checked: bool) -> None:
        chosen = [n for n in self._selected if n != name]
        if checked:
            chosen.append(name)
        self.choose(tuple(chosen))

    def _on_empty_link_activated(self, _link: str) -> None:
        self.settings_requested.emit()


def _target_text(target: TargetInfo) -> str:
    public = " · public" if target.public else ""
    return f"{target.name}{' ★' if target.is_main else ''}{public}{' (paused)' if target.paused_reason else ''}"


def _target_tip(target: TargetInfo) -> str:
    parts = [f"Share with {target.name} ({target.kind})"]
    if target.is_main:
        parts.append("the main target")
    if target.public:
        parts.append("public: anyone on the internet can read it")
    if target.paused_reason:
        parts.append(f"paused: sign in again in Settings ({target.paused_reason}); it is sent once you do")
    return " — ".join(parts)
