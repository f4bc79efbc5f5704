"""A public target (Mastodon) is never the main target, and allowed_target_kinds can forbid it."""

from __future__ import annotations

from app.config import load_config
from app.paths import Paths
from app.targets import main_target_refusal
from sync.registry import is_public
from tests.unit.app.policy.test_targets import POLICY, enforced, paths

__all__ = ["paths"]

FEDI = '[targets.fedi]\nkind = "mastodon"\nurl = "https://mastodon.example.org"\n'
TEAM = '[targets.team]\nkind = "matrix"\nurl = "https://matrix.example.org"\nroom = "#learning:example.org"\n'


def test_a_public_target_is_never_the_main_one_even_first_or_chosen(paths: Paths) -> None:
    paths.config_file.write_text('main_target = "fedi"\n' + FEDI + TEAM)
    config = load_config(paths)
    main = config.main_target()
    assert main is not None and main.name == "team"
    paths.config_file.write_text(FEDI)
    alone = load_config(paths)
    assert alone.main_target() is None
    assert alone.sharing_defaults() == {"resource": (), "tip": (), "question": ()}  # nothing public by default


def test_setting_a_public_target_as_main_is_refused_with_a_reason(paths: Paths) -> None:
    paths.config_file.write_text(FEDI + TEAM)
    config = load_config(paths)
    fedi, team = config.target("fedi"), config.target("team")
    assert fedi is not None and team is not None
    assert is_public("mastodon") and not is_public("matrix") and not is_public("no-such-kind")
    assert "anyone can read what is shared there" in main_target_refusal(fedi)
    assert main_target_refusal(team) == ""


def test_allowed_target_kinds_can_forbid_mastodon(paths: Paths) -> None:
    paths.config_file.write_text(FEDI + TEAM)
    config = load_config(paths, enforced({"allowed_target_kinds": ["matrix"]}))
    assert [t.name for t in config.targets] == ["team"]
    assert config.problems == [
        f"{config.path}: target 'fedi': the kind 'mastodon' is not allowed by your organization's policy "
        f"(allowed_target_kinds in {POLICY}: matrix) (target ignored)"
    ]
