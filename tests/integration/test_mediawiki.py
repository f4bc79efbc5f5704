"""The MediaWiki connector against a real MediaWiki (Debian's package, SQLite, PHP's built-in server).

Each test works on its own team page (a fresh title), so tests do not see each other's sections.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.connector import OutgoingMoment, Target
from sync.connectors.mediawiki.connector import CONNECTOR, MediaWikiConnector, split_remote_id
from sync.connectors.mediawiki.sections import Located
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session

from .servers import ServerNotInstalledError, ServerRequestError
from .servers import mediawiki as servers_mediawiki
from .servers.mediawiki import USER_EDITS_PER_MINUTE, Account, MediaWiki

pytestmark = pytest.mark.integration


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test")
    yield session
    session.close()


@pytest.fixture
def page() -> str:
    return f"Team {uuid.uuid4().hex[:10]}"


def connector(
    wiki: MediaWiki, http: requests.Session, page: str, account: Account | None = None, password: str | None = None
) -> MediaWikiConnector:
    account = account or wiki.bot
    settings = {"url": wiki.api_url, "page": page, "username": account.login}
    return CONNECTOR(Target("wiki", "mediawiki", settings), password or account.password, http, {})


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": str(uuid.uuid4()), "kind": "tip", "title": "Rebase often",
        "body": "Use **rebase** — it's *tidy*.\n\n- keeps history linear\n- see [the docs](https://git-scm.com/docs)",
        "url": "https://git-scm.com/docs/git-rebase", "tags": ("git", "workflow"),
        "created_at": "2025-01-01T09:30:00.000Z", "idempotency_key": str(uuid.uuid4()),
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def failure(call: Callable[[], object]) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()
    return caught.value


def section_index(wiki: MediaWiki, title: str, anchor: str) -> str:
    for section in wiki.sections(title):
        if section["anchor"] == anchor:
            return str(section["index"])
    raise AssertionError(f"no section {anchor!r} on {title}: {wiki.sections(title)}")


# ---------------------------------------------------------------------- sign-in


def test_bot_password_login(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    message = connector(mediawiki, http, page).test()
    assert message == f"Signed in to Inflow Test Wiki as InflowBot; posts go to {page}, questions to Talk:{page}"


def test_a_wrong_bot_password_is_auth(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wrong = connector(mediawiki, http, page, password="x" * 32)
    error = failure(wrong.test)
    assert error.kind is ErrorKind.AUTH
    assert "refused the bot password for InflowBot@inflow" in error.message
    assert failure(lambda: wrong.send(moment())).kind is ErrorKind.AUTH
    assert mediawiki.wikitext(page) == ""


def test_the_session_cookies_stay_in_the_connector(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    bot = connector(mediawiki, http, page)
    admin = connector(mediawiki, http, page, mediawiki.admin)
    bot.send(moment(title="From the bot"))
    admin.send(moment(title="From the admin"))
    assert list(http.cookies) == []  # nothing left in the shared session
    users = mediawiki.api(
        mediawiki.session(mediawiki.admin), "GET", action="query", prop="revisions", titles=page,
        rvprop="user", rvlimit="10",
    )["query"]["pages"][0]["revisions"]  # fmt: skip
    assert sorted(r["user"] for r in users) == ["Admin", "InflowBot"]


def test_an_expired_session_logs_in_again(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    wiki.send(moment(title="First"))
    wiki._wiki.jar.clear()  # the wiki forgot our session (expired, server restarted with a new secret...)
    wiki.send(moment(title="Second"))
    assert [s["line"] for s in mediawiki.sections(page)] == ["Tip: First", "Tip: Second"]


# ---------------------------------------------------------------------- posting


def test_tips_and_resources_become_sections_of_the_team_page(
    mediawiki: MediaWiki, http: InflowSession, page: str
) -> None:
    wiki = connector(mediawiki, http, page)
    tip = moment()
    first = wiki.send(tip)
    second = wiki.send(moment(kind="resource", title="Pro Git", body="The *book*.", url="https://git-scm.com/book"))

    assert [s["line"] for s in mediawiki.sections(page)] == ["Tip: Rebase often", "Resource: Pro Git"]
    assert first.remote_id == f"{page}#Tip:_Rebase_often#{tip.moment_id}"
    assert split_remote_id(second.remote_id)[:2] == (page, "Resource:_Pro_Git")
    assert first.link == f"{mediawiki.base_url}/index.php/{page.replace(' ', '_')}#Tip:_Rebase_often"
    text = mediawiki.wikitext(page)
    assert f"<!-- inflow:{tip.moment_id} -->" in text
    assert f"<!-- /inflow:{tip.moment_id} -->" in text
    assert "Use '''rebase''' — it's ''tidy''." in text
    assert "* keeps history linear\n* see [https://git-scm.com/docs the docs]" in text
    assert "Link: [https://git-scm.com/docs/git-rebase https://git-scm.com/docs/git-rebase]" in text
    assert "Tags: git, workflow" in text
    assert "~~" not in text  # tips are not signed
    html = mediawiki.api(mediawiki.session(mediawiki.admin), "GET", action="parse", page=page, prop="text")
    rendered = html["parse"]["text"]
    assert "<b>rebase</b>" in rendered
    assert '<a rel="nofollow" class="external text" href="https://git-scm.com/docs">the docs</a>' in rendered


def test_wiki_markup_in_a_moment_is_shown_not_run(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    body = r"\* not a list" + "\n\n{{Delete}} ~~~~ " + r"\_\_NOTOC\_\_ \'\'\'x\'\'\' <b> [x](javascript:alert(1))"
    wiki.send(moment(title="Braces {{x}} [[y]]", body=body, url=None, tags=()))
    rendered = mediawiki.api(mediawiki.session(mediawiki.admin), "GET", action="parse", page=page, prop="text")
    text = html.unescape(rendered["parse"]["text"])
    assert "<p>* not a list\n</p>" in text
    assert "{{Delete}} ~~~~ __NOTOC__ '''x''' <b> [x](javascript:alert(1))\n" in text
    assert "Braces {{x}} [[y]]</span>" in text
    assert "<li>" not in text
    assert 'href="javascript' not in text


def test_a_question_is_a_signed_section_of_the_talk_page(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    question = moment(kind="question", title="Why rebase?", body="Is it *safe*?", url=None, tags=())
    result = connector(mediawiki, http, page).send(question)

    assert result.remote_id == f"Talk:{page}#Question:_Why_rebase?#{question.moment_id}"
    assert mediawiki.wikitext(page) == ""
    text = mediawiki.wikitext(f"Talk:{page}")
    assert "Is it ''safe''?" in text
    assert re.search(r"— \[\[User:InflowBot\|InflowBot\]\] .* \(UTC\)\n<!-- /inflow:", text)


def test_a_colleagues_talk_reply_comes_back(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    question = moment(kind="question", title="Why rebase?", body="Is it safe?", url=None, tags=())
    result = wiki.send(question)
    title, anchor, _ = split_remote_id(result.remote_id)
    assert wiki.fetch_replies(result.remote_id) == []

    index = section_index(mediawiki, title, anchor)
    mediawiki.edit(mediawiki.admin, title, section=index, appendtext="\n:Yes, with '''care'''. ~~~~")
    replies = wiki.fetch_replies(result.remote_id)
    assert [(r.author, r.body) for r in replies] == [("Admin", "Yes, with care.")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z", replies[0].created_at)

    mediawiki.edit(mediawiki.admin, title, section=index, appendtext="\n::And an unsigned afterthought.")
    again = wiki.fetch_replies(result.remote_id)
    assert again[0] == replies[0]  # same remote id: the engine keeps only one
    assert [(r.author, r.body) for r in again[1:]] == [("(unsigned)", "And an unsigned afterthought.")]


def test_replies_of_a_removed_section_say_so(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    result = wiki.send(moment(kind="question", title="Gone soon?"))
    mediawiki.edit(mediawiki.admin, f"Talk:{page}", text="Cleared.")
    error = failure(lambda: wiki.fetch_replies(result.remote_id))
    assert error.kind is ErrorKind.PERMANENT
    assert "removed" in error.message


# ---------------------------------------------------------------------- edit and retract


def test_edit_rewrites_our_part_and_keeps_the_replies(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    question = moment(kind="question", title="Why rebase?", body="Old text", url=None, tags=())
    result = wiki.send(question)
    title, anchor, _ = split_remote_id(result.remote_id)
    mediawiki.edit(mediawiki.admin, title, section=section_index(mediawiki, title, anchor), appendtext="\n:Yes. ~~~~")

    wiki.edit(moment(moment_id=question.moment_id, kind="question", title="Why rebase at all?", body="New text"),
              result.remote_id)  # fmt: skip
    text = mediawiki.wikitext(title)
    assert "Old text" not in text
    assert "== Question: Why rebase at all? ==" in text
    assert "New text" in text
    assert [r.body for r in wiki.fetch_replies(result.remote_id)] == ["Yes."]


def test_retract_removes_a_section_nobody_answered(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    keep = wiki.send(moment(title="Keep me"))
    gone = wiki.send(moment(title="Remove me"))
    wiki.retract(gone.remote_id)
    assert [s["line"] for s in mediawiki.sections(page)] == ["Tip: Keep me"]
    wiki.retract(gone.remote_id)  # again: nothing to do
    assert split_remote_id(keep.remote_id)[1] == "Tip:_Keep_me"


def test_retract_keeps_the_replies(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    result = wiki.send(moment(kind="question", title="Secret?", body="my secret text"))
    title, anchor, _ = split_remote_id(result.remote_id)
    mediawiki.edit(mediawiki.admin, title, section=section_index(mediawiki, title, anchor), appendtext="\n:Hm. ~~~~")
    wiki.retract(result.remote_id)
    text = mediawiki.wikitext(title)
    assert "my secret text" not in text
    assert "Secret?" not in text
    assert "(Removed by the author.)" in text
    assert ":Hm. [[User:Admin" in text


def _interfering(wiki: MediaWikiConnector, mediawiki: MediaWiki, times: int) -> list[int]:
    """After each of the next `times` reads of our section, the admin changes a line of it."""
    real = wiki._locate
    done: list[int] = []

    def locate(title: str, moment_id: str, *, oldid: int | None = None) -> Located | None:
        found = real(title, moment_id, oldid=oldid)
        if found is not None and oldid is None and len(done) < times:
            done.append(1)
            current = mediawiki.wikitext(title)
            mediawiki.edit(mediawiki.admin, title, text=current.replace("Line two", f"Line two, edited {len(done)}"))
        return found

    wiki._locate = locate  # type: ignore[method-assign]
    return done


def test_an_edit_conflict_is_retried_once_with_a_fresh_base(
    mediawiki: MediaWiki, http: InflowSession, page: str
) -> None:
    wiki = connector(mediawiki, http, page)
    tip = moment(body="Line one\n\nLine two")
    result = wiki.send(tip)
    interfered = _interfering(wiki, mediawiki, times=1)

    wiki.edit(moment(moment_id=tip.moment_id, body="Line one\n\nLine two, rewritten"), result.remote_id)
    assert interfered == [1]
    text = mediawiki.wikitext(page)
    assert "Line two, rewritten" in text
    assert "edited 1" not in text  # our post is ours: the fresh base was rewritten
    assert text.count("<!-- inflow:") == 1


def test_a_second_edit_conflict_is_transient(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    tip = moment(body="Line one\n\nLine two")
    result = wiki.send(tip)
    interfered = _interfering(wiki, mediawiki, times=2)

    error = failure(lambda: wiki.edit(moment(moment_id=tip.moment_id, body="Line two, mine"), result.remote_id))
    assert interfered == [1, 1]
    assert error.kind is ErrorKind.TRANSIENT
    assert "(editconflict)" in error.message
    assert "edited 2" in mediawiki.wikitext(page)


def test_two_edits_against_the_same_base_revision(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    """The raw behaviour the retry relies on: the wiki refuses the second of two overlapping edits."""
    mediawiki.edit(mediawiki.admin, page, text="== A ==\nLine two\n")
    base = mediawiki.edit(mediawiki.admin, page, text="== A ==\nLine one\n\nLine two\n")["newrevid"]
    mediawiki.edit(mediawiki.admin, page, section="1", text="== A ==\nLine one\n\nLine two (admin)\n", baserevid=base)
    with pytest.raises(ServerRequestError, match="editconflict"):
        mediawiki.edit(mediawiki.bot, page, section="1", text="== A ==\nLine one\n\nLine two (bot)\n", baserevid=base)
    # A change elsewhere in the page merges (three-way) without a conflict.
    mediawiki.edit(mediawiki.bot, page, section="1", text="== A ==\nLine one (bot)\n\nLine two\n", baserevid=base)
    assert mediawiki.wikitext(page) == "== A ==\nLine one (bot)\n\nLine two (admin)"


# ---------------------------------------------------------------------- duplicates, rate limits, refusals


class _LosesEditAnswers(InflowSession):
    """Sends every request; for action=edit, the answer is "lost" (a read timeout after the wiki saved)."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().request(method, url, *args, **kwargs)
        if method == "POST" and ("action", "edit") in list(kwargs.get("data") or []):
            raise requests.ReadTimeout("the answer was lost")
        return response


