"""One-time token files: moved into the keyring once, deleted where permissions allow, never copied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.config import Config
from app.policy.provisioning import hand_over_tokens
from sync.credentials import CredentialsError

ME = os.getuid()


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.secrets: dict[str, str] = {}
        self.fail = fail

    def set(self, target: str, secret: str) -> None:
        if self.fail:
            raise CredentialsError("no keyring here")
        self.secrets[target] = secret


def config_with(token: Path) -> Config:
    return Config(path=Path("config.toml"), token_files={"team": str(token)})


def test_the_token_moves_into_the_keyring_and_the_file_is_deleted(tmp_path: Path) -> None:
    token = tmp_path / "team.token"
    token.write_text("syt_secret\n")
    token.chmod(0o644)
    store = Store()
    notes = hand_over_tokens(config_with(token), store, owner_uid=ME)
    assert store.secrets == {"team": "syt_secret"}
    assert not token.exists()
    assert notes == [f"the token for 'team' moved from {token} into the keyring (file deleted)"]
    assert hand_over_tokens(config_with(token), store, owner_uid=ME) == []  # once


def test_a_file_that_cannot_be_deleted_is_reported_and_the_token_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "team.token"
    token.write_text("syt_secret")

    def refuse(_self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refuse)
    store = Store()
    notes = hand_over_tokens(config_with(token), store, owner_uid=ME)
    assert store.secrets == {"team": "syt_secret"}
    assert notes == [f"the token for 'team' is in the keyring; {token} could not be deleted (Permission denied)"]


def test_an_untrusted_or_empty_file_or_a_failing_keyring_keeps_the_file(tmp_path: Path) -> None:
    token = tmp_path / "team.token"
    token.write_text("syt_secret")
    token.chmod(0o666)
    store = Store()
    assert "writable by other users" in hand_over_tokens(config_with(token), store, owner_uid=ME)[0]
    token.chmod(0o600)
    assert "not root" in hand_over_tokens(config_with(token), store, owner_uid=ME + 1)[0]
    assert "the keyring did not take it" in hand_over_tokens(config_with(token), Store(fail=True), owner_uid=ME)[0]
    token.write_text("  \n")
    assert "is empty" in hand_over_tokens(config_with(token), store, owner_uid=ME)[0]
    assert store.secrets == {} and token.exists()


def test_an_enforced_autostart_is_applied_at_start(tmp_path: Path) -> None:
    from app.autostart import is_enabled
    from app.config import load_config
    from app.paths import resolve_paths
    from app.policy import ENFORCED, Document, Reading
    from app.policy.provisioning import enforce_autostart

    paths = resolve_paths(str(tmp_path / "base"))
    home = tmp_path / "config-home"
    found = Reading()
    found.add(Document("/etc/inflow/policy.toml", ENFORCED, {"autostart": True}))
    config = load_config(paths, found)
    assert enforce_autostart(config, paths, home) == "autostart turned on as /etc/inflow/policy.toml says"
    assert is_enabled(home, system=[])
    assert enforce_autostart(config, paths, home) is None  # already so
    assert enforce_autostart(load_config(paths, Reading()), paths, home) is None  # not managed: left alone
    found.documents[0].values["autostart"] = False
    assert enforce_autostart(load_config(paths, found), paths, home) is not None
    assert not is_enabled(home, system=[])
