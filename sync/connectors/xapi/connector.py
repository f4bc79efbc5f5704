"""xAPI 1.0.3: each shared moment becomes one statement in a Learning Record Store (push only).

Settings: `url` (the LRS endpoint; statements live at `<url>/statements`, a trailing slash is fine) and
`username` (the LRS key); the secret is the password (HTTP Basic). Two optional settings, not shown as
keys: `actor` (the account name statements are made by; default the username) and `actor_home_page`
(the account's home page; also read from the target's state; default the LRS URL's origin). The actor
is always an `account`, never an e-mail address.

Idempotency: the statement `id` is a UUID derived from the outbox row's idempotency key (uuid5 in
`STATEMENT_NAMESPACE`) and the `timestamp` is the moment's creation time, so sending the same row again
(after a crash, a timeout, ...) sends byte-identical JSON: the LRS answers 204 (Ralph: all ids exist)
or 200 and stores nothing new. A 409 (same id, different content: the moment was edited between the
attempts) counts as delivered only when the LRS shows the statement exists.

The statement, per kind:
    verb     resource -> http://id.tincanapi.com/verb/bookmarked
             tip      -> http://adlnet.gov/expapi/verbs/shared
             question -> http://adlnet.gov/expapi/verbs/asked
    object   an Activity: id = the resource's URL when it is an http(s) IRI, else
             `urn:inflow:moment:<moment id>`; definition.type = http://adlnet.gov/expapi/activities/link
             (resource), http://adlnet.gov/expapi/activities/question (question) or our own
             `TIP_ACTIVITY_TYPE` = https://inflow.example/xapi/activities/tip (tip; there is no standard one)
    context  platform "Inflow"; extensions `TAGS_EXTENSION` (list of tags) and `MOMENT_EXTENSION`
             (the local moment id, to recognise our own statements when reading back).
These IRIs are part of the data other tools query: never change them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from sync.connector import OutgoingMoment, SendResult, TargetKey
from sync.connectors.xapi import content
from sync.connectors.xapi.content import encode
from sync.connectors.xapi.errors import answer_detail, classify_error, decode_json, lrs_host
from sync.errors import auth, permanent, transient
from sync.http import exchange
from sync.push import PushOnly


class XapiConnector(PushOnly):
    """Sends moments as xAPI statements to an LRS. Push only: statements are immutable."""

    kind: ClassVar[str] = "xapi"
    label: ClassVar[str] = "xAPI learning record store"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey(
            "url",
            "LRS endpoint",
            url=True,
            help="e.g. https://lrs.example.com/xAPI (statements are at <url>/statements)",
        ),
        TargetKey("username", "Username (LRS key)"),
        TargetKey(
            "track",
            "Track",
            required=False,
            help="what to record, comma-separated: captured, shared, asked, answered, read "
            "(default: shared, asked, answered)",
        ),
    )
    secret_label: ClassVar[str] = "Password (or LRS secret)"
    cannot_edit = "xAPI statements cannot be changed: the statement already sent stays in the LRS as it was"
    cannot_retract = (
        "xAPI statements are immutable: the statement stays in the LRS (it could only be voided, "
        "which Inflow does not do)"
    )
    cannot_reply = "An LRS has no replies: Inflow only sends statements to it"
    cannot_read = "Inflow only sends statements to the LRS; it does not read them back"

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        """GET <url>/about (no auth), then an authenticated GET <url>/statements?limit=1."""
        base = self._base_url()
        host = lrs_host(base)
        about = self._request("GET", f"{base}/about", authenticated=False)
        versions: list[str] | None = None
        if about.ok:
            payload, problem = decode_json(about)
            found = payload.get("version") if isinstance(payload, dict) else None
            if not isinstance(found, list) or not all(isinstance(v, str) for v in found):
                what = problem or "answered without a version list"
                raise permanent(f"{base} does not look like an xAPI endpoint: {base}/about {what}")
            versions = found
            if not any(v.startswith("1.0") for v in versions):
                raise permanent(f"The LRS at {host} speaks xAPI {', '.join(versions)} only; Inflow sends 1.0.3")
        elif about.status_code >= 500 or about.status_code == 429:
            raise classify_error(about, "answering /about")
        # 404/401/403 on /about: some LRSs (Ralph) have no /about or protect it; the next call decides.
        probe = self._request("GET", f"{base}/statements", params={"limit": "1"})
        if not probe.ok:
            if probe.status_code == 404:
                raise permanent(f"No xAPI LRS at {base}: {base}/statements was not found (404)")
            raise classify_error(probe, "listing statements")
        payload, problem = decode_json(probe)
        if not isinstance(payload, dict) or not isinstance(payload.get("statements"), list):
            what = problem or "answered without a statements list"
            raise permanent(f"{base} does not look like an xAPI endpoint: {base}/statements {what}")
        spoken = ", ".join(versions) if versions else "(version not reported)"
        return f"LRS at {host} speaks xAPI {spoken}; credentials accepted"

    def send(self, moment: OutgoingMoment) -> SendResult:
        """POST one statement; see the module docstring for why a retry never stores it twice."""
        return self.send_batch([moment])[0]

    def send_batch(self, moments: Sequence[OutgoingMoment]) -> list[SendResult]:
        """POST the moments as one array of statements (atomic in the LRS); one result per moment, in order.

        Raises one SyncError for the whole batch. The same idempotency key twice in a batch is sent once.
        """
        if not moments:
            return []
        statements: dict[str, dict[str, Any]] = {}
        for moment in moments:
            statement = self.statement(moment)
            statements.setdefault(statement["id"], statement)
        self._post_statements(list(statements.values()), single=len(moments) == 1)
        return [SendResult(remote_id=content.statement_id(moment.idempotency_key)) for moment in moments]

    # ------------------------------------------------------------------ the statement

    def statement(self, moment: OutgoingMoment) -> dict[str, Any]:
        """The statement for a moment: deterministic (same moment and key -> same JSON)."""
        return content.statement(moment, self._home_page, self._actor_name)

    def _home_page(self) -> str:
        configured = self._target.get("actor_home_page").strip() or self._state.get("actor_home_page", "").strip()
        if configured:
            return configured
        parts = urlsplit(self._base_url())
        return f"{parts.scheme}://{parts.netloc}"

    def _actor_name(self) -> str:
        name = self._target.get("actor").strip() or self._target.get("username").strip()
        if not name:
            raise permanent("No username (or actor) is set for this LRS target: statements need an actor")
        return name

    # ------------------------------------------------------------------ HTTP

    def _base_url(self) -> str:
        url = self._target.get("url").strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise permanent(f"The LRS endpoint {url!r} is not an http(s) URL: check the target's settings")
        return url

    def _request(self, method: str, url: str, *, authenticated: bool = True, **kwargs: Any) -> requests.Response:
        headers = {"X-Experience-API-Version": content.XAPI_VERSION, **kwargs.pop("headers", {})}
        basic: tuple[str, str] | None = None
        if authenticated:
            if not self._secret:
                raise auth(f"No password is set for the LRS at {lrs_host(url)}: enter it in Settings")
            basic = (self._target.get("username"), self._secret)
        return exchange(self._http, method, url, headers=headers, auth=basic, **kwargs)

    def _post_statements(self, statements: list[dict[str, Any]], *, single: bool) -> None:
        url = f"{self._base_url()}/statements"
        payload: Any = statements[0] if single else statements
        response = self._request("POST", url, data=encode(payload), headers={"Content-Type": "application/json"})
        if response.status_code == 409:
            self._resolve_conflict(statements, response)
            return
        self._check_redirect(response, url)
        if not response.ok:
            raise classify_error(response, "storing the statement")
        if response.status_code == 204 or not (response.content or b"").strip():
            return
        ids, problem = decode_json(response)
        if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
            what = problem or "answered without the list of statement ids"
            raise transient(f"The LRS at {lrs_host(url)} {what} (HTTP {response.status_code}); will check again")
        # Ralph lists only the newly stored ids (the others already existed, identical): both are delivered.

    def _resolve_conflict(self, statements: list[dict[str, Any]], conflict: requests.Response) -> None:
        """409: delivered if every statement exists; the missing ones (if any) are posted once more."""
        missing = [statement for statement in statements if not self._exists(statement["id"])]
        if not missing:
            return
        if len(missing) < len(statements):
            self._post_statements(missing, single=len(missing) == 1)
            return
        detail = answer_detail(conflict)
        raise permanent(
            f"The LRS at {lrs_host(conflict.url)} refused the statement (409 Conflict){': ' + detail if detail else ''}"
        )

    def _exists(self, wanted: str) -> bool:
        url = f"{self._base_url()}/statements"
        response = self._request("GET", url, params={"statementId": wanted})
        if response.status_code == 404:
            return False
        if not response.ok:
            raise classify_error(response, "looking up a statement")
        payload, problem = decode_json(response)
        if isinstance(payload, dict) and payload.get("id") == wanted:  # the spec: the statement itself
            return True
        if isinstance(payload, dict) and isinstance(payload.get("statements"), list):  # Ralph: a result list
            return any(isinstance(item, dict) and item.get("id") == wanted for item in payload["statements"])
        what = problem or "answered a statement lookup without a statement"
        raise transient(f"The LRS at {lrs_host(url)} {what}; will check again")

    def _check_redirect(self, response: requests.Response, url: str) -> None:
        if response.history and response.request.method != "POST":
            raise permanent(
                f"The LRS at {lrs_host(url)} redirected the statement to {response.url}, which dropped it "
                "(the POST became a GET): set the LRS endpoint to the final address"
            )


# ---------------------------------------------------------------------- classification


# ---------------------------------------------------------------------- helpers


CONNECTOR = XapiConnector
