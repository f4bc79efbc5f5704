"""Linux policy files: levels, drop-ins in name order, the root-owned check, broken files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config import load_config
from app.paths import resolve_paths
from app.policy import ENFORCED, RECOMMENDED, ROOT_ENV
from app.policy.linux_files import read_policy_files

ME = os.getuid()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "etc-inflow"
    (root / "policy.d").mkdir(parents=True)
    (root / "recommended.d").mkdir()
    return root


def test_files_and_drop_ins_are_read_in_name_order(root: Path) -> None:
    (root / "policy.toml").write_text("backup_keep = 1\nshare_tips = false\n")
    (root / "policy.d" / "20-b.toml").write_text("backup_keep = 3\n")
    (root / "policy.d" / "10-a.toml").write_text("backup_keep = 2\n")
    (root / "policy.d" / "notes.txt").write_text("not a policy")
    (root / "recommended.toml").write_text('hotkey = "Ctrl+Alt+R"\n')
    found = read_policy_files(root, owner_uid=ME)
    assert found.problems == []
    assert [(Path(d.source).name, d.level) for d in found.documents] == [
        ("policy.toml", ENFORCED), ("10-a.toml", ENFORCED), ("20-b.toml", ENFORCED), ("recommended.toml", RECOMMENDED),
    ]  # fmt: skip
    config = load_config(resolve_paths(str(root.parent / "base")), found)
    assert (config.get("backup_keep"), config.locked_by("backup_keep")) == (3, str(root / "policy.d" / "20-b.toml"))
    assert (config.get("hotkey"), config.source("hotkey")) == ("Ctrl+Alt+R", "recommended")


def test_no_folder_means_no_policy(tmp_path: Path) -> None:
    found = read_policy_files(tmp_path / "missing", owner_uid=ME)
    assert (found.documents, found.sources, found.problems) == ([], [], [])


@pytest.mark.skipif(ME != 0, reason="only root can give a file to another user")
def test_a_file_owned_by_someone_else_is_not_a_policy(root: Path) -> None:
    (root / "policy.toml").write_text("backup_keep = 1\n")
    (root / "policy.d" / "10-x.toml").write_text("backup_keep = 2\n")
    os.chown(root / "policy.d" / "10-x.toml", 4242, -1)
    found = read_policy_files(root, owner_uid=ME)
    assert [Path(d.source).name for d in found.documents] == ["policy.toml"]
    assert found.problems == [
        f"{root / 'policy.d' / '10-x.toml'}: owned by uid 4242, not root, so it is not a policy; ignored"
    ]


def test_expecting_another_owner_ignores_everything(root: Path) -> None:
    (root / "policy.toml").write_text("backup_keep = 1\n")
    found = read_policy_files(root, owner_uid=ME + 1)
    assert found.documents == []
    assert len(found.problems) == 1 and found.problems[0].startswith(f"{root}: owned by uid {ME}")


@pytest.mark.parametrize("mode", [0o646, 0o664])
def test_a_file_writable_by_other_users_is_ignored_and_reported(root: Path, mode: int) -> None:
    (root / "policy.toml").write_text("backup_keep = 1\n")
    (root / "recommended.toml").write_text("backup_keep = 2\n")
    (root / "policy.toml").chmod(mode)
    found = read_policy_files(root, owner_uid=ME)
    assert [Path(d.source).name for d in found.documents] == ["recommended.toml"]
    assert len(found.problems) == 1 and "writable by other users" in found.problems[0]
    assert str(root / "policy.toml") in found.problems[0]


def test_a_writable_drop_in_folder_is_ignored_but_the_main_file_counts(root: Path) -> None:
    (root / "policy.toml").write_text("backup_keep = 1\n")
    (root / "policy.d" / "10-x.toml").write_text("backup_keep = 2\n")
    (root / "policy.d").chmod(0o777)
    found = read_policy_files(root, owner_uid=ME)
    assert [Path(d.source).name for d in found.documents] == ["policy.toml"]
    assert found.problems[0].startswith(f"{root / 'policy.d'}: writable by other users")


def test_invalid_toml_and_an_unreadable_file_are_reported_and_skipped(root: Path) -> None:
    (root / "policy.toml").write_text("backup_keep = \n[[[")
    (root / "recommended.toml").mkdir()  # cannot be read as a file (root reads any file, whatever its mode)
    (root / "policy.d" / "10-ok.toml").write_text("backup_keep = 4\n")
    found = read_policy_files(root, owner_uid=ME)
    assert [Path(d.source).name for d in found.documents] == ["10-ok.toml"]
    assert any("policy.toml: not valid TOML" in p for p in found.problems)
    assert any("recommended.toml: cannot read it" in p for p in found.problems)
    config = load_config(resolve_paths(str(root.parent / "base")), found)
    assert config.get("backup_keep") == 4


@pytest.mark.skipif(ME != 0, reason="the real reader trusts root-owned files only")
def test_the_environment_points_the_reader_at_a_test_root(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (root / "policy.toml").write_text("backup_keep = 5\n")
    monkeypatch.setenv(ROOT_ENV, str(root))
    config = load_config(resolve_paths(str(root.parent / "base")))
    assert (config.get("backup_keep"), config.locked_by("backup_keep")) == (5, str(root / "policy.toml"))
