"""The Windows registry reader, on a fake registry: hives, levels, names, REG_DWORD and JSON values."""

from __future__ import annotations

from typing import Any

from app.config import load_config
from app.paths import resolve_paths
from app.policy import ENFORCED, RECOMMENDED
from app.policy.windows_registry import POLICY_KEY, RECOMMENDED_KEY, WindowsRegistry, read_registry


class FakeRegistry:
    def __init__(self, keys: dict[tuple[str, str], dict[str, Any]], broken: set[tuple[str, str]] = frozenset()) -> None:  # type: ignore[assignment]
        self.keys = keys
        self.broken = broken

    def values(self, hive: str, key: str) -> dict[str, Any] | None:
        if (hive, key) in self.broken:
            raise PermissionError("access denied")
        return self.keys.get((hive, key))


def test_an_empty_registry_is_no_policy() -> None:
    found = read_registry(FakeRegistry({}))
    assert (found.documents, found.problems) == ([], [])


def test_the_machine_wins_over_the_user_and_recommended_is_its_own_level() -> None:
    registry = FakeRegistry({
        ("HKCU", POLICY_KEY): {"Hotkey": "Ctrl+Alt+U", "BackupKeep": 2},
        ("HKLM", POLICY_KEY): {"Hotkey": "Ctrl+Alt+M", "ShareTips": 0, "AllowedTargetHosts": '["*.example.org"]'},
        ("HKLM", RECOMMENDED_KEY): {"SnapshotMaxMb": 20},
    })  # fmt: skip
    found = read_registry(registry)
    assert found.problems == []
    assert [(d.source, d.level) for d in found.documents] == [
        (rf"HKCU\{POLICY_KEY}", ENFORCED), (rf"HKLM\{POLICY_KEY}", ENFORCED), (rf"HKLM\{RECOMMENDED_KEY}", RECOMMENDED),
    ]  # fmt: skip
    config = load_config(resolve_paths("/nonexistent-inflow-base"), found)
    assert (config.get("hotkey"), config.locked_by("hotkey")) == ("Ctrl+Alt+M", rf"HKLM\{POLICY_KEY}")
    assert (config.get("backup_keep"), config.locked_by("backup_keep")) == (2, rf"HKCU\{POLICY_KEY}")
    assert config.get("share_tips") is False
    assert config.policy_value("allowed_target_hosts") == ("*.example.org",)
    assert (config.get("snapshot_max_mb"), config.source("snapshot_max_mb")) == (20, "recommended")


def test_targets_are_json_like_chrome_does() -> None:
    targets = '{"team": {"kind": "webhook", "url": "https://hooks.example.org/in"}}'
    found = read_registry(FakeRegistry({("HKLM", POLICY_KEY): {"Targets": targets, "UserTargets": 0}}))
    config = load_config(resolve_paths("/nonexistent-inflow-base"), found)
    assert [t.name for t in config.targets] == ["team"]
    assert config.managed_targets == {"team": rf"HKLM\{POLICY_KEY}"}
    assert config.policy_value("user_targets") is False


def test_bad_values_are_reported_with_the_key_and_name_and_skipped() -> None:
    registry = FakeRegistry({
        ("HKLM", POLICY_KEY): {
            "ShareTips": 7, "AllowedTargetKinds": "[matrix", "Colour": "red", "Hotkey": 12, "BackupKeep": 3,
        },
    })  # fmt: skip
    found = read_registry(registry)
    config = load_config(resolve_paths("/nonexistent-inflow-base"), found)
    problems = config.policy.problems
    source = rf"HKLM\{POLICY_KEY}"
    assert (
        f"{source}: 'ShareTips' must be 0 or 1 (REG_DWORD), not 7; ignored, as if the policy did not set it" in problems
    )
    assert any(p.startswith(f"{source}: 'AllowedTargetKinds' must be JSON text") for p in problems)
    assert f"{source}: unknown policy 'Colour'; ignored" in problems
    assert any(p.startswith(f"{source}: 'hotkey' must be text, not 12") for p in problems)
    assert len(problems) == 4
    assert config.get("backup_keep") == 3 and config.get("share_tips") is True and config.get("hotkey") == "Ctrl+Alt+J"


def test_an_unreadable_key_is_reported() -> None:
    found = read_registry(FakeRegistry({}, broken={("HKLM", POLICY_KEY)}))
    assert found.problems == [rf"HKLM\{POLICY_KEY}: cannot read it (access denied); ignored"]


def test_the_real_registry_is_only_on_windows() -> None:
    found = read_registry(WindowsRegistry())
    assert found.documents == [] and all("only on Windows" in p for p in found.problems)
