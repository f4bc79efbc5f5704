"""The servers' side of the crash campaign: real Synapse, Ralph and MediaWiki behind loopback forwarders,
a webhook receiver, and a kill switch that SIGKILLs the client the moment a server accepts a write.

Every target's URL points at a forwarder (or, for the webhook, the receiver itself), so the campaign can
kill `inflow sync now` exactly between a backend's accept and Inflow's commit: the forwarder passes the
write on, gets the server's answer, fires the switch, and only then tries to answer the dead client.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote

from sync.http import new_session
from tests.integration.servers.mediawiki import MediaWiki
from tests.integration.servers.ralph import Ralph
from tests.integration.servers.synapse import Synapse
from tests.unit.sync.local_server import LocalServer, Request

WIKI_PAGE = "Crash campaign"
_HOP_BY_HOP = {"connection", "content-length", "content-encoding", "transfer-encoding", "keep-alive", "host"}


@dataclass
class KillSwitch:
    """Armed with a target name and a process group; the first write that target's server accepts kills it."""

    armed: str | None = None
    pgid: int | None = None
    fired: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, target: str) -> None:
        with self.lock:
            self.armed, self.pgid = target, None
            self.fired.clear()

    def fire(self, target: str) -> None:
        with self.lock:
            if self.armed != target or self.pgid is None:
                return
            self.armed = None
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except ProcessLookupError:
                return
            self.fired.set()


def forwarder(upstream: str, target: str, is_write: Callable[[Request], bool], switch: KillSwitch) -> LocalServer:
    """A loopback server that passes every request on to `upstream` and fires `switch` after a write."""
    http = new_session("Inflow-crash-campaign")
    http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # pass cookies on, never keep them

    def forward(seen: Request, h: BaseHTTPRequestHandler) -> None:
        headers = {k: v for k, v in seen.headers.items() if k not in _HOP_BY_HOP | {"accept-encoding"}}
        answer = http.request(
            seen.method, upstream + seen.path, data=seen.raw, headers=headers, allow_redirects=False, timeout=60
        )
        if is_write(seen):
            switch.fire(target)
        try:
            h.send_response(answer.status_code)
            for name, value in answer.raw.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    h.send_header(name, value)
            h.send_header("Content-Length", str(len(answer.content)))
            h.end_headers()
            h.wfile.write(answer.content)
        except OSError:
            pass  # the client was killed: nobody to answer

    return LocalServer(forward)


@dataclass
class Servers:
    synapse: Synapse
    ralph: Ralph
    wiki: MediaWiki
    room_id: str
    token: str
    hooks: list[Request]
    urls: dict[str, str]  # target name -> the URL its settings take (a forwarder's, or the receiver's)
    switch: KillSwitch

    def room_bodies(self) -> list[str]:
        """Every m.room.message in the room, as JSON text (newest first, all pages)."""
        found: list[str] = []
        url = f"{self.synapse.base_url}/_matrix/client/v3/rooms/{quote(self.room_id, safe='')}/messages"
        params: dict[str, str] = {"dir": "b", "limit": "1000"}
        http = new_session("Inflow-crash-campaign")
        while True:
            page = http.get(url, params=params, headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
            page.raise_for_status()
            body = page.json()
            found += [json.dumps(e["content"]) for e in body["chunk"] if e["type"] == "m.room.message"]
            if not body["chunk"] or "end" not in body:
                return found
            params["from"] = body["end"]

    def copies(self, marker: str) -> dict[str, int]:
        """How many copies of the moments titled with `marker` each server holds (webhook: distinct ids)."""
        posts = [r for r in list(self.hooks) if r.method == "POST" and marker.encode() in r.raw]
        headings = [line for line in self.wiki.wikitext(WIKI_PAGE).splitlines() if line.startswith("==")]
        return {
            "room": sum(marker in body for body in self.room_bodies()),
            "lrs": sum(marker in json.dumps(s) for s in self.ralph.statements()),
            "hook": len({r.headers.get("webhook-id") for r in posts}),
            "wiki": sum(marker in line for line in headings),
            "posts": len(posts),
        }


def _matrix_write(seen: Request) -> bool:
    return seen.method == "PUT" and "/send/" in seen.path


def _xapi_write(seen: Request) -> bool:
    return seen.method in ("POST", "PUT") and "/statements" in seen.path


def _wiki_write(seen: Request) -> bool:
    return seen.method == "POST" and b"action=edit" in seen.raw


@contextmanager
def servers(folder: Path) -> Iterator[Servers]:
    """Synapse, Ralph and MediaWiki (each behind a forwarder) and a webhook receiver; stopped at the end."""
    switch = KillSwitch()
    with ExitStack() as stack:
        for name in ("synapse", "ralph", "wiki"):
            (folder / name).mkdir()
        synapse = Synapse.create(folder / "synapse")
        stack.callback(synapse.close)
        ralph = Ralph.create(folder / "ralph")
        stack.callback(ralph.close)
        wiki = MediaWiki.create(folder / "wiki")
        stack.callback(wiki.close)
        hooks: list[Request] = []

        def receive(_seen: Request, _h: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
            switch.fire("hook")  # the receiver has the body; the client never hears back
            return 204, {}, b""

        receiver = stack.enter_context(LocalServer(receive, methods=("POST",), log=hooks))
        room = stack.enter_context(forwarder(synapse.base_url, "room", _matrix_write, switch))
        lrs = stack.enter_context(forwarder(ralph.base_url, "lrs", _xapi_write, switch))
        api = stack.enter_context(forwarder(wiki.base_url, "wiki", _wiki_write, switch))
        me = synapse.register("crash", "pw")
        room_id = synapse.create_room(me, "crash campaign")
        urls = {
            "room": room.url,
            "lrs": f"{lrs.url}/xAPI",
            "hook": f"{receiver.url}/hooks/inflow",
            "wiki": f"{api.url}/api.php",
        }
        yield Servers(synapse, ralph, wiki, room_id, me.access_token, hooks, urls, switch)
