"""Secrets live only in the OS keyring (or, where there is none, in the environment at run time).

Service name: `inflow`, or `inflow-<basedir hash>` for a non-default basedir; user: the target's
name. Without a keyring backend (a headless box with no Secret Service), saving fails with a clear
message, and `INFLOW_SECRET_<TARGET NAME>` can supply the secret at run time. Nothing is ever written
to a plain-text file. keyring is imported lazily: its backend probing costs ~100 ms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from types import ModuleType


class CredentialsError(Exception):
    """The secret could not be stored or read; the message says how to fix it."""


def env_name(target: str) -> str:
    """`INFLOW_SECRET_TEAM_ROOM` for target `team-room`."""
    return "INFLOW_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", target).upper()


class Credentials:
    def __init__(self, service: str, environ: Mapping[str, str] | None = None) -> None:
        self.service = service
        self._environ = os.environ if environ is None else environ

    def get(self, target: str) -> str | None:
        """The environment first (an explicit run-time override), then the keyring."""
        from_env = self._environ.get(env_name(target))
        if from_env:
            return from_env
        keyring, errors = _keyring()
        try:
            secret: str | None = keyring.get_password(self.service, target)
        except errors as exc:
            raise CredentialsError(self._no_keyring(target, exc)) from exc
        return secret

    def set(self, target: str, secret: str) -> None:
        keyring, errors = _keyring()
        try:
            keyring.set_password(self.service, target, secret)
        except errors as exc:
            raise CredentialsError(self._no_keyring(target, exc)) from exc

    def delete(self, target: str) -> None:
        keyring, errors = _keyring()
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(self.service, target)
        except PasswordDeleteError:
            pass  # nothing stored: nothing to delete
        except errors as exc:
            raise CredentialsError(self._no_keyring(target, exc)) from exc

    def _no_keyring(self, target: str, exc: Exception) -> str:
        return (
            f"No usable keyring to keep the secret for '{target}' ({type(exc).__name__}: {exc}). "
            "Start your desktop's keyring (e.g. gnome-keyring or KWallet) and unlock it, or supply the "
            f"secret at run time in the environment variable {env_name(target)}."
        )


def _keyring() -> tuple[ModuleType, tuple[type[Exception], ...]]:
    import keyring
    from keyring.errors import InitError, KeyringError, KeyringLocked, NoKeyringError

    return keyring, (NoKeyringError, InitError, KeyringLocked, KeyringError, OSError)
