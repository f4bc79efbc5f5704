"""The CLI under a policy: refusals name the policy (exit 1), provisioned targets are listed as managed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.conftest import Run

pytestmark = pytest.mark.skipif(os.getuid() != 0, reason="policy files are trusted only when root owns them")

POLICY = """
user_targets = false

[targets.team]
kind = "webhook"
url = "https://hooks.example.org/in"
"""


@pytest.fixture
def policy_root(tmp_path: Path) -> Path:
    root = tmp_path / "etc-inflow"
    root.mkdir(mode=0o755)
    (root / "policy.toml").write_text(POLICY)
    return root


def test_target_add_and_remove_are_refused_naming_the_policy(inflow: Run, policy_root: Path) -> None:
    env = {"INFLOW_POLICY_ROOT": str(policy_root)}
    added = inflow("target", "add", "webhook", "--name", "mine", "--set", "url=https://x.example.org", env=env)
    assert added.returncode == 1
    assert f"user_targets in {policy_root / 'policy.toml'} is false" in added.stderr
    assert added.stderr.startswith("inflow: targets cannot be added")
    removed = inflow("target", "remove", "team", env=env)
    assert removed.returncode == 1
    assert f"'team' is managed by your organization ({policy_root / 'policy.toml'})" in removed.stderr
    listed = inflow("target", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [(t["name"], t["managed"]) for t in json.loads(listed.stdout)] == [("team", True)]
    assert "(managed by your organization)" in inflow("target", "list", env=env).stdout


def test_a_host_outside_the_allowed_list_is_refused(inflow: Run, policy_root: Path) -> None:
    (policy_root / "policy.toml").write_text('allowed_target_hosts = ["*.example.org"]\n')
    env = {"INFLOW_POLICY_ROOT": str(policy_root)}
    refused = inflow("target", "add", "webhook", "--name", "out", "--set", "url=https://hooks.example.net/", env=env)
    assert refused.returncode == 1
    assert "the host 'hooks.example.net' (url) is not allowed by your organization's policy" in refused.stderr
    ok = inflow("target", "add", "webhook", "--name", "in", "--set", "url=https://hooks.example.org/", env=env)
    assert ok.returncode == 0, ok.stderr


def test_doctor_shows_every_setting_and_the_policy(inflow: Run, policy_root: Path) -> None:
    (policy_root / "policy.toml").write_text('hotkey = "Ctrl+Alt+K"\nshare_tips = "yes"\n')
    env = {"INFLOW_POLICY_ROOT": str(policy_root)}
    report = json.loads(inflow("doctor", "--json", env=env).stdout)
    assert report["settings"]["hotkey"] == {"value": "Ctrl+Alt+K", "source": "policy", "locked": True}
    assert report["settings"]["share_tips"] == {"value": True, "source": "default", "locked": False}
    assert report["policy"]["sources"] == [str(policy_root / "policy.toml")]
    assert [p.split(": ", 1)[0] for p in report["policy"]["problems"]] == [str(policy_root / "policy.toml")]
    assert "'share_tips' must be true or false" in report["policy"]["problems"][0]
    assert "hotkey: Ctrl+Alt+K (set by your organization)" in inflow("doctor", env=env).stdout


REAL_ROOT = Path("/etc/inflow")


@pytest.mark.skipif(REAL_ROOT.exists(), reason="this machine has a real Inflow policy: never touch it")
def test_the_real_policy_folder_end_to_end(inflow: Run) -> None:
    """The one test that uses /etc/inflow itself: a root-owned policy file, then a writable one."""
    environment = {k: v for k, v in os.environ.items() if k != "INFLOW_POLICY_ROOT"}
    policy = REAL_ROOT / "policy.toml"
    try:
        REAL_ROOT.mkdir(mode=0o755)
        policy.write_text('hotkey = "Ctrl+Alt+K"\nuser_targets = false\n')
        policy.chmod(0o644)
        report = json.loads(inflow("doctor", "--json", env=environment).stdout)
        assert report["policy"] == {"sources": [str(policy)], "problems": []}
        assert report["settings"]["hotkey"] == {"value": "Ctrl+Alt+K", "source": "policy", "locked": True}
        added = inflow("target", "add", "webhook", "--name", "x", "--set", "url=https://a.example.org", env=environment)
        assert added.returncode == 1 and f"user_targets in {policy} is false" in added.stderr
        policy.chmod(0o666)
        report = json.loads(inflow("doctor", "--json", env=environment).stdout)
        assert report["settings"]["hotkey"]["source"] == "default"
        assert report["policy"]["problems"] == [
            f"{policy}: writable by other users (mode -rw-rw-rw-), so it is not a policy; ignored"
        ]
    finally:
        policy.unlink(missing_ok=True)
        if REAL_ROOT.exists():
            REAL_ROOT.rmdir()


def test_a_provisioned_token_file_moves_into_the_keyring_on_the_first_sync(
    inflow: Run, policy_root: Path, tmp_path: Path
) -> None:
    token = tmp_path / "handover" / "team.token"
    token.parent.mkdir()
    token.write_text("whsec_from_it\n")
    (policy_root / "policy.toml").write_text(
        f'[targets.team]\nkind = "webhook"\nurl = "http://127.0.0.1:9/in"\ntoken_file = "{token}"\n'
    )
    keyring = tmp_path / "keyring.json"
    env = {
        "INFLOW_POLICY_ROOT": str(policy_root),
        "PYTHON_KEYRING_BACKEND": "tests.cli.file_keyring.FileKeyring",
        "INFLOW_TEST_KEYRING": str(keyring),
    }
    assert inflow("capture", "a note", env=env).returncode == 0
    synced = inflow("sync", "now", env=env)
    assert synced.returncode in (0, 1), synced.stderr
    assert not token.exists()
    assert list(json.loads(keyring.read_text()).values()) == ["whsec_from_it"]