def test_no_second_section_after_an_ambiguous_failure(mediawiki: MediaWiki, page: str) -> None:
    tip = moment()
    with _LosesEditAnswers(user_agent="inflow-test") as lossy:
        error = failure(lambda: connector(mediawiki, lossy, page).send(tip))
    assert error.kind is ErrorKind.TRANSIENT
    assert mediawiki.wikitext(page).count(f"<!-- inflow:{tip.moment_id} -->") == 1  # it did go through

    with new_session("inflow-test") as http:
        retry = connector(mediawiki, http, page)  # after a restart: a fresh connector, attempts counted
        result = retry.send(OutgoingMoment(**{**_fields(tip), "attempts": 1}))
        assert result.remote_id == f"{page}#Tip:_Rebase_often#{tip.moment_id}"
        assert mediawiki.wikitext(page).count(f"<!-- inflow:{tip.moment_id} -->") == 1
        # A retry of something that never arrived is posted.
        other = moment(title="Never arrived", attempts=2)
        retry.send(other)
    assert [s["line"] for s in mediawiki.sections(page)] == ["Tip: Rebase often", "Tip: Never arrived"]


def _fields(value: OutgoingMoment) -> dict[str, Any]:
    return {name: getattr(value, name) for name in OutgoingMoment.__dataclass_fields__}


