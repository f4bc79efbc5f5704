"""A local HTTPS stand-in for Microsoft's identity platform and Microsoft Graph (Teams channel messages).

One TLS server (a trustme test CA) plays both: what MSAL asks for (the tenant's
`/v2.0/.well-known/openid-configuration`, `/oauth2/v2.0/devicecode`, `/oauth2/v2.0/token`) and what the
connector asks Graph (`/v1.0/teams/{team}/channels/{channel}/messages`, `/replies`, `/delta`,
`/softDelete`, PATCH). Shapes follow learn.microsoft.com: "Microsoft identity platform and the OAuth 2.0
device authorization grant flow", "Send chatMessage in a channel", "List replies", "chatMessage: delta",
"Microsoft Graph error responses and resource types" and "Microsoft Graph throttling guidance".
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme

from tests.unit.sync.local_server import Handler, LocalServer
from tests.unit.sync.local_server import Request as Seen

TENANT = "contoso.example"
TENANT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
USER_ID = "99999999-8888-7777-6666-555555555555"
USERNAME = "ada@contoso.example"
TEAM = "team-1"
CHANNEL = "19:general@thread.tacv2"
CHANNEL_PATH = f"/v1.0/teams/{TEAM}/channels/{CHANNEL}"

Answer = tuple[int, dict[str, str], bytes]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _json(status: int, value: Any, headers: dict[str, str] | None = None) -> Answer:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(value).encode()


def graph_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    inner = {"date": "2026-01-01T00:00:00", "request-id": "r-1", "client-request-id": "c-1"}
    return _json(status, {"error": {"code": code, "message": message, "innerError": inner}}, headers)


@dataclass
class GraphFake:
    base: str = ""
    seen: list[Seen] = field(default_factory=list)
    pending_polls: int = 1
    """How often the token endpoint answers authorization_pending before the person 'signs in'."""
    device_interval: int = 0
    refresh_ok: bool = True
    valid_tokens: set[str] = field(default_factory=set)
    token_count: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    """Root messages in posting order; `log` is what delta reports (every version, in order)."""
    log: list[dict[str, Any]] = field(default_factory=list)
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    page_size: int = 2
    post_delay: float = 0.0
    """Seconds to wait before answering a POST of a message (after storing it): an ambiguous failure."""
    queued: list[tuple[str, str, Answer | Callable[[Seen], Answer]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ test helpers

    def answer_next(self, method: str, path_part: str, answer: Answer | Callable[[Seen], Answer]) -> None:
        """The next `method` request whose path contains `path_part` gets `answer` (once)."""
        self.queued.append((method, path_part, answer))

    def graph_seen(self) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith("/v1.0/")]

    def token_requests(self) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/oauth2/v2.0/token")]

    def add_message(self, text: str, *, user_id: str = "someone-else", name: str = "Grace", **extra: Any) -> str:
        with self.lock:
            message_id = str(1_700_000_000_000 + len(self.messages))
            message = {
                "id": message_id,
                "replyToId": None,
                "messageType": "message",
                "subject": None,
                "createdDateTime": f"2026-01-01T10:{len(self.messages):02d}:00Z",
                "deletedDateTime": None,
                "lastModifiedDateTime": "2026-01-01T10:00:00Z",
                "webUrl": f"https://teams.example/l/message/{message_id}",
                "from": {"user": {"id": user_id, "displayName": name}},
                "body": {"contentType": "html", "content": text},
                **extra,
            }
            self.messages.append(message)
            self.log.append(dict(message))
            return message_id

    def delete_message(self, message_id: str) -> None:
        with self.lock:
            for message in self.messages:
                if message["id"] == message_id:
                    message["deletedDateTime"] = "2026-01-02T00:00:00Z"
                    self.log.append(dict(message))

    def add_reply(self, parent: str, text: str, name: str = "Grace") -> None:
        replies = self.replies.setdefault(parent, [])
        replies.append(
            {
                "id": f"{parent}-r{len(replies)}",
                "replyToId": parent,
                "messageType": "message",
                "deletedDateTime": None,
                "createdDateTime": f"2026-01-01T11:{len(replies):02d}:00Z",
                "from": {"user": {"id": "u2", "displayName": name}},
                "body": {"contentType": "html", "content": text},
            }
        )

    # ------------------------------------------------------------------ identity

    def tokens(self) -> Answer:
        self.token_count += 1
        access = f"at-{self.token_count}"
        self.valid_tokens.add(access)
        now = int(time.time())
        claims = {
            "aud": CLIENT_ID,
            "iss": f"{self.base}/{TENANT_ID}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "oid": USER_ID,
            "tid": TENANT_ID,
            "sub": "subject",
            "name": "Ada Lovelace",
            "preferred_username": USERNAME,
            "ver": "2.0",
        }
        id_token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.sig"
        body = {
            "token_type": "Bearer",
            "scope": "ChannelMessage.Send ChannelMessage.Read.All openid profile offline_access",
            "expires_in": 3600,
            "ext_expires_in": 3600,
            "access_token": access,
            "refresh_token": f"rt-{self.token_count}",
            "id_token": id_token,
            "client_info": _b64({"uid": USER_ID, "utid": TENANT_ID}),
        }
        return _json(200, body)

    def identity(self, seen: Seen) -> Answer:
        path = seen.path
        if path.endswith("/v2.0/.well-known/openid-configuration"):
            tenant = path.split("/")[1]
            if tenant != TENANT:
                return _json(400, {"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant not found."})
            root = f"{self.base}/{TENANT_ID}"
            return _json(
                200,
                {
                    "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{root}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                    "issuer": f"{root}/v2.0",
                },
            )
        if path.endswith("/oauth2/v2.0/devicecode"):
            return _json(
                200,
                {
                    "user_code": "ABCD-EFGH",
                    "device_code": "device-code-1",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": self.device_interval,
                    "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin "
                    "and enter the code ABCD-EFGH to authenticate.",
                },
            )
        if path.endswith("/oauth2/v2.0/token"):
            form = seen.form()
            if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code":
                if self.pending_polls > 0:
                    self.pending_polls -= 1
                    return _json(400, {"error": "authorization_pending", "error_description": "AADSTS70016: pending"})
                return self.tokens()
            if form.get("grant_type") == "refresh_token":
                if not self.refresh_ok:
                    return _json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_codes": [700082],
                            "suberror": "bad_token",
                            "error_description": "AADSTS700082: The refresh token has expired due to inactivity.",
                        },
                    )
                return self.tokens()
        return _json(404, {"error": "not_found"})

    # ------------------------------------------------------------------ graph

    def _page(self, items: list[Any], seen: Seen, link: str, default: int) -> dict[str, Any]:
        start = int(seen.query.get("$skiptoken", ["0"])[0])
        size = min(int(seen.query.get("$top", [str(default)])[0]), self.page_size)
        page: dict[str, Any] = {"value": items[start : start + size]}
        if start + size < len(items):
            page["@odata.nextLink"] = f"{self.base}{link}?$skiptoken={start + size}"
        return page

    def graph(self, seen: Seen) -> Answer:
        auth = seen.headers.get("authorization", "")
        if auth.removeprefix("Bearer ") not in self.valid_tokens:
            return graph_error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
        path, method = seen.path, seen.method
        messages = f"{CHANNEL_PATH}/messages"
        if not path.startswith(messages):
            return graph_error(404, "NotFound", "Channel not found")
        rest = path[len(messages) :]
        if method == "POST" and rest == "":
            message_id = self.add_message(seen.json()["body"]["content"], user_id=USER_ID, name="Ada Lovelace")
            if self.post_delay:
                time.sleep(self.post_delay)
            return _json(201, next(m for m in self.messages if m["id"] == message_id))
        if method == "GET" and rest == "":
            return _json(200, self._page(list(reversed(self.messages)), seen, messages, 50))
        if method == "GET" and rest == "/delta":
            return _json(200, self._delta(seen))
        parts = rest.strip("/").split("/")
        if not any(m["id"] == parts[0] for m in self.messages):
            return graph_error(404, "NotFound", "Message not found")
        if method == "GET" and parts[1:] == ["replies"]:
            return _json(200, self._page(self.replies.get(parts[0], []), seen, f"{messages}/{parts[0]}/replies", 50))
        if method == "PATCH" and len(parts) == 1:
            return 204, {}, b""
        if method == "POST" and parts[1:] == ["softDelete"]:
            self.delete_message(parts[0])
            return 204, {}, b""
        return graph_error(400, "BadRequest", "Unsupported request")

    def _delta(self, seen: Seen) -> dict[str, Any]:
        """Each message changed in the round once, in its current state (as Graph's delta does)."""
        link = f"{CHANNEL_PATH}/messages/delta"
        offset = 0
        if "$deltatoken" in seen.query:
            start, end = int(seen.query["$deltatoken"][0]), len(self.log)
        elif "$skiptoken" in seen.query:
            start, end, offset = (int(x) for x in seen.query["$skiptoken"][0].split("-"))
        else:
            start, end = 0, len(self.log)
        changed = list(dict.fromkeys(entry["id"] for entry in self.log[start:end]))
        current = {m["id"]: m for m in self.messages}
        stop = min(offset + self.page_size, len(changed))
        page: dict[str, Any] = {"value": [current[i] for i in changed[offset:stop]]}
        if stop < len(changed):
            page["@odata.nextLink"] = f"{self.base}{link}?$skiptoken={start}-{end}-{stop}"
        else:
            page["@odata.deltaLink"] = f"{self.base}{link}?$deltatoken={end}"
        return page

    # ------------------------------------------------------------------ dispatch

    def handle(self, seen: Seen) -> Answer:
        self.seen.append(seen)
        for index, (method, part, answer) in enumerate(self.queued):
            if method == seen.method and part in seen.path:
                del self.queued[index]
                return answer(seen) if callable(answer) else answer
        if seen.path.startswith("/v1.0/"):
            return self.graph(seen)
        return self.identity(seen)


@dataclass
class Served:
    fake: GraphFake
    ca_path: Path
    authority: str
    graph_url: str


def serve(tmp: Path) -> Iterator[Served]:
    """Run the fake on a loopback port with a fresh test CA; yields where it is and the CA bundle."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    fake = GraphFake()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    handle: Handler = lambda seen, _h: fake.handle(seen)  # noqa: E731
    with LocalServer(handle, methods=("GET", "POST", "PATCH"), strip_query=True, tls=context) as server:
        fake.base = server.url
        ca_path = tmp / "test-ca.pem"
        ca.cert_pem.write_to_path(str(ca_path))
        yield Served(fake, ca_path, server.url, server.url + "/v1.0")
