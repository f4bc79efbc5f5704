"""Several engines on one database (the app and `inflow sync now`): claims are leases, so each moment is
delivered once, and a server's Retry-After is stored, so a fresh engine honours it (loopback receivers)."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import outbox, outbox_status
from storage.db import open_database
from storage.models import DeliveryState, Draft, Kind
from storage.moments import add_moment, get_moment
from sync.connector import Target
from sync.engine import SyncEngine
from sync.http import DEADLINE_S, new_session
from tests.unit.sync.local_server import Answer, LocalServer, Request

ROOT = Path(__file__).resolve().parents[3]
SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()

#: One `inflow sync now` without the app: an engine of its own, in a process of its own.
ENGINE_PROCESS = """
import sys
from pathlib import Path
from storage.db import open_database
from sync.connector import Target
from sync.engine import SyncEngine
from sync.http import new_session

db_path, url, secret = sys.argv[1:4]
target = Target("team", "webhook", {"url": url})
engine = SyncEngine(open_database(Path(db_path)), lambda: [target], lambda _t: secret, lambda: new_session("test"))
engine.reconcile()
print(engine.run_pass().summary())
engine.close()
"""


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def share(db_path: Path, count: int) -> list[str]:
    db = open_database(db_path)
    ids = [add_moment(db, Draft(kind=Kind.TIP, title=f"tip {i}", share_to=("team",))).id for i in range(count)]
    db.conn.close()
    return ids


def keys(db_path: Path, moment_ids: list[str]) -> list[str]:
    db = open_database(db_path)
    rows = [db.execute("SELECT idempotency_key FROM outbox WHERE moment_rowid = ?", [get_moment(db, m).rowid])
            for m in moment_ids]  # fmt: skip
    return sorted(str(row.fetchone()[0]) for row in rows)


def test_the_lease_outlasts_any_one_http_exchange() -> None:
    assert outbox.LEASE_S >= 3 * DEADLINE_S


def test_two_engines_in_two_processes_deliver_each_moment_exactly_once(tmp_path: Path) -> None:
    db_path = tmp_path / "inflow.db"
    moments = share(db_path, 6)

    def slow(_request: Request, _h: object) -> Answer:
        time.sleep(0.5)  # each delivery takes a while: the second process starts while the first sends
        return 204, {}, b""

    with LocalServer(slow, methods=("POST",)) as server:
        url = f"{server.url}/hooks/inflow"

        def start() -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, "-c", ENGINE_PROCESS, str(db_path), url, SECRET],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip

        first = start()
        processes = [first]
        try:
            deadline = time.monotonic() + 30
            while not server.requests and time.monotonic() < deadline:
                time.sleep(0.02)
            assert server.requests, "the first engine never posted"
            second = start()  # it starts while the first holds a claim
            processes.append(second)
            outputs = [p.communicate(timeout=60) for p in (first, second)]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        assert [p.returncode for p in (first, second)] == [0, 0], outputs
        delivered = sorted(r.headers["webhook-id"] for r in server.requests)
    assert delivered == keys(db_path, moments)  # every moment once: no claim was taken from a live engine
    db = open_database(db_path)
    assert {d.state for m in moments for d in outbox_status.deliveries_for(db, get_moment(db, m).rowid)} == {
        DeliveryState.SENT
    }
    sent = sum(int(out.split(" sent")[0]) for out, _err in outputs)
    assert sent == 6  # each engine counts only what it recorded


@pytest.fixture
def limited() -> Iterator[tuple[LocalServer, list[Answer]]]:
    """A receiver answering from a script (then 204): first a 429 with Retry-After: 30."""
    script: list[Answer] = [(429, {"Retry-After": "30"}, b"slow down")]
    with LocalServer(lambda _r, _h: script.pop(0) if script else (204, {}, b""), methods=("POST",)) as server:
        yield server, script


def test_a_retry_after_is_stored_and_honoured_by_a_fresh_engine(
    limited: tuple[LocalServer, list[Answer]], tmp_path: Path
) -> None:
    server, _script = limited
    db_path = tmp_path / "inflow.db"
    target = Target("team", "webhook", {"url": f"{server.url}/hooks/inflow"})
    clock = Clock()

    def engine() -> SyncEngine:
        return SyncEngine(open_database(Path(db_path)), lambda: [target], lambda _t: SECRET,
                          lambda: new_session("test", timeout=(2, 2)), clock=clock, rng=lambda: 0.0)  # fmt: skip

    share(db_path, 1)
    first = engine()
    assert first.run_pass().retrying == 1
    first.close()
    share(db_path, 1)  # a new moment for the same target, never tried
    clock.now += 5
    fresh = engine()  # the next `inflow sync now`: a new process knows nothing but the database
    report = fresh.run_pass()
    assert (report.sent, len(server.requests)) == (0, 1)  # nothing posted before the server's time
    assert report.next_due is not None and report.next_due >= clock.now + 25
    status = outbox_status.retrying_deliveries(fresh._db)
    assert [(d.attempts, d.last_error) for d in status] == [(1, status[0].last_error)]
    assert status[0].last_error is not None and "429" in status[0].last_error
    clock.now += 26
    assert fresh.run_pass().sent == 2
    assert len(server.requests) == 3
    fresh.close()
