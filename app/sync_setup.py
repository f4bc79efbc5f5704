"""Building the sync engine from the configuration (shared by the running app and the CLI)."""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import requests
from sqlite_utils import Database

from app.config import Config
from app.paths import Paths
from app.version import __version__
from sync.connector import Connector, Target
from sync.credentials import Credentials, CredentialsError
from sync.engine import SyncEngine
from sync.http import InflowSession, new_session
from sync.registry import connector_for

if TYPE_CHECKING:
    from storage.snapshots import SnapshotJob
    from sync.snapshots.fetch import SnapshotPolicy
    from sync.snapshots.runner import SnapshotRunner

USER_AGENT = f"Inflow/{__version__} ({platform.system()}; learning capture)"


class DeviceSignIn(Protocol):
    """A web sign-in in progress (Microsoft's device code): show `message`, then `wait()` for the secret."""

    message: str
    account: str
    """Who signed in, known once `wait()` returned."""

    def wait(self) -> str: ...


StartSignIn = Callable[[Target, requests.Session], DeviceSignIn]


def device_sign_in(kind: str) -> StartSignIn | None:
    """How this kind of target starts a web sign-in (its connector's `start_device_sign_in`), else None."""
    import sys

    start: StartSignIn | None = getattr(sys.modules[connector_for(kind).__module__], "start_device_sign_in", None)
    return start


def session_factory(plain_http_allowed: Callable[[str], bool] | None = None) -> InflowSession:
    """A session; `plain_http_allowed` says which plain http:// URLs are a test lab's (none by default)."""
    return new_session(USER_AGENT, plain_http_allowed=plain_http_allowed)


def target_session(config: Config, target: Target, secret: str | None) -> InflowSession:
    """A session for a one-off call to one target (Test connection, sign-in), with its opt-out."""
    from app.targets import plain_http_allowance

    return session_factory(plain_http_allowance(lambda: [target], _permit(config), lambda _target: secret))


def _permit(config: Config) -> Callable[[], bool]:
    return lambda: config.get_bool("permit_insecure_http")


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
    """The engine for the sync thread or `inflow sync now`; provisioned targets' one-time token files
    are moved into the keyring first."""
    from app.policy.provisioning import hand_over_tokens
    from app.targets import plain_http_allowance

    hand_over_tokens(config, credentials(paths))

    secrets = secret_lookup(paths)
    allowance = plain_http_allowance(lambda: config.targets, _permit(config), secrets)
    return SyncEngine(
        db,
        lambda: list(config.targets),
        secrets,
        lambda: session_factory(allowance),
        poll_days=config.get_int("question_poll_days"),
        snapshot_feed=config.get_bool("snapshots_enabled"),
        store_secret=lambda target, secret: credentials(paths).set(target.name, secret),
    )


def make_connector(target: Target, secret: str | None, session: requests.Session) -> Connector:
    """A connector for a one-off call (Test connection): state is not kept."""
    return connector_for(target.kind)(target, secret, session, {})


def snapshot_policy(config: Config) -> SnapshotPolicy:
    from sync.snapshots.fetch import SnapshotPolicy

    def domains(key: str) -> tuple[str, ...]:
        return tuple(d.strip().lower() for d in config.get_str(key).split(",") if d.strip())

    return SnapshotPolicy(
        enabled=config.get_bool("snapshots_enabled"),
        allow_domains=domains("snapshot_allow_domains"),
        deny_domains=domains("snapshot_deny_domains"),
    )


def make_snapshot_runner(config: Config, db: Database) -> SnapshotRunner:
    """The offline-copy fetcher, with the settings' policy, size cap and daily team-feed budget."""
    from sync.snapshots.runner import SnapshotRunner

    return SnapshotRunner(
        db,
        session_factory,
        policy=snapshot_policy(config),
        max_bytes=config.get_int("snapshot_max_mb") * 1024 * 1024,
        budget=FeedBudget(db, config.get_int("feed_snapshot_daily_budget")),
    )


class FeedBudget:
    """At most N offline copies a day for links from the team feed (own captures are not counted)."""

    def __init__(self, db: Database, per_day: int) -> None:
        self._db = db
        self._per_day = per_day

    def __call__(self, job: SnapshotJob) -> bool:
        from datetime import date

        from storage.outbox import get_target_state, set_target_state

        row = self._db.execute("SELECT origin FROM moments WHERE id = ?", [job.moment_id]).fetchone()
        if row is None or row[0] != "team":
            return True
        key = f"feed-budget-{date.today().isoformat()}"
        used = int(get_target_state(self._db, "snapshots").get(key, "0"))
        if used >= self._per_day:
            return False
        with self._db.atomic():
            set_target_state(self._db, "snapshots", key, str(used + 1))
        return True
