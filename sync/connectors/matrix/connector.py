"""Matrix: post moments to a room, edit and redact them, read thread replies and the room's timeline.

Idempotency is the server's: a message is PUT with txnId = the outbox row's idempotency key, and the
same txnId from the same device returns the same event. With a password (setting `user`) we log in
with the device id kept in `state["device_id"]`, so retries after a restart stay on that device. The
access token a login yields lives only in memory (never in `state`, which lands in the database).
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.matrix.content import feed_item_from_event, fitted_content, reply_from_event, thread_root
from sync.connectors.matrix.errors import TOKEN_REJECTED, classify_error, unexpected_shape
from sync.errors import ErrorKind, SyncError, auth, permanent
from sync.http import decode_json, exchange

CLIENT = "/_matrix/client/v3"
MAX_PAGES = 50
"""Pages of 100 events one fetch_feed reads at most (the rest comes next time, from the cursor)."""

_LOGINS: dict[tuple[str, str, str, str], tuple[str, str]] = {}
"""(homeserver, user, password digest, device id) -> (access token, user id): one login per process."""


def forget_logins() -> None:
    """Drop every access token kept in memory (the next call logs in again)."""
    _LOGINS.clear()


def _seg(value: str) -> str:
    """`value` (a room, event, alias or transaction id) as one URL path segment."""
    return quote(value, safe="")


class MatrixConnector:
    kind: ClassVar[str] = "matrix"
    label: ClassVar[str] = "Matrix room"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "Homeserver URL", help="e.g. https://matrix.example.com", url=True),
        TargetKey("room", "Room", help="A room id (!abc:example.com) or alias (#team:example.com)"),
        TargetKey("user", "User", required=False, help="Set it to sign in with a password instead of a token"),
    )
    secret_label: ClassVar[str] = "Access token (or password when a user is set)"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._base = target.get("url").strip().rstrip("/")
        self._room = target.get("room").strip()
        self._user = target.get("user").strip()
        self._http = http
        self._state = state
        self._state.pop("access_token", None)  # never persisted (an older build may have)
        self._password = secret if self._user else None
        self._token = None if self._user else secret
        self._me: str | None = None

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        me = self._whoami()
        room_id = self._room_id()
        joined = self._call("GET", f"{CLIENT}/joined_rooms", action="read", expected="joined_rooms")
        rooms = joined.get("joined_rooms")
        if not isinstance(rooms, list) or room_id not in rooms:
            self._call("POST", f"{CLIENT}/join/{_seg(room_id)}", json={}, action="join", expected="room_id")
        return f"Signed in as {me}; room {room_id} is reachable"

    def send(self, moment: OutgoingMoment) -> SendResult:
        room_id = self._room_id()
        path = f"{CLIENT}/rooms/{_seg(room_id)}/send/m.room.message/{_seg(moment.idempotency_key)}"
        answer = self._call("PUT", path, json=fitted_content(moment), expected="event_id")
        event_id = self._field(answer, "event_id", path)
        return SendResult(remote_id=event_id, link=f"https://matrix.to/#/{_seg(room_id)}/{_seg(event_id)}")

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        room_id = self._room_id()
        path = f"{CLIENT}/rooms/{_seg(room_id)}/send/m.room.message/{_seg(moment.idempotency_key)}"
        content = fitted_content(moment, replaces=remote_id)
        answer = self._call("PUT", path, json=content, action="edit", event_id=remote_id, expected="event_id")
        self._field(answer, "event_id", path)

    def retract(self, remote_id: str) -> None:
        room_id = self._room_id()
        txn = "redact-" + hashlib.sha256(f"{room_id}\n{remote_id}".encode()).hexdigest()[:32]
        path = f"{CLIENT}/rooms/{_seg(room_id)}/redact/{_seg(remote_id)}/{txn}"
        body = {"reason": "Retracted in Inflow"}
        answer = self._call("PUT", path, json=body, action="retract", event_id=remote_id, expected="event_id")
        self._field(answer, "event_id", path)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        room_id = self._room_id()
        path = f"/_matrix/client/v1/rooms/{_seg(room_id)}/relations/{_seg(remote_id)}/m.thread"
        params: dict[str, str] = {"limit": "50", "dir": "f"}
        replies: list[RemoteReply] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self._call("GET", path, params=params, action="read", event_id=remote_id, expected="chunk")
            for event in self._chunk(page, path):
                reply = reply_from_event(event)
                if reply is not None and reply.remote_id not in seen:
                    seen.add(reply.remote_id)
                    replies.append(reply)
            next_batch = page.get("next_batch")
            if not isinstance(next_batch, str) or not next_batch or next_batch == params.get("from"):
                break
            params["from"] = next_batch
        return replies

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        room_id = self._room_id()
        path = f"{CLIENT}/rooms/{_seg(room_id)}/messages"
        if cursor is None:  # start from now: the token of the newest position, no history
            now = self._call("GET", path, params={"dir": "b", "limit": "1"}, action="read", expected="start")
            return FeedPage([], cursor=self._field(now, "start", path))
        me = self._me or self._whoami()
        items: list[FeedItem] = []
        replies: dict[str, list[RemoteReply]] = {}
        complete = False
        for _ in range(MAX_PAGES):
            params = {"dir": "f", "from": cursor, "limit": "100"}
            page = self._call("GET", path, params=params, action="read", expected="chunk")
            chunk = self._chunk(page, path)
            items.extend(item for item in (feed_item_from_event(event, me) for event in chunk) if item is not None)
            for event in chunk:  # thread replies: the engine needs no relations call for these roots
                root, reply = thread_root(event), reply_from_event(event)
                if root and reply is not None:
                    replies.setdefault(root, []).append(reply)
            end = page.get("end")
            if not isinstance(end, str) or not end or (not chunk and end == cursor):
                complete = True
                break  # no `end`: nothing more for now; continue from the last `from` next time
            cursor = end
        return FeedPage(items, cursor=cursor, replies=replies, complete=complete)

    # ------------------------------------------------------------------ plumbing

    def _whoami(self) -> str:
        answer = self._call("GET", f"{CLIENT}/account/whoami", action="read", expected="user_id")
        self._me = self._field(answer, "user_id", f"{CLIENT}/account/whoami")
        return self._me

    def _room_id(self) -> str:
        room = self._room
        if room.startswith("!") and len(room) > 1:  # room version 12 ids have no ":server" part
            return room
        if not room.startswith("#") or ":" not in room:
            raise permanent(f"The room setting {room!r} is neither a room id (!abc) nor an alias (#name:server)")
        if self._state.get("room_alias") == room and self._state.get("room_id"):
            return self._state["room_id"]
        path = f"{CLIENT}/directory/room/{_seg(room)}"
        room_id = self._field(self._call("GET", path, action="read", expected="room_id"), "room_id", path)
        self._state["room_alias"], self._state["room_id"] = room, room_id
        return room_id

    def _field(self, answer: dict[str, Any], key: str, path: str) -> str:
        value = answer.get(key)
        if not isinstance(value, str) or not value:
            raise unexpected_shape(self._base + path, key)
        return value

    def _chunk(self, page: dict[str, Any], path: str) -> list[Any]:
        chunk = page.get("chunk")
        if not isinstance(chunk, list):
            raise unexpected_shape(self._base + path, "chunk")
        return chunk

    def _token_now(self) -> str:
        if self._token:
            return self._token
        if not self._user:
            raise auth("No access token is saved for this Matrix target: sign in again")
        if not self._password:
            raise auth(f"No password is saved for {self._user}: sign in again")
        key = self._login_key()
        if key in _LOGINS:
            self._token, self._me = _LOGINS[key]
            return self._token
        return self._login()

    def _login_key(self) -> tuple[str, str, str, str]:
        digest = hashlib.sha256((self._password or "").encode()).hexdigest()
        return self._base, self._user, digest, self._state.get("device_id", "")

    def _login(self) -> str:
        _LOGINS.pop(self._login_key(), None)
        body: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": self._user},
            "password": self._password,
            "initial_device_display_name": "Inflow",
        }
        if self._state.get("device_id"):
            body["device_id"] = self._state["device_id"]
        path = f"{CLIENT}/login"
        answer = self._send_raw("POST", path, json=body, token=None, action="login", expected="access_token")
        token, device = self._field(answer, "access_token", path), self._field(answer, "device_id", path)
        self._state["device_id"] = device
        self._me = answer.get("user_id") if isinstance(answer.get("user_id"), str) else None
        self._token = token
        _LOGINS[self._login_key()] = (token, self._me or "")
        return token

    def _call(self, method: str, path: str, *, action: str = "post", **options: Any) -> dict[str, Any]:
        """One authenticated request; with a password, a rejected token means one fresh login and retry."""
        try:
            return self._send_raw(method, path, token=self._token_now(), action=action, **options)
        except SyncError as error:
            token_rejected = error.kind is ErrorKind.AUTH and error.message == TOKEN_REJECTED
            if not (token_rejected and self._user and self._password):
                raise
        self._token = None
        return self._send_raw(method, path, token=self._login(), action=action, **options)

    def _send_raw(
        self, method: str, path: str, *, token: str | None, action: str, event_id: str | None = None,
        expected: str | None = None, json: Any = None, params: dict[str, str] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        if not self._base.startswith(("http://", "https://")):
            raise permanent(f"The homeserver URL {self._base!r} must start with https:// (or http://)")
        url = self._base + path
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = exchange(self._http, method, url, json=json, params=params, headers=headers)
        if 200 <= response.status_code < 300:
            payload, _ = decode_json(response)
            if payload is not None:
                return payload
        raise classify_error(response, room=self._room, action=action, event_id=event_id, expected=expected)


CONNECTOR = MatrixConnector
