"""Building the sync engine from the configuration (shared by the running app and the CLI)."""

from __future__ import annotations

import platform

import requests
from sqlite_utils import Database

from app.config import Config
from app.paths import Paths
from app.version import __version__
from sync.connector import Connector, Target
from sync.credentials import Credentials, CredentialsError
from sync.engine import SyncEngine
from sync.http import new_session
from sync.registry import connector_for

USER_AGENT = f"Inflow/{__version__} ({platform.system()}; learning capture)"


def session_factory() -> requests.Session:
    return new_session(USER_AGENT)


def credentials(paths: Paths) -> Credentials:
    return Credentials(paths.keyring_service)


def secret_lookup(paths: Paths) -> SecretLookup:
    return SecretLookup(credentials(paths))


class SecretLookup:
    """Reads a target's secret; a missing keyring means "no secret" (the connector then says so)."""

    def __init__(self, creds: Credentials) -> None:
        self._creds = creds

    def __call__(self, target: Target) -> str | None:
        try:
            return self._creds.get(target.name)
        except CredentialsError:
            return None


def make_engine(paths: Paths, config: Config, db: Database) -> SyncEngine:
    return SyncEngine(
        db,
        lambda: list(config.targets),
        secret_lookup(paths),
        session_factory,
        poll_days=config.get_int("question_poll_days"),
        snapshot_feed=config.get_bool("snapshots_enabled"),
    )


def make_connector(target: Target, secret: str | None, session: requests.Session) -> Connector:
    """A connector for a one-off call (Test connection): state is not kept."""
    return connector_for(target.kind)(target, secret, session, {})
