"""Silent provisioning: a provisioned target's one-time token file (`token_file` in its policy table)
is moved into the keyring, then deleted where permissions allow. It is never copied anywhere else.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.policy.linux_files import unsafe_reason
from sync.credentials import CredentialsError

if TYPE_CHECKING:
    from app.config import Config
    from app.paths import Paths

log = logging.getLogger(__name__)


def enforce_autostart(config: Config, paths: Paths, config_home: Path) -> str | None:
    """An enforced `autostart` is applied at every start, not only when Settings is saved; returns what
    was done or went wrong (None: nothing to do)."""
    source = config.locked_by("autostart")
    if source is None:
        return None
    from app import autostart
    from app.paths import launch_command

    wanted = config.get_bool("autostart")
    try:
        if autostart.is_enabled(config_home) == wanted:
            return None
        if wanted:
            autostart.enable(config_home, launch_command(paths))
        else:
            autostart.disable(config_home)
    except (OSError, autostart.AutostartError) as exc:
        return f"autostart is set by {source} but could not be applied: {exc}"
    return f"autostart turned {'on' if wanted else 'off'} as {source} says"


class SecretStore(Protocol):
    def set(self, target: str, secret: str) -> None: ...


def hand_over_tokens(config: Config, store: SecretStore, owner_uid: int = 0) -> list[str]:
    """Move each token file that is there into the keyring; returns what happened, for the log.
    The file must be as trustworthy as a policy file (owned by root, writable by nobody else)."""
    notes: list[str] = []
    for name, file in config.token_files.items():
        path = Path(file)
        if not path.exists():
            continue  # handed over already
        problem = unsafe_reason(path, owner_uid)
        if problem:
            notes.append(f"token file for '{name}': {path}: {problem}")
            continue
        try:
            token = path.read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            notes.append(f"token file for '{name}': {path}: cannot read it ({exc}); ask your administrator")
            continue
        if not token:
            notes.append(f"token file for '{name}': {path} is empty; ignored")
            continue
        try:
            store.set(name, token)
        except CredentialsError as exc:  # the file stays for the next start
            notes.append(f"token file for '{name}': the keyring did not take it ({exc}); kept {path} for next time")
            continue
        try:
            path.unlink()
            notes.append(f"the token for '{name}' moved from {path} into the keyring (file deleted)")
        except OSError as exc:
            notes.append(f"the token for '{name}' is in the keyring; {path} could not be deleted ({exc.strerror})")
    for note in notes:
        log.info("provisioning: %s", note)
    return notes
