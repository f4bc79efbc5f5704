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

import json
import re
import uuid
from collections.abc import Mapping, MutableMapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests
import urllib3

from sync.connector import FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.errors import NotSupportedError, SyncError, auth, clean_message, decode_body, permanent, transient
from sync.http import host_of, network_error, retry_after_seconds

XAPI_VERSION = "1.0.3"
#: uuid5 namespace of statement ids: statement id = uuid5(STATEMENT_NAMESPACE, idempotency_key). Never change it.
STATEMENT_NAMESPACE = uuid.UUID("8eb8784c-077b-5dce-8a1a-282d30ee1806")  # uuid5(URL, ".../xapi/statements")
TIP_ACTIVITY_TYPE = "https://inflow.example/xapi/activities/tip"
TAGS_EXTENSION = "https://inflow.example/xapi/extensions/tags"
MOMENT_EXTENSION = "https://inflow.example/xapi/extensions/moment-id"
DESCRIPTION_LIMIT = 2000

#: kind -> (verb IRI, verb display, activity type IRI)
_VOCABULARY: Mapping[str, tuple[str, str, str]] = {
    "resource": (
        "http://id.tincanapi.com/verb/bookmarked",
        "bookmarked",
        "http://adlnet.gov/expapi/activities/link",
    ),
    "tip": ("http://adlnet.gov/expapi/verbs/shared", "shared", TIP_ACTIVITY_TYPE),
    "question": (
        "http://adlnet.gov/expapi/verbs/asked",
        "asked",
        "http://adlnet.gov/expapi/activities/question",
    ),
}
#: tracked activity -> (verb IRI, verb display); what a share records comes from _VOCABULARY instead
ACTIVITY_VERBS: Mapping[str, tuple[str, str]] = {
    "captured": ("http://id.tincanapi.com/verb/bookmarked", "bookmarked"),
    "answered": ("http://adlnet.gov/expapi/verbs/answered", "answered"),
    "read": ("http://activitystrea.ms/schema/1.0/read", "read"),
}
TRACKABLE = ("captured", "shared", "asked", "answered", "read")
DEFAULT_TRACK = ("shared", "asked", "answered")


def tracked_activities(target: Target) -> tuple[str, ...]:
    """What this LRS target records: its `track` setting, or shares, questions and answers by default."""
    raw = target.get("track").strip()
    if not raw:
        return DEFAULT_TRACK
    return tuple(a for a in (part.strip().lower() for part in raw.split(",")) if a in TRACKABLE)


_NOT_IRI = re.compile(r"[\s\"<>\\^`{|}\x00-\x1f\x7f]")
_LANG = "en-US"
_MESSAGE_LIMIT = 300


