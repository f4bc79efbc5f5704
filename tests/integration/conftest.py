"""Session-scoped real servers: `synapse` (Matrix), `ralph` (xAPI LRS) and `mediawiki`.

Each is started once per test session, on 127.0.0.1, in its own temp dir, and stopped (its whole
process group) at the end of the session. The servers are installed by `bash scripts/test.sh`
(MediaWiki from Debian packages, the others into virtualenvs);
without them these fixtures FAIL (never skip), saying so.

A test may `stop()` a server and `start()` it again (same port, same data). If a test leaves one
stopped (say it failed in between), it is started again after that test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from .servers import ServerNotInstalledError
from .servers.mediawiki import MediaWiki
from .servers.ralph import Ralph
from .servers.synapse import Synapse

_Server = TypeVar("_Server", Synapse, Ralph, MediaWiki)


def _create(create: Callable[[Path], _Server], data_dir: Path) -> _Server:
    """`create(data_dir)`, or a plain test failure (never a skip) when the server is not installed."""
    try:
        return create(data_dir)
    except ServerNotInstalledError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A Synapse homeserver (server name "localhost") with its rate limits raised."""
    server = _create(Synapse.create, tmp_path_factory.mktemp("synapse"))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ralph]:
    """A Ralph LRS (fs backend) with one basic-auth user that has every scope."""
    server = _create(Ralph.create, tmp_path_factory.mktemp("ralph"))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(autouse=True)
def _restart_stopped_servers(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test: start again any server fixture the test left stopped."""
    yield
    for value in request.node.funcargs.values():
        if isinstance(value, Synapse | Ralph | MediaWiki) and not value.running:
            value.start()


@pytest.fixture(scope="session")
def mediawiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWiki]:
    """A MediaWiki (SQLite, PHP's built-in server) with an admin, a bot and a rate-limited normal account."""
    server = _create(MediaWiki.create, tmp_path_factory.mktemp("mediawiki"))
    try:
        yield server
    finally:
        server.close()
