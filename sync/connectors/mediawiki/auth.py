"""The bot's session with a wiki's action API: sign-in with a bot password, the CSRF token, the cookies.

Sign-in is a bot password (Special:BotPasswords, login name `User@Bot`): a login token, `action=login`,
then a CSRF token. The session cookies live in this session's own jar (never in the shared HTTP session,
so two wiki targets never mix sessions); an expired session means one fresh login, then AUTH.
"""

from __future__ import annotations

from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar

from sync.connectors.mediawiki.errors import (
    SESSION_CODES,
    ApiError,
    classify_error,
    decode_json,
    host_of,
    unexpected_shape,
)
from sync.errors import auth, permanent, transient
from sync.http import dig, exchange


class WikiApi:
    """Requests as the signed-in bot: `query` (GET), `edit` (POST with the CSRF token last)."""

    def __init__(self, api: str, username: str, password: str, http: requests.Session) -> None:
        self.api = api
        self.username = username
        self.password = password
        self.http = http
        self.jar = RequestsCookieJar()
        self.csrf: str | None = None
        self.me: str | None = None
        """The signed-in user's name (None until signed in)."""
        self.site: dict[str, Any] = {}
        """siteinfo `general` (sitename, server, articlepath), read at sign-in."""

    def query(self, params: list[tuple[str, str]]) -> dict[str, Any]:
        """A read (GET) as the signed-in bot; an expired session means one fresh login."""
        self.ensure_login()
        try:
            return self._raw(params, post=False)
        except ApiError as error:
            if error.code not in SESSION_CODES:
                raise
        self.login()
        return self._raw(params, post=False)

    def edit(self, fields: list[tuple[str, str]]) -> dict[str, Any]:
        """action=edit with `fields` (token last); a bad token is fetched again once, an expired session
        means one fresh login. Returns the `edit` object of a successful answer."""
        self.ensure_login()
        params = [("action", "edit"), *fields, ("assert", "user")]
        for attempt in (1, 2):
            try:
                answer = self._raw([*params, ("token", self._token())], post=True)
                break
            except ApiError as error:
                if error.code not in SESSION_CODES or attempt == 2:
                    raise
                if error.code == "badtoken":
                    self.csrf = None
                else:
                    self.login()
        result = answer.get("edit")
        if not isinstance(result, dict):
            raise unexpected_shape(self.api, "edit")
        if result.get("result") != "Success":
            extra = {k: v for k, v in result.items() if k not in ("result", "title", "pageid")}
            raise permanent(f"{host_of(self.api)} did not save the edit ({result.get('result')}): {extra}"[:400])
        return result

    def _token(self) -> str:
        if self.csrf is None:
            answer = self._raw([("action", "query"), ("meta", "tokens"), ("type", "csrf")], post=False)
            token = dig(answer, "query", "tokens", "csrftoken")
            if not isinstance(token, str) or not token:
                raise unexpected_shape(self.api, "csrftoken")
            if token == "+\\":  # the anonymous token: the session is gone
                raise auth(f"{host_of(self.api)} treats us as logged out: sign in again")
            self.csrf = token
        return self.csrf

    def ensure_login(self) -> None:
        if self.me is None:
            self.login()

    def login(self) -> None:
        if not self.username:
            raise auth("Set the bot user name (from Special:BotPasswords, e.g. Alice@Inflow)")
        if not self.password:
            raise auth(f"No bot password is saved for {self.username}: sign in again")
        self.me, self.csrf = None, None
        for attempt in (1, 2):
            self.jar.clear()
            answer = self._raw([("action", "query"), ("meta", "tokens|siteinfo"), ("type", "login"),
                                ("siprop", "general")], post=False)  # fmt: skip
            general = dig(answer, "query", "general")
            self.site = general if isinstance(general, dict) else {}
            token = dig(answer, "query", "tokens", "logintoken")
            if not isinstance(token, str) or not token:
                raise unexpected_shape(self.api, "logintoken")
            fields = [("action", "login"), ("lgname", self.username), ("lgpassword", self.password),
                      ("lgtoken", token)]  # fmt: skip
            login = dig(self._raw(fields, post=True), "login")
            if not isinstance(login, dict):
                raise unexpected_shape(self.api, "login")
            result, reason = str(login.get("result") or ""), login.get("reason")
            if result == "Success":
                self.me = str(login.get("lgusername") or self.username.partition("@")[0])
                return
            said = reason if isinstance(reason, str) else (dig(login, "reason", "text") or result)
            if result in ("NeedToken", "WrongToken") and attempt == 1:
                continue  # the token's cookie got lost once: try again with a fresh one
            if result in ("NeedToken", "WrongToken"):
                raise transient(f"{host_of(self.api)} keeps losing our session cookie (a proxy?): {said}")
            raise auth(f"{host_of(self.api)} refused the bot password for {self.username}: {said}")

    def _raw(self, params: list[tuple[str, str]], *, post: bool) -> dict[str, Any]:
        if not self.api.startswith(("http://", "https://")):
            raise permanent(f"The API URL {self.api!r} must start with https:// (or http://)")
        common = [("format", "json"), ("formatversion", "2"), ("maxlag", "5")]
        action, rest = params[0], params[1:]
        token = [p for p in rest if p[0] == "token"]
        body = [action, *(p for p in rest if p[0] != "token"), *common, *token]  # token LAST
        if post:
            response = exchange(self.http, "POST", self.api, data=body, cookies=self.jar)
        else:
            response = exchange(self.http, "GET", self.api, params=body, cookies=self.jar)
        self._keep_cookies(response)
        if response.status_code == 200 and "MediaWiki-API-Error" not in response.headers:
            payload, _ = decode_json(response)
            if payload is not None and "error" not in payload:
                return payload
        raise classify_error(response, url=self.api)

    def _keep_cookies(self, response: requests.Response) -> None:
        """Move the wiki's cookies from the shared session into this connector's jar."""
        for step in (*response.history, response):
            if step.raw is not None and step.request is not None:
                extract_cookies_to_jar(self.jar, step.request, step.raw)  # type: ignore[no-untyped-call]
        names = {cookie.name for cookie in CookieJar.__iter__(self.jar)}
        for cookie in list(CookieJar.__iter__(self.http.cookies)):
            if cookie.name in names and cookie.domain.lstrip(".") in ("", urlsplit(self.api).hostname or ""):
                self.http.cookies.clear(cookie.domain, cookie.path, cookie.name)
