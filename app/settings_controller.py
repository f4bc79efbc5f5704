"""The Settings dialog's behaviour: general settings (hotkey, autostart, defaults) and team targets."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.config import Config, save_settings
from app.paths import Paths, launch_command
from app.settings import Value
from app.sharing import Sharing
from ui.ports import ManagedSettings

if TYPE_CHECKING:
    from ui.settings import SettingsDialog

GENERAL_KEYS = (
    "hotkey", "autostart", "default_kind", "share_tips", "share_questions", "share_resources",
    "snapshots_enabled", "snapshot_max_mb", "snapshot_keep_days", "feed_snapshot_daily_budget",
)  # fmt: skip


_BACKENDS = {
    "x11": "X11 key grab",
    "windows": "Windows hotkey (RegisterHotKey)",
    "macos": "macOS hotkey (Carbon RegisterEventHotKey)",
    "portal": "Desktop portal (Wayland)",
}
_FALLBACK = "bind `inflow capture --window` in your desktop's shortcuts"
_ACTIVE = re.compile(r"(?P<key>\S+) (?:grabbed|registered)")
_BOUND = re.compile(r"(?P<key>\S+) bound(?: \(the desktop shows it as (?P<shown>.+?)\))?(?P<rest>.*)")
_NOT_REGISTERED = re.compile(r"not registered(?: \((?P<why>.*)\))?")


def hotkey_line(state: str) -> str:
    """The Settings line for a hotkey backend's state() ("x11: Ctrl+Alt+J grabbed", "none: <reason>; <advice>"):
    which backend is in use and its state, or why there is none and what to do instead."""
    backend, _, detail = state.partition(": ")
    if backend == "none":
        reason, _, advice = detail.partition("; ")
        return f"Not available: {reason.rstrip('.')} — {advice.rstrip('.') or _FALLBACK}"
    label = _BACKENDS.get(backend)
    if label is None:
        return f"Global shortcut: {state}"
    if missing := _NOT_REGISTERED.fullmatch(detail):
        return f"Global shortcut: {label}, not active" + (f": {missing['why']}" if missing["why"] else "")
    if active := _ACTIVE.fullmatch(detail):
        return f"Global shortcut: {label}, active ({active['key']})"
    if bound := _BOUND.fullmatch(detail):
        key = (bound["shown"] or "").strip("'\"") or bound["key"]
        return f"{label}: bound to {key}{bound['rest']}"
    return f"{label}: {detail}"


def managed_settings(config: Config) -> ManagedSettings:
    """What the policy locks in Settings, whose policy it is, and the person's own values it overrides."""
    from app.policy.rules import targets_fixed_by

    locked = {key: source for key in (*GENERAL_KEYS, "main_target") if (source := config.locked_by(key))}
    kept = {
        key: _as_text(config.user_values[key])
        for key in locked
        if key in config.user_values and config.user_values[key] != config.get(key)
    }
    return ManagedSettings(locked, kept, targets_fixed_by(config))


def _as_text(value: Value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value) or "empty"


