"""The shared base of push-only targets (webhooks, an LRS): they send, and nothing else.

A subclass sets its own words for what it cannot do (`cannot_edit`, `cannot_retract`, `cannot_reply`,
`cannot_read`: shown to the person as they are). `SecretUrlTarget` adds what the webhook kinds whose
secret IS the URL posted to (Slack incoming webhook, Teams workflow) share: the URL's checks and the
POST, where a timeout after the request left may mean it arrived (a retry can then duplicate, and the
message says so).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests

from sync.connector import FeedPage, OutgoingMoment, RemoteReply, Target, TargetKey
from sync.errors import NotSupportedError, SyncError, auth, transient
from sync.http import exchange, network_error


class PushOnly:
    """Edit, retract, replies and the feed raise NotSupportedError with the backend's own words."""

    can_edit: ClassVar[bool] = False
    can_retract: ClassVar[bool] = False
    can_pull: ClassVar[bool] = False
    cannot_edit: ClassVar[str]
    cannot_retract: ClassVar[str]
    cannot_reply: ClassVar[str]
    cannot_read: ClassVar[str]

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._target = target
        self._secret = secret
        self._http = http
        self._state = state

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        raise NotSupportedError(self.cannot_edit)

    def retract(self, remote_id: str) -> None:
        raise NotSupportedError(self.cannot_retract)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        raise NotSupportedError(self.cannot_reply)

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        raise NotSupportedError(self.cannot_read)


class SecretUrlTarget(PushOnly):
    """A push-only target whose secret is the URL it POSTs to; it has no settings of its own."""

    keys: ClassVar[tuple[TargetKey, ...]] = ()
    no_url: ClassVar[str]
    """The AUTH message when no URL is saved."""
    bad_url: ClassVar[str]
    """The AUTH message when the saved URL is not http(s)."""
    may_have_arrived: ClassVar[str]
    """Appended to a read timeout's message: the post may be there already."""

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._url = (secret or "").strip()
        self._http = http

    def _post_to_url(self, **options: Any) -> requests.Response:
        """POST to the secret URL (any answer: the caller classifies it)."""
        url = self._url
        if not url:
            raise auth(self.no_url)
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise auth(self.bad_url)
        return exchange(self._http, "POST", url, network=self._network_error, **options)

    def _network_error(self, exc: requests.RequestException, url: str) -> SyncError:
        error = network_error(exc, url)
        if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
            return transient(f"{error.message}: {self.may_have_arrived}")
        return error
