"""Precedence (enforced > user > recommended > default), sources, locks, bad values, locked writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_config, save_settings
from app.paths import Paths, resolve_paths
from app.policy import ENFORCED, RECOMMENDED, Document, Reading
from app.policy.rules import PolicyRefusedError
from app.settings import SETTINGS

POLICY = "/etc/inflow/policy.toml"
RECOMMENDS = "/etc/inflow/recommended.toml"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    paths = resolve_paths(str(tmp_path / "base"))
    paths.config_dir.mkdir(parents=True)
    return paths


def reading(enforced: dict[str, object] | None = None, recommended: dict[str, object] | None = None) -> Reading:
    found = Reading()
    if enforced is not None:
        found.add(Document(POLICY, ENFORCED, dict(enforced)))
    if recommended is not None:
        found.add(Document(RECOMMENDS, RECOMMENDED, dict(recommended)))
    return found


def test_enforced_beats_user_beats_recommended_beats_default(paths: Paths) -> None:
    paths.config_file.write_text('hotkey = "Ctrl+Alt+U"\nshare_tips = false\n')
    config = load_config(
        paths,
        reading(
            enforced={"hotkey": "Ctrl+Alt+P"},
            recommended={"hotkey": "Ctrl+Alt+R", "share_tips": True, "backup_keep": 3},
        ),
    )
    assert (config.get("hotkey"), config.source("hotkey"), config.locked_by("hotkey")) == (
        "Ctrl+Alt+P",
        "policy",
        POLICY,
    )
    assert (config.get("share_tips"), config.source("share_tips"), config.locked_by("share_tips")) == (
        False,
        "user",
        None,
    )
    assert (config.get("backup_keep"), config.source("backup_keep")) == (3, "recommended")
    assert (config.get("autostart"), config.source("autostart")) == (False, "default")
    assert config.policy.sources == [POLICY, RECOMMENDS]
    assert config.problems == [] and config.policy.problems == []


def test_the_users_own_value_stays_in_the_file_and_comes_back_when_the_policy_goes(paths: Paths) -> None:
    paths.config_file.write_text('hotkey = "Ctrl+Alt+U"\n')
    managed = load_config(paths, reading(enforced={"hotkey": "Ctrl+Alt+P"}))
    assert managed.get("hotkey") == "Ctrl+Alt+P"
    assert managed.user_values["hotkey"] == "Ctrl+Alt+U"
    assert paths.config_file.read_text() == 'hotkey = "Ctrl+Alt+U"\n'
    assert load_config(paths, reading()).get("hotkey") == "Ctrl+Alt+U"


def test_a_later_document_of_the_same_level_wins() -> None:
    found = Reading()
    found.add(Document("/etc/inflow/policy.toml", ENFORCED, {"backup_keep": 1, "share_tips": False}))
    found.add(Document("/etc/inflow/policy.d/20-team.toml", ENFORCED, {"backup_keep": 2}))
    config = load_config(resolve_paths("/nonexistent-inflow-base"), found)
    assert (config.get("backup_keep"), config.locked_by("backup_keep")) == (2, "/etc/inflow/policy.d/20-team.toml")
    assert config.locked_by("share_tips") == "/etc/inflow/policy.toml"


@pytest.mark.parametrize(
    ("values", "wanted"),
    [
        ({"hotkey": 5}, "'hotkey' must be text, not 5"),
        ({"share_tips": "yes"}, "'share_tips' must be true or false"),
        ({"backup_keep": -1}, "'backup_keep' must be a whole number"),
        ({"default_kind": "poem"}, "'default_kind' must be one of resource, tip, question, not 'poem'"),
        ({"colour": "red"}, "unknown policy 'colour'"),
        ({"user_targets": "no"}, "'user_targets' must be true or false"),
        ({"allowed_target_kinds": ["matrix", "fax"]}, "'allowed_target_kinds' names unknown kinds fax"),
        ({"allowed_target_hosts": ["ok.example.org", "http://x/"]}, "takes host names or *.domain"),
        ({"allowed_target_hosts": "example.org"}, "'allowed_target_hosts' must be a list of text"),
        ({"targets": {"team": "matrix"}}, "'targets' must be a table of [targets.NAME] sections"),
    ],
)
def test_a_bad_policy_value_is_reported_with_source_and_key_and_falls_back(
    paths: Paths, values: dict[str, object], wanted: str
) -> None:
    paths.config_file.write_text('hotkey = "Ctrl+Alt+U"\n')
    config = load_config(paths, reading(enforced=values))
    assert len(config.policy.problems) == 1, config.policy.problems
    problem = config.policy.problems[0]
    assert problem.startswith(f"{POLICY}: ") and wanted in problem, problem
    key = next(iter(values))
    assert config.locked_by(key) is None
    assert config.get("hotkey") == "Ctrl+Alt+U"
    if key in {s.key for s in SETTINGS}:
        assert config.source(key) != "policy"


def test_policy_only_keys_have_defaults_and_sources(paths: Paths) -> None:
    config = load_config(paths, reading())
    assert config.policy_value("user_targets") is True
    assert config.policy_value("allowed_target_hosts") == ()
    config = load_config(paths, reading(enforced={"user_targets": False, "allowed_target_kinds": ["matrix"]}))
    assert config.policy_value("user_targets") is False
    assert config.policy_value("allowed_target_kinds") == ("matrix",)
    assert (config.source("user_targets"), config.locked_by("user_targets")) == ("policy", POLICY)


def test_writing_a_locked_setting_is_refused_naming_the_policy(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import app.policy

    monkeypatch.setattr(app.policy, "read_policy", lambda: reading(enforced={"hotkey": "Ctrl+Alt+P"}))
    paths.config_file.write_text('hotkey = "Ctrl+Alt+U"\n')
    with pytest.raises(PolicyRefusedError, match=r"'hotkey' \(/etc/inflow/policy.toml\)"):
        save_settings(paths, {"hotkey": "Ctrl+Alt+X", "autostart": True})
    assert paths.config_file.read_text() == 'hotkey = "Ctrl+Alt+U"\n'
    save_settings(paths, {"autostart": True})
    assert load_config(paths).get("autostart") is True


def test_policy_only_keys_count_only_when_enforced(paths: Paths) -> None:
    config = load_config(paths, reading(recommended={"user_targets": False}))
    assert config.policy_value("user_targets") is True
    assert config.policy.problems == [
        f"{RECOMMENDS}: 'user_targets' can only be set by the enforced policy; ignored, as if the policy did not set it"
    ]
