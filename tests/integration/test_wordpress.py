"""The WordPress connector against a real WordPress (Debian's package, MariaDB, PHP's built-in server).

One site for the module (start-up about 2 s); each test makes its own posts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlite_utils import Database

from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import Draft, Kind
from storage.moments import add_moment, get_moment
from storage.pull import replies_for
from sync.connector import OutgoingMoment, Target
from sync.connectors.wordpress.connector import CONNECTOR, WordPressConnector
from sync.connectors.wordpress.content import marker
from sync.engine import SyncEngine
from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession, new_session
from tests.unit.storage.crashed import crashed_owner

from .servers.wordpress import WordPress

pytestmark = pytest.mark.integration
PORT = 26080
_HELPER = new_session("inflow-test-helper")
"""What the tests do on the site themselves (reading posts back, a colleague's posts and comments)."""


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPress]:
    server = WordPress.create(tmp_path_factory.mktemp("wordpress"), PORT)
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[InflowSession]:
    session = new_session("inflow-test")
    yield session
    session.close()


def connector(
    wp: WordPress, http: requests.Session, *, user: str = "inflow", password: str | None = None, **settings: str
) -> WordPressConnector:
    values = {"url": wp.url, "username": user, "category": "Team", **settings}
    return CONNECTOR(Target("blog", "wordpress", values), password or wp.users[user][1], http, {})


def moment(**changes: Any) -> OutgoingMoment:
    values: dict[str, Any] = {
        "moment_id": str(uuid.uuid4()), "kind": "tip", "title": "Rebase often",
        "body": "Use **rebase**: it keeps history *linear*.", "url": "https://git-scm.com/docs/git-rebase",
        "tags": ("git",), "created_at": "2025-01-01T09:30:00.000Z", "idempotency_key": str(uuid.uuid4()),
    }  # fmt: skip
    values.update(changes)
    return OutgoingMoment(**values)


def post(wp: WordPress, post_id: str, user: str = "inflow") -> dict[str, Any]:
    response = _HELPER.get(
        wp.url + "/", params={"rest_route": f"/wp/v2/posts/{post_id}", "context": "edit"},
        auth=(user, wp.users[user][1]), timeout=10,
    )  # fmt: skip
    response.raise_for_status()
    value: dict[str, Any] = response.json()
    return value


def as_colleague(wp: WordPress, method: str, route: str, **body: Any) -> dict[str, Any]:
    response = _HELPER.request(
        method, wp.url + "/", params={"rest_route": route}, json=body, auth=("colleague", wp.users["colleague"][1]),
        timeout=10,
    )  # fmt: skip
    assert response.ok, response.text
    value: dict[str, Any] = response.json()
    return value


def test_test_connection_names_the_user_and_status(wordpress: WordPress, http: InflowSession) -> None:
    assert (
        connector(wordpress, http).test()
        == "Signed in to 127.0.0.1 as Inflow; posts go in the category 'Team' as draft"
    )


def test_a_share_is_a_draft_in_the_category_with_the_marker(wordpress: WordPress, http: InflowSession) -> None:
    shared = moment()
    result = connector(wordpress, http).send(shared)
    stored = post(wordpress, result.remote_id)
    assert stored["status"] == "draft"
    assert stored["categories"] == [wordpress.category]
    assert stored["title"]["raw"] == "Tip: Rebase often"
    assert "<strong>rebase</strong>" in stored["content"]["raw"]
    assert "https://git-scm.com/docs/git-rebase" in stored["content"]["raw"]
    assert "#git" in stored["content"]["raw"]
    assert marker(shared.idempotency_key) in stored["content"]["raw"]


def test_publish_status_publishes(wordpress: WordPress, http: InflowSession) -> None:
    result = connector(wordpress, http, status="publish").send(moment())
    assert post(wordpress, result.remote_id)["status"] == "publish"
    assert result.link and result.link.startswith(wordpress.url)


def test_a_retry_after_a_lost_answer_finds_the_first_post(wordpress: WordPress, http: InflowSession) -> None:
    """A crash after WordPress stored the post, before the outbox committed: the retry posts nothing new."""
    first = moment()
    stored = connector(wordpress, http).send(first)
    again = connector(wordpress, http).send(OutgoingMoment(**{**_fields(first), "attempts": 1}))
    assert again.remote_id == stored.remote_id


def _fields(value: OutgoingMoment) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__slots__}


def test_edit_and_retract_to_the_trash(wordpress: WordPress, http: InflowSession) -> None:
    wp = connector(wordpress, http)
    shared = moment()
    result = wp.send(shared)
    wp.edit(OutgoingMoment(**{**_fields(shared), "title": "Rebase daily"}), result.remote_id)
    assert post(wordpress, result.remote_id)["title"]["raw"] == "Tip: Rebase daily"
    wp.retract(result.remote_id)
    assert post(wordpress, result.remote_id)["status"] == "trash"
    wp.retract(result.remote_id)  # a second try of the same retraction is done, not an error


def test_editing_a_deleted_post_is_permanent(wordpress: WordPress, http: InflowSession) -> None:
    with pytest.raises(SyncError) as caught:
        connector(wordpress, http).edit(moment(), "999999")
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "post 999999 does not exist" in caught.value.message


