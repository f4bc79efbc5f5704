"""Provisioned targets, user_targets, allowed kinds and hosts, and the refusals that name the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_config, remove_target, save_target
from app.paths import Paths, resolve_paths
from app.policy import ENFORCED, RECOMMENDED, Document, Reading
from app.policy.rules import PolicyRefusedError, host_allowed
from sync.connector import Target

POLICY = "/etc/inflow/policy.toml"
TEAM = {"kind": "matrix", "url": "https://matrix.example.org", "room": "#learning:example.org"}
MINE = '[targets.mine]\nkind = "webhook"\nurl = "https://hooks.elsewhere.net/in"\n'


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    paths = resolve_paths(str(tmp_path / "base"))
    paths.config_dir.mkdir(parents=True)
    return paths


def enforced(values: dict[str, object], level: str = ENFORCED) -> Reading:
    found = Reading()
    found.add(Document(POLICY, level, values))
    return found


def test_provisioned_targets_come_first_are_managed_and_keep_their_token_file(paths: Paths) -> None:
    paths.config_file.write_text(MINE)
    team = {**TEAM, "token_file": "/etc/inflow/team.token"}
    config = load_config(paths, enforced({"targets": {"team": team}, "main_target": "team"}))
    assert [t.name for t in config.targets] == ["team", "mine"]
    assert config.target("team") == Target("team", "matrix", {k: v for k, v in TEAM.items() if k != "kind"})
    assert config.managed_targets == {"team": POLICY}
    assert config.token_files == {"team": "/etc/inflow/team.token"}
    main = config.main_target()
    assert main is not None and main.name == "team" and config.locked_by("main_target") == POLICY
    assert config.problems == [] and config.policy.problems == []


def test_a_broken_provisioned_target_is_a_policy_problem(paths: Paths) -> None:
    config = load_config(paths, enforced({"targets": {"team": {"kind": "matrix"}}}))
    assert config.targets == []
    assert config.policy.problems and all(p.startswith(f"{POLICY}: ") for p in config.policy.problems)


def test_targets_in_the_recommended_policy_are_refused(paths: Paths) -> None:
    config = load_config(paths, enforced({"targets": {"team": TEAM}}, level=RECOMMENDED))
    assert config.targets == []
    assert config.policy.problems == [f"{POLICY}: targets can only be provisioned by the enforced policy; ignored"]


def test_without_user_targets_only_the_provisioned_ones_exist(paths: Paths) -> None:
    paths.config_file.write_text(MINE)
    config = load_config(paths, enforced({"targets": {"team": TEAM}, "user_targets": False}))
    assert [t.name for t in config.targets] == ["team"]
    assert len(config.problems) == 1
    assert "your own targets (mine) are not used" in config.problems[0]
    assert f"user_targets in {POLICY} is false" in config.problems[0]


def test_a_users_target_cannot_take_a_provisioned_name(paths: Paths) -> None:
    paths.config_file.write_text('[targets.team]\nkind = "webhook"\nurl = "https://evil.example.net/"\n')
    config = load_config(paths, enforced({"targets": {"team": TEAM}}))
    assert [(t.name, t.kind) for t in config.targets] == [("team", "matrix")]
    assert "defined by your organization" in config.problems[0]


def test_kinds_and_hosts_not_allowed_are_refused_naming_the_policy(paths: Paths) -> None:
    paths.config_file.write_text(MINE)
    config = load_config(
        paths,
        enforced({
            "targets": {"team": TEAM, "other": {**TEAM, "url": "https://matrix.example.com"}},
            "allowed_target_kinds": ["matrix", "xapi"],
            "allowed_target_hosts": ["*.example.org"],
        }),
    )  # fmt: skip
    assert [t.name for t in config.targets] == ["team"]
    assert config.problems == [
        f"{config.path}: target 'mine': the kind 'webhook' is not allowed by your organization's policy "
        f"(allowed_target_kinds in {POLICY}: matrix, xapi) (target ignored)"
    ]
    assert config.policy.problems == [
        f"{POLICY}: target 'other': the host 'matrix.example.com' (url) is not allowed by your organization's "
        f"policy (allowed_target_hosts in {POLICY}: *.example.org) (target ignored)"
    ]


def test_a_target_whose_address_is_its_secret_cannot_pass_a_host_list(paths: Paths) -> None:
    paths.config_file.write_text('[targets.hook]\nkind = "slack-webhook"\n')
    config = load_config(paths, enforced({"allowed_target_hosts": ["hooks.slack.com"]}))
    assert config.targets == []
    assert "address is its secret" in config.problems[0]


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("matrix.example.org", True),
        ("MATRIX.Example.org.", True),
        ("a.b.example.org", True),
        ("example.org", False),
        ("evilexample.org", False),
        ("lrs.corp.net", True),
        ("x.lrs.corp.net", False),
    ],
)
def test_host_patterns(host: str, allowed: bool) -> None:
    assert host_allowed(host, ("*.example.org", "lrs.corp.net")) is allowed


def test_saving_and_removing_targets_is_refused_by_policy(paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.policy

    paths.config_file.write_text(MINE)
    policy = {"targets": {"team": TEAM}, "user_targets": True}
    monkeypatch.setattr(app.policy, "read_policy", lambda: enforced(dict(policy)))
    with pytest.raises(PolicyRefusedError, match=rf"'team' is managed by your organization \({POLICY}\)"):
        save_target(paths, Target("team", "webhook", {"url": "https://x.example.org"}))
    with pytest.raises(PolicyRefusedError, match="it cannot be removed here"):
        remove_target(paths, "team")
    policy["user_targets"] = False
    with pytest.raises(PolicyRefusedError, match=rf"targets cannot be added: .*user_targets in {POLICY} is false"):
        save_target(paths, Target("new", "webhook", {"url": "https://x.example.org"}))
    with pytest.raises(PolicyRefusedError, match="targets cannot be removed"):
        remove_target(paths, "mine")
    assert paths.config_file.read_text() == MINE
