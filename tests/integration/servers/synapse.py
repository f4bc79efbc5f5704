"""A real Synapse (Matrix homeserver) on 127.0.0.1 for integration tests.

One listener (resources `client`, which also serves the admin API), sqlite in the data dir, no
federation, registration closed except through the shared-secret admin API, rate limits raised far
above anything a test does (use `override_ratelimit` to get real 429s for one user).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from . import HTTP_TIMEOUT, ServerProcess, check, free_port, server_python

#: Limits for every rate limiter a test can reach: none of them should ever trigger by accident.
_UNLIMITED = {"per_second": 10000, "burst_count": 100000}


@dataclass(frozen=True)
class Account:
    """A logged-in device of a Matrix user."""

    user_id: str  # "@alice:localhost"
    access_token: str
    device_id: str
    password: str


def _path(value: str) -> str:
    """`value` (a user, room or event id) escaped as one URL path segment."""
    return quote(value, safe="")


class Synapse:
    """A running Synapse. Made by `Synapse.create`; `stop()` and `start()` keep port and data."""

    server_name = "localhost"

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = data_dir / "synapse.log"
        self._shared_secret = secrets.token_urlsafe(32)
        self._http = requests.Session()
        self._process = ServerProcess(
            "synapse",
            [server_python("synapse"), "-m", "synapse.app.homeserver", "--config-path", "homeserver.yaml"],
            cwd=data_dir,
            log=self.log,
            ready_url=f"{self.base_url}/health",
        )

    @classmethod
    def create(cls, data_dir: Path) -> Synapse:
        """Configure a fresh homeserver in `data_dir` (which must exist) and start it on a free port."""
        server = cls(data_dir, free_port())
        server._write_config()
        server.start()
        return server

    # ------------------------------------------------------------------ process

    def start(self) -> None:
        """Start the homeserver (same port, same data) and wait until GET /health answers."""
        self._process.start()

    @property
    def running(self) -> bool:
        """Whether the homeserver process is up (started and not stopped)."""
        return self._process.running

    def stop(self) -> None:
        """Stop the homeserver: SIGTERM (then SIGKILL) to its process group. Idempotent."""
        self._process.stop()

    def close(self) -> None:
        """Stop the homeserver and release the HTTP session (the fixture's teardown)."""
        self.stop()
        self._http.close()

    def _write_config(self) -> None:
        d = self.data_dir
        # The signing key file is "<algorithm> <version> <unpadded base64 seed>"; any 32 random bytes
        # are an ed25519 seed. Writing it ourselves saves a ~1 s `--generate-config` run.
        seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        (d / "signing.key").write_text(f"ed25519 a_test {seed}\n")
        (d / "log.yaml").write_text(
            json.dumps(
                {
                    "version": 1,
                    "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
                    # stderr, which ServerProcess sends to synapse.log: one log file per server.
                    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
                    "root": {"level": "INFO", "handlers": ["stderr"]},
                    "disable_existing_loggers": False,
                }
            )
        )
        rate_limits: dict[str, Any] = {
            name: _UNLIMITED
            for name in (
                "rc_message",
                "rc_registration",
                "rc_registration_token_validity",
                "rc_admin_redaction",
                "rc_joins_per_room",
                "rc_3pid_validation",
                "rc_third_party_invite",
                "rc_media_create",
                "rc_room_creation",
                "rc_delayed_event_mgmt",
                "rc_reports",
                "rc_user_directory",
                "rc_profile",
                "rc_key_requests",
            )
        }
        rate_limits["rc_login"] = {k: _UNLIMITED for k in ("address", "account", "failed_attempts")}
        rate_limits["rc_joins"] = {k: _UNLIMITED for k in ("local", "remote")}
        rate_limits["rc_invites"] = {k: _UNLIMITED for k in ("per_room", "per_user", "per_issuer")}
        rate_limits["rc_presence"] = {"per_user": _UNLIMITED}
        config: dict[str, Any] = {
            "server_name": self.server_name,
            "public_baseurl": f"{self.base_url}/",
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(d / "homeserver.db")}},
            "log_config": str(d / "log.yaml"),
            "media_store_path": str(d / "media_store"),
            "signing_key_path": str(d / "signing.key"),
            "enable_registration": False,
            "registration_shared_secret": self._shared_secret,
            "macaroon_secret_key": secrets.token_urlsafe(32),
            "form_secret": secrets.token_urlsafe(32),
            "report_stats": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "url_preview_enabled": False,
            **rate_limits,
        }
        # JSON is YAML.
        (d / "homeserver.yaml").write_text(json.dumps(config, indent=2))

    # ------------------------------------------------------------------ HTTP helpers

    def _request(self, method: str, path: str, account: Account | None = None, body: Any = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {account.access_token}"} if account else {}
        response = check(
            self._http.request(method, f"{self.base_url}{path}", json=body, headers=headers, timeout=HTTP_TIMEOUT)
        )
        result: dict[str, Any] = response.json()
        return result

    # ------------------------------------------------------------------ users

    def register(self, user: str, password: str, admin: bool = False) -> Account:
        """Create user `user` (a localpart) through the shared-secret admin API; returns its first device."""
        nonce: str = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self._shared_secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, user, password):
            mac.update(part.encode())
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        result = self._request(
            "POST",
            "/_synapse/admin/v1/register",
            body={"nonce": nonce, "username": user, "password": password, "admin": admin, "mac": mac.hexdigest()},
        )
        return Account(result["user_id"], result["access_token"], result["device_id"], password)

    def login(self, user: str, password: str, device_id: str | None = None) -> Account:
        """Log `user` (localpart or full id) in with its password; a new device unless `device_id` is given."""
        body: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password,
        }
        if device_id is not None:
            body["device_id"] = device_id
        result = self._request("POST", "/_matrix/client/v3/login", body=body)
        return Account(result["user_id"], result["access_token"], result["device_id"], password)

    # ------------------------------------------------------------------ rooms and messages

    def create_room(self, account: Account, name: str, room_version: str | None = None) -> str:
        """A new room made by `account`; preset public_chat (anyone on the server may join), unlisted.

        Synapse 1.163's default room version is 12, whose room ids have NO server part
        ("!<hash>", not "!opaque:localhost"); pass room_version="11" for an old-style id.
        """
        body = {"name": name, "preset": "public_chat", "visibility": "private"}
        if room_version is not None:
            body["room_version"] = room_version
        room_id: str = self._request("POST", "/_matrix/client/v3/createRoom", account, body)["room_id"]
        return room_id

    def join(self, account: Account, room_id: str) -> None:
        """`account` joins `room_id`."""
        self._request("POST", f"/_matrix/client/v3/rooms/{_path(room_id)}/join", account, {})

    def send_text(self, account: Account, room_id: str, body: str, thread_root: str | None = None) -> str:
        """Post an m.text message (a reply in the thread of event `thread_root` if given); its event id."""
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if thread_root is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": thread_root},
            }
        path = f"/_matrix/client/v3/rooms/{_path(room_id)}/send/m.room.message/{uuid.uuid4().hex}"
        event_id: str = self._request("PUT", path, account, content)["event_id"]
        return event_id

    # ------------------------------------------------------------------ rate limits

    def override_ratelimit(self, admin: Account, user_id: str, messages_per_second: int, burst_count: int) -> None:
        """Give `user_id` its own message rate limit (admin API; integers only). Takes effect at once."""
        self._request(
            "POST",
            f"/_synapse/admin/v1/users/{_path(user_id)}/override_ratelimit",
            admin,
            {"messages_per_second": messages_per_second, "burst_count": burst_count},
        )

    def clear_ratelimit_override(self, admin: Account, user_id: str) -> None:
        """Back to the server's (raised) rate limits for `user_id`."""
        self._request("DELETE", f"/_synapse/admin/v1/users/{_path(user_id)}/override_ratelimit", admin)