def test_ratelimited_for_a_normal_account_is_transient(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page, mediawiki.user)
    for number in range(USER_EDITS_PER_MINUTE):
        wiki.send(moment(title=f"Tip {number}"))
    error = failure(lambda: wiki.send(moment(title="One too many")))
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == 60
    assert "rate-limiting" in error.message
    assert len(mediawiki.sections(page)) == USER_EDITS_PER_MINUTE


def test_a_protected_page_is_permanent(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    mediawiki.protect(page)
    error = failure(lambda: connector(mediawiki, http, page).send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "protect" in error.message


def test_a_talk_page_as_team_page_is_refused(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    error = failure(lambda: connector(mediawiki, http, f"Talk:{page}").send(moment()))
    assert error.kind is ErrorKind.PERMANENT
    assert "content page" in error.message


def test_a_wrong_api_url_is_explained(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = CONNECTOR(
        Target("wiki", "mediawiki", {"url": f"{mediawiki.base_url}/index.php", "page": page, "username": "x@y"}),
        "secret", http, {},
    )  # fmt: skip
    error = failure(wiki.test)
    assert error.kind is ErrorKind.PERMANENT
    assert "refused the request (HTTP 404): is http://127.0.0.1" in error.message
    assert "an HTML page (No such action - Inflow Test Wiki)" in error.message


# ---------------------------------------------------------------------- feed


def test_feed_returns_colleagues_new_sections_not_ours(mediawiki: MediaWiki, http: InflowSession, page: str) -> None:
    wiki = connector(mediawiki, http, page)
    start = wiki.fetch_feed(None)
    assert start.items == []
    assert start.cursor is not None

    wiki.send(moment(title="Ours"))
    wiki.send(moment(kind="question", title="Ours too"))
    mediawiki.edit(mediawiki.admin, page, section="new", sectiontitle="Use git bisect",
                   text="It finds the '''bad''' commit. See [https://git-scm.com/docs/git-bisect bisect].")  # fmt: skip
    mediawiki.edit(mediawiki.admin, f"Talk:{page}", section="new", sectiontitle="Question: Who owns CI?",
                   text="Anyone? ~~~~")  # fmt: skip
    mediawiki.edit(mediawiki.admin, page, appendtext="\nA plain edit, not a section.")

    feed = wiki.fetch_feed(start.cursor)
    assert [(i.author, i.kind, i.title) for i in feed.items] == [
        ("Admin", "tip", "Use git bisect"),
        ("Admin", "question", "Who owns CI?"),
    ]
    bisect = feed.items[0]
    assert bisect.body == "It finds the bad commit. See bisect (https://git-scm.com/docs/git-bisect)."
    assert bisect.url == f"{mediawiki.base_url}/index.php/{page.replace(' ', '_')}#Use_git_bisect"
    assert bisect.local_id is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", bisect.created_at)
    assert len({i.remote_id for i in feed.items}) == 2

    again = wiki.fetch_feed(feed.cursor)
    assert again.items == []
    assert again.cursor == feed.cursor


def test_missing_debian_packages_name_the_test_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(servers_mediawiki, "MEDIAWIKI_DIR", tmp_path / "nowhere")
    with pytest.raises(
        ServerNotInstalledError, match=r"mediawiki php8\.2-cli php8\.2-sqlite3.*`bash scripts/test\.sh`"
    ):
        MediaWiki.create(tmp_path)
