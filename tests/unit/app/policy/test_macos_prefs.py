"""macOS managed preferences in a fake root: computer and user files, forced values only."""

from __future__ import annotations

import os
import plistlib
from pathlib import Path

from app.config import load_config
from app.identity import BUNDLE_ID
from app.paths import resolve_paths
from app.policy import ENFORCED
from app.policy.macos_prefs import read_managed_preferences

ME = os.getuid()


def write(path: Path, values: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plistlib.dumps(values))


def test_the_computer_wins_over_the_user_and_profile_keys_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "ada" / f"{BUNDLE_ID}.plist", {"Hotkey": "Ctrl+Alt+U", "BackupKeep": 2})
    write(
        tmp_path / f"{BUNDLE_ID}.plist",
        {"Hotkey": "Ctrl+Alt+M", "AllowShareOverride": False, "AllowedTargetKinds": ["matrix"], "PayloadUUID": "x"},
    )
    found = read_managed_preferences(tmp_path, user="ada", owner_uid=ME)
    assert found.problems == []
    assert [d.level for d in found.documents] == [ENFORCED, ENFORCED]
    config = load_config(resolve_paths("/nonexistent-inflow-base"), found)
    assert (config.get("hotkey"), config.locked_by("hotkey")) == ("Ctrl+Alt+M", str(tmp_path / f"{BUNDLE_ID}.plist"))
    assert config.get("backup_keep") == 2
    assert config.policy_value("allow_share_override") is False
    assert config.policy_value("allowed_target_kinds") == ("matrix",)


def test_a_broken_or_untrusted_file_is_reported_and_ignored(tmp_path: Path) -> None:
    (tmp_path / f"{BUNDLE_ID}.plist").write_text("<plist><dict><key>Hotkey</key>")
    write(tmp_path / "ada" / f"{BUNDLE_ID}.plist", {"Hotkey": "Ctrl+Alt+U"})
    (tmp_path / "ada" / f"{BUNDLE_ID}.plist").chmod(0o666)
    found = read_managed_preferences(tmp_path, user="ada", owner_uid=ME)
    assert found.documents == []
    assert any("not a valid property list" in p for p in found.problems)
    assert any("writable by other users" in p for p in found.problems)
    assert read_managed_preferences(tmp_path / "nothing", user="ada").problems == []