class SettingsController(QObject):
    """Opens the dialog and applies what the person chose; `hotkey_state` is the hotkey backend's state()
    (what `inflow doctor` prints), shown in the dialog as hotkey_line() words it.

    Signals:
        applied(): settings or targets changed (the capture window shows new defaults and targets).
    """

    applied = Signal()

    def __init__(
        self,
        paths: Paths,
        config: Config,
        sharing: Sharing,
        register_hotkey: Callable[[str], str | None],
        tell: Callable[[str], None],
        *,
        hotkey_state: Callable[[], str],
    ) -> None:
        super().__init__()
        self._paths = paths
        self._config = config
        self._sharing = sharing
        self._register_hotkey = register_hotkey
        self._tell = tell
        self._hotkey_state = hotkey_state
        self._dialog: SettingsDialog | None = None
        self._hotkey_problem: str | None = None

    @property
    def dialog(self) -> SettingsDialog | None:
        return self._dialog

    @property
    def hotkey_problem(self) -> str | None:
        """Why the hotkey is not in use, written for the person (None while it is)."""
        return self._hotkey_problem

    @hotkey_problem.setter
    def hotkey_problem(self, problem: str | None) -> None:
        """Set when the hotkey was registered again or the desktop ended it: the backend line follows."""
        self._hotkey_problem = problem
        self.refresh_hotkey()

    def refresh_hotkey(self) -> None:
        """The open dialog's line naming the hotkey backend and its state."""
        if self._dialog is not None:
            state = self._hotkey_state()
            self._dialog.set_hotkey_backend(hotkey_line(state) if state else "")

    def open(self, *, show_targets: bool = False) -> None:
        dialog = self._ensure_dialog()
        dialog.load({key: self._config.get(key) for key in GENERAL_KEYS})
        dialog.set_managed(managed_settings(self._config))
        dialog.set_targets(self._sharing.target_infos())
        self.refresh_hotkey()
        if self.hotkey_problem:
            dialog.show_hotkey_error(self.hotkey_problem)
        if show_targets:
            dialog.show_targets()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def refresh_targets(self) -> None:
        if self._dialog is not None:
            self._dialog.set_targets(self._sharing.target_infos())

    def _ensure_dialog(self) -> SettingsDialog:
        if self._dialog is None:
            from ui.settings import SettingsDialog

            dialog = SettingsDialog()
            dialog.set_target_kinds(self._sharing.target_kinds())
            dialog.apply_requested.connect(self._on_dialog_apply_requested)
            dialog.target_test_requested.connect(self._on_dialog_target_test_requested)
            dialog.target_add_requested.connect(self._on_dialog_target_add_requested)
            dialog.target_edit_requested.connect(self._on_dialog_target_edit_requested)
            dialog.target_remove_requested.connect(self._on_dialog_target_remove_requested)
            dialog.main_target_requested.connect(self._on_dialog_main_target_requested)
            dialog.signin_requested.connect(self._on_dialog_signin_requested)
            self._sharing.synced.connect(self.refresh_targets)  # states: connected, failing, paused
            self._dialog = dialog
        return self._dialog

    # ------------------------------------------------------------------ general
    def _on_dialog_apply_requested(self, values: dict[str, Value]) -> None:
        old_hotkey = self._config.get_str("hotkey")
        new_hotkey = old_hotkey if self._config.locked_by("hotkey") else str(values.get("hotkey", old_hotkey))
        if new_hotkey != old_hotkey or self.hotkey_problem is not None:
            problem = self._register_hotkey(new_hotkey)
            if problem is not None:
                self._ensure_dialog().show_hotkey_error(problem)
                self._register_hotkey(old_hotkey)
                return
        from app.autostart import AutostartError
        from app.policy.rules import PolicyRefusedError

        # What a policy enforces is shown, not saved: the person's own value stays in config.toml.
        changes: dict[str, Value] = {
            k: values[k] for k in GENERAL_KEYS if k in values and self._config.locked_by(k) is None
        }
        try:
            self._apply_autostart(bool(changes.get("autostart", self._config.get_bool("autostart"))))
            save_settings(self._paths, changes)
        except (OSError, AutostartError, PolicyRefusedError) as exc:
            self._tell(f"Could not save the settings: {exc}")
            return
        self._config.values.update(changes)
        self._ensure_dialog().accept_applied()
        self.applied.emit()

    def _apply_autostart(self, enabled: bool) -> None:
        from app import autostart

        config_home = autostart.user_config_home()
        if enabled:
            autostart.enable(config_home, launch_command(self._paths))
        elif autostart.is_enabled(config_home):
            autostart.disable(config_home)

    # ------------------------------------------------------------------ targets
    def _on_dialog_target_test_requested(self, name: str, kind: str, settings: dict[str, str], secret: str) -> None:
        self._sharing.test_target(name, kind, settings, secret, self._ensure_dialog().show_target_test_result)

    def _target_saved_or_refused(self, name: str) -> Callable[[str | None], None]:
        """What the form hears once a target was saved (None) or refused (the reason)."""

        def done(error: str | None) -> None:
            if error is None:
                self._ensure_dialog().target_saved(name)
                self.refresh_targets()
                self.applied.emit()
            else:
                self._ensure_dialog().show_target_error(error)

        return done

    def _on_dialog_target_add_requested(self, name: str, kind: str, settings: dict[str, str], secret: str) -> None:
        done = self._target_saved_or_refused(name)
        if not secret and self._sharing.needs_device_sign_in(kind):
            # Microsoft sign-in: the form shows where to go and which code to enter, then waits.
            self._sharing.device_sign_in(
                name, kind, settings, lambda message: self._ensure_dialog().show_target_note(message), done
            )
            return
        self._sharing.add_target(name, kind, settings, secret, done)

    def _on_dialog_target_edit_requested(self, name: str, kind: str, settings: dict[str, str], secret: str) -> None:
        """The Edit form: the target's settings replaced, its secret too when one was typed."""
        self._sharing.add_target(name, kind, settings, secret, self._target_saved_or_refused(name))

    def _on_dialog_target_remove_requested(self, name: str) -> None:
        def done(error: str | None) -> None:
            self.refresh_targets()
            self.applied.emit()
            if error:
                self._tell(f"Removed '{name}', but: {error}")

        self._sharing.remove_target(name, done)

    def _on_dialog_main_target_requested(self, name: str) -> None:
        self._sharing.make_main(name)
        self.refresh_targets()
        self.applied.emit()

    def _on_dialog_signin_requested(self, name: str, secret: str) -> None:
        def done(error: str | None) -> None:
            if error:
                self._ensure_dialog().show_target_error(error)
            self.refresh_targets()

        self._sharing.sign_in(name, secret, done)
