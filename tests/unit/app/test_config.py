from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_config, save_settings
from app.paths import Paths, resolve_paths
from app.settings import SETTINGS


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return resolve_paths(str(tmp_path / "base"))


def write(paths: Paths, text: str) -> None:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text)


def test_missing_file_means_defaults(paths: Paths) -> None:
    config = load_config(paths)
    assert config.problems == []
    assert config.get("hotkey") == "Ctrl+Alt+J"
    assert config.get("autostart") is False


def test_good_values_are_used(paths: Paths) -> None:
    write(paths, 'hotkey = "Ctrl+Shift+K"\nautostart = true\ndefault_kind = "question"\n')
    config = load_config(paths)
    assert config.problems == []
    assert (config.get("hotkey"), config.get("autostart"), config.get("default_kind")) == (
        "Ctrl+Shift+K",
        True,
        "question",
    )


def test_a_bad_value_names_key_and_file_and_falls_back_for_that_key_only(paths: Paths) -> None:
    write(paths, 'hotkey = "Ctrl+Shift+K"\nautostart = "yes"\ndefault_kind = "poem"\n')
    config = load_config(paths)
    assert config.get("hotkey") == "Ctrl+Shift+K"
    assert config.get("autostart") is False
    assert config.get("default_kind") == "tip"
    assert len(config.problems) == 2
    assert all(str(paths.config_file) in p for p in config.problems)
    assert any("'autostart' must be true or false" in p and "default (false)" in p for p in config.problems)
    assert any("'default_kind' must be one of resource, tip, question" in p for p in config.problems)


def test_broken_toml_is_reported_and_defaults_used(paths: Paths) -> None:
    write(paths, "hotkey = \n[[[")
    config = load_config(paths)
    assert config.get("hotkey") == "Ctrl+Alt+J"
    assert len(config.problems) == 1 and "not valid TOML" in config.problems[0]


def test_save_keeps_other_keys_and_round_trips(paths: Paths) -> None:
    write(paths, 'default_kind = "resource"\n')
    save_settings(paths, {"hotkey": "Ctrl+Alt+K", "autostart": True})
    config = load_config(paths)
    assert (config.get("hotkey"), config.get("autostart"), config.get("default_kind")) == (
        "Ctrl+Alt+K",
        True,
        "resource",
    )
    with pytest.raises(KeyError):
        save_settings(paths, {"nope": 1})


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "SETTINGS.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.key}`" in doc, setting.key
        assert setting.doc in doc, setting.key


def test_basedir_isolates_everything(tmp_path: Path) -> None:
    a = resolve_paths(str(tmp_path / "a"))
    b = resolve_paths(str(tmp_path / "b"))
    for field in ("database", "config_file", "log_file", "draft_file", "socket_path", "keyring_service"):
        assert getattr(a, field) != getattr(b, field), field
    for field in ("database", "config_file", "log_file", "draft_file"):
        assert str(getattr(a, field)).startswith(str(tmp_path / "a")), field
    assert len(str(a.socket_path)) < 100  # AF_UNIX paths are limited to ~108 bytes
    assert resolve_paths(None).keyring_service == "inflow"