def test_a_colleagues_comment_comes_back_as_an_answer(wordpress: WordPress, http: InflowSession) -> None:
    wp = connector(wordpress, http, status="publish")
    result = wp.send(moment())
    as_colleague(wordpress, "POST", "/wp/v2/comments", post=int(result.remote_id), content="Thanks, I'll try it")
    replies = wp.fetch_replies(result.remote_id)
    # The rendered comment, as readers see it (WordPress curls the apostrophe).
    assert [(r.author, r.body) for r in replies] == [("Colleague", "Thanks, I\u2019ll try it")]


def test_the_feed_has_colleagues_new_posts_in_the_category_not_ours(wordpress: WordPress, http: InflowSession) -> None:
    wp = connector(wordpress, http, status="publish")
    cursor = wp.fetch_feed(None).cursor
    wp.send(moment(title="Ours"))
    time.sleep(1.1)  # post dates have whole seconds; `after` is strictly later
    as_colleague(wordpress, "POST", "/wp/v2/posts", title="Pair on reviews?", content="<p>Works well.</p>",
                 status="publish", categories=[wordpress.category])  # fmt: skip
    as_colleague(wordpress, "POST", "/wp/v2/posts", title="Elsewhere", content="x", status="publish")
    page = wp.fetch_feed(cursor)
    assert [(i.title, i.author, i.kind, i.body) for i in page.items] == [
        ("Pair on reviews?", "Colleague", "question", "Works well.")
    ]
    assert wp.fetch_feed(page.cursor).items == []


def test_a_wrong_application_password_is_auth(wordpress: WordPress, http: InflowSession) -> None:
    with pytest.raises(SyncError) as caught:
        connector(wordpress, http, password="abcd efgh ijkl mnop qrst uvwx").send(moment())
    assert caught.value.kind is ErrorKind.AUTH
    assert "application password" in caught.value.message


def test_an_unknown_category_is_explained(wordpress: WordPress, http: InflowSession) -> None:
    with pytest.raises(SyncError) as caught:
        connector(wordpress, http, category="Nope").send(moment())
    assert caught.value.kind is ErrorKind.PERMANENT
    assert "no category named 'Nope'" in caught.value.message


def test_missing_packages_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from .servers import ServerNotInstalledError
    from .servers import wordpress as servers_wordpress

    monkeypatch.setattr(servers_wordpress, "WORDPRESS_DIR", tmp_path)
    with pytest.raises(ServerNotInstalledError, match="wordpress mariadb-server php-mysql"):
        servers_wordpress._installed()


# ---------------------------------------------------------------------- through the engine


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "inflow.db")


def engine_for(db: Database, wp: WordPress, password: str | None = None) -> SyncEngine:
    target = Target("blog", "wordpress", {"url": wp.url, "username": "inflow", "category": "Team", "status": "publish"})
    secret = password or wp.users["inflow"][1]
    return SyncEngine(
        db, lambda: [target], lambda _t: secret, lambda: new_session("t", timeout=(5, 10)), rng=lambda: 0.0
    )


def posts_marked(wp: WordPress, key: str) -> list[dict[str, Any]]:
    response = _HELPER.get(
        wp.url + "/", params={"rest_route": "/wp/v2/posts", "search": f"inflow:{key}", "status": "any",
                              "context": "edit"}, auth=("inflow", wp.users["inflow"][1]), timeout=10,
    )  # fmt: skip
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()
    return found


def test_engine_shares_and_brings_a_comment_back_as_an_answer(wordpress: WordPress, db: Database) -> None:
    engine = engine_for(db, wordpress)
    moment_id = add_moment(db, Draft(kind=Kind.QUESTION, title="Who owns the certs?", share_to=("blog",))).id
    assert engine.run_pass().sent == 1
    remote = outbox_status.deliveries_for(db, get_moment(db, moment_id).rowid)[0].remote_id
    assert remote is not None
    as_colleague(wordpress, "POST", "/wp/v2/comments", post=int(remote), content="The ops team does.")
    report = engine.run_pass(pull_now=True)
    assert [(a.moment_id, a.count) for a in report.answers] == [(moment_id, 1)]
    assert [r.body for r in replies_for(db, get_moment(db, moment_id).rowid)] == ["The ops team does."]
    engine.close()


def test_engine_recovers_a_crash_after_the_post_without_a_duplicate(
    wordpress: WordPress, db: Database, tmp_path: Path, http: InflowSession
) -> None:
    moment_id = add_moment(db, Draft(kind=Kind.TIP, title="Crash-proof tip", share_to=("blog",))).id
    claimed = outbox.claim_due(db, time.time(), owner=crashed_owner())
    assert claimed is not None
    sent = connector(wordpress, http).send(moment(moment_id=claimed.moment_id, idempotency_key=claimed.idempotency_key))
    db.conn.close()  # WordPress stored the post, then the app was killed before recording it
    reopened = open_database(tmp_path / "inflow.db")
    engine = engine_for(reopened, wordpress)
    assert engine.reconcile() == 1
    assert engine.run_pass().sent == 1
    assert outbox_status.deliveries_for(reopened, get_moment(reopened, moment_id).rowid)[0].remote_id == sent.remote_id
    assert [p["id"] for p in posts_marked(wordpress, claimed.idempotency_key)] == [int(sent.remote_id)]
    engine.close()


def test_engine_pauses_on_a_wrong_application_password(wordpress: WordPress, db: Database) -> None:
    engine = engine_for(db, wordpress, password="abcd efgh ijkl mnop qrst uvwx")
    add_moment(db, Draft(kind=Kind.TIP, title="Never sent", share_to=("blog",)))
    assert engine.run_pass().paused == ["blog"]
    engine.close()
