"""The xAPI statement of a moment: the vocabulary (never change these IRIs), ids and timestamps."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from sync.connector import OutgoingMoment, Target
from sync.errors import permanent

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


def statement_id(idempotency_key: str) -> str:
    """The statement id for an outbox row: the same key always gives the same id."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, idempotency_key))


def encode(payload: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8; the same statement is always the same bytes."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def timestamp(created_at: str) -> str:
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


def statement(moment: OutgoingMoment, home_page: Callable[[], str], actor_name: Callable[[], str]) -> dict[str, Any]:
    """The statement for a moment: deterministic (same moment and key -> same JSON). The actor's home page
    and name are asked for after the moment's own checks (an unknown kind is reported first)."""
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
        "timestamp": timestamp(moment.activity_at or moment.created_at),
        "actor": {"objectType": "Agent", "account": {"homePage": home_page(), "name": actor_name()}},
        "verb": {"id": verb_id, "display": {_LANG: verb_display}},
        "object": {"objectType": "Activity", "id": _activity_id(moment), "definition": definition},
        "context": {
            "platform": "Inflow",
            "extensions": {TAGS_EXTENSION: list(moment.tags), MOMENT_EXTENSION: moment.moment_id},
        },
    }
