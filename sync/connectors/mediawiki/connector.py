"""MediaWiki: tips and resources as sections of a team page, questions as sections of its talk page.

Sign-in is a bot password (Special:BotPasswords, login name `User@Bot`): a login token, `action=login`,
then a CSRF token. The session cookies live in this connector's own jar (never in the shared HTTP
session, so two wiki targets never mix sessions); an expired session means one fresh login, then AUTH.

A post is `action=edit&section=new`; the section carries `<!-- inflow:<moment id> -->` (see
mediawiki_text), which is how we find it again: after an ambiguous failure (`attempts` > 0) we look
for it before posting again. The remote id is `<page title>#<anchor>#<moment id>`.

Edit rewrites our part of the section (replies below it stay). Retract removes the section when nobody
replied, else replaces our part with a short "removed" note and keeps the replies. Edits of a section
send the base revision's timestamp: an edit conflict is retried once with a fresh base, then transient.

Replies are the signed comments below our post in the talk section. The feed is the recent changes of the
team page and its talk page: every "/* heading */ new section" edit by someone else is an item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.mediawiki import content as text
from sync.connectors.mediawiki.errors import (
    SESSION_CODES,
    ApiError,
    classify_error,
    decode_json,
    host_of,
    unexpected_shape,
)
from sync.errors import ErrorKind, SyncError, auth, permanent, transient
from sync.http import exchange

MAX_PAGES = 20
"""Pages of recent changes (50 each) one fetch_feed reads per title at most; the rest comes next time."""
_NEW_SECTION = re.compile(r"^/\*\s*(.*?)\s*\*/\s*new section\b")
_URL_SAFE = ";@$!*(),/~:"


@dataclass(frozen=True, slots=True)
class Located:
    """Our section in one revision of a page."""

    index: str  # the section number for action=edit&section=
    anchor: str
    level: int
    text: str  # the whole section (heading line included, subsections included)
    revid: int
    timestamp: str  # the revision's timestamp (basetimestamp for an edit)
    now: str  # the server's time when we read it (starttimestamp)


def split_remote_id(remote_id: str) -> tuple[str, str, str]:
    """`Title#anchor#moment id` -> (title, anchor, moment id); titles cannot contain '#'."""
    title, _, rest = remote_id.partition("#")
    anchor, _, moment_id = rest.rpartition("#")
    if not title or not moment_id:
        raise permanent(f"{remote_id!r} is not a MediaWiki post of Inflow (expected page#section#moment)")
    return title, anchor, moment_id


class MediaWikiConnector:
    kind: ClassVar[str] = "mediawiki"
    label: ClassVar[str] = "MediaWiki page"
    keys: ClassVar[tuple[TargetKey, ...]] = (
        TargetKey("url", "API URL", help="The wiki's api.php, e.g. https://wiki.example.com/w/api.php", url=True),
        TargetKey("page", "Team page", help="Tips and resources become its sections; questions go to its talk page"),
        TargetKey("username", "Bot user name", help="From Special:BotPasswords, e.g. Alice@Inflow"),
    )
    secret_label: ClassVar[str] = "Bot password"
    can_edit: ClassVar[bool] = True
    can_retract: ClassVar[bool] = True
    can_pull: ClassVar[bool] = True

    def __init__(
        self, target: Target, secret: str | None, http: requests.Session, state: MutableMapping[str, str]
    ) -> None:
        self._api = target.get("url").strip()
        self._page_setting = target.get("page").strip()
        self._username = target.get("username").strip()
        self._password = secret or ""
        self._http = http
        self._state = state
        self._jar = RequestsCookieJar()
        self._csrf: str | None = None
        self._me: str | None = None
        self._site: dict[str, Any] = {}
        self._titles: tuple[str, str] | None = None

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        self._login()
        page, talk = self._pages()
        name = self._site.get("sitename") or host_of(self._api)
        return f"Signed in to {name} as {self._me}; posts go to {page}, questions to {talk}"

    def send(self, moment: OutgoingMoment) -> SendResult:
        page, talk = self._pages()
        title = talk if moment.kind == "question" else page
        if moment.attempts > 0 and (found := self._locate(title, moment.moment_id)) is not None:
            return self._result(title, found.anchor, moment.moment_id)
        heading = text.section_heading(moment)
        edit = self._edit(
            [
                ("title", title), ("section", "new"), ("sectiontitle", heading),
                ("text", text.post_text(moment, question=moment.kind == "question")),
                ("summary", f"/* {heading} */ new section (shared with Inflow)"),
            ]
        )  # fmt: skip
        anchor = heading
        try:
            revid = edit.get("newrevid")
            found = self._locate(title, moment.moment_id, oldid=revid if isinstance(revid, int) else None)
            if found is not None:
                anchor = found.anchor
        except SyncError:
            pass  # posted: only the anchor is a guess (MediaWiki's own from the heading)
        return self._result(title, anchor.replace(" ", "_"), moment.moment_id)

    def edit(self, moment: OutgoingMoment, remote_id: str) -> None:
        title, _, moment_id = split_remote_id(remote_id)
        heading = text.section_heading(moment)
        question = moment.kind == "question"

        def rewrite(section: Located) -> str:
            tail = self._tail(section, moment_id, title)
            marks = "=" * section.level
            return f"{marks} {heading} {marks}\n{text.post_text(moment, question=question)}{tail}"

        self._rewrite(title, moment_id, rewrite, summary=f"/* {heading} */ updated in Inflow")

    def retract(self, remote_id: str) -> None:
        title, _, moment_id = split_remote_id(remote_id)

        def rewrite(section: Located) -> str:
            tail = self._tail(section, moment_id, title)
            if not tail.strip():
                return ""  # nobody replied: the whole section goes
            marks = "=" * section.level
            post = f"{text.start_marker(moment_id)}\n''(Removed by the author.)''\n{text.end_marker(moment_id)}"
            return f"{marks} Removed {marks}\n{post}{tail}"

        self._rewrite(title, moment_id, rewrite, summary="Removed a post (Inflow)", missing_ok=True)

    def fetch_replies(self, remote_id: str) -> list[RemoteReply]:
        title, _, moment_id = split_remote_id(remote_id)
        section = self._locate(title, moment_id)
        if section is None:
            raise permanent(f"The post's section on {title} was removed from the wiki")
        return text.replies_from(self._tail(section, moment_id, title), page_time=section.timestamp)

    def fetch_feed(self, cursor: str | None) -> FeedPage:
        page, talk = self._pages()
        if cursor is None:
            now = self._query([("action", "query"), ("curtimestamp", "1")]).get("curtimestamp")
            if not isinstance(now, str):
                raise unexpected_shape(self._api, "curtimestamp")
            return FeedPage([], f"{now}|0")
        since, _, last_rcid = cursor.partition("|")
        position = (since, int(last_rcid) if last_rcid.isdigit() else 0)
        changes: list[dict[str, Any]] = []
        truncated: list[tuple[str, int]] = []
        for title in (page, talk):
            entries, complete = self._changes(title, since)
            changes += [e for e in entries if (e["timestamp"], e["rcid"]) > position]
            if not complete and entries:
                truncated.append((entries[-1]["timestamp"], entries[-1]["rcid"]))
        changes.sort(key=lambda e: (e["timestamp"], e["rcid"]))
        if truncated:  # continue from where the shorter read stopped (re-delivery is harmless)
            end = min(truncated)
            changes = [e for e in changes if (e["timestamp"], e["rcid"]) <= end]
        newest = max([position, *((e["timestamp"], e["rcid"]) for e in changes)])
        items = [item for item in (self._feed_item(change) for change in changes) if item is not None]
        return FeedPage(items, f"{newest[0]}|{newest[1]}")

    # ------------------------------------------------------------------ sections

    def _result(self, title: str, anchor: str, moment_id: str) -> SendResult:
        return SendResult(remote_id=f"{title}#{anchor}#{moment_id}", link=self._link(title, anchor))

    def _link(self, title: str, anchor: str = "") -> str | None:
        server, path = self._site.get("server"), self._site.get("articlepath")
        if not isinstance(server, str) or not isinstance(path, str) or "$1" not in path:
            return None
        if server.startswith("//"):
            server = f"{urlsplit(self._api).scheme or 'https'}:{server}"
        link = server + path.replace("$1", quote(title.replace(" ", "_"), safe=_URL_SAFE))
        return f"{link}#{quote(anchor, safe=_URL_SAFE)}" if anchor else link

    def _locate(self, title: str, moment_id: str, *, oldid: int | None = None) -> Located | None:
        """Our section (by its marker) in the current revision of `title` (or revision `oldid`)."""
        query = [("action", "query"), ("prop", "revisions"), ("rvprop", "ids|timestamp|content"),
                 ("rvslots", "main"), ("curtimestamp", "1")]  # fmt: skip
        query.append(("revids", str(oldid)) if oldid else ("titles", title))
        answer = self._query(query)
        revision = _revision(answer)
        if revision is None:
            return None  # the page does not exist (yet)
        wikitext, revid, stamp = revision
        offset = wikitext.find(text.start_marker(moment_id))
        if offset < 0:
            return None
        parsed = self._query([("action", "parse"), ("oldid", str(revid)), ("prop", "sections")]).get("parse")
        sections = parsed.get("sections") if isinstance(parsed, dict) else None
        if not isinstance(sections, list):
            raise unexpected_shape(self._api, "parse.sections")
        headings = _headings(wikitext, sections)
        mine = [heading for heading in headings if heading.start <= offset]
        if not mine:
            raise permanent(f"Our post on {title} is no longer inside a section (edited on the wiki?)")
        now = answer.get("curtimestamp")
        return Located(
            index=mine[-1].index, anchor=mine[-1].anchor, level=mine[-1].level,
            text=_section_text(wikitext, headings, mine[-1]), revid=revid, timestamp=stamp,
            now=now if isinstance(now, str) else stamp,
        )  # fmt: skip

    def _tail(self, section: Located, moment_id: str, title: str) -> str:
        """What follows our post in its section (the replies), '' when nothing does."""
        closing = text.end_marker(moment_id)
        at = section.text.find(closing)
        if at < 0:
            raise permanent(
                f"Our post on {title} was changed on the wiki so that its end cannot be found: edit it there"
            )
        return section.text[at + len(closing) :]

    def _rewrite(
        self, title: str, moment_id: str, rewrite: Callable[[Located], str], *, summary: str, missing_ok: bool = False
    ) -> None:
        """Replace our section with `rewrite(section)`, against its base revision; one retry on a conflict."""
        for attempt in (1, 2):
            section = self._locate(title, moment_id)
            if section is None:
                if missing_ok:
                    return
                raise permanent(f"The post's section on {title} was removed from the wiki")
            fields = [
                ("title", title), ("section", section.index), ("text", rewrite(section)), ("summary", summary),
                ("baserevid", str(section.revid)), ("basetimestamp", section.timestamp),
                ("starttimestamp", section.now), ("nocreate", "1"),
            ]  # fmt: skip
            try:
                self._edit(fields)
                return
            except ApiError as error:
                if error.code != "editconflict" or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ feed

    def _changes(self, title: str, since: str) -> tuple[list[dict[str, Any]], bool]:
        """Edits of `title` from `since` on, oldest first; False when MAX_PAGES did not reach the end."""
        params = [("action", "query"), ("list", "recentchanges"), ("rctitle", title), ("rcdir", "newer"),
                  ("rcstart", since), ("rcprop", "title|ids|user|timestamp|comment"), ("rctype", "edit|new"),
                  ("rclimit", "50")]  # fmt: skip
        entries: list[dict[str, Any]] = []
        cont: dict[str, str] = {}
        for _ in range(MAX_PAGES):
            answer = self._query(params + list(cont.items()))
            query = answer.get("query")
            changes = query.get("recentchanges") if isinstance(query, dict) else None
            if not isinstance(changes, list):
                raise unexpected_shape(self._api, "query.recentchanges")
            for change in changes:
                if (isinstance(change, dict) and isinstance(change.get("timestamp"), str)
                        and isinstance(change.get("rcid"), int)):  # fmt: skip
                    entries.append(change)
            more = answer.get("continue")
            if not isinstance(more, dict):
                return entries, True
            cont = {str(k): str(v) for k, v in more.items()}
        return entries, False

    def _feed_item(self, change: dict[str, Any]) -> FeedItem | None:
        user = str(change.get("user") or "")
        match = _NEW_SECTION.match(str(change.get("comment") or ""))
        if match is None or not user or user == self._me:
            return None  # not a new section, or our own
        heading, title, revid = match.group(1), str(change.get("title") or ""), change.get("revid")
        body, anchor = "", heading.replace(" ", "_")
        if isinstance(revid, int):
            try:
                body, anchor = self._section_at(revid, heading) or (body, anchor)
            except SyncError as error:
                if error.kind is not ErrorKind.PERMANENT:
                    raise
        kind, shown = text.kind_and_title(heading)
        return FeedItem(
            remote_id=f"{title}@{revid}", author=user, kind=kind, title=shown, body=body,
            url=self._link(title, anchor), tags=(), created_at=_millis(str(change["timestamp"])),
        )  # fmt: skip

    def _section_at(self, revid: int, heading: str) -> tuple[str, str] | None:
        """The plain text and anchor of the section `heading` (the last one of that name) in revision `revid`."""
        parsed = self._query([("action", "parse"), ("oldid", str(revid)), ("prop", "sections|wikitext")]).get("parse")
        if not isinstance(parsed, dict) or not isinstance(parsed.get("wikitext"), str):
            return None
        headings = _headings(parsed["wikitext"], parsed.get("sections"))
        wanted = text.wikitext_to_plain(heading)
        named = [h for h in headings if text.wikitext_to_plain(h.line) == wanted]
        candidates = named or headings  # a new section is the last one
        if not candidates:
            return None
        raw = _section_text(parsed["wikitext"], headings, candidates[-1])
        body = raw.partition("\n")[2]  # without the heading line
        return text.wikitext_to_plain(body), candidates[-1].anchor

    # ------------------------------------------------------------------ the API

    def _pages(self) -> tuple[str, str]:
        """The team page's title (normalised, redirects followed) and its talk page's."""
        if self._titles is not None:
            return self._titles
        if not self._page_setting:
            raise permanent("Set the team page (the wiki page Inflow adds sections to)")
        answer = self._query([("action", "query"), ("titles", self._page_setting), ("redirects", "1"),
                              ("prop", "info"), ("inprop", "associatedpage")])  # fmt: skip
        query = answer.get("query")
        pages = query.get("pages") if isinstance(query, dict) else None
        page = pages[0] if isinstance(pages, list) and pages and isinstance(pages[0], dict) else None
        if page is None:
            raise unexpected_shape(self._api, "query.pages")
        if page.get("invalid") or not isinstance(page.get("title"), str):
            raise permanent(f"The team page {self._page_setting!r} is not a valid wiki page name")
        talk = page.get("associatedpage")
        if not isinstance(talk, str) or page.get("ns", 0) % 2 == 1:
            raise permanent(f"The team page {page['title']!r} must be a content page, not a talk page")
        self._titles = (page["title"], talk)
        return self._titles

    def _query(self, params: list[tuple[str, str]]) -> dict[str, Any]:
        """A read (GET) as the signed-in bot; an expired session means one fresh login."""
        self._ensure_login()
        try:
            return self._raw(params, post=False)
        except ApiError as error:
            if error.code not in SESSION_CODES:
                raise
        self._login()
        return self._raw(params, post=False)

    def _edit(self, fields: list[tuple[str, str]]) -> dict[str, Any]:
        """action=edit with `fields` (token last); a bad token is fetched again once, an expired session
        means one fresh login. Returns the `edit` object of a successful answer."""
        self._ensure_login()
        params = [("action", "edit"), *fields, ("assert", "user")]
        for attempt in (1, 2):
            try:
                answer = self._raw([*params, ("token", self._token())], post=True)
                break
            except ApiError as error:
                if error.code not in SESSION_CODES or attempt == 2:
                    raise
                if error.code == "badtoken":
                    self._csrf = None
                else:
                    self._login()
        result = answer.get("edit")
        if not isinstance(result, dict):
            raise unexpected_shape(self._api, "edit")
        if result.get("result") != "Success":
            extra = {k: v for k, v in result.items() if k not in ("result", "title", "pageid")}
            raise permanent(f"{host_of(self._api)} did not save the edit ({result.get('result')}): {extra}"[:400])
        return result

    def _token(self) -> str:
        if self._csrf is None:
            answer = self._raw([("action", "query"), ("meta", "tokens"), ("type", "csrf")], post=False)
            token = _path(answer, "query", "tokens", "csrftoken")
            if not isinstance(token, str) or not token:
                raise unexpected_shape(self._api, "csrftoken")
            if token == "+\\":  # the anonymous token: the session is gone
                raise auth(f"{host_of(self._api)} treats us as logged out: sign in again")
            self._csrf = token
        return self._csrf

    def _ensure_login(self) -> None:
        if self._me is None:
            self._login()

    def _login(self) -> None:
        if not self._username:
            raise auth("Set the bot user name (from Special:BotPasswords, e.g. Alice@Inflow)")
        if not self._password:
            raise auth(f"No bot password is saved for {self._username}: sign in again")
        self._me, self._csrf = None, None
        for attempt in (1, 2):
            self._jar.clear()
            answer = self._raw([("action", "query"), ("meta", "tokens|siteinfo"), ("type", "login"),
                                ("siprop", "general")], post=False)  # fmt: skip
            general = _path(answer, "query", "general")
            self._site = general if isinstance(general, dict) else {}
            token = _path(answer, "query", "tokens", "logintoken")
            if not isinstance(token, str) or not token:
                raise unexpected_shape(self._api, "logintoken")
            fields = [("action", "login"), ("lgname", self._username), ("lgpassword", self._password),
                      ("lgtoken", token)]  # fmt: skip
            login = _path(self._raw(fields, post=True), "login")
            if not isinstance(login, dict):
                raise unexpected_shape(self._api, "login")
            result, reason = str(login.get("result") or ""), login.get("reason")
            if result == "Success":
                self._me = str(login.get("lgusername") or self._username.partition("@")[0])
                return
            said = reason if isinstance(reason, str) else (_path(login, "reason", "text") or result)
            if result in ("NeedToken", "WrongToken") and attempt == 1:
                continue  # the token's cookie got lost once: try again with a fresh one
            if result in ("NeedToken", "WrongToken"):
                raise transient(f"{host_of(self._api)} keeps losing our session cookie (a proxy?): {said}")
            raise auth(f"{host_of(self._api)} refused the bot password for {self._username}: {said}")

    def _raw(self, params: list[tuple[str, str]], *, post: bool) -> dict[str, Any]:
        if not self._api.startswith(("http://", "https://")):
            raise permanent(f"The API URL {self._api!r} must start with https:// (or http://)")
        common = [("format", "json"), ("formatversion", "2"), ("maxlag", "5")]
        action, rest = params[0], params[1:]
        token = [p for p in rest if p[0] == "token"]
        body = [action, *(p for p in rest if p[0] != "token"), *common, *token]  # token LAST
        if post:
            response = exchange(self._http, "POST", self._api, data=body, cookies=self._jar)
        else:
            response = exchange(self._http, "GET", self._api, params=body, cookies=self._jar)
        self._keep_cookies(response)
        if response.status_code == 200 and "MediaWiki-API-Error" not in response.headers:
            payload, _ = decode_json(response)
            if payload is not None and "error" not in payload:
                return payload
        raise classify_error(response, url=self._api)

    def _keep_cookies(self, response: requests.Response) -> None:
        """Move the wiki's cookies from the shared session into this connector's jar."""
        for step in (*response.history, response):
            if step.raw is not None and step.request is not None:
                extract_cookies_to_jar(self._jar, step.request, step.raw)  # type: ignore[no-untyped-call]
        names = {cookie.name for cookie in CookieJar.__iter__(self._jar)}
        for cookie in list(CookieJar.__iter__(self._http.cookies)):
            if cookie.name in names and cookie.domain.lstrip(".") in ("", urlsplit(self._api).hostname or ""):
                self._http.cookies.clear(cookie.domain, cookie.path, cookie.name)


@dataclass(frozen=True, slots=True)
class _Heading:
    index: str
    anchor: str
    line: str
    level: int
    start: int  # where the heading line starts, in characters of the wikitext


def _headings(wikitext: str, sections: Any) -> list[_Heading]:
    """action=parse's sections that start in the page's own wikitext (not in templates), in page order.

    MediaWiki 1.39 counts `byteoffset` in characters, older releases in bytes: the reading that lands on
    a heading is taken.
    """
    data = wikitext.encode()
    headings: list[_Heading] = []
    for section in sections if isinstance(sections, list) else []:
        if not isinstance(section, dict) or not isinstance(section.get("byteoffset"), int):
            continue
        offset: int = section["byteoffset"]
        if not wikitext.startswith("=", offset):
            as_chars = len(data[:offset].decode("utf-8", "ignore"))
            offset = as_chars if wikitext.startswith("=", as_chars) else offset
        level = str(section.get("level") or "")
        headings.append(
            _Heading(
                index=str(section.get("index") or ""),
                anchor=str(section.get("anchor") or ""),
                line=str(section.get("line") or ""),
                level=int(level) if level.isdigit() else 2,
                start=offset,
            )
        )
    return sorted(headings, key=lambda heading: heading.start)


def _section_text(wikitext: str, headings: list[_Heading], heading: _Heading) -> str:
    """The section from its heading line up to the next heading of the same or a higher level."""
    later = [h.start for h in headings if h.start > heading.start and h.level <= heading.level]
    return wikitext[heading.start : min(later) if later else len(wikitext)]


def _path(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _revision(answer: dict[str, Any]) -> tuple[str, int, str] | None:
    """(wikitext, revid, timestamp) of the one revision a prop=revisions query returned, None if missing."""
    pages = _path(answer, "query", "pages")
    if not isinstance(pages, list) or not pages or not isinstance(pages[0], dict) or pages[0].get("missing"):
        return None
    revisions = pages[0].get("revisions")
    revision = revisions[0] if isinstance(revisions, list) and revisions else None
    content = _path(revision, "slots", "main", "content")
    revid, stamp = _path(revision, "revid"), _path(revision, "timestamp")
    if not isinstance(content, str) or not isinstance(revid, int) or not isinstance(stamp, str):
        return None
    return content, revid, stamp


def _millis(stamp: str) -> str:
    """MediaWiki's `2025-01-01T09:30:00Z` as `2025-01-01T09:30:00.000Z`."""
    return stamp[:-1] + ".000Z" if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) else stamp


CONNECTOR = MediaWikiConnector
