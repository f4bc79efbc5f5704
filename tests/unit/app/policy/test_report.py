"""`inflow doctor`'s settings and policy parts: every setting with value, source and lock, in words too."""

from __future__ import annotations

from pathlib import Path

from app.config import load_config
from app.paths import resolve_paths
from app.policy import ENFORCED, RECOMMENDED, Document, Reading
from app.policy.report import describe, policy_report, settings_report
from app.settings import POLICY_ONLY, SETTINGS

POLICY = "/etc/inflow/policy.toml"


def test_every_setting_has_value_source_and_lock_and_the_words_say_who_set_it(tmp_path: Path) -> None:
    paths = resolve_paths(str(tmp_path / "base"))
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text('hotkey = "Ctrl+Alt+U"\nshare_tips = false\n')
    found = Reading(problems=[f"{POLICY}.d: owned by uid 1000, not root, so it is not a policy; ignored"])
    found.add(Document(POLICY, ENFORCED, {"hotkey": "Ctrl+Alt+K", "allowed_target_hosts": ["*.example.org"]}))
    found.add(Document("/etc/inflow/recommended.toml", RECOMMENDED, {"backup_keep": 3}))
    config = load_config(paths, found)
    settings = settings_report(config)
    assert list(settings) == [s.key for s in SETTINGS] + [p.key for p in POLICY_ONLY]
    assert settings["hotkey"] == {"value": "Ctrl+Alt+K", "source": "policy", "locked": True, "user_value": "Ctrl+Alt+U"}
    assert settings["share_tips"] == {"value": False, "source": "user", "locked": False}
    assert settings["backup_keep"] == {"value": 3, "source": "recommended", "locked": False}
    assert settings["autostart"] == {"value": False, "source": "default", "locked": False}
    assert settings["allowed_target_hosts"] == {"value": ["*.example.org"], "source": "policy", "locked": True}
    policy = policy_report(config)
    assert policy["sources"] == [POLICY, "/etc/inflow/recommended.toml"]
    assert policy["problems"] == found.problems
    words = describe({"settings": settings, "policy": policy})
    assert "  hotkey: Ctrl+Alt+K (set by your organization; your own Ctrl+Alt+U is kept in config.toml)" in words
    assert "  share_tips: false (your setting)" in words
    assert "  backup_keep: 3 (recommended by your organization)" in words
    assert "  allowed_target_hosts: *.example.org (set by your organization)" in words
    assert f"Policy:   {POLICY}; /etc/inflow/recommended.toml" in words
    assert f"  - {found.problems[0]}" in words


def test_without_a_policy_doctor_says_so(tmp_path: Path) -> None:
    config = load_config(resolve_paths(str(tmp_path / "base")), Reading())
    words = describe({"settings": settings_report(config), "policy": policy_report(config)})
    assert "Policy:   none (not managed)" in words
    assert "  main_target: (empty) (default)" in words
