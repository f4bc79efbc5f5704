"""Settings under a policy: what the dialog is told is locked, and that saving skips locked keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_config
from app.paths import Paths, resolve_paths
from app.policy import ENFORCED, Document, Reading
from app.settings_controller import SettingsController, managed_settings

POLICY = "/etc/inflow/policy.toml"


class FakeDialog:
    def __init__(self) -> None:
        self.applied = 0

    def accept_applied(self) -> None:
        self.applied += 1

    def show_hotkey_error(self, message: str) -> None:
        raise AssertionError(message)


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    import app.policy

    found = Reading()
    found.add(Document(POLICY, ENFORCED, {"hotkey": "Ctrl+Alt+K", "user_targets": False, "share_tips": False}))
    monkeypatch.setattr(app.policy, "read_policy", lambda: found)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    paths = resolve_paths(str(tmp_path / "base"))
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text('hotkey = "Ctrl+Alt+U"\nshare_tips = true\n')
    return paths


def test_the_dialog_learns_the_locks_the_policy_and_the_kept_values(paths: Paths) -> None:
    managed = managed_settings(load_config(paths))
    assert managed.locked == {"hotkey": POLICY, "share_tips": POLICY}
    assert managed.kept == {"hotkey": "Ctrl+Alt+U", "share_tips": "on"}
    assert managed.targets_fixed_by == POLICY


def test_saving_keeps_the_users_own_value_of_a_locked_setting(paths: Paths) -> None:
    config = load_config(paths)
    registered: list[str] = []
    told: list[str] = []
    controller = SettingsController(
        paths, config, object(), registered.append, told.append, hotkey_state=lambda: "x11: Ctrl+Alt+K grabbed"
    )  # type: ignore[arg-type]
    dialog = FakeDialog()
    controller._dialog = dialog
    controller._on_dialog_apply_requested(
        {"hotkey": "Ctrl+Alt+X", "share_tips": True, "autostart": False, "backup_keep": 1, "default_kind": "question"}
    )
    assert told == [] and dialog.applied == 1
    assert registered == []  # the locked hotkey is not re-registered
    text = paths.config_file.read_text()
    assert 'hotkey = "Ctrl+Alt+U"' in text and "share_tips = true" in text and 'default_kind = "question"' in text
    assert config.get("hotkey") == "Ctrl+Alt+K"


def test_the_add_form_offers_only_the_allowed_kinds(tmp_path: Path) -> None:
    from app.sharing import Sharing

    paths = resolve_paths(str(tmp_path / "base"))
    found = Reading()
    found.add(Document(POLICY, ENFORCED, {"allowed_target_kinds": ["xapi", "matrix"]}))
    sharing = Sharing(paths, load_config(paths, found), None, None, None)  # type: ignore[arg-type]
    assert [k.kind for k in sharing.target_kinds()] == ["matrix", "xapi"]
    assert len(Sharing(paths, load_config(paths, Reading()), None, None, None).target_kinds()) > 2  # type: ignore[arg-type]
