"""MediaWiki: tips and resources as sections of a team page, questions as sections of its talk page.

The package: this module speaks the interface; auth.py is the bot's API session (sign-in with a bot
password, the CSRF token, its own cookie jar), sections.py finds our section in a page's revision,
content.py turns moments into wikitext and reads replies back, errors.py classifies every answer.

A post is `action=edit&section=new`; the section carries `<!-- inflow:<moment id> -->` (see
content.py), which is how we find it again: after an ambiguous failure (`attempts` > 0) we look
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
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import requests

from sync.connector import FeedItem, FeedPage, OutgoingMoment, RemoteReply, SendResult, Target, TargetKey
from sync.connectors.mediawiki import content as text
from sync.connectors.mediawiki.auth import WikiApi
from sync.connectors.mediawiki.errors import (
    ApiError,
    host_of,
    unexpected_shape,
)
from sync.connectors.mediawiki.sections import Located, headings_of, revision_of, section_text
from sync.errors import ErrorKind, SyncError, permanent

MAX_PAGES = 20
"""Pages of recent changes (50 each) one fetch_feed reads per title at most; the rest comes next time."""
_NEW_SECTION = re.compile(r"^/\*\s*(.*?)\s*\*/\s*new section\b")
_URL_SAFE = ";@$!*(),/~:"


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
        self._wiki = WikiApi(self._api, self._username, self._password, http)
        self._titles: tuple[str, str] | None = None

    # ------------------------------------------------------------------ the interface

    def test(self) -> str:
        self._wiki.login()
        page, talk = self._pages()
        name = self._wiki.site.get("sitename") or host_of(self._api)
        return f"Signed in to {name} as {self._wiki.me}; posts go to {page}, questions to {talk}"

    def send(self, moment: OutgoingMoment) -> SendResult:
        page, talk = self._pages()
        title = talk if moment.kind == "question" else page
        if moment.attempts > 0 and (found := self._locate(title, moment.moment_id)) is not None:
            return self._result(title, found.anchor, moment.moment_id)
        heading = text.section_heading(moment)
        edit = self._wiki.edit(
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
            now = self._wiki.query([("action", "query"), ("curtimestamp", "1")]).get("curtimestamp")
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
        server, path = self._wiki.site.get("server"), self._wiki.site.get("articlepath")
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
        answer = self._wiki.query(query)
        revision = revision_of(answer)
        if revision is None:
            return None  # the page does not exist (yet)
        wikitext, revid, stamp = revision
        offset = wikitext.find(text.start_marker(moment_id))
        if offset < 0:
            return None
        parsed = self._wiki.query([("action", "parse"), ("oldid", str(revid)), ("prop", "sections")]).get("parse")
        sections = parsed.get("sections") if isinstance(parsed, dict) else None
        if not isinstance(sections, list):
            raise unexpected_shape(self._api, "parse.sections")
        headings = headings_of(wikitext, sections)
        mine = [heading for heading in headings if heading.start <= offset]
        if not mine:
            raise permanent(f"Our post on {title} is no longer inside a section (edited on the wiki?)")
        now = answer.get("curtimestamp")
        return Located(
            index=mine[-1].index, anchor=mine[-1].anchor, level=mine[-1].level,
            text=section_text(wikitext, headings, mine[-1]), revid=revid, timestamp=stamp,
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
                self._wiki.edit(fields)
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
            answer = self._wiki.query(params + list(cont.items()))
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
        if match is None or not user or user == self._wiki.me:
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
        parsed = self._wiki.query([("action", "parse"), ("oldid", str(revid)), ("prop", "sections|wikitext")]).get(
            "parse"
        )
        if not isinstance(parsed, dict) or not isinstance(parsed.get("wikitext"), str):
            return None
        headings = headings_of(parsed["wikitext"], parsed.get("sections"))
        wanted = text.wikitext_to_plain(heading)
        named = [h for h in headings if text.wikitext_to_plain(h.line) == wanted]
        candidates = named or headings  # a new section is the last one
        if not candidates:
            return None
        raw = section_text(parsed["wikitext"], headings, candidates[-1])
        body = raw.partition("\n")[2]  # without the heading line
        return text.wikitext_to_plain(body), candidates[-1].anchor

    # ------------------------------------------------------------------ the API

    def _pages(self) -> tuple[str, str]:
        """The team page's title (normalised, redirects followed) and its talk page's."""
        if self._titles is not None:
            return self._titles
        if not self._page_setting:
            raise permanent("Set the team page (the wiki page Inflow adds sections to)")
        answer = self._wiki.query([("action", "query"), ("titles", self._page_setting), ("redirects", "1"),
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


def _millis(stamp: str) -> str:
    """MediaWiki's `2025-01-01T09:30:00Z` as `2025-01-01T09:30:00.000Z`."""
    return stamp[:-1] + ".000Z" if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) else stamp


CONNECTOR = MediaWikiConnector