def statement_id(idempotency_key: str) -> str:
    """The statement id for an outbox row: the same key always gives the same id."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, idempotency_key))


class XapiConnector:
    """Sends moments as xAPI statements to an LRS. Push only: statements are immutable."""

    kind: ClassVar[str] = "xapi"
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
    can_edit: ClassVar[bool] = False
    can_retract: ClassVar[bool] = False
    can_pull: ClassVar[bool] = False

    def __init__(
        self,
        target: Target,
        secret: str | None,
        http: requests.Session,
        state: MutableMapping[str, str],
    ) -> None:
        self._target = target
        self._secret = secret
        self._http = http
        self._state = state

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        """GET <url>/about (no auth), then an authenticated GET <url>/statements?limit=1."""
        base = self._base_url()
        host = _host(base)
        about = self._request("GET", f"{base}/about", authenticated=False)
        versions: list[str] | None = None
        if about.ok:
            payload, problem = _decode_json(about)
            found = payload.get("version") if isinstance(payload, dict) else None
            if not isinstance(found, list) or not all(isinstance(v, str) for v in found):
                what = problem or "answered without a version list"
                raise permanent(f"{base} does not look like an xAPI endpoint: {base}/about {what}")
            versions = found
            if not any(v.startswith("1.0") for v in versions):
                raise permanent(f"The LRS at {host} speaks xAPI {', '.join(versions)} only; Inflow sends 1.0.3")
        elif about.status_code >= 500 or about.status_code == 429:
            raise classify(about, "answering /about")
        # 404/401/403 on /about: some LRSs (Ralph) have no /about or protect it; the next call decides.
        probe = self._request("GET", f"{base}/statements", params={"limit": "1"})
        if not probe.ok:
            if probe.status_code == 404:
                raise permanent(f"No xAPI LRS at {base}: {base}/statements was not found (404)")
            raise classify(probe, "listing statements")
        payload, problem = _decode_json(probe)
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
        return [SendResult(remote_id=statement_id(moment.idempotency_key)) for moment in moments]

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        raise NotSupportedError(
            "xAPI statements cannot be changed: the statement already sent stays in the LRS as it was"
        )

    def retract(self, remote_id: str) -> None:
        raise NotSupportedError(
            "xAPI statements are immutable: the statement stays in the LRS (it could only be voided, "
            "which Inflow does not do)"
        )

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        raise NotSupportedError("An LRS has no replies: Inflow only sends statements to it")

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        raise NotSupportedError("Inflow only sends statements to the LRS; it does not read them back")

    # ------------------------------------------------------------------ the statement

    def statement(self, moment: OutgoingMoment) -> dict[str, Any]:
        """The statement for a moment: deterministic (same moment and key -> same JSON)."""
        vocabulary = _VOCABULARY.get(moment.kind)
        if vocabulary is None:
            raise permanent(f"Inflow has no xAPI verb for moments of kind {moment.kind!r}")
        verb_id, verb_display, activity_type = vocabulary
        if moment.activity is not None:
            if moment.activity not in ACTIVITY_VERBS:
                raise permanent(f"Inflow has no xAPI verb for the activity {moment.activity!r}")
            verb_id, verb_display = ACTIVITY_VERBS[moment.activity]
        definition: dict[str, Any] = {"name": {_LANG: _name(moment)}, "type": activity_type}
        description = _truncate(moment.body.strip(), DESCRIPTION_LIMIT)
        if description:
            definition["description"] = {_LANG: description}
        return {
            "id": statement_id(moment.idempotency_key),
            "timestamp": _timestamp(moment.activity_at or moment.created_at),
            "actor": {"objectType": "Agent", "account": {"homePage": self._home_page(), "name": self._actor_name()}},
            "verb": {"id": verb_id, "display": {_LANG: verb_display}},
            "object": {"objectType": "Activity", "id": _activity_id(moment), "definition": definition},
            "context": {
                "platform": "Inflow",
                "extensions": {TAGS_EXTENSION: list(moment.tags), MOMENT_EXTENSION: moment.moment_id},
            },
        }

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
        headers = {"X-Experience-API-Version": XAPI_VERSION, **kwargs.pop("headers", {})}
        basic: tuple[str, str] | None = None
        if authenticated:
            if not self._secret:
                raise auth(f"No password is set for the LRS at {_host(url)}: enter it in Settings")
            basic = (self._target.get("username"), self._secret)
        try:
            return self._http.request(method, url, headers=headers, auth=basic, **kwargs)
        except requests.RequestException as exc:
            raise network_error(exc, url) from exc
        except urllib3.exceptions.HTTPError as exc:  # a body cut off mid-read (the session streams it raw)
            raise transient(f"the connection to {_host(url)} broke off while it answered") from exc

    def _post_statements(self, statements: list[dict[str, Any]], *, single: bool) -> None:
        url = f"{self._base_url()}/statements"
        payload: Any = statements[0] if single else statements
        response = self._request("POST", url, data=_encode(payload), headers={"Content-Type": "application/json"})
        if response.status_code == 409:
            self._resolve_conflict(statements, response)
            return
        self._check_redirect(response, url)
        if not response.ok:
            raise classify(response, "storing the statement")
        if response.status_code == 204 or not (response.content or b"").strip():
            return
        ids, problem = _decode_json(response)
        if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
            what = problem or "answered without the list of statement ids"
            raise transient(f"The LRS at {_host(url)} {what} (HTTP {response.status_code}); will check again")
        # Ralph lists only the newly stored ids (the others already existed, identical): both are delivered.

    def _resolve_conflict(self, statements: list[dict[str, Any]], conflict: requests.Response) -> None:
        """409: delivered if every statement exists; the missing ones (if any) are posted once more."""
        missing = [statement for statement in statements if not self._exists(statement["id"])]
        if not missing:
            return
        if len(missing) < len(statements):
            self._post_statements(missing, single=len(missing) == 1)
            return
        detail = _answer_detail(conflict)
        raise permanent(
            f"The LRS at {_host(conflict.url)} refused the statement (409 Conflict){': ' + detail if detail else ''}"
        )

    def _exists(self, wanted: str) -> bool:
        url = f"{self._base_url()}/statements"
        response = self._request("GET", url, params={"statementId": wanted})
        if response.status_code == 404:
            return False
        if not response.ok:
            raise classify(response, "looking up a statement")
        payload, problem = _decode_json(response)
        if isinstance(payload, dict) and payload.get("id") == wanted:  # the spec: the statement itself
            return True
        if isinstance(payload, dict) and isinstance(payload.get("statements"), list):  # Ralph: a result list
            return any(isinstance(item, dict) and item.get("id") == wanted for item in payload["statements"])
        what = problem or "answered a statement lookup without a statement"
        raise transient(f"The LRS at {_host(url)} {what}; will check again")

    def _check_redirect(self, response: requests.Response, url: str) -> None:
        if response.history and response.request.method != "POST":
            raise permanent(
                f"The LRS at {_host(url)} redirected the statement to {response.url}, which dropped it "
                "(the POST became a GET): set the LRS endpoint to the final address"
            )


# ---------------------------------------------------------------------- classification


def classify(response: requests.Response, action: str = "storing the statement") -> SyncError:
    """Every unusable LRS answer (non-2xx) as a SyncError whose message names the host and the LRS's reason."""
    status = response.status_code
    host = _host(response.url)
    detail = _answer_detail(response)
    reason = f": {detail}" if detail else ""
    if status in (401, 403):
        return auth(f"The LRS at {host} refused the username or password ({status}){reason}")
    if status == 429:
        return transient(f"The LRS at {host} asks to slow down (429){reason}", retry_after_seconds(response))
    if status == 408 or status >= 500:
        return transient(f"The LRS at {host} failed while {action} ({status}){reason}", retry_after_seconds(response))
    if status == 404:
        return permanent(f"The LRS at {host} has no such resource ({response.url} → 404): check the endpoint URL")
    if 400 <= status < 500:
        what = "rejected the statement" if action == "storing the statement" else f"refused {action}"
        return permanent(f"The LRS at {host} {what} ({status}){reason}")
    return transient(f"The LRS at {host} answered unexpectedly (HTTP {status}) while {action}{reason}")


