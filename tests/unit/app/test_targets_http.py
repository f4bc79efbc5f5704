"""The plain-http rule where targets are defined: validation, the config file and the session's allowance."""

from __future__ import annotations

from pathlib import Path

from app.config import load_config
from app.paths import resolve_paths
from app.sync_setup import target_session
from app.targets import parse_targets, plain_http_allowance, validate_target
from sync.connector import Target


def test_every_url_of_every_kind_is_checked() -> None:
    assert validate_target("t", "teams-graph", {
        "tenant": "x", "client_id": "y", "team": "z", "channel": "c", "graph_url": "http://graph.example/v1.0",
    })  # fmt: skip
    assert validate_target("t", "slack", {"channel": "C1", "url": "http://slack.example/api"})
    problems = validate_target("t", "slack-webhook", {}, secret="http://hooks.example/services/T/B/SECRET")
    assert problems and "hooks.example" in problems[0] and "SECRET" not in problems[0]  # the secret is not echoed
    assert validate_target("t", "slack-webhook", {}, secret="https://hooks.example/services/T/B/X") == []


def test_the_opt_out_and_the_global_setting() -> None:
    settings = {"url": "http://lab.example/hook", "allow_insecure_http": "true"}
    assert validate_target("t", "webhook", settings) == []
    voided = validate_target("t", "webhook", settings, permit_insecure_http=False)
    assert voided and "permit_insecure_http = false" in voided[0]
    assert validate_target("t", "webhook", {**settings, "allow_insecure_http": "maybe"})


def test_a_plain_http_target_in_the_file_is_kept_and_reported() -> None:
    targets, problems = parse_targets({"lab": {"kind": "webhook", "url": "http://example.com/hook"}})
    assert [t.name for t in targets] == ["lab"]
    assert len(problems) == 1 and "plain http://" in problems[0] and "queued is kept" in problems[0]
    opted = {"lab": {"kind": "webhook", "url": "http://example.com/hook", "allow_insecure_http": True}}
    assert parse_targets(opted) == ([Target("lab", "webhook", {"url": "http://example.com/hook",
                                                               "allow_insecure_http": "True"})], [])  # fmt: skip
    assert parse_targets(opted, permit_insecure_http=False)[1]


def test_the_config_file_applies_the_global_setting_to_its_targets(tmp_path: Path) -> None:
    paths = resolve_paths(str(tmp_path / "base"))
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text(
        '[targets.lab]\nkind = "webhook"\nurl = "http://lab.example/hook"\nallow_insecure_http = true\n'
    )
    assert load_config(paths).problems == []
    paths.config_file.write_text("permit_insecure_http = false\n" + paths.config_file.read_text())
    assert any("permit_insecure_http = false" in p for p in load_config(paths).problems)


def test_the_allowance_is_per_origin_and_per_target() -> None:
    lab = Target("lab", "webhook", {"url": "http://lab.example:8080/hook", "allow_insecure_http": "true"})
    plain = Target("other", "webhook", {"url": "http://other.example/hook"})
    hook = Target("hook", "slack-webhook", {"allow_insecure_http": "true"})
    secrets = {"hook": "http://hooks.lab.example/services/x"}
    allowed = plain_http_allowance(lambda: [lab, plain, hook], lambda: True, lambda t: secrets.get(t.name))
    assert allowed("http://lab.example:8080/other/path")
    assert not allowed("http://lab.example/hook")  # another port: another origin
    assert not allowed("http://other.example/hook")
    assert allowed("http://hooks.lab.example/services/x")
    assert not plain_http_allowance(lambda: [lab], lambda: False, lambda t: None)("http://lab.example:8080/hook")


def test_a_one_off_session_carries_the_targets_opt_out(tmp_path: Path) -> None:
    paths = resolve_paths(str(tmp_path / "base"))
    config = load_config(paths)
    lab = Target("lab", "webhook", {"url": "http://lab.example/hook", "allow_insecure_http": "true"})
    assert target_session(config, lab, None).plain_http_allowed("http://lab.example/hook")
    config.values["permit_insecure_http"] = False
    assert not target_session(config, lab, None).plain_http_allowed("http://lab.example/hook")