def _answer_detail(response: requests.Response) -> str:
    """What the LRS said, in one short line: its JSON message, an HTML page's title, or the text."""
    text = decode_body(response.content or b"")
    if not text:
        return ""
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type or text[:1] == "<":
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        page_title = _one_line(title.group(1)) if title else ""
        return f"an HTML page{' (' + page_title + ')' if page_title else ''} instead of an xAPI answer"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return _one_line(text)
    return _json_message(value) or _one_line(text)


def _json_message(value: Any, depth: int = 0) -> str:
    """The human part of a JSON error: `message`/`detail`/`error`/`errors`, FastAPI's `[{"msg", "loc"}]`."""
    if depth > 3:
        return ""
    if isinstance(value, str):
        return _one_line(value)
    if isinstance(value, list):
        parts = [part for part in (_json_message(item, depth + 1) for item in value[:5]) if part]
        return _one_line("; ".join(parts))
    if isinstance(value, dict):
        if isinstance(value.get("msg"), str):  # pydantic / FastAPI validation error
            where = value.get("loc")
            loc = ".".join(str(part) for part in where) if isinstance(where, list) else ""
            return _one_line(f"{loc}: {value['msg']}" if loc else value["msg"])
        for key in ("message", "detail", "error_description", "error", "errors", "warnings"):
            if key in value:
                found = _json_message(value[key], depth + 1)
                if found:
                    return found
    return ""


def _one_line(text: str) -> str:
    return clean_message(text, _MESSAGE_LIMIT)


def _decode_json(response: requests.Response) -> tuple[Any, str]:
    """The body as JSON, or None and what is wrong with it (phrased to follow the host name)."""
    raw = response.content or b""
    if not raw.strip():
        return None, "answered with an empty body"
    if "html" in response.headers.get("Content-Type", "").lower() or raw.lstrip()[:1] == b"<":
        return None, "answered with an HTML page instead of xAPI JSON (a proxy or login page?)"
    try:
        return json.loads(raw.decode("utf-8")), ""
    except UnicodeDecodeError:
        return None, "answered with text that is not valid UTF-8"
    except (ValueError, RecursionError):
        return None, "answered with broken JSON (cut off on the way?)"


# ---------------------------------------------------------------------- helpers


def _host(url: str | None) -> str:
    return host_of(url, "the LRS")


def _encode(payload: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8; the same statement is always the same bytes."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _timestamp(created_at: str) -> str:
    """`created_at` as xAPI wants it: ISO 8601 in UTC with milliseconds and `Z` (naive times are UTC)."""
    try:
        when = datetime.fromisoformat(created_at.strip())
    except ValueError as exc:
        raise permanent(f"The moment's creation time {created_at!r} is not an ISO 8601 timestamp") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _name(moment: OutgoingMoment) -> str:
    """A non-empty activity name: the title, else the body's first line, the URL or the kind."""
    first_line = moment.body.strip().partition("\n")[0]
    name = moment.title.strip() or first_line or (moment.url or "").strip() or moment.kind.capitalize()
    return _truncate(name, 200)


def _activity_id(moment: OutgoingMoment) -> str:
    """The resource's URL when it is a plain http(s) IRI; else an URN naming the local moment."""
    url = (moment.url or "").strip()
    if moment.kind == "resource" and url and not _NOT_IRI.search(url):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            return url
    return f"urn:inflow:moment:{quote(moment.moment_id, safe='-._~')}"


CONNECTOR = XapiConnector
